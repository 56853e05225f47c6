"""Notes shown in Telegram: the wizard's screens, saved notes, lists, and the pieces they are
made of (message-sized HTML chunks, previews, counts, dates)."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from datetime import date, tzinfo

from babel.numbers import format_decimal

from bot.domain.notes import (
    _JOINERS,
    _WHITESPACE_RUN,
    NOTE_MAX_LENGTH,
    NOTE_MIN_LENGTH,
    characters_missing,
    note_length,
)
from bot.domain.verses import format_ranges, readable_ranges
from bot.i18n import Translator
from bot.presentation.reflections import attached_line, reflection_of
from bot.qf import Note, NoteSaved

#: Telegram's limit for one message's text (after entity parsing).
TELEGRAM_MESSAGE_LIMIT = 4096
#: Room for a note's text in one message: below the limit, leaving space for a header line.
DISPLAY_CHUNK = 3800


# ---------------------------------------------------------------------------------------------
# Showing a note in Telegram


def html_chunks(
    text: str, limit: int = DISPLAY_CHUNK, *, first_limit: int | None = None
) -> list[str]:
    """`text` as HTML-escaped pieces, each at most `limit` characters once escaped.

    The split happens on the raw text and each piece is escaped afterwards, so no piece can end
    inside `&amp;` or a tag. Pieces break at the last line break that leaves the piece at least
    half full, else at the last space, else (one enormous word) anywhere that does not separate
    a combining mark or joiner from its letter. `first_limit` leaves room for a header.
    """
    chunks: list[str] = []
    rest = text.strip()
    budget = first_limit if first_limit is not None else limit
    while rest:
        escaped = html.escape(rest)
        if len(escaped) <= budget:
            chunks.append(escaped)
            break
        cut = _cut_point(rest, budget)
        chunks.append(html.escape(rest[:cut].rstrip()))
        rest = rest[cut:].strip()
        budget = limit
    return [chunk for chunk in chunks if chunk]


def _cut_point(text: str, budget: int) -> int:
    """Where to end the next piece of `text` so that it fits `budget` once escaped."""
    fits = 0
    used = 0
    for index, character in enumerate(text):
        used += len(html.escape(character))
        if used > budget:
            break
        fits = index + 1
    fits = max(fits, 1)
    window = text[:fits]
    line_break = window.rfind("\n")
    if line_break >= fits // 2:
        return line_break + 1
    space = max(window.rfind(" "), window.rfind("\t"))
    if space >= fits // 2:
        return space + 1
    cut = fits
    while cut > 1 and (unicodedata.combining(text[cut]) or text[cut] in _JOINERS
                       or text[cut - 1] in _JOINERS):
        cut -= 1
    return cut


def preview(text: str, width: int = 90) -> str:
    """The start of a note on one line, for lists; plain text (escape it before sending)."""
    flat = _WHITESPACE_RUN.sub(" ", text).strip()
    if len(flat) <= width:
        return flat
    cut = flat.rfind(" ", 0, width)
    if cut < width // 2:
        cut = width
    return flat[:cut].rstrip(" ,;:.-") + "…"


def format_count(t: Translator, value: int) -> str:
    """`1,234` in English, `١٬٢٣٤` in Arabic."""
    system = "arab" if t.language == "ar" else "latn"
    return t.number(format_decimal(value, locale=t.language, numbering_system=system))


def format_day(t: Translator, day: date) -> str:
    """`Mar 12, 2026`-style dates for note headers, in the reader's language and digits."""
    return t.day(day, "d MMM y")


def describe_ranges(keys: Sequence[str], t: Translator) -> str:
    """`2:255–257, 3:5` for message text (plain; wrap in `t.isolate` inside RTL sentences)."""
    ranges = readable_ranges(keys)
    if ranges:
        return format_ranges(ranges, t.language)
    return t.join(keys)


def ranges_label(t: Translator, keys: Sequence[str]) -> str:
    """The verses of a note inside a sentence: isolated (RTL-safe) and HTML-escaped."""
    return html.escape(t.isolate(describe_ranges(keys, t)))


def characters(t: Translator, count: int) -> str:
    """The running count under a note being written: `1,234 / 10,000 characters`."""
    return t.gettext(
        "{count} / {limit} characters",
        count=format_count(t, count),
        limit=format_count(t, NOTE_MAX_LENGTH),
    )


# ---------------------------------------------------------------------------------------------
# Writing a note: the wizard's screens and notices


def ask_ranges_text(t: Translator, kept_body: str, notice: str | None) -> str:
    """Which verses? (`kept_body`: text already collected, which stays with the note.)"""
    text = notice + "\n\n" if notice else ""
    text += t.gettext(
        "Which verses is your note about? For example <code>2:255</code>, "
        "<code>2:255-257</code> or <code>Al-Mulk 1-5</code>."
    )
    if kept_body:
        length = note_length(kept_body)
        text += "\n" + t.ngettext(
            "I kept your text ({n} character).", "I kept your text ({n} characters).",
            length, n=format_count(t, length),
        )
    return text


def body_screen_text(
    t: Translator, ranges: Sequence[str], body: str, *, editing: bool, notice: str | None = None,
    about: str | None = None,
) -> str:
    """The live status while text is collected: title, running count, what to do next.
    `about` says which reflection the note is about, if any."""
    label = ranges_label(t, ranges)
    if editing:
        title = t.gettext("<b>New text for your note on {ranges}</b>", ranges=label)
    else:
        title = t.gettext("<b>Note on {ranges}</b>", ranges=label)
    lines = [title, *([about] if about else []), characters(t, note_length(body))]
    if notice:
        lines += ["", notice]
    if not body:
        lines += [
            "",
            t.gettext(
                "Send your text. A long note can take several messages (up to {limit} "
                "characters in all); press Done when you have finished.",
                limit=format_count(t, NOTE_MAX_LENGTH),
            ),
        ]
        if editing:
            lines.append(t.gettext("It replaces the note's current text."))
    else:
        lines += ["", t.gettext("Send more text, or press Done when you have finished.")]
    return "\n".join(lines)


def share_choice_text(t: Translator, ranges: Sequence[str], body: str) -> str:
    length = note_length(body)
    return "\n".join([
        t.ngettext("Your note on {ranges} is ready ({n} character).",
                   "Your note on {ranges} is ready ({n} characters).",
                   length, n=format_count(t, length), ranges=ranges_label(t, ranges)),
        t.gettext("Keep it private, or also share it publicly on QuranReflect?"),
    ])


def confirm_text(t: Translator, ranges: Sequence[str], body: str, *, shared: bool) -> str:
    """The last look before saving: verses, length, visibility and the start of the text."""
    visibility = t.gettext("shared to QuranReflect") if shared else t.gettext("private")
    length = note_length(body)
    return "\n".join([
        t.gettext("<b>Save this note?</b>"),
        t.ngettext("{ranges} · {n} character · {visibility}",
                   "{ranges} · {n} characters · {visibility}",
                   length, n=format_count(t, length), ranges=ranges_label(t, ranges),
                   visibility=visibility),
        "",
        f"<i>{html.escape(preview(body, 300))}</i>",
    ])


def too_short_notice(t: Translator, body: str) -> str:
    return t.ngettext(
        "A note needs at least {minimum} characters: add {n} more.",
        "A note needs at least {minimum} characters: add {n} more.",
        characters_missing(body),
        minimum=format_count(t, NOTE_MIN_LENGTH),
    )


def overflow_notice(t: Translator, over_by: int, room: int) -> str:
    """A message refused because it would take the note past the limit, and what fits."""
    # Two sentences, one count each, so each count takes its own plural form.
    refused = t.ngettext(
        "⚠️ That message would take your note {n} character past the {limit}-character "
        "limit, so I did not add it.",
        "⚠️ That message would take your note {n} characters past the {limit}-character "
        "limit, so I did not add it.",
        over_by,
        n=format_count(t, over_by),
        limit=format_count(t, NOTE_MAX_LENGTH),
    )
    advice = t.ngettext(
        "Your text so far is kept; send a shorter part (up to {n} character) or press Done.",
        "Your text so far is kept; send a shorter part (up to {n} characters) or press Done.",
        room,
        n=format_count(t, room),
    )
    return f"{refused} {advice}"


def earlier_kept_notice(t: Translator) -> str:
    return t.gettext("Your earlier unsaved draft is kept: send /note to continue it.")


def draft_kept_text(t: Translator, body: str) -> str:
    """Cancel with text written: the draft stays for the next /note."""
    length = note_length(body)
    return t.ngettext(
        "Stopped. Your draft ({n} character) is kept: send /note to continue it.",
        "Stopped. Your draft ({n} characters) is kept: send /note to continue it.",
        length, n=format_count(t, length),
    )


# ---------------------------------------------------------------------------------------------
# Unsaved drafts: continue, discard, or choose between two


def continue_label(t: Translator, ranges: Sequence[str], body: str) -> str:
    length = note_length(body)
    count = format_count(t, length)
    if ranges:
        return t.ngettext("Continue your draft ({n} character on {ranges})",
                          "Continue your draft ({n} characters on {ranges})",
                          length, n=count, ranges=t.isolate(describe_ranges(ranges, t)))
    return t.ngettext("Continue your draft ({n} character)",
                      "Continue your draft ({n} characters)", length, n=count)


def resume_offer_text(t: Translator, ranges: Sequence[str], body: str, *, editing: bool) -> str:
    """`/note` with a draft unsaved: asked first, so nothing typed next joins it by surprise."""
    length = note_length(body)
    count = format_count(t, length)
    if editing:
        return t.ngettext(
            "You were changing the text of your note on {ranges} ({n} character so far) and "
            "have not saved it. Continue it, or start a new note?",
            "You were changing the text of your note on {ranges} ({n} characters so far) and "
            "have not saved it. Continue it, or start a new note?",
            length, n=count, ranges=ranges_label(t, ranges))
    if ranges:
        return t.ngettext(
            "Continue your draft on {ranges} ({n} character) or start a new note?",
            "Continue your draft on {ranges} ({n} characters) or start a new note?",
            length, n=count, ranges=ranges_label(t, ranges))
    return t.ngettext(
        "Continue your draft ({n} character, no verses yet) or start a new note?",
        "Continue your draft ({n} characters, no verses yet) or start a new note?",
        length, n=count)


def too_short_said(t: Translator, ranges: Sequence[str], body: str) -> str:
    """Why a /note with text was not saved: what it has, what a note needs."""
    length = note_length(body.strip())
    return t.ngettext(
        "⚠️ Not saved yet: your note on {ranges} has {n} character, and a note needs "
        "{minimum}–{maximum} characters.",
        "⚠️ Not saved yet: your note on {ranges} has {n} characters, and a note needs "
        "{minimum}–{maximum} characters.",
        length, n=format_count(t, length), ranges=ranges_label(t, ranges),
        minimum=format_count(t, NOTE_MIN_LENGTH), maximum=format_count(t, NOTE_MAX_LENGTH))


def too_short_oneliner_text(t: Translator, ranges: Sequence[str], body: str) -> str:
    """`/note 2:255 short`: not saved, and why, with what to do next."""
    missing = characters_missing(body)
    todo = t.ngettext(
        "Send at least {n} more character to continue it (your text is kept), or discard it.",
        "Send at least {n} more characters to continue it (your text is kept), or discard it.",
        missing, n=format_count(t, missing))
    return f"{too_short_said(t, ranges, body)}\n{todo}"


def two_drafts_text(t: Translator) -> str:
    return "\n".join([
        t.gettext("You already have a note you have not saved yet, so I kept what you just "
                  "sent as a separate draft. Nothing is lost."),
        t.gettext("Which one do you want to go on with? Anything you type now goes into the "
                  "new note."),
    ])


# ---------------------------------------------------------------------------------------------
# Saved notes


def saved_text(t: Translator, saved: NoteSaved, *, shared: bool) -> str:
    """What Save (or a one-liner) did: saved, saved and shared, or saved but not shared."""
    note = saved.note
    ranges = ranges_label(t, note.ranges)
    length = note_length(note.body)
    count = format_count(t, length)
    if saved.shared_failed:
        return t.gettext(
            "✅ Saved your note on {ranges} to Quran.com, but sharing to QuranReflect failed — "
            "try Publish later.", ranges=ranges)
    if shared:
        return t.ngettext("✅ Saved your note on {ranges} ({n} character) and shared it "
                          "to QuranReflect.",
                          "✅ Saved your note on {ranges} ({n} characters) and shared it "
                          "to QuranReflect.", length, n=count, ranges=ranges)
    text = t.ngettext("✅ Saved your note on {ranges} ({n} character) to Quran.com.",
                      "✅ Saved your note on {ranges} ({n} characters) to Quran.com.",
                      length, n=count, ranges=ranges)
    about = attached_line(t, reflection_of(note))
    return f"{text}\n{about}" if about else text


def updated_text(t: Translator, note: Note, ranges: Sequence[str]) -> str:
    length = note_length(note.body)
    return t.ngettext(
        "✅ Updated your note on {ranges} ({n} character).",
        "✅ Updated your note on {ranges} ({n} characters).",
        length, n=format_count(t, length), ranges=ranges_label(t, ranges))


def note_messages(t: Translator, note: Note, zone: tzinfo) -> list[str]:
    """A note in full, as the messages it takes: a header, then its text in pieces."""
    header = t.gettext("📝 <b>Note on {ranges}</b> · {day}",
                       ranges=ranges_label(t, note.ranges),
                       day=format_day(t, note.created_at.astimezone(zone).date()))
    about = attached_line(t, reflection_of(note))
    if about:
        header += "\n" + about
    chunks = html_chunks(note.body, DISPLAY_CHUNK, first_limit=DISPLAY_CHUNK - len(header) - 2)
    return [header + "\n\n" + chunks[0] if chunks else header, *chunks[1:]]


def delete_question(t: Translator, note: Note) -> str:
    length = note_length(note.body)
    return t.ngettext(
        "Delete your note on {ranges} ({n} character)? This cannot be undone.",
        "Delete your note on {ranges} ({n} characters)? This cannot be undone.",
        length, n=format_count(t, length), ranges=ranges_label(t, note.ranges))


def publish_question(t: Translator, note: Note) -> str:
    length = note_length(note.body)
    return t.ngettext(
        "Share your note on {ranges} ({n} character) publicly on QuranReflect? Anyone will be "
        "able to read it there.",
        "Share your note on {ranges} ({n} characters) publicly on QuranReflect? Anyone will be "
        "able to read it there.",
        length, n=format_count(t, length), ranges=ranges_label(t, note.ranges))


# ---------------------------------------------------------------------------------------------
# Lists of notes (/notes)


def list_lines(t: Translator, notes: Sequence[Note], zone: tzinfo, first_number: int) -> list[str]:
    """Numbered entries (verses, day, the start of the text), for the number buttons below."""
    lines: list[str] = []
    for number, note in enumerate(notes, start=first_number):
        day = format_day(t, note.created_at.astimezone(zone).date())
        # Aligned so that in Arabic the number, verses and date read right to left; the
        # preview below keeps the direction of whatever language the note is written in.
        lines.append(t.align(f"<b>{t.number(number)}.</b> {ranges_label(t, note.ranges)} · {day}"))
        lines.append(html.escape(preview(note.body)))
        about = attached_line(t, reflection_of(note))
        if about:
            lines.append(about)
        lines.append("")
    return lines


def notes_page_text(
    t: Translator, notes: Sequence[Note], zone: tzinfo, first_number: int
) -> str:
    """A page of all notes."""
    lines = [t.gettext("<b>Your notes</b>, newest first:"), "",
             *list_lines(t, notes, zone, first_number)]
    lines.append(t.gettext("Press a number to open that note."))
    return "\n".join(lines)


def verse_notes_text(
    t: Translator, keys: Sequence[str], total: int, shown: Sequence[Note], zone: tzinfo,
    first_number: int,
) -> str:
    """A page of the notes on some verses (`total` of them in all)."""
    lines = [t.ngettext("<b>Your notes on {ranges}</b> ({n} note):",
                        "<b>Your notes on {ranges}</b> ({n} notes):", total,
                        ranges=ranges_label(t, keys)),
             "", *list_lines(t, shown, zone, first_number)]
    lines.append(t.gettext("Press a number to open that note."))
    return "\n".join(lines)
