"""Tools that make the book itself, imported by no chapter.

- :mod:`bookkit.publish.extension`: the Sphinx extension loaded from ``_config.yml``;
- :mod:`bookkit.publish.reader`: the reader notebooks for Colab and plain Jupyter;
- :mod:`bookkit.publish.pdf`: the whole book as one PDF.
"""
