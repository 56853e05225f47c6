"""The account flow's buttons (the login button itself is shared: `handlers.replies`)."""

from __future__ import annotations

RELINK_CALLBACK = "acct:relink"
LOGOUT_CALLBACK = "acct:logout"
FORGET_CONFIRM_CALLBACK = "acct:forget:yes"
FORGET_CANCEL_CALLBACK = "acct:forget:no"
