"""Every inline button's callback_data, built and read through one typed registry.

A button's data is the only input a user can set to any value they like: Telegram hands back
whatever the client sends, and a modified client can send anything (a forged note id "../x", an
id over 2**63, a stale format from last year's release). So each kind of press is a declared
type, and a press is parsed back into that type or refused as a whole:

    @dataclass(frozen=True)
    class UndoGoal(CallbackData, prefix="g.undo"):
        goal_id: GoalId
        version: Version
        owner: UserId       # in a group anybody can press: the handler compares with the presser

    keyboard = [[button(t.gettext("Undo"), UndoGoal(goal_id="abc", version=3, owner=42))]]
    application.add_handler(on_press(UndoGoal, undo_goal))   # undo_goal(update, context, data)
    ...
    application.add_handler(stale_button_fallback())          # last: answers what nobody took

On the wire a press is the prefix and the fields joined by ':' ("g.undo:abc:3:42"): readable in
logs, and short, because Telegram caps callback_data at 64 bytes. Field types are int, str, bool,
a StrEnum, `date` (`Day`), `time` (`HHMM`), `Annotated[int, Between(lo, hi)]` and
`Annotated[str, Matches(regex)]`; the aliases below name the common ones. Every field is bounded
even when unannotated (see `_INT64`, `_TOKEN`), and every value has exactly one spelling, so
`parse(data)` succeeds only on data that `pack()` itself could have produced.
"""

from __future__ import annotations

import re
import typing
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Self, TypeAlias, TypeVar, cast

from telegram import InlineKeyboardButton, Update
from telegram.ext import CallbackQueryHandler, ContextTypes

from handlers.context import translator_for

#: Telegram refuses a button whose callback_data is longer than this many bytes.
MAX_DATA_BYTES = 64
SEPARATOR = ":"
_INT64_MAX = 2**63 - 1
#: Telegram: user and chat ids "have at most 52 significant bits", so they fit in a double.
_ID_MAX = 2**53 - 1

# --------------------------------------------------------------------------------------------
# Constraint markers


@dataclass(frozen=True)
class Between:
    """`Annotated[int, Between(lo, hi)]`: an int in lo..hi, both included."""

    lo: int
    hi: int

    def __post_init__(self) -> None:
        # Every int ends up in SQLite or in a Quran.com request; SQLite's INTEGER is signed
        # 64-bit and raises OverflowError beyond it, so no bound may reach past it.
        if not -_INT64_MAX <= self.lo <= self.hi <= _INT64_MAX:
            raise ValueError(f"Between({self.lo}, {self.hi}) is empty or exceeds 64 bits")


@dataclass(frozen=True)
class Matches:
    """`Annotated[str, Matches(regex)]`: a str the regex matches in full.

    Compiled with re.ASCII so that \\d and \\w mean 0-9 and [A-Za-z0-9_], not every script's
    digits and letters; values are ASCII in any case (see `_StrCodec`).
    """

    pattern: str
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "regex", re.compile(self.pattern, re.ASCII))


#: What an int field without `Between` accepts: anything SQLite can store (|x| < 2**63).
_INT64 = Between(-_INT64_MAX, _INT64_MAX)
#: What a str field without `Matches` accepts: an id-like token. No '.', '/' or '%', so the
#: value can be put into a URL path or a file name without "../" or escapes ever reaching it.
_TOKEN = Matches(r"[A-Za-z0-9_-]{1,64}")

# --------------------------------------------------------------------------------------------
# Reusable field types

UserId: TypeAlias = Annotated[int, Between(1, _ID_MAX)]
#: Group and channel ids are negative (-100…), users' positive.
ChatId: TypeAlias = Annotated[int, Between(-_ID_MAX, _ID_MAX)]
#: A row version or revision counter (a signed 32-bit column).
Version: TypeAlias = Annotated[int, Between(0, 2**31 - 1)]
#: An amount a person could ask for: pages (604), verses (6236), minutes, a page of a list.
Count: TypeAlias = Annotated[int, Between(0, 100_000)]
#: An index into a short menu or list shown on one message.
Small: TypeAlias = Annotated[int, Between(0, 255)]
Slug: TypeAlias = Annotated[str, Matches(r"[A-Za-z0-9_-]{1,32}")]
#: Ids Quran.com hands out. They go into API paths ("/notes/{id}"), hence the strict alphabet.
NoteId: TypeAlias = Annotated[str, Matches(r"[A-Za-z0-9_-]{1,64}")]
GoalId: TypeAlias = NoteId
#: A calendar day, written YYYYMMDD (8 bytes instead of ISO's 10).
Day: TypeAlias = date
#: A wall-clock minute, written HHMM; seconds and time zones are refused, not dropped.
HHMM: TypeAlias = time

# --------------------------------------------------------------------------------------------
# Codecs: how one field type is written and read back


class _Codec(ABC):
    """Writes a value of one field type and reads it back, each value having one spelling."""

    #: What the field accepts, for error messages.
    expected: str

    @abstractmethod
    def accepts(self, value: object) -> bool:
        """Whether `value` has the field's type and meets its constraint."""

    @abstractmethod
    def encode(self, value: Any) -> str:
        """The field's text; only called with values `accepts`."""

    @abstractmethod
    def decode(self, text: str) -> object:
        """The value `text` spells, or ValueError; the caller then checks `accepts`."""


#: 0, or an optional '-' and ASCII digits without a leading zero: int() alone would also take
#: "+5", " 5", "05", "5_000" and Arabic-Indic digits, giving one number several spellings.
_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]*")


class _IntCodec(_Codec):
    def __init__(self, bounds: Between) -> None:
        self.bounds = bounds
        self.expected = f"an int in {bounds.lo}..{bounds.hi}"

    def accepts(self, value: object) -> bool:
        # bool is an int subclass; True would otherwise pack as "1" and parse back as 1.
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.bounds.lo <= value <= self.bounds.hi
        )

    def encode(self, value: int) -> str:
        return str(int(value))

    def decode(self, text: str) -> int:
        if not _CANONICAL_INT.fullmatch(text):
            raise ValueError(text)
        return int(text)


class _StrCodec(_Codec):
    def __init__(self, matches: Matches) -> None:
        self.matches = matches
        self.expected = f"an ASCII str matching {matches.pattern!r} without {SEPARATOR!r}"

    def accepts(self, value: object) -> bool:
        # ASCII only: then bytes == characters for the 64-byte limit, and no look-alike letters
        # or bidi controls can hide in an id. The separator would split the field in two.
        return (
            isinstance(value, str)
            and value.isascii()
            and SEPARATOR not in value
            and self.matches.regex.fullmatch(value) is not None
        )

    def encode(self, value: str) -> str:
        return value

    def decode(self, text: str) -> str:
        return text


class _BoolCodec(_Codec):
    expected = "a bool"

    def accepts(self, value: object) -> bool:
        return isinstance(value, bool)

    def encode(self, value: bool) -> str:
        return "1" if value else "0"

    def decode(self, text: str) -> bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"


class _EnumCodec(_Codec):
    def __init__(self, kind: type[StrEnum]) -> None:
        for member in kind:
            if not member.value or not member.value.isascii() or SEPARATOR in member.value:
                raise TypeError(f"{kind.__name__}.{member.name}: values must be non-empty "
                                f"ASCII without {SEPARATOR!r}")
        self.kind = kind
        self.expected = f"a {kind.__name__}"

    def accepts(self, value: object) -> bool:
        return isinstance(value, self.kind)

    def encode(self, value: StrEnum) -> str:
        return value.value

    def decode(self, text: str) -> StrEnum:
        return self.kind(text)  # ValueError for a value that is no member


class _DayCodec(_Codec):
    expected = "a date (not a datetime)"

    def accepts(self, value: object) -> bool:
        # A datetime is a date too, but packing it would silently drop its time.
        return isinstance(value, date) and not isinstance(value, datetime)

    def encode(self, value: date) -> str:
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"

    def decode(self, text: str) -> date:
        if not re.fullmatch(r"[0-9]{8}", text):
            raise ValueError(text)
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))  # ValueError for 20260230


class _MinuteCodec(_Codec):
    expected = "a naive time on the minute"

    def accepts(self, value: object) -> bool:
        return (
            isinstance(value, time)
            and value.tzinfo is None
            and value.second == 0
            and value.microsecond == 0
        )

    def encode(self, value: time) -> str:
        return f"{value.hour:02d}{value.minute:02d}"

    def decode(self, text: str) -> time:
        if not re.fullmatch(r"(?:[01][0-9]|2[0-3])[0-5][0-9]", text):
            raise ValueError(text)
        return time(int(text[:2]), int(text[2:]))


def _codec_for(where: str, hint: object) -> _Codec:
    """The codec of one declared field type; TypeError for a type the registry cannot carry."""
    base: object = hint
    metadata: tuple[object, ...] = ()
    if typing.get_origin(hint) is Annotated:
        base, *rest = typing.get_args(hint)
        metadata = tuple(rest)
    markers = [item for item in metadata if isinstance(item, Between | Matches)]
    if len(markers) > 1:
        raise TypeError(f"{where}: one Between or Matches per field, not {markers}")
    marker = markers[0] if markers else None
    if base is int and not isinstance(marker, Matches):
        return _IntCodec(marker or _INT64)
    if base is str and not isinstance(marker, Between):
        return _StrCodec(marker or _TOKEN)
    if marker is None:
        if base is bool:
            return _BoolCodec()
        if base is date:
            return _DayCodec()
        if base is time:
            return _MinuteCodec()
        if isinstance(base, type) and issubclass(base, StrEnum):
            return _EnumCodec(base)
    raise TypeError(
        f"{where}: {hint!r} is not int, str, bool, a StrEnum, date, time, "
        "Annotated[int, Between(...)] or Annotated[str, Matches(...)]"
    )


# --------------------------------------------------------------------------------------------
# The base class and its registry

#: A prefix is short and has no separator; the dot groups a feature's presses ("g.undo").
_PREFIX = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_registry: dict[str, type[CallbackData]] = {}


class CallbackData:
    """Base of every press type: subclass with `prefix=` and decorate `@dataclass(frozen=True)`.

    Frozen, so a value checked when built cannot change before it is packed. Building an
    instance with a value its field refuses, or one whose data would exceed 64 bytes, raises
    ValueError: that is a bug in the code building the button, not a user's doing.
    """

    prefix: ClassVar[str]
    _codecs: ClassVar[tuple[tuple[str, _Codec], ...]]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not _PREFIX.fullmatch(prefix):
            raise ValueError(f"{cls.__name__}: prefix {prefix!r} must match {_PREFIX.pattern}")
        if prefix in _registry:
            # Two types with one prefix would parse each other's presses.
            taken = _registry[prefix]
            raise ValueError(f"{cls.__name__}: prefix {prefix!r} is already "
                             f"{taken.__module__}.{taken.__qualname__}'s")
        # Read from the annotations now, before @dataclass runs, so a field type the registry
        # cannot carry fails at import; dataclass orders its fields the same way.
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except NameError as error:
            raise TypeError(f"{cls.__name__}: field types must be importable names "
                            f"(not local to a function): {error}") from error
        cls._codecs = tuple(
            (name, _codec_for(f"{cls.__name__}.{name}", hint))
            for name, hint in hints.items()
            if typing.get_origin(hint) is not ClassVar and hint is not ClassVar
        )
        cls.prefix = prefix
        _registry[prefix] = cls

    def __post_init__(self) -> None:
        """Called by the dataclass __init__: refuse to build a button that cannot be sent."""
        self.pack()

    def pack(self) -> str:
        """The callback_data: prefix and fields joined by ':'. ValueError if any is invalid."""
        parts = [self.prefix]
        for name, codec in self._codecs:
            value = getattr(self, name)
            if not codec.accepts(value):
                raise ValueError(f"{type(self).__name__}.{name}={value!r}: "
                                 f"expected {codec.expected}")
            parts.append(codec.encode(value))
        data = SEPARATOR.join(parts)
        size = len(data.encode("utf-8"))
        if size > MAX_DATA_BYTES:
            raise ValueError(f"{data!r} is {size} bytes; Telegram allows {MAX_DATA_BYTES}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The press `data` spells, or None when it is anything else. Never raises."""
        # Only ASCII is ever packed, so one check also makes len() a byte count and keeps
        # lone surrogates (which cannot be encoded) away from everything below.
        if not isinstance(data, str) or not data.isascii() or len(data) > MAX_DATA_BYTES:
            return None
        head, *texts = data.split(SEPARATOR)
        if head != cls.prefix or len(texts) != len(cls._codecs):
            return None
        values: dict[str, object] = {}
        for (name, codec), text in zip(cls._codecs, texts, strict=True):
            try:
                value = codec.decode(text)
            except ValueError:
                return None
            if not codec.accepts(value):
                return None
            values[name] = value
        try:
            return cast(Callable[..., Self], cls)(**values)
        except ValueError:  # e.g. a subclass's own __post_init__ check
            return None


def parse_any(data: object) -> CallbackData | None:
    """The press `data` spells, whichever registered type's prefix it has; None otherwise."""
    if not isinstance(data, str):
        return None
    kind = _registry.get(data.split(SEPARATOR, 1)[0])
    return kind.parse(data) if kind is not None else None


def registry() -> Mapping[str, type[CallbackData]]:
    """Every registered press type by prefix (read-only), e.g. to check each has a handler."""
    return MappingProxyType(_registry)


def button(label: str, data: CallbackData) -> InlineKeyboardButton:
    """An inline button that sends `data` when pressed."""
    return InlineKeyboardButton(label, callback_data=data.pack())


# --------------------------------------------------------------------------------------------
# python-telegram-bot integration

DataT = TypeVar("DataT", bound=CallbackData)
PressCallback: TypeAlias = Callable[[Update, ContextTypes.DEFAULT_TYPE, DataT], Awaitable[object]]


async def answer_stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Tell the presser, in a toast, that the button is no longer valid.

    Answering matters: an unanswered press leaves the button's spinner running for seconds,
    which reads as a hung bot.
    """
    query = update.callback_query
    if query is None:
        return
    t = await translator_for(update, context)
    await query.answer(t.gettext("This button is no longer valid."), show_alert=False)


def on_press(
    kind: type[DataT], callback: PressCallback[DataT], **handler_kwargs: Any
) -> CallbackQueryHandler[ContextTypes.DEFAULT_TYPE, object]:
    """A handler for presses of `kind`: `callback(update, context, data)` gets them parsed.

    It takes every press with the kind's prefix, valid or not, so a forged or outdated press of
    this kind is answered as stale here instead of falling through to some other handler.
    What `callback` returns is passed on, so the handler also serves as a ConversationHandler
    entry point or state (which reads the next state from it); a refused press returns None,
    which leaves a conversation where it was. `handler_kwargs` go to CallbackQueryHandler
    (e.g. block=False).
    """
    prefix = kind.prefix

    def has_prefix(data: object) -> bool:
        return isinstance(data, str) and (
            data == prefix or data.startswith(prefix + SEPARATOR)
        )

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> object:
        query = update.callback_query
        parsed = kind.parse(query.data) if query is not None else None
        if parsed is None:
            await answer_stale(update, context)
            return None
        return await callback(update, context, parsed)

    handle.__qualname__ = f"on_press({kind.__name__}, {getattr(callback, '__qualname__', '?')})"
    return CallbackQueryHandler(handle, pattern=has_prefix, **handler_kwargs)


def stale_button_fallback() -> CallbackQueryHandler[ContextTypes.DEFAULT_TYPE, None]:
    """Answers every press no handler before it took: unknown prefixes, garbage, old formats.

    Register it last, in the same handler group as the button handlers; a handler in another
    group would see the press as well and answer it a second time.
    """
    return CallbackQueryHandler(answer_stale)
