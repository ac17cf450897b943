"""Models that a chapter builds in front of the reader and later chapters reuse.

Each module holds the builders of one chapter, written exactly as that chapter shows them, so a
reader who meets ``helpers.models.dense_autoencoder`` later has already seen every layer.
"""
from .dense import dense_autoencoder, linear_autoencoder
from .conv import conv_autoencoder
from .vae import build_vae, negative_elbo, importance_weighted_nll, elbo_terms, kl_divergence
