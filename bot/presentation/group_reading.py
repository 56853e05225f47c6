"""The group's follow-ups in words: the nudge that mentions who has not read yet, and the weekly
summary. Names are escaped, bidi-isolated and shortened; lists are bounded so a large group
never produces an over-long message."""

from __future__ import annotations

import html

from bot.domain.group_reading import MAX_MENTIONS, Member, WeekSummary
from bot.i18n import Translator
from bot.presentation.text import isolated_name

NAME_LENGTH = 24
#: Members listed in the weekly summary (most days first).
MAX_SUMMARY_LINES = 25


def _name(member: Member, t: Translator) -> str:
    return html.escape(isolated_name(member.name, NAME_LENGTH)) if member.name else t.gettext(
        "a member"
    )


def mention(member: Member, t: Translator) -> str:
    """A mention that notifies the member without needing a username."""
    return f'<a href="tg://user?id={member.user_id}">{_name(member, t)}</a>'


def nudge_text(members: list[Member], t: Translator) -> str:
    shown = [mention(member, t) for member in members[:MAX_MENTIONS]]
    hidden = len(members) - len(shown)
    if hidden > 0:
        shown.append(t.ngettext("{n} more", "{n} more", hidden))
    listed = t.join(shown)
    return "\n".join(
        [
            t.gettext("🌿 There is still time for today's reading, {names}!", names=listed),
            t.gettext("Press \"✅ I read it\" under today's reminder once you have read."),
            t.gettext("<i>/quiet: I won't mention you in this group again.</i>"),
        ]
    )


def summary_text(
    week: WeekSummary, t: Translator, *, khatm: tuple[int, int, int] | None = None
) -> str:
    """This week in the group: days read per member, the khatm board, the streak."""
    lines = [t.gettext("<b>📊 This week's reading</b>")]
    for member, days in week.days_read[:MAX_SUMMARY_LINES]:
        lines.append(
            t.ngettext("• {name}: {n} day", "• {name}: {n} days", days, name=_name(member, t))
        )
    hidden = len(week.days_read) - MAX_SUMMARY_LINES
    if hidden > 0:
        lines.append(t.ngettext("…and {n} more member", "…and {n} more members", hidden))
    if khatm is not None:
        finished, taken, total = khatm
        lines.append(
            t.gettext(
                "📖 Khatm board: {finished} of {total} juz finished, {taken} taken.",
                finished=t.number(finished), total=t.number(total), taken=t.number(taken),
            )
        )
    if week.streak > 0:
        streak = t.ngettext(
            "🔥 Group streak: {n} reminder day in a row",
            "🔥 Group streak: {n} reminder days in a row",
            week.streak,
        )
        lines.append(streak + ("+" if week.streak_open_ended else ""))
    lines.append(t.gettext("<i>Admins: /reminders summary off stops this report.</i>"))
    return "\n".join(lines)
