"""helpers.config: the one table of environment variables, and the one place they are read."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import config

ROOT = Path(__file__).resolve().parents[1]
#: Variables read by the tests alone (CONTRIBUTING lists them after the book's own).
TEST_ONLY = {"BOOK_ROUNDTRIP_CHAPTER", "BOOK_STUDENT_CHAPTER", "BOOK_TEST_PICTURES"}
CODE = sorted(p for package in ("helpers", "bookkit") for p in (ROOT / package).rglob("*.py"))


def test_an_unset_or_blank_variable_reads_as_its_default(monkeypatch):
    monkeypatch.delenv("BOOK_SEED", raising=False)
    assert config.get("BOOK_SEED") == "42"
    monkeypatch.setenv("BOOK_SEED", "  ")
    assert config.get("BOOK_SEED") == "42"
    monkeypatch.setenv("BOOK_SEED", " 7 ")
    assert config.get("BOOK_SEED") == "7"


@pytest.mark.parametrize("value, on", [("1", True), ("yes", True), ("0", False), ("False", False),
                                       ("no", False), ("", False)])
def test_a_switch_is_on_unless_blank_zero_false_or_no(monkeypatch, value, on):
    monkeypatch.setenv("BOOK_OFFLINE", value)
    assert config.switched_on("BOOK_OFFLINE") is on


def test_an_unknown_name_says_which_exist():
    with pytest.raises(KeyError, match="BOOK_PROFILE.*helpers.config.VARIABLES"):
        config.get("BOOK_PROFLE")


@pytest.mark.parametrize("path", CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_other_module_reads_the_environment(path):
    if path == ROOT / "helpers" / "config.py":
        return
    reads = re.findall(r"os\.environ\.get\(|os\.environ\[|os\.getenv\(|environ\.get\(",
                       path.read_text())
    assert not reads, f"{path.relative_to(ROOT)} reads os.environ: use helpers.config.get"


def test_every_variable_the_code_names_is_in_the_table():
    texts = [path.read_text() for path in CODE]
    # Python names such as BOOK_TITLE, quoted in an __all__, are not variables
    constants = {name for text in texts for name in re.findall(r"^(BOOK_[A-Z_]+) =", text, re.M)}
    named = {name for text in texts for name in re.findall(r"[\"'](BOOK_[A-Z_]+)[\"']", text)}
    named -= constants
    assert named - set(config.VARIABLES) == set()


def test_contributing_lists_the_same_variables():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    section = text[text.index("## Environment variables"):]
    section = section[:section.index("\n## ", 3)]
    rows = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    listed = {name for row in rows for name in re.findall(r"`([A-Z_]+)`", row)}
    assert set(config.VARIABLES) - listed == set(), "variables CONTRIBUTING does not list"
    assert listed - set(config.VARIABLES) - TEST_ONLY == set(), "listed but not in helpers.config"
