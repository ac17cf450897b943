"""Tools that make the book itself, imported by no chapter.

- :mod:`helpers.book.extension`: the Sphinx extension loaded from ``_config.yml``;
- :mod:`helpers.book.reader`: the reader notebooks for Colab and plain Jupyter;
- :mod:`helpers.book.pdf`: the whole book as one PDF.
"""
