"""A stand-in for Colab's ``google.colab`` package, for tests/test_colab.py only.

``google`` stays a namespace package (no ``google/__init__.py``), so ``google.protobuf`` and the
other ``google.*`` packages of the venv are still found beside this one.
"""
from . import output  # noqa: F401  (as in Colab, ``from google.colab import output`` works)
