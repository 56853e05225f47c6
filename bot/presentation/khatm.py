"""What a group's khatm board says: its text, its juz buttons' labels, the celebration, and a
member's private "My juz" list. Names are people's own text: bidi-isolated, shortened and
HTML-escaped here."""

from __future__ import annotations

import html
from datetime import date

from bot.domain.khatm import BoardScreen, Cell, DeadlineError, Mark
from bot.i18n import Translator
from bot.presentation.text import isolated_name

#: A taker's name on the board: short, so 30 lines stay far below Telegram's 4,096 characters.
BOARD_NAME_LIMIT = 32


def taker(name: str | None) -> str:
    return html.escape(isolated_name(name, BOARD_NAME_LIMIT)) if name else ""


def juz_label(cell: Cell, t: Translator) -> str:
    """A juz button: its number, marked when taken (✋) or finished (✅)."""
    number = t.number(cell.juz)
    if cell.mark is Mark.FINISHED:
        return f"✅{number}"
    if cell.mark is Mark.TAKEN:
        return f"✋{number}"
    return number


def _deadline_line(screen: BoardScreen, t: Translator) -> str | None:
    if screen.deadline is None or screen.days_left is None:
        return None
    day = t.day(screen.deadline, "d MMMM y")
    if screen.days_left < 0:
        return t.gettext("⏳ Deadline: {day} (passed)", day=day)
    if screen.days_left == 0:
        return t.gettext("⏳ Deadline: {day} (today)", day=day)
    return t.ngettext(
        "⏳ Deadline: {day} ({n} day left)", "⏳ Deadline: {day} ({n} days left)",
        screen.days_left, day=day,
    )


def _claimed_lines(screen: BoardScreen, t: Translator) -> list[str]:
    lines = []
    for cell in screen.claimed:
        mark = "✅" if cell.mark is Mark.FINISHED else "✋"
        name = taker(cell.taker_name)
        juz = t.gettext("Juz {n}", n=t.number(cell.juz))
        lines.append(f"{mark} {juz} — {name}" if name else f"{mark} {juz}")
    return lines


def board_text(screen: BoardScreen, t: Translator) -> str:
    """The board message (HTML)."""
    number = t.number(screen.round)
    progress = t.gettext(
        "✅ {finished} of {total} juz finished · ✋ {taken} taken",
        finished=t.number(screen.finished), total=t.number(screen.total),
        taken=t.number(screen.taken),
    )
    if screen.status == "done":
        lines = [
            t.gettext("🎉 <b>Khatm #{n} completed!</b>", n=number),
            t.gettext(
                "All {total} juz have been read. May Allah accept it from everyone who took part.",
                total=t.number(screen.total),
            ),
            "",
            *_claimed_lines(screen, t),
            "",
            t.gettext("Admins can start the next khatm with the button below or /khatm."),
        ]
    elif screen.status == "closed":
        lines = [
            t.gettext("📕 <b>Khatm #{n}</b> was closed.", n=number),
            progress,
            "",
            *_claimed_lines(screen, t),
        ]
    else:
        lines = [t.gettext("📖 <b>Group khatm #{n}</b>", n=number)]
        deadline = _deadline_line(screen, t)
        if deadline:
            lines.append(deadline)
        lines.append(progress)
        claimed = _claimed_lines(screen, t)
        if claimed:
            lines += ["", *claimed]
        lines += [
            "",
            t.gettext(
                "Press a free juz to take it. When you have read it, press “✅ I finished” "
                "and it is credited to your own Quran.com account."
            ),
        ]
    return t.align("\n".join(line for line in lines if line is not None).strip())


def my_juz_text(entries: list[tuple[str | None, int]], t: Translator) -> str:
    """A member's private list: (group title, juz) for each juz they hold, any group."""
    if not entries:
        return t.gettext(
            "You hold no juz on an open khatm board. Press a free juz on your group's board "
            "to take one."
        )
    lines = [t.gettext("📖 <b>Your juz</b>")]
    for title, juz in entries:
        group = html.escape(isolated_name(title)) if title else t.gettext("your group")
        lines.append(t.gettext("Juz {n} — {group}", n=t.number(juz), group=group))
    lines += ["", t.gettext("Press ✅ when you have finished a juz, or ↩️ to give it back.")]
    return t.align("\n".join(lines))


def deadline_error(error: DeadlineError, t: Translator, today: date) -> str:
    match error.reason:
        case "past":
            return t.gettext("The deadline must be after today.")
        case "too_far":
            return t.gettext("The deadline can be at most a year away.")
        case _:
            return t.gettext(
                "I couldn't read that deadline. Try /khatm, /khatm 30 days or "
                "/khatm by {example}.",
                example=t.isolate(f"{today.year + 1}-01-05"),
            )
