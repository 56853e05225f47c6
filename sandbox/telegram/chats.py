"""Chats, groups and their members: the scene tests set up, and the Bot API methods about chats.

Part of `TelegramWorld`. Tests add private chats and groups, promote, ban, block and migrate;
the bot asks getChat, getChatMember, getChatAdministrators and friends, leaves groups and pins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.telegram.model import (
    ANONYMOUS_ADMIN_ID,
    GROUP_ANONYMOUS_BOT,
    MEMBER_STATUSES,
    PRESENT_STATUSES,
    ChatRecord,
    FakeUser,
    JSONDict,
    bad_request,
    member_dict,
)
from sandbox.telegram.params import int_param, str_param
from sandbox.telegram.state import WorldState

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class Chats(WorldState):
    # ----------------------------------------------------------------------------------------
    # Setting the scene

    def add_private_chat(self, user: FakeUser) -> JSONDict:
        """The user has started the bot: it may now write to them."""
        self.add_user(user)
        chat = self._chats.get(user.id)
        if chat is None:
            chat = ChatRecord(id=user.id, type="private", user=user)
            chat.members[user.id] = "member"
            self._chats[user.id] = chat
        return chat.to_dict()

    def add_group(
        self,
        chat_id: int,
        title: str,
        admins: Iterable[FakeUser] = (),
        members: Iterable[FakeUser] = (),
        type: str = "group",
        *,
        owner: FakeUser | None = None,
        bot_is_admin: bool = False,
    ) -> JSONDict:
        """A group the bot is in. Without `owner`, the first admin is the group's creator."""
        if type not in ("group", "supergroup"):
            raise ValueError(f"group type must be 'group' or 'supergroup', not {type!r}")
        if chat_id >= 0:
            raise ValueError("Telegram group ids are negative")
        admin_list = list(admins)
        if owner is None and admin_list:
            owner, admin_list = admin_list[0], admin_list[1:]
        chat = ChatRecord(id=chat_id, type=type, title=title)
        chat.bot_status = "administrator" if bot_is_admin else "member"
        if owner is not None:
            self.add_user(owner)
            chat.members[owner.id] = "creator"
        for admin in admin_list:
            self.add_user(admin)
            chat.members[admin.id] = "administrator"
        for member in members:
            self.add_user(member)
            chat.members.setdefault(member.id, "member")
        self._chats[chat_id] = chat
        return chat.to_dict()

    def set_member_status(self, chat_id: int, user: FakeUser, status: str) -> None:
        """Promote, demote, ban or remove a user (status as in ChatMember: creator … kicked)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self.add_user(user)
        self._require_chat(chat_id).members[user.id] = status

    def set_bot_status(self, chat_id: int, status: str) -> None:
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        self._require_chat(chat_id).bot_status = status

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update arrives."""
        chat = self._require_chat(chat_id)
        if chat.type != "private" or chat.user is None:
            raise ValueError("only a private chat can block the bot")
        if chat.blocked:
            return
        chat.blocked = True
        self._queue_my_chat_member(chat, chat.user, "member", "kicked")

    def unblock(self, chat_id: int) -> None:
        chat = self._require_chat(chat_id)
        if not chat.blocked or chat.user is None:
            return
        chat.blocked = False
        self._queue_my_chat_member(chat, chat.user, "kicked", "member")

    def migrate_group(self, old_id: int, new_id: int, by_user: FakeUser | None = None) -> JSONDict:
        """Upgrade a basic group to a supergroup; returns the supergroup's chat dict."""
        old = self._require_chat(old_id)
        if old.type != "group":
            raise ValueError("only a basic group migrates to a supergroup")
        if new_id in self._chats:
            raise ValueError(f"chat {new_id} already exists")
        actor = by_user or self._default_actor(old)
        new = ChatRecord(id=new_id, type="supergroup", title=old.title)
        new.members = dict(old.members)
        new.bot_status = old.bot_status
        self._chats[new_id] = new
        old.migrated_to = new_id
        old_notice = self._new_message(old, actor.to_dict(), migrate_to_chat_id=new_id)
        self._deliver_message(old, old_notice, service=True)
        new_notice = self._new_message(new, actor.to_dict(), migrate_from_chat_id=old_id)
        self._deliver_message(new, new_notice, service=True)
        return new.to_dict()

    # ----------------------------------------------------------------------------------------
    # Users acting
    async def bot_added_to_group(
        self,
        chat_id: int,
        by_user: FakeUser,
        title: str = "Group",
        type: str = "group",
        *,
        as_admin: bool = False,
    ) -> JSONDict:
        """`by_user` adds the bot: a my_chat_member update, then the new_chat_members message."""
        chat = self._chats.get(chat_id)
        if chat is None:
            self.add_group(chat_id, title, type=type, owner=by_user)
            chat = self._chats[chat_id]
            old_status = "left"
        else:
            old_status = chat.bot_status
        self.add_user(by_user)
        chat.members.setdefault(by_user.id, "member")
        chat.bot_status = "administrator" if as_admin else "member"
        update = self._queue_my_chat_member(chat, by_user, old_status, chat.bot_status)
        notice = self._new_message(chat, by_user.to_dict(), new_chat_members=[self._bot_user()])
        notice["new_chat_member"] = self._bot_user()
        notice["new_chat_participant"] = self._bot_user()
        self._deliver_message(chat, notice, service=True)
        return update

    async def bot_removed_from_group(self, chat_id: int, by_user: FakeUser) -> JSONDict:
        chat = self._require_chat(chat_id)
        old_status = chat.bot_status
        chat.bot_status = "kicked"
        return self._queue_my_chat_member(chat, by_user, old_status, "kicked")

    # ----------------------------------------------------------------------------------------
    # Reading what the bot did
    # ----------------------------------------------------------------------------------------
    # Reading a chat

    def chat(self, chat_id: int) -> JSONDict:
        return self._require_chat(chat_id).to_dict()

    def member_status(self, chat_id: int, user_id: int) -> str:
        chat = self._require_chat(chat_id)
        if user_id == self.bot_id:
            return chat.bot_status
        return chat.members.get(user_id, "left")

    # ----------------------------------------------------------------------------------------
    # Who acts in a chat

    def _chat_for_user(self, chat_id: int, user: FakeUser) -> ChatRecord:
        self.add_user(user)
        if chat_id == user.id and chat_id not in self._chats:
            self.add_private_chat(user)
        chat = self._require_chat(chat_id)
        if chat.migrated_to is not None:
            raise ValueError(f"chat {chat_id} migrated to {chat.migrated_to}")
        if chat.type == "private":
            self.unblock(chat_id)
        elif chat.members.get(user.id) not in PRESENT_STATUSES:
            chat.members[user.id] = "member"
        return chat

    def _default_actor(self, chat: ChatRecord) -> FakeUser:
        for wanted in ("creator", "administrator", "member"):
            for user_id, status in chat.members.items():
                if status == wanted and user_id in self._users:
                    return self._users[user_id]
        raise ValueError(f"chat {chat.id} has no member to act; pass by_user")

    # ----------------------------------------------------------------------------------------
    # Bot API methods

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._resolve_chat(params, for_sending=True)
        if str_param(params, "action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _get_chat(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=False)
        info = chat.to_dict()
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _get_chat_member(self, params: dict[str, Any]) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=False)
        user_id = int_param(params, "user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        if user_id == self.bot_id:
            status = "member" if chat.type == "private" else chat.bot_status
            return member_dict(self._bot_user(), status)
        if user_id == ANONYMOUS_ADMIN_ID and chat.is_group:
            return member_dict(GROUP_ANONYMOUS_BOT.to_dict(), "member")
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private" and user_id != chat.id:
            raise bad_request("user not found")
        return member_dict(user.to_dict(), chat.members.get(user_id, "left"))

    def _get_chat_administrators(self, params: dict[str, Any]) -> list[JSONDict]:
        chat = self._resolve_chat(params, for_sending=False)
        if not chat.is_group:
            raise bad_request("there are no administrators in the private chat")
        admins: list[JSONDict] = []
        for wanted in ("creator", "administrator"):
            for user_id, status in chat.members.items():
                if status == wanted and user_id in self._users:
                    admins.append(member_dict(self._users[user_id].to_dict(), status))
        if chat.bot_status == "administrator":
            admins.append(member_dict(self._bot_user(), "administrator"))
        return admins

    def _get_chat_member_count(self, params: dict[str, Any]) -> int:
        chat = self._resolve_chat(params, for_sending=False)
        present = sum(1 for status in chat.members.values() if status in PRESENT_STATUSES)
        return present + (1 if chat.bot_status in PRESENT_STATUSES else 0)

    def _leave_chat(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=False)
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        old_status = chat.bot_status
        chat.bot_status = "left"
        bot = FakeUser(self.bot_id, self.bot_first_name, self.bot_username, None, is_bot=True)
        self._queue_my_chat_member(chat, bot, old_status, "left")
        return True

    def _pin_chat_message(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=True)
        if chat.is_group and chat.bot_status != "administrator":
            raise bad_request("not enough rights to manage pinned messages in the chat")
        message_id = int_param(params, "message_id")
        if message_id is None or message_id not in chat.messages:
            raise bad_request("message to pin not found")
        self.pinned[chat.id] = message_id
        return True

    def _unpin_chat_message(self, params: dict[str, Any]) -> bool:
        chat = self._resolve_chat(params, for_sending=True)
        if chat.is_group and chat.bot_status != "administrator":
            raise bad_request("not enough rights to manage pinned messages in the chat")
        self.pinned.pop(chat.id, None)
        return True
