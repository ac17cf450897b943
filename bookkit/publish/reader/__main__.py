"""``python -m bookkit.publish.reader SOURCE_DIR OUT_DIR``: see :func:`main`."""

import sys

from . import main

sys.exit(main())
