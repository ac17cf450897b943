"""The tools that make and teach "Autoencoders, hands-on", kept beside the ``helpers``
package readers install and never inside it: no chapter imports them, so a reader's
Colab setup cell does not carry them. They are run from the top of the repository
(the Makefile, ``_config.yml``'s ``local_extensions``, ``python -m bookkit.teach``).

- :mod:`bookkit.publish` -- the Sphinx extension, the execution cache key, the reader
  notebooks for Colab and Jupyter, the whole book as one PDF;
- :mod:`bookkit.teach` -- instructor tooling: exercise format, student versions,
  nbgrader courses;
- :mod:`bookkit.run_chapters` -- every chapter on one Keras backend, with its glued
  numbers (``make backends``, ``make full-gpu``).
"""
