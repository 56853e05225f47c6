"""Finding every open conversation, and ending them from outside their own callbacks.

PTB has no public way to end a conversation from outside; `_update_state(END)` is what its own
callbacks use, and it also tells persistence to forget the state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, ConversationHandler

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
            handler._update_state(ConversationHandler.END, key)
            job = handler.timeout_jobs.pop(key, None)
            if job is not None:
                job.schedule_removal()
            ended += 1
    return ended


def _is_command(update: Update) -> bool:
    message = update.message
    return bool(message and message.text and message.text.startswith("/"))


async def end_other_wizards(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command that a wizard takes (its entry point, or a step of the open one) ends the
    person's other wizards. Commands no wizard takes (/help, /today) leave them open."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or not _is_command(update):
        return
    taker = next(
        (handler for handler in conversations(context.application)
         if handler.check_update(update)),
        None,
    )
    if taker is None:
        return
    mine = {(chat.id, user.id), (user.id,)}
    end_conversations(context.application, lambda key: key in mine, keep=taker)

