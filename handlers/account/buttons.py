"""The account flow's buttons (the "Link Quran.com account" button is shared:
`handlers.replies.LinkAccount`).

None carries an id: each acts on the presser's own account, and only in their private chat,
which the handlers check on every press.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callbacks import CallbackData


@dataclass(frozen=True)
class Relink(CallbackData, prefix="acct.relink"):
    """ "Link another account": a fresh login link, replacing the linked account once used."""


@dataclass(frozen=True)
class LogOut(CallbackData, prefix="acct.logout"):
    """ "Log out", under "linked as …": the same as /logout."""


@dataclass(frozen=True)
class EraseEverything(CallbackData, prefix="acct.forget.yes"):
    """The confirmation of /forget."""


@dataclass(frozen=True)
class KeepMyData(CallbackData, prefix="acct.forget.no"):
    """/forget called off."""
