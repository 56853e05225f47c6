"""`python -m bot.i18n [check]`: extract messages into the catalogs, or list what they lack."""

import sys

from bot.i18n.catalog_tool import main

sys.exit(main())
