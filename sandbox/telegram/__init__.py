"""Telegram's side of the Bot API, kept in memory and free of any transport.

Both the HTTP fake (`sandbox.fake_telegram.FakeTelegramServer`) and the in-process PTB request
(`sandbox.recording.RecordingRequest`) answer through `TelegramWorld.handle`, so handler tests,
end-to-end tests, the demo and the benchmarks all meet the same Telegram: the same message ids,
the same error texts and the same limits. The answers are shaped exactly like Telegram's because
PTB rejects objects that lack required fields (`is_bot`, `chat_instance`, dates in seconds).

One concern per module, put together in `world.TelegramWorld`:

* `model`: Telegram's objects (users, chats, recorded calls, errors) and limits.
* `state`: the world's memory and the primitives every concern uses (privacy mode included).
* `params`, `formatting`, `markup`: reading parameters, HTML parse mode and entities, keyboards.
* `chats`, `users`, `callbacks`, `messages`, `flood`, `files`, `updates`, `bot_profile`: the
  scene tests set up, what users do, and the Bot API methods, by subject.

Known simplifications (documented so tests do not rely on them): Markdown parse modes are passed
through unparsed, Telegram's automatic url/hashtag detection in bot messages is not done,
callback queries never expire, webhooks are stored but never delivered, and the 4096-character
limit counts code points as TDLib's `utf8_length` does.
"""

from sandbox.telegram.formatting import utf16_length
from sandbox.telegram.model import (
    ANONYMOUS_ADMIN_ID,
    GROUP_ANONYMOUS_BOT,
    MAX_CALLBACK_ANSWER_LENGTH,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_MESSAGE_LENGTH,
    AnsweredCallback,
    FakeUser,
    FloodLimits,
    RecordedCall,
    TelegramApiError,
    Upload,
    UploadedFile,
    WebhookSettings,
)
from sandbox.telegram.world import TelegramWorld

__all__ = [
    "ANONYMOUS_ADMIN_ID",
    "GROUP_ANONYMOUS_BOT",
    "MAX_CALLBACK_ANSWER_LENGTH",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_MESSAGE_LENGTH",
    "AnsweredCallback",
    "FakeUser",
    "FloodLimits",
    "RecordedCall",
    "TelegramApiError",
    "TelegramWorld",
    "Upload",
    "UploadedFile",
    "WebhookSettings",
    "utf16_length",
]
