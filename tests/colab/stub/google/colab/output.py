"""``google.colab.output`` for tests: records calls instead of talking to Colab's frontend.

Each call of :func:`enable_custom_widget_manager` appends a line to
``$COLAB_TEST_RECORD/widget-manager-calls.txt``, so the test can tell whether the setup cell
asked for Colab's custom widget manager (it should for ipywidgets 8, not for Colab's 7.7.1).
"""
import os
from pathlib import Path

calls = []


def enable_custom_widget_manager():
    calls.append("enable_custom_widget_manager")
    record = os.environ.get("COLAB_TEST_RECORD")
    if record:
        with open(Path(record) / "widget-manager-calls.txt", "a") as file:
            file.write("enable_custom_widget_manager\n")


def disable_custom_widget_manager():
    calls.append("disable_custom_widget_manager")
