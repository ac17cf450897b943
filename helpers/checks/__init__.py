"""Automatic feedback for the exercises: specific, kind, and short.

Each chapter has a module here (``helpers.checks.encoder``, ``helpers.checks.vae``, …)
with one ``exercise_N`` function per exercise, and one label per exercise,
``EX1 = "Exercise encoder-ex1"``, named after the exercise's ``:label:`` in the chapter
(and its nbgrader ``grade_id``). A check either prints what is right and returns
:class:`Passed` (true, and displayed as nothing), or raises :class:`ExerciseNotDone` /
:class:`ExerciseIncorrect`. Both are ``AssertionError`` subclasses, so nbgrader's
autograder scores the cell as failed, and both show in Jupyter as a short message with a
hint instead of a traceback.

The small steps every check shares are written once, here: :func:`require_answer` (a
value the student sets), :func:`choice` (one answer of a fixed set),
:func:`require_number` (one number), :func:`call_answer` (the student's function),
:func:`close_to` (arrays) and :func:`passed`.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import lessons


class CheckFailed(AssertionError):
    """Base of the check errors; rendered in IPython without a traceback."""

    prefix = "✗"

    def __init__(self, exercise: str, message: str, hint: str = ""):
        self.exercise = exercise
        self.message = message
        self.hint = hint
        text = f"{self.prefix} {exercise}: {message}"
        if hint:
            text += f"\n  Hint: {hint}"
        super().__init__(text)

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [str(self)]


class ExerciseNotDone(CheckFailed):
    """The exercise still holds the student stub (``raise NotImplementedError``) or
    ``None``."""

    prefix = "…"


class ExerciseIncorrect(CheckFailed):
    """An answer was given and it is not right yet; the message says how far off it
    is."""


class _Outcome:
    """A check's result that displays nothing: its truth says whether it passed.

    A bare ``True`` would appear under the check cell as ``True``, and nbgrader reads a
    graded cell's displayed value as partial credit; these objects display nothing, so
    neither happens. ``exercise`` is the exercise's label, so a test can tell which one.
    """

    holds = True

    def __init__(self, exercise: str):
        self.exercise = exercise

    def __bool__(self) -> bool:
        return self.holds

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.exercise!r})"

    def _ipython_display_(self):
        pass


class Passed(_Outcome):
    """What a check returns on success: true, and shown as nothing (the ✓ line was
    printed)."""


class NotDone(_Outcome):
    """What a check returns, instead of raising, where an unanswered exercise must
    not stop "Run all" (a reader's runtime, a smoke run): false, and shown as
    nothing."""

    holds = False


def exercise_check(check):
    """Decorate every ``exercise_N``: its failure follows :func:`helpers.lessons.mode`.

    ``check`` (the book's build, CI, nbval, nbgrader's autograde): the failure raises,
    so the grader scores it and the build stops. ``note`` (a student's or reader's
    runtime): an exercise not answered yet prints its one line and returns
    :class:`NotDone`, so "Run all" reaches the end of the chapter; a wrong answer still
    raises, with its hint. ``smoke``: every failure is reported, none raises.
    """

    @functools.wraps(check)
    def run_check(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except CheckFailed as error:
            current = lessons.mode()
            if current == "smoke":
                print(f"Smoke run: exercise not checked ({error})")
            elif current == "note" and isinstance(error, ExerciseNotDone):
                print(error)
            else:
                raise
            return NotDone(error.exercise)

    return run_check


def passed(exercise: str, message: str) -> Passed:
    """Print the success line every check ends with; return a true, silent value."""
    print(f"✓ {exercise}: {message}")
    return Passed(exercise)


def call_answer(exercise: str, function, *args, what: str = "your function", **kwargs):
    """Call the student's function, turning the blank stub and crashes into kind
    messages."""
    if function is None or function is Ellipsis:
        raise ExerciseNotDone(
            exercise,
            f"{what} is not written yet.",
            "write it in the cell above, then run that cell again.",
        )
    if not callable(function):
        raise ExerciseIncorrect(
            exercise, f"{what} should be a function; got {type(function).__name__}."
        )
    try:
        result = function(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseNotDone(
            exercise,
            f"{what} is not written yet.",
            "replace the line `raise NotImplementedError()` with your code.",
        ) from None
    # the student's code crashed: say where, without a traceback
    except Exception as error:
        raise ExerciseIncorrect(
            exercise,
            f"{what} raised {type(error).__name__}: {error}",
            "run it on a small input first and print shapes along the way.",
        ) from None
    if result is None:  # the student version's stub body is `...`, which returns None
        raise ExerciseNotDone(
            exercise,
            f"{what} returned None: it is not written yet.",
            "replace `...` under `# YOUR CODE HERE` with code that returns the answer.",
        )
    return result


def require_answer(
    exercise: str,
    value,
    what: str = "your answer",
    hint: str = "set it and run the cell again.",
):
    """Fail kindly when a value the student must set is still ``None`` or ``...``."""
    if value is None or value is Ellipsis:
        raise ExerciseNotDone(exercise, f"{what} is not set yet.", hint)
    return value


def choice(exercise: str, value, options, what: str = "your answer") -> str:
    """The student's pick among ``options`` (strings), as the option is written there.

    Case and surrounding spaces do not matter (" Middle " picks "middle"): a prediction
    is judged on what it says, not how it is typed. ``None`` or ``...`` is "not done";
    anything else outside the options is incorrect, and the message lists them.
    """
    listed = ", ".join(repr(option) for option in options)
    value = require_answer(exercise, value, what, f"set it to one of {listed}.")
    by_key = {str(option).strip().lower(): option for option in options}
    if not isinstance(value, str) or value.strip().lower() not in by_key:
        hint = (
            ""
            if isinstance(value, str)
            else f"write it as text in quotes, e.g. {options[0]!r}."
        )
        raise ExerciseIncorrect(
            exercise, f"{what} should be one of {listed}; got {value!r}.", hint
        )
    return by_key[value.strip().lower()]


def require_number(
    exercise: str,
    value,
    what: str = "your answer",
    *,
    hint: str = "",
    finite: bool = True,
) -> float:
    """One number (a Python or NumPy scalar, or an array holding exactly one), as a
    float.

    ``None`` or ``...`` is "not done". Text, ``True``/``False`` and several values are
    incorrect, with ``hint``. With ``finite`` (the default) NaN and infinity are
    incorrect too; a check that has a more specific word for them passes
    ``finite=False`` and says it itself.
    """
    value = require_answer(exercise, value, what)
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise ExerciseIncorrect(
            exercise, f"{what} should be one number; got {value!r}.", hint
        )
    array = np.asarray(value)
    if array.dtype.kind not in "iuf" or array.size != 1:
        got = (
            f"{array.size} numbers (shape {array.shape})"
            if array.dtype.kind in "iuf"
            else type(value).__name__
        )
        raise ExerciseIncorrect(
            exercise, f"{what} should be one number; got {got}.", hint
        )
    number = float(array.reshape(()))
    if finite and not np.isfinite(number):
        raise ExerciseIncorrect(
            exercise, f"{what} is {number}; expected a finite number.", hint
        )
    return number


def close_to(
    exercise: str,
    got,
    expected,
    *,
    what: str,
    rtol: float = 1e-3,
    atol: float = 1e-6,
    hint: str = "",
) -> None:
    """Compare arrays (or numbers) and say how far off they are, shape first."""
    got_array = np.asarray(got, dtype=np.float64)
    expected_array = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        raise ExerciseIncorrect(
            exercise,
            f"{what} has shape {got_array.shape}; expected {expected_array.shape}.",
            hint,
        )
    if not np.all(np.isfinite(got_array)):
        raise ExerciseIncorrect(
            exercise, f"{what} contains NaN or infinite values.", hint
        )
    if not np.allclose(got_array, expected_array, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got_array - expected_array)))
        raise ExerciseIncorrect(
            exercise,
            f"{what} is off by up to {worst:.3g} "
            f"(tolerance {atol + rtol * float(np.max(np.abs(expected_array))):.3g}).",
            hint,
        )
