"""Finding every open conversation, and ending them from outside their own callbacks.

PTB has no public way to end a conversation from outside; `_update_state(END)` is what its own
callbacks use, and it also tells persistence to forget the state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, ConversationHandler

from handlers.wizards.rules import is_cancel_word, rules_of, run_cancel, say

#: Runs before every other handler group, so the wizard that takes the update finds itself alone.
WIZARD_GUARD_GROUP = -100

ConversationKey = tuple[int | str, ...]


def conversations(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> Iterator[ConversationHandler[Any]]:
    """Every ConversationHandler, in dispatch order, nested ones after their parents."""
    for group in sorted(application.handlers):
        for handler in application.handlers[group]:
            if isinstance(handler, ConversationHandler):
                yield handler
                yield from _children(handler)


def _children(handler: ConversationHandler[Any]) -> Iterator[ConversationHandler[Any]]:
    for child in handler._child_conversations:
        yield child
        yield from _children(child)


def end_conversation(handler: ConversationHandler[Any], key: ConversationKey) -> None:
    handler._update_state(ConversationHandler.END, key)
    job = handler.timeout_jobs.pop(key, None)
    if job is not None:
        job.schedule_removal()


def end_conversations(
    application: Application[Any, Any, Any, Any, Any, Any],
    matching: Callable[[ConversationKey], bool],
    *,
    keep: ConversationHandler[Any] | None = None,
) -> int:
    """End every open conversation whose key matches (except in `keep`); returns how many."""
    ended = 0
    for handler in conversations(application):
        if handler is keep:
            continue
        for key in [key for key in handler._conversations if matching(key)]:
            end_conversation(handler, key)
            ended += 1
    return ended


def _is_command(update: Update) -> bool:
    message = update.message
    return bool(message and message.text and message.text.startswith("/"))


def _open_wizards(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> list[tuple[ConversationHandler[Any], ConversationKey]]:
    """The sender's open conversations in this chat (and chat-less ones), in dispatch order."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return []
    mine = {(chat.id, user.id), (user.id,)}
    return [
        (handler, key)
        for handler in conversations(context.application)
        for key in list(handler._conversations)
        if key in mine
    ]


async def apply_wizard_rules(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one rule for wizards (see `handlers.wizards.rules`), before any flow runs."""
    message = update.message
    if message is None:
        return
    open_wizards = _open_wizards(update, context)
    if _is_command(update):
        await _command_arrived(update, context, open_wizards)
        return
    if not open_wizards:
        return
    handler, key = open_wizards[0]
    if message.text and is_cancel_word(message.text) and await run_cancel(update, context, handler):
        end_conversation(handler, key)
        raise ApplicationHandlerStop
    if message.text is None and not handler.check_update(update):
        rules = rules_of(context.application, handler)
        if rules is not None and rules.hint:
            await say(update, context, rules.hint)
            raise ApplicationHandlerStop


async def _command_arrived(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    open_wizards: list[tuple[ConversationHandler[Any], ConversationKey]],
) -> None:
    """A command ends the person's open wizards that do not take it themselves: with the
    wizard's closing note, or quietly (undeclared wizards, and only when another wizard takes
    the command: their own fallbacks decide otherwise). Then the command runs as usual."""
    taker = next(
        (handler for handler in conversations(context.application)
         if handler.check_update(update)),
        None,
    )
    for handler, key in open_wizards:
        if handler is taker:
            continue
        rules = rules_of(context.application, handler)
        if rules is None or rules.closed is None:
            if taker is not None:
                end_conversation(handler, key)
            continue
        end_conversation(handler, key)
        if rules.on_close is not None:
            rules.on_close(context)
        await say(update, context, rules.closed)
