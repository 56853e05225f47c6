"""QuranReflect reflections shown in Telegram: a page of posts on a verse, the line that says
which reflection a note is about, and the excerpts they are made of.

Post text is written by other people: it is stripped of markup, cut to an excerpt, and
HTML-escaped; author names are isolated (`bot.presentation.text.isolated_name`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any, Final

from bot.domain.reflections import ReflectionVerses, post_url
from bot.i18n import Translator
from bot.presentation.text import isolated_name, shorten_for_echo
from bot.qf import REFLECTION_ENTITY, Note, Post, PostPage

#: Characters of a post shown in a list: enough to recognise it, short enough for five a page.
EXCERPT_LIMIT: Final = 180
#: How a reflections list opens, in every language (its buttons edit it in place).
LIST_MARK: Final = "💬"
_TAG: Final = re.compile(r"<[^>]{0,200}>")


def excerpt(body: str, limit: int = EXCERPT_LIMIT) -> str:
    """The start of a post on one line, markup removed, HTML-escaped."""
    return html.escape(shorten_for_echo(html.unescape(_TAG.sub(" ", body)), limit))


def author_label(t: Translator, name: str) -> str:
    return html.escape(isolated_name(name)) if name.strip() else t.gettext("A QuranReflect member")


def verses_label(t: Translator, keys: Sequence[str]) -> str:
    """`2:255, 3:5` isolated (RTL-safe) and escaped; keys as QuranReflect gives them."""
    return html.escape(t.isolate(t.join(t.number(key) for key in keys)))


def reflections_page_text(
    t: Translator, verses: ReflectionVerses, page: PostPage, own: Sequence[Post],
    first_number: int,
) -> str:
    where = verses_label(t, [verses.key])
    lines = [t.gettext("💬 <b>Reflections on {verses}</b> from QuranReflect", verses=where)]
    if page.pages > 1:
        lines.append(t.gettext("Page {page} of {pages}", page=t.number(page.page),
                               pages=t.number(page.pages)))
    lines.append("")
    if not page.posts:
        lines.append(t.gettext("No public reflections on {verses} yet.", verses=where))
        lines.append("")
    for number, post in enumerate(page.posts, start=first_number):
        likes = t.gettext("❤️ {n}", n=t.number(post.likes_count))
        lines.append(t.align(
            f"<b>{t.number(number)}.</b> {author_label(t, post.author_name)} · {likes}"
        ))
        lines.append(excerpt(post.body))
        lines.append("")
    if own:
        lines.append(t.gettext("<b>Your reflections on {verse}</b>",
                               verse=verses_label(t, [verses.first_verse_key])))
        lines.extend(
            f'• <a href="{post_url(post.id)}">{excerpt(post.body, 90)}</a>' for post in own
        )
        lines.append("")
    if page.posts:
        lines.append(t.gettext(
            "Press Open to read one on QuranReflect, or 📝 to write your own note about it."
        ))
    return "\n".join(lines).rstrip()


def reflection_of(note: Note) -> tuple[int, str, list[str]] | None:
    """The post a note is attached to: (post id, author, verse keys), from its metadata."""
    for entity in note.attached_entities:
        if entity.entity_type == REFLECTION_ENTITY and entity.entity_id.isdigit():
            return _from_metadata(int(entity.entity_id), entity.entity_metadata)
    return None


def draft_reflection(entity: dict[str, Any] | None) -> tuple[int, str, list[str]] | None:
    """The same for a draft's stored `attachedEntity`."""
    if not entity or entity.get("entityType") != REFLECTION_ENTITY:
        return None
    raw = str(entity.get("entityId", ""))
    metadata = entity.get("entityMetadata")
    return _from_metadata(int(raw), metadata if isinstance(metadata, dict) else None) \
        if raw.isdigit() else None


def _from_metadata(
    post_id: int, metadata: dict[str, Any] | None
) -> tuple[int, str, list[str]]:
    meta = metadata or {}
    keys = meta.get("verseKeys")
    verses = [str(k) for k in keys if isinstance(k, str)] if isinstance(keys, list) else []
    return post_id, str(meta.get("author") or ""), verses


def attached_line(t: Translator, reflection: tuple[int, str, list[str]] | None) -> str | None:
    """`💬 About Amina's reflection on 2:255` with the post linked; None for a plain note."""
    if reflection is None:
        return None
    post_id, author, verses = reflection
    link = f'<a href="{post_url(post_id)}">{t.gettext("reflection")}</a>'
    if author and verses:
        return t.gettext("💬 About {author}'s {reflection} on {verses}",
                         author=author_label(t, author), reflection=link,
                         verses=verses_label(t, verses))
    if author:
        return t.gettext("💬 About {author}'s {reflection}", author=author_label(t, author),
                         reflection=link)
    return t.gettext("💬 About a QuranReflect {reflection}", reflection=link)


def notes_on_reflection_text(t: Translator, notes: Sequence[Note]) -> str | None:
    """What the user already wrote about a reflection (a few previews), or None."""
    if not notes:
        return None
    lines = [t.ngettext("You have {n} note on this reflection:",
                        "You have {n} notes on this reflection:", len(notes),
                        n=t.number(len(notes)))]
    lines.extend(f"• {excerpt(note.body, 90)}" for note in notes[:3])
    return "\n".join(lines)


def post_not_found_text(t: Translator, post_id: int, *, kept: bool) -> str:
    text = t.gettext(
        "I can't find reflection {id} on QuranReflect: it may have been deleted, or the link "
        "is wrong.", id=t.isolate(t.number(str(post_id))))
    if kept:
        text += "\n" + t.gettext(
            "Your text is kept as a draft: send /note to choose the verses it is about.")
    return text
