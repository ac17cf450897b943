"""``python -m helpers.teach``: see :mod:`helpers.teach.cli`."""
import sys

from .cli import main

sys.exit(main())
