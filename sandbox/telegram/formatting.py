"""Telegram's text formatting: HTML parse mode, the entities clients add, whitespace trimming.

Entity offsets and lengths count UTF-16 code units, and parse errors carry TDLib's texts with
byte offsets, so a bot's formatting bug fails here as it would on Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, ClassVar

from sandbox.telegram.model import FakeUser, JSONDict, bad_request

_COMMAND_PATTERN = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_PATTERN = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{4,32}")


def utf16_length(text: str) -> int:
    """Entity offsets and lengths are counted in UTF-16 code units by Telegram."""
    return len(text.encode("utf-16-le")) // 2


_SIMPLE_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "code": "code",
}  # fmt: skip


class _EntityParseError(Exception):
    pass


@dataclass
class _OpenTag:
    name: str
    offset: int
    attrs: dict[str, str | None]
    language: str | None = None


class _TelegramHTMLParser(HTMLParser):
    """Telegram's HTML subset, with TDLib's error texts and byte offsets.

    `html.parser` is lenient where Telegram is not (a stray `<` becomes text), so every `<` or
    `&` that reaches `handle_data` is an error here. `strict_ampersand` also rejects a lone `&`
    that Telegram itself would keep literally: in this project it always means a missing
    `html.escape`, which garbles text such as "a &lt; b".
    """

    _SUPPORTED = frozenset(
        {
            "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
            "tg-spoiler", "code", "pre", "blockquote", "tg-emoji",
        }
    )  # fmt: skip
    _NAMED_ENTITIES: ClassVar[dict[str, str]] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

    def __init__(
        self, source: str, *, strict_ampersand: bool, users: Mapping[int, FakeUser]
    ) -> None:
        super().__init__(convert_charrefs=False)
        self._source = source
        self._strict_ampersand = strict_ampersand
        self._users = users
        self._line_starts = [0]
        for index, char in enumerate(source):
            if char == "\n":
                self._line_starts.append(index + 1)
        self._parts: list[str] = []
        self._length = 0
        self._open: list[_OpenTag] = []
        self.entities: list[JSONDict] = []

    def parse(self) -> tuple[str, list[JSONDict]]:
        self.feed(self._source)
        self.close()
        if self._open:
            raise _EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self._open[-1].name}"'
            )
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self._parts), self.entities

    def _position(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _byte_offset(self, index: int | None = None) -> int:
        position = self._position() if index is None else index
        return len(self._source[:position].encode("utf-8"))

    def _append(self, text: str) -> None:
        self._parts.append(text)
        self._length += utf16_length(text)

    def _stray_lt_error(self, index: int) -> _EntityParseError:
        end = index + 1
        while end < len(self._source) and not self._source[end].isspace():
            if self._source[end] == ">":
                break
            end += 1
        if end >= len(self._source):
            return _EntityParseError(
                f"Unclosed start tag at byte offset {self._byte_offset(index)}"
            )
        name = self._source[index + 1 : end].lower()
        return _EntityParseError(
            f'Unsupported start tag "{name}" at byte offset {self._byte_offset(index)}'
        )

    def _stray_ampersand_error(self, index: int) -> _EntityParseError:
        return _EntityParseError(
            f'Unescaped "&" at byte offset {self._byte_offset(index)}; Telegram would show it '
            "literally, so the text was not html.escape'd"
        )

    def handle_data(self, data: str) -> None:
        start = self._position()
        for offset, char in enumerate(data):
            if char == "<":
                raise self._stray_lt_error(start + offset)
            if char == "&" and self._strict_ampersand:
                raise self._stray_ampersand_error(start + offset)
        self._append(data)

    def handle_entityref(self, name: str) -> None:
        char = self._NAMED_ENTITIES.get(name)
        if char is not None:
            self._append(char)
            return
        self._append_literal_reference(len(name))

    def _append_literal_reference(self, name_length: int) -> None:
        """TDLib keeps an undecodable `&...` as typed, including its `;` if there was one."""
        start = self._position()
        if self._strict_ampersand:
            raise self._stray_ampersand_error(start)
        end = start + 1 + name_length
        self._append(self._source[start : end + 1 if self._source[end : end + 1] == ";" else end])

    def handle_charref(self, name: str) -> None:
        try:
            code = int(name[1:], 16) if name[:1] in ("x", "X") else int(name)
            char = chr(code)
        except (ValueError, OverflowError):
            self._append_literal_reference(1 + len(name))
            return
        self._append(char)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self._SUPPORTED:
            raise _EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self._byte_offset()}'
            )
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._byte_offset()}'
            )
        if tag == "code" and self._open and self._open[-1].name == "pre":
            css_class = attributes.get("class") or ""
            if css_class.startswith("language-"):
                self._open[-1].language = css_class.removeprefix("language-")
        self._open.append(_OpenTag(tag, self._length, attributes))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise _EntityParseError(
            f'Unsupported start tag "{tag}/" at byte offset {self._byte_offset()}'
        )

    def handle_endtag(self, tag: str) -> None:
        if not self._open:
            raise _EntityParseError(f"Unexpected end tag at byte offset {self._byte_offset()}")
        opened = self._open[-1]
        if tag != opened.name:
            raise _EntityParseError(
                f"Unmatched end tag at byte offset {self._byte_offset()}, "
                f'expected "</{opened.name}>", found "</{tag}>"'
            )
        self._open.pop()
        entity = self._entity_for(opened)
        if entity is not None:
            self.entities.append(entity)

    def _unsupported_markup(self, text: str) -> None:
        raise _EntityParseError(
            f'Unsupported start tag "{text.split()[0] if text.split() else ""}" at byte offset '
            f"{self._byte_offset()}"
        )

    def handle_comment(self, data: str) -> None:
        self._unsupported_markup("!--")

    def handle_decl(self, decl: str) -> None:
        self._unsupported_markup("!" + decl)

    def unknown_decl(self, data: str) -> None:
        self._unsupported_markup("![" + data)

    def handle_pi(self, data: str) -> None:
        self._unsupported_markup("?" + data)

    def _entity_for(self, opened: _OpenTag) -> JSONDict | None:
        length = self._length - opened.offset
        if length <= 0:
            return None
        entity: JSONDict = {"offset": opened.offset, "length": length}
        if opened.name in _SIMPLE_ENTITY_TYPES:
            enclosing = self._open[-1] if self._open else None
            in_pre_with_language = (
                enclosing is not None and enclosing.name == "pre" and enclosing.language is not None
            )
            if opened.name == "code" and in_pre_with_language:
                return None  # the language went onto the enclosing pre entity instead
            entity = {"type": _SIMPLE_ENTITY_TYPES[opened.name], **entity}
        elif opened.name == "pre":
            entity = {"type": "pre", **entity}
            if opened.language:
                entity["language"] = opened.language
        elif opened.name == "blockquote":
            expandable = "expandable" in opened.attrs
            entity = {"type": "expandable_blockquote" if expandable else "blockquote", **entity}
        elif opened.name == "tg-emoji":
            emoji_id = opened.attrs.get("emoji-id")
            if not emoji_id:
                return None
            entity = {"type": "custom_emoji", **entity, "custom_emoji_id": emoji_id}
        else:  # "a"
            href = (opened.attrs.get("href") or "").strip()
            if not href:
                return None
            match = re.fullmatch(r"tg://user\?id=(\d+)", href)
            if match:
                user_id = int(match.group(1))
                known = self._users.get(user_id)
                user = known.to_dict() if known else FakeUser(user_id, "").to_dict()
                entity = {"type": "text_mention", **entity, "user": user}
            else:
                entity = {"type": "text_link", **entity, "url": href}
        return entity


def strip_text(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Telegram trims surrounding whitespace and shifts the entities with it."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_length(text[: len(text) - len(text.lstrip())])
    new_length = utf16_length(stripped)
    kept: list[JSONDict] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_length)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def detect_user_entities(text: str) -> list[JSONDict]:
    """The entities Telegram's clients attach to what a user types (commands and mentions)."""
    entities: list[JSONDict] = []
    for pattern, kind in ((_COMMAND_PATTERN, "bot_command"), (_MENTION_PATTERN, "mention")):
        for match in pattern.finditer(text):
            entities.append(
                {
                    "offset": utf16_length(text[: match.start()]),
                    "length": utf16_length(match.group()),
                    "type": kind,
                }
            )
    entities.sort(key=lambda entity: entity["offset"])
    return entities


def entity_text(text: str, entity: Mapping[str, Any]) -> str:
    encoded = text.encode("utf-16-le")
    start = int(entity["offset"]) * 2
    end = start + int(entity["length"]) * 2
    return encoded[start:end].decode("utf-16-le")


def format_text(
    text: str,
    parse_mode: str | None,
    entities: Any,
    *,
    strict_ampersand: bool,
    users: Mapping[int, FakeUser],
    what: str = "message text",
) -> tuple[str, list[JSONDict]]:
    """(text, entities) as Telegram stores a message sent with `parse_mode` or `entities`."""
    if entities:
        if not isinstance(entities, list) or not all(
            isinstance(entity, dict) and {"type", "offset", "length"} <= entity.keys()
            for entity in entities
        ):
            raise bad_request("can't parse entities JSON object")
        parsed = sorted(
            (dict(entity) for entity in entities),
            key=lambda entity: (entity["offset"], -entity["length"]),
        )
    elif parse_mode and parse_mode.lower() == "html":
        try:
            text, parsed = _TelegramHTMLParser(
                text, strict_ampersand=strict_ampersand, users=users
            ).parse()
        except _EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif parse_mode and parse_mode.lower() not in ("markdown", "markdownv2"):
        raise bad_request("unsupported parse_mode")
    else:
        parsed = []
    text, parsed = strip_text(text, parsed)
    if not text and what == "message text":
        raise bad_request("message text is empty")
    return text, parsed
