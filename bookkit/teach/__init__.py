"""Instructor tooling: the exercise format read, student versions, clean notebooks and
nbgrader courses. No chapter imports it; instructors run it from the top of the
repository (``python -m bookkit.teach --help``) or through ``make student`` and ``make
clean-notebooks``.

- :mod:`bookkit.teach.exercises` -- reads the six-cell exercise format: exercises,
  hints, challenges, solution regions, estimated minutes.
- :mod:`bookkit.teach.validate` -- every way a chapter breaks that format, in words.
- :mod:`bookkit.teach.student` -- student versions (nbgrader's preprocessors) and
  stripping.
- :mod:`bookkit.teach.course` -- an nbgrader course of the chapters, per-student seeds.
- :mod:`bookkit.teach.timings` -- reading and running minutes per chapter.
- :mod:`bookkit.teach.cli` -- the command line.
"""
