"""What each step of the goal wizard shows: its text and its buttons, from the draft alone.

Every screen but the first has « Back (to the step before it in this draft's path) and
✖ Cancel. Rendering needs no I/O except the preview, whose estimate the wizard fetches first.
"""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.goals import GoalSpec, GoalType, goal_presets
from bot.domain.mushafs import MUSHAF_IDS, mushaf_name, page_count
from bot.domain.verses import VerseRange, VerseRangeError
from bot.i18n import Translator
from bot.presentation.goals import describe_goal, format_duration
from bot.presentation.reading import format_short_day
from bot.qf import GoalEstimate
from handlers.callbacks import CallbackData, button
from handlers.goals.buttons import (
    KindCode,
    Schedule,
    WizardCancel,
    WizardConfirm,
    WizardCustom,
    WizardDelete,
    WizardGo,
    WizardKind,
    WizardMushaf,
    WizardPreset,
    WizardSchedule,
)
from handlers.goals.draft import (
    Draft,
    Step,
    answers_version,
    before_mushaf,
    before_preview,
    spec_of,
    uses_mushaf,
    wizard_session,
)
from handlers.replies import retry_button

Screen = tuple[str, InlineKeyboardMarkup]


def _s(draft: Draft) -> str:
    """The session every button of this opening of the wizard carries."""
    return wizard_session(draft)


def _nav(t: Translator, draft: Draft, back: Step | None) -> list[InlineKeyboardButton]:
    session = wizard_session(draft)
    row = [button(t.gettext("« Back"), WizardGo(session, back))] if back else []
    row.append(button(t.gettext("✖ Cancel"), WizardCancel(session)))
    return row


def choose_screen(draft: Draft, t: Translator) -> Screen:
    lines = [t.gettext("<b>Set a reading goal</b>")]
    current_text = draft.get("current_text")
    if current_text:
        lines.append(t.gettext(
            "Your current goal: {goal}. A new goal replaces it.", goal=current_text
        ))
    lines.append(t.gettext("Pick one of Quran.com's suggestions or make your own:"))
    rows = [[button(t.gettext(preset.label), WizardPreset(wizard_session(draft), preset.key))]
            for preset in goal_presets(int(draft["mushaf"]))]
    rows.append([button(t.gettext("✏️ My own goal"), WizardCustom(wizard_session(draft)))])
    if draft.get("replace_id"):
        rows.append([button(t.gettext("🗑 Delete my goal"), WizardDelete(wizard_session(draft)))])
    rows.append(_nav(t, draft, None))
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def kind_screen(draft: Draft, t: Translator) -> Screen:
    text = t.gettext("What kind of goal?")
    if draft.get("current_text"):
        text = t.gettext(
            "Your current goal: {goal}.\nWhat kind of goal should it be?",
            goal=draft["current_text"],
        )
    rows = [
        [button(t.gettext("⏱ Time each day"), WizardKind(_s(draft), KindCode.TIME))],
        [button(t.gettext("📄 Pages each day"), WizardKind(_s(draft), KindCode.PAGES))],
        [button(t.gettext("📖 A stretch of verses"), WizardKind(_s(draft), KindCode.RANGE))],
        _nav(t, draft, Step.CHOOSE),
    ]
    return text, InlineKeyboardMarkup(rows)


def _describe_amount(draft: Draft, t: Translator) -> str | None:
    spec = spec_of({**draft, "schedule": "daily"})
    if spec is None:
        return None
    if spec.type is GoalType.QURAN_TIME:
        return format_duration(int(spec.amount), t)
    if spec.type is GoalType.QURAN_PAGES:
        return t.ngettext("{n} page", "{n} pages", int(spec.amount))
    verse_range = spec.verse_range
    return t.isolate(verse_range.display(t.language)) if verse_range else None


def amount_screen(draft: Draft, t: Translator, *, problem: str | None = None) -> Screen:
    kind = GoalType(str(draft["type"]))
    if kind is GoalType.QURAN_TIME:
        text = t.gettext(
            "How long do you want to read each day? Send minutes, e.g. <code>15</code>, "
            "<code>15min</code> or <code>1h30</code>."
        )
    elif kind is GoalType.QURAN_PAGES:
        pages = page_count(int(draft["mushaf"]))
        text = t.gettext(
            "How many pages each day? Send a number from 1 to {pages} (your mushaf has "
            "{pages} pages), or <code>1 juz</code>.",
            pages=t.number(pages),
        )
    else:
        text = t.gettext(
            "Which verses? Send one range, e.g. <code>2:1-2:286</code>, <code>Al-Mulk</code> "
            "or <code>juz 30</code>; <code>1:1-114:6</code> is the whole Quran."
        )
    if problem:
        text = f"{problem}\n\n{text}"
    rows: list[list[InlineKeyboardButton]] = []
    answered = _describe_amount(draft, t)
    if answered:
        keep = WizardGo(_s(draft), Step.SCHEDULE)
        rows.append([button(t.gettext("Keep {amount}", amount=answered), keep)])
    rows.append(_nav(t, draft, Step.KIND))
    return text, InlineKeyboardMarkup(rows)


def schedule_screen(draft: Draft, t: Translator) -> Screen:
    amount = _describe_amount(draft, t) or ""
    if GoalType(str(draft["type"])) is GoalType.QURAN_RANGE:
        text = t.gettext("How should I plan {range}?", range=amount)
        rows = [
            [button(t.gettext("Read all of it every day"),
                    WizardSchedule(_s(draft), Schedule.DAILY))],
            [button(t.gettext("Finish it within a number of days"),
                    WizardSchedule(_s(draft), Schedule.DAYS))],
        ]
    else:
        text = t.gettext("{amount} a day: every day with no end date, or for a set number "
                         "of days?", amount=amount)
        rows = [
            [button(t.gettext("Every day"), WizardSchedule(_s(draft), Schedule.DAILY))],
            [button(t.gettext("For a number of days"),
                    WizardSchedule(_s(draft), Schedule.DAYS))],
        ]
    rows.append(_nav(t, draft, Step.AMOUNT))
    return text, InlineKeyboardMarkup(rows)


def days_screen(draft: Draft, t: Translator, *, problem: str | None = None) -> Screen:
    text = t.gettext("In how many days? Send a number, e.g. <code>30</code>.")
    if problem:
        text = f"{problem}\n\n{text}"
    return text, InlineKeyboardMarkup([_nav(t, draft, Step.SCHEDULE)])


def mushaf_screen(draft: Draft, t: Translator) -> Screen:
    chosen = int(draft["mushaf"])
    text = t.gettext(
        "Which mushaf do you read from? Pages are counted in its layout.\nNow: {name}",
        name=html.escape(mushaf_name(chosen, t)),
    )
    rows = [
        [button(("✓ " if mushaf_id == chosen else "") + mushaf_name(mushaf_id, t),
                WizardMushaf(wizard_session(draft), mushaf_id))]
        for mushaf_id in MUSHAF_IDS
    ]
    rows.append(_nav(t, draft, before_mushaf(draft)))
    return text, InlineKeyboardMarkup(rows)


def _estimate_amount(amount: int | str, kind: GoalType, t: Translator) -> str:
    if kind is GoalType.QURAN_TIME and isinstance(amount, int):
        return format_duration(amount, t)
    if kind is GoalType.QURAN_PAGES and isinstance(amount, int):
        return t.ngettext("{n} page", "{n} pages", amount)
    try:
        return t.isolate(VerseRange.from_key(str(amount)).display(t.language))
    except VerseRangeError:
        return html.escape(str(amount))


def _estimate_lines(spec: GoalSpec, estimate: GoalEstimate, t: Translator) -> list[str]:
    """The days ahead. A daily verse goal repeats one day's reading, so it is said once rather
    than as a "week" of one day; goals shorter than a week are listed day by day."""
    if not estimate.week:
        return []
    if spec.type is GoalType.QURAN_RANGE and spec.is_daily:
        amount = _estimate_amount(estimate.week[0].amount, spec.type, t)
        return ["", t.gettext("Every day: {amount}", amount=amount)]
    short = spec.duration_days is not None and spec.duration_days < 7
    heading = t.gettext("Day by day:") if short else t.gettext("Your first week:")
    return ["", heading] + [
        t.gettext("• {day}: {amount}", day=format_short_day(day.date, t),
                  amount=_estimate_amount(day.amount, spec.type, t))
        for day in estimate.week
    ]


def preview_markup(draft: Draft, t: Translator) -> InlineKeyboardMarkup:
    rows = [[button(t.gettext("✅ Confirm"), WizardConfirm(_s(draft), answers_version(draft)))]]
    if draft.get("origin") == "preset" and uses_mushaf(draft):
        change = WizardGo(_s(draft), Step.MUSHAF)
        rows.append([button(t.gettext("📖 Change mushaf"), change)])
    rows.append(_nav(t, draft, before_preview(draft)))
    return InlineKeyboardMarkup(rows)


def draft_goal_text(draft: Draft, spec: GoalSpec, t: Translator) -> str:
    """The goal as the user chose it: in juz when they counted in juz."""
    juz = draft.get("juz")
    return describe_goal(spec, t, juz=juz if isinstance(juz, int) and juz > 0 else None)


def preview_screen(
    draft: Draft, t: Translator, spec: GoalSpec, estimate: GoalEstimate
) -> Screen:
    lines = [t.gettext("<b>Your new goal</b>"), draft_goal_text(draft, spec, t)]
    if uses_mushaf(draft):
        lines.append(
            t.gettext("Mushaf: {name}", name=html.escape(mushaf_name(int(draft["mushaf"]), t)))
        )
    if draft.get("current_text"):
        lines.append(t.gettext("It replaces your current goal: {goal}.",
                               goal=draft["current_text"]))
    lines += _estimate_lines(spec, estimate, t)
    return "\n".join(lines), preview_markup(draft, t)


def retry_markup(
    t: Translator, draft: Draft, again: CallbackData, back: Step | None
) -> InlineKeyboardMarkup:
    """"Try again" after a failure at a step, with the step's way back and out."""
    return InlineKeyboardMarkup([[retry_button(t, again)], _nav(t, draft, back)])
