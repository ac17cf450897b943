"""``python -m bookkit.teach``: see :mod:`bookkit.teach.cli`."""
import sys

from .cli import main

sys.exit(main())
