"""The plumbing behind "Autoencoders, hands-on": data, training profiles, metrics,
plots, widgets and exercise checks. Models are built in the chapters; the ones later
chapters reuse live in :mod:`helpers.models`.

Importing ``helpers`` is cheap and has no side effects: Keras is imported only when a
function that needs it runs.
"""

from .profiles import get_profile
from .session import start

__all__ = ["start", "get_profile"]
__version__ = "0.2.0"  # equals pyproject.toml (tests/test_layout.py)
