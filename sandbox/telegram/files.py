"""Files: photos and documents the bot uploads, and the files it fetches back.

Part of `TelegramWorld`. Uploads get file ids Telegram-style, photos must be images Telegram can
decode, a file id sent before can be sent again, and `file_content` serves getFile's paths to
the transports' download routes.
"""

from __future__ import annotations

import copy
import mimetypes
import struct
from collections.abc import Mapping
from typing import Any

from sandbox.telegram.messages import Messages
from sandbox.telegram.model import MAX_CAPTION_LENGTH, JSONDict, Upload, UploadedFile, bad_request
from sandbox.telegram.params import str_param


class FileTransfers(Messages):
    def file_content(self, file_path: str) -> bytes | None:
        for content, path, _ in self._files.values():
            if path == file_path:
                return content
        return None

    # ----------------------------------------------------------------------------------------
    # Bot API methods

    def _send_photo(self, params: dict[str, Any]) -> JSONDict:
        return self._send_media(params, "photo")

    def _send_document(self, params: dict[str, Any]) -> JSONDict:
        return self._send_media(params, "document")

    def _get_file(self, params: dict[str, Any]) -> JSONDict:
        file_id = str_param(params, "file_id") or ""
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        content, path, _ = stored
        return {
            "file_id": file_id,
            "file_unique_id": "AQAD" + file_id[-8:],
            "file_size": len(content),
            "file_path": path,
        }

    def _stored_upload(self, params: Mapping[str, Any], field: str) -> tuple[str, bytes, str]:
        """(file_id, content, file name) for an uploaded part or a file_id sent before."""
        value = params.get(field)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            if not value.content:
                raise bad_request("file must be non-empty")
            if field == "photo" and _image_size(value.content) is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            number = len(self._files) + 1
            prefix = "AgACAgQAAxkDAAI" if field == "photo" else "BQACAgQAAxkDAAI"
            file_id = f"{prefix}{number:08d}"
            name = value.filename or f"file_{number}"
            folder = "photos" if field == "photo" else "documents"
            self._files[file_id] = (value.content, f"{folder}/file_{number}_{name}", name)
            return file_id, value.content, name
        if isinstance(value, str) and value in self._files:
            content, _, name = self._files[value]
            return value, content, name
        if value is None or value == "":
            raise bad_request(f"there is no {field} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_media(self, params: dict[str, Any], field: str) -> JSONDict:
        chat = self._resolve_chat(params, for_sending=True)
        file_id, content, name = self._stored_upload(params, field)
        caption, entities = self._format(
            str_param(params, "caption") or "",
            str_param(params, "parse_mode"),
            params.get("caption_entities"),
            what="caption",
        )
        if len(caption) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        inline, other = self._validated_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        self._check_flood(chat)
        fields: JSONDict = {}
        if reply_to is not None:
            fields["reply_to_message"] = reply_to
        common = {"file_id": file_id, "file_unique_id": "AQAD" + file_id[-8:]}
        width, height = _image_size(content) or (None, None)
        if field == "photo":
            fields["photo"] = [{**common, "file_size": len(content), "width": width,
                                "height": height}]  # fmt: skip
        else:
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            fields["document"] = {**common, "file_name": name, "mime_type": mimetype,
                                  "file_size": len(content)}  # fmt: skip
        if caption:
            fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
        if inline is not None:
            fields["reply_markup"] = inline
        message = self._new_message(chat, self._bot_user(), **fields)
        self._remember_other_keyboard(chat, other)
        self._record_bot_message(chat, message)
        self.uploads.append(
            Upload(
                field, chat.id, message["message_id"], file_id, len(content), name, width, height
            )
        )
        return copy.deepcopy(message)


def _image_size(content: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, GIF or JPEG; Telegram refuses what it cannot decode."""
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return int(width), int(height)
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        width, height = struct.unpack("<HH", content[6:10])
        return int(width), int(height)
    if content.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(content):
            if content[index] != 0xFF:
                return None
            marker = content[index + 1]
            segment_length = struct.unpack(">H", content[index + 2 : index + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE):
                height, width = struct.unpack(">HH", content[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + segment_length
    return None
