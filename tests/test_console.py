"""The backends' native start-up notes are kept out of a chapter; real stderr lines are not."""
from __future__ import annotations

from helpers import console


def test_start_up_notes_are_hidden_and_other_stderr_lines_are_kept(capfd):
    import os

    with console.quiet_start_up():
        os.write(2, b"I0000 00:00:1.0 1 port.cc:153] oneDNN custom operations are on. You may see\n")
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(2, b"something is really wrong\n")
    err = capfd.readouterr().err
    assert "oneDNN" not in err and "absl::InitializeLog" not in err
    assert "something is really wrong" in err


def test_the_native_stderr_filter_keeps_real_lines_for_the_whole_session(tmp_path):
    """In a fresh process: notes written after start-up are dropped, other lines pass."""
    import subprocess
    import sys

    script = (
        "import os, time\n"
        "from helpers import console\n"
        "console.filter_native_stderr()\n"
        "os.write(2, b'E0000 00:00:1.0 1 util.cc:131] oneDNN supports DT_INT32 only on platforms"
        " with AVX-512. Falling back\\n')\n"
        "os.write(2, b'a real problem\\n')\n"
        "time.sleep(0.5)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=60)
    assert "a real problem" in result.stderr
    assert "oneDNN" not in result.stderr


def test_tensorflow_retracing_notes_are_dropped_and_its_other_warnings_kept(caplog):
    import logging

    console.drop_retracing_notes()
    console.drop_retracing_notes()  # once is enough: no second filter
    logger = logging.getLogger("tensorflow")
    assert len(logger.filters) == 1
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        logger.warning("5 out of the last 14 calls to <function f at 0x1> triggered "
                       "tf.function retracing. Tracing is expensive ...")
        logger.warning("a real problem")
    assert [r.getMessage() for r in caplog.records] == ["a real problem"]
