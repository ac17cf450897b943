"""Measuring tools a chapter uses but does not teach: they stand beside the autoencoders
as baselines or judges, so their code is not shown in the chapters.

- :mod:`helpers.measure.codec` -- an autoencoder as a codec: quantised codes and their
  bits (the autoencoders-versus-JPEG chapter, which reaches JPEG through it too).
- :mod:`helpers.measure.jpeg` -- JPEG through Pillow, and which of its bytes are the
  picture.
- :mod:`helpers.measure.denoisers` -- classical denoising filters from scikit-image and
  SciPy (the denoising chapter's baselines).
- :mod:`helpers.measure.judges` -- small classifiers that judge whether an edited image
  has an attribute (the vector-arithmetic chapter).
"""
