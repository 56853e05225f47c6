"""The /settings panel's buttons."""

from __future__ import annotations

PREFIX = "set:"
MAIN = "set:main"
#: Opens handlers.language's panel with a way back here.
LANGUAGES = "set:lang"
#: Buttons of the language list this panel had before it used handlers.language's; such a
#: button on an old message gets the current language panel instead.
_OLD_CHOOSE_LANGUAGE = "set:lang:"
MUSHAFS = "set:mushaf"
CHOOSE_MUSHAF = "set:mushaf:"
CLOSE = "set:close"
