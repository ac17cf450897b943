"""Instructor tooling: the exercise format read, student versions, clean notebooks and
nbgrader courses. No chapter imports it; instructors run it from the command line
(``python -m helpers.teach --help``) or through ``make student`` and ``make
clean-notebooks``.

- :mod:`helpers.teach.exercises` -- reads the five-cell exercise format and checks a
  chapter.
- :mod:`helpers.teach.student` -- student versions (nbgrader's preprocessors) and
  stripping.
- :mod:`helpers.teach.course` -- an nbgrader course of the chapters, per-student seeds.
"""
