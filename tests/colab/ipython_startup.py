"""IPython start-up file of the Colab-like kernel (copied into a temporary IPYTHONDIR).

1. ``import google.colab``: in Colab the kernel has imported it before the first cell runs, and
   the chapters' setup cell tests ``"google.colab" in sys.modules``.
2. The ``%pip`` magic is timed: each call appends its seconds to
   ``$COLAB_TEST_RECORD/pip-seconds.txt``, so the test can bound the setup cell's install
   without changing the notebook.
"""
import os
import time
from pathlib import Path

import google.colab  # noqa: F401

from IPython import get_ipython

_shell = get_ipython()
_pip = _shell.find_line_magic("pip")


def _timed_pip(line):
    started = time.perf_counter()
    try:
        return _pip(line)
    finally:
        record = os.environ.get("COLAB_TEST_RECORD")
        if record:
            with open(Path(record) / "pip-seconds.txt", "a") as file:
                file.write(f"{time.perf_counter() - started:.2f}\t{line}\n")


_shell.register_magic_function(_timed_pip, "line", "pip")
del _timed_pip
