"""The files of a Teams message, fetched so the intake reads them like a mail's attachments.

A message activity lists its files in ``attachments``:

- a file shared in a chat is ``application/vnd.microsoft.teams.file.download.info``, with
  ``content.downloadUrl`` (a short-lived link that needs no token) and ``name``;
- a picture pasted into the message has ``contentUrl`` on the Bot Connector (it needs the bot's
  token) and a media type such as ``image/png``;
- ``text/html`` (the message itself) and cards are not files.

The bot's token is sent only to the host the activity came from (its ``serviceUrl``, the
connector the token is for); every other link is fetched without it, so no file link in a
message can make the app hand its token to someone else. At most ``MAX_FILES`` files of at
most ``MAX_FILE_BYTES`` each; a file that will not come is skipped.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from microsoft_agents.activity import Activity

from samverkan.bot.chat_files import MAX_FILES, fetch
from samverkan.intake.feeders.chat import ChatFile

__all__ = ["FILE_DOWNLOAD", "FileLink", "fetch_files", "file_links"]

FILE_DOWNLOAD = "application/vnd.microsoft.teams.file.download.info"
_NOT_FILES = ("text/html", "application/vnd.microsoft.card.")


@dataclass(frozen=True)
class FileLink:
    """One file of a message: where to get it, and whether the bot's token goes along."""

    name: str
    content_type: str
    url: str
    with_token: bool


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def file_links(activity: Activity) -> list[FileLink]:
    """The message's files, in order (pure: nothing is fetched)."""
    service = _origin(activity.service_url or "")
    links: list[FileLink] = []
    for attachment in activity.attachments or []:
        kind = (attachment.content_type or "").lower()
        name = attachment.name or ""
        if kind == FILE_DOWNLOAD:
            content = attachment.content if isinstance(attachment.content, Mapping) else {}
            url = str(content.get("downloadUrl") or "")
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        elif kind.startswith(_NOT_FILES):
            continue
        else:
            url = attachment.content_url or ""
            name = name or f"bild{mimetypes.guess_extension(kind) or ''}"
        if url:
            token = bool(service[1]) and _origin(url) == service
            links.append(FileLink(name or "bilaga", kind, url, token))
    return links[:MAX_FILES]


def fetch_files(activity: Activity, token: str | None) -> tuple[ChatFile, ...]:
    """The message's files that could be fetched (blocking: run it in a worker thread)."""
    out = []
    for link in file_links(activity):
        data = fetch(link.url, token=token if link.with_token else None, platform="teams")
        if data is not None:
            out.append(ChatFile(link.name, link.content_type, data))
    return tuple(out)
