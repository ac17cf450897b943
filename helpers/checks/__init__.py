"""Automatic feedback for the exercises: specific, kind, and short.

Each chapter has a module here (``helpers.checks.encoder``, ``helpers.checks.vae``, …) with one
``exercise_N`` function per code exercise. A check either prints what is right and returns
``True``, or raises :class:`ExerciseNotDone` / :class:`ExerciseIncorrect`. Both are
``AssertionError`` subclasses, so nbgrader's autograder scores the cell as failed, and both show
in Jupyter as a short message with a hint instead of a traceback.
"""
from __future__ import annotations

import numpy as np


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
    """The exercise still holds the student stub (``raise NotImplementedError``) or ``None``."""

    prefix = "…"


class ExerciseIncorrect(CheckFailed):
    """An answer was given and it is not right yet; the message says how far off it is."""


class Passed:
    """What a check returns on success: true, and shown as nothing (the ✓ line was printed).

    A bare ``True`` would appear under the check cell as ``True``, and nbgrader reads a graded
    cell's displayed value as partial credit; this object displays nothing, so neither happens.
    """

    def __init__(self, exercise: str):
        self.exercise = exercise

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"Passed({self.exercise!r})"

    def _ipython_display_(self):
        pass


def passed(exercise: str, message: str) -> Passed:
    """Print the success line every check ends with; return a true, silent value."""
    print(f"✓ {exercise}: {message}")
    return Passed(exercise)


def call_answer(exercise: str, function, *args, what: str = "your function", **kwargs):
    """Call the student's function, turning the blank stub and crashes into kind messages."""
    if function is None:
        raise ExerciseNotDone(exercise, f"{what} is not written yet.",
                              "write it in the cell above, then run that cell again.")
    if not callable(function):
        raise ExerciseIncorrect(exercise, f"{what} should be a function; got {type(function).__name__}.")
    try:
        result = function(*args, **kwargs)
    except NotImplementedError:
        raise ExerciseNotDone(exercise, f"{what} is not written yet.",
                              "replace the line `raise NotImplementedError()` with your code.") from None
    except Exception as error:  # the student's code crashed: say where, without a traceback
        raise ExerciseIncorrect(exercise, f"{what} raised {type(error).__name__}: {error}",
                                "run it on a small input first and print shapes along the way.") from None
    if result is None:  # the student version's stub body is `...`, which returns None
        raise ExerciseNotDone(exercise, f"{what} returned None: it is not written yet.",
                              "replace `...` under `# YOUR CODE HERE` with code that returns the answer.")
    return result


def require_answer(exercise: str, value, what: str = "your answer"):
    """Fail kindly when a value the student must set is still ``None`` or ``...``."""
    if value is None or value is Ellipsis:
        raise ExerciseNotDone(exercise, f"{what} is not set yet.", "set it and run the cell again.")
    return value


def close_to(exercise: str, got, expected, *, what: str, rtol: float = 1e-3, atol: float = 1e-6,
             hint: str = "") -> None:
    """Compare arrays (or numbers) and say how far off they are, shape first."""
    got_array = np.asarray(got, dtype=np.float64)
    expected_array = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        raise ExerciseIncorrect(exercise, f"{what} has shape {got_array.shape}; expected "
                                f"{expected_array.shape}.", hint)
    if not np.all(np.isfinite(got_array)):
        raise ExerciseIncorrect(exercise, f"{what} contains NaN or infinite values.", hint)
    if not np.allclose(got_array, expected_array, rtol=rtol, atol=atol):
        worst = float(np.max(np.abs(got_array - expected_array)))
        raise ExerciseIncorrect(exercise, f"{what} is off by up to {worst:.3g} "
                                f"(tolerance {atol + rtol * float(np.max(np.abs(expected_array))):.3g}).", hint)
