"""Every button of the khatm flow, one typed press per action (see `handlers.callbacks`).

Each press names the board (one round of one group) it was shown on, so a press on an old
board, or on a board of another group, is recognised and changes nothing. A juz is 1..30; any
other number is refused by the registry before it reaches the flow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeAlias

from bot.domain.chapters import JUZ_COUNT
from handlers.callbacks import Between, CallbackData

#: A khatm board's row id.
BoardId: TypeAlias = Annotated[int, Between(1, 2**63 - 1)]
Juz: TypeAlias = Annotated[int, Between(1, JUZ_COUNT)]

# --------------------------------------------------------------------------------------------
# On the board (any member)


@dataclass(frozen=True)
class PressJuz(CallbackData, prefix="kh.juz"):
    """A juz button: takes it when free; otherwise says whose it is."""

    board_id: BoardId
    juz: Juz


@dataclass(frozen=True)
class FinishMine(CallbackData, prefix="kh.fin"):
    """ "✅ I finished": the presser's one unfinished juz on this board is done."""

    board_id: BoardId


@dataclass(frozen=True)
class ReleaseMine(CallbackData, prefix="kh.rel"):
    """ "↩️ Release": the presser gives their one unfinished juz back."""

    board_id: BoardId


# --------------------------------------------------------------------------------------------
# In the member's private "My juz" list


@dataclass(frozen=True)
class FinishJuz(CallbackData, prefix="kh.pfin"):
    board_id: BoardId
    juz: Juz


@dataclass(frozen=True)
class ReleaseJuz(CallbackData, prefix="kh.prel"):
    board_id: BoardId
    juz: Juz


# --------------------------------------------------------------------------------------------
# Admins only (checked again on every press)


@dataclass(frozen=True)
class ShowAdmin(CallbackData, prefix="kh.admin"):
    """ "⚙️" on the board: the admins' panel for it."""

    board_id: BoardId


@dataclass(frozen=True)
class Reopen(CallbackData, prefix="kh.reopen"):
    """Free a taken or finished juz again."""

    board_id: BoardId
    juz: Juz


@dataclass(frozen=True)
class CloseBoard(CallbackData, prefix="kh.close"):
    board_id: BoardId


@dataclass(frozen=True)
class RepostBoard(CallbackData, prefix="kh.repost"):
    """ "📌 Post the board again": at the bottom of a busy chat; the old message goes quiet."""

    board_id: BoardId


@dataclass(frozen=True)
class CloseAdmin(CallbackData, prefix="kh.adone"):
    """ "✔️ Done": the admins' panel goes."""

    board_id: BoardId


@dataclass(frozen=True)
class NextKhatm(CallbackData, prefix="kh.next"):
    """Under a completed khatm: start the next round."""

    board_id: BoardId
