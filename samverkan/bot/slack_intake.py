"""Slack messages that become applications, and the answer in their thread.

Three ways in, all through :class:`~samverkan.bot.chat_intake.ChatIntake` (the e-mail intake's
reading, extraction, criteria and acknowledgement):

- a message in ``SLACK_INTAKE_CHANNEL``: a new message is an application, a reply in its
  thread from the actor (not an official) joins its case;
- a direct message to the app from someone who is not an official (an official's direct
  message is a command, answered in the same chat);
- the message shortcut ``Skapa ärende`` (callback ``skapa_arende``), which an official uses
  on any message: that message's text, files and author become the application.

A reply in the thread of a message that became a case joins the case wherever the thread is,
as long as the app can see the channel. The answer (case reference, what is missing) is posted
in the thread; the acknowledgement e-mail goes too when Slack gave the author's address.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from samverkan.bot.chat_intake import ChatIntake
from samverkan.bot.dispatch import Dispatcher, Platform, is_application_text
from samverkan.bot.reply import Reply, ReplyStatus, paragraph, reply
from samverkan.bot.slack_render import render
from samverkan.bot.slack_text import canonical_text
from samverkan.intake.feeders.chat import ChatFile, ChatMessage

__all__ = ["SHORTCUT_CREATE_CASE", "register_intake"]

log = logging.getLogger(__name__)

SHORTCUT_CREATE_CASE = "skapa_arende"
MAX_FILES = 10
MAX_FILE_BYTES = 10_000_000
PLATFORM = "slack"
_HUMAN_SUBTYPES = (None, "file_share", "thread_broadcast")


def _when(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC)
    except ValueError:
        return datetime.now(UTC)


class SlackPeople:
    """Who wrote a message: name and e-mail from ``users.info`` (cached per process)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._known: dict[str, tuple[str | None, str | None]] = {}

    def lookup(self, user: str) -> tuple[str | None, str | None]:
        if user not in self._known:
            try:
                found = self.client.users_info(user=user).get("user") or {}
            except SlackClientError as exc:
                log.warning("slack: users.info failed for a user (%s)", type(exc).__name__)
                return None, None
            profile = found.get("profile") or {}
            name = profile.get("real_name") or found.get("real_name") or found.get("name")
            self._known[user] = (name or None, profile.get("email") or None)
        return self._known[user]


def _files(client: WebClient, files: list[dict[str, Any]]) -> tuple[ChatFile, ...]:
    """The message's files, fetched with the bot token; one that will not come is skipped."""
    out: list[ChatFile] = []
    for item in files[:MAX_FILES]:
        url = item.get("url_private_download") or item.get("url_private")
        if not url or int(item.get("size") or 0) > MAX_FILE_BYTES:
            continue
        request = urllib.request.Request(  # noqa: S310 - Slack's own file URL
            url, headers={"Authorization": f"Bearer {client.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                data = response.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            log.warning("slack: a file could not be fetched (%s)", type(exc).__name__)
            continue
        if len(data) <= MAX_FILE_BYTES:
            name = str(item.get("name") or item.get("title") or "bilaga")
            out.append(ChatFile(name, str(item.get("mimetype") or ""), data))
    return tuple(out)


def chat_message(
    message: dict[str, Any], channel: str, client: WebClient, people: SlackPeople
) -> ChatMessage:
    """A Slack message (an event, or the message of a shortcut) as the intake's input."""
    user = str(message.get("user") or "okänd")
    name, email = people.lookup(user) if message.get("user") else (None, None)
    ts = str(message.get("ts") or "")
    thread = message.get("thread_ts")
    return ChatMessage(
        platform=PLATFORM,
        conversation=channel,
        message_id=ts,
        author_id=user,
        text=canonical_text(str(message.get("text") or "")),
        at=_when(ts),
        thread_root=str(thread) if thread and thread != ts else None,
        author_name=name,
        author_email=email,
        files=_files(client, list(message.get("files") or [])),
    )


def _post(client: WebClient, channel: str, thread: str | None, answer: Reply) -> None:
    message = render(answer)
    client.chat_postMessage(
        channel=channel,
        thread_ts=thread,
        text=message.text,
        blocks=message.blocks,
        unfurl_links=False,
        unfurl_media=False,
    )


_NOT_OFFICIAL = (
    "Skapa ärende kan bara användas av handläggare i Samverkan. Be en samordnare att lägga "
    "till dig."
)


def register_intake(
    app: App,
    dispatcher: Dispatcher,
    client: WebClient,
    respond_to: Callable[[str, Reply], None],
) -> ChatIntake:
    """Adds the message listener and the ``Skapa ärende`` shortcut to ``app``.
    ``respond_to(response_url, reply)`` answers an official privately."""
    intake = ChatIntake(dispatcher)
    people = SlackPeople(client)
    settings = dispatcher.settings

    def handle_message(event: dict[str, Any]) -> None:
        if event.get("bot_id") or event.get("subtype") not in _HUMAN_SUBTYPES:
            return  # our own posts, edits, joins: not an actor writing
        channel = str(event.get("channel") or "")
        user = str(event.get("user") or "")
        ts = str(event.get("ts") or "")
        thread = event.get("thread_ts")
        root = str(thread) if thread and thread != ts else None
        direct = event.get("channel_type") == "im"
        text = str(event.get("text") or "")
        if direct and (intake.is_official(user) or not is_application_text(text)):
            answer = dispatcher.dispatch(canonical_text(text), user, Platform.SLACK)
            _post(client, channel, root, answer)
            return
        if root is not None:
            if intake.is_official(user) or intake.case_of_thread(PLATFORM, channel, root) is None:
                return  # officials discuss in the thread; a thread of no case is not ours
        elif not direct and channel != settings.slack_intake_channel:
            return
        answered = intake.receive(chat_message(event, channel, client, people), personal=direct)
        if answered is not None:
            _post(client, channel, root or ts, answered)

    @app.event("message")
    def on_message(ack: Callable[[], None], event: dict[str, Any]) -> None:
        ack()
        handle_message(event)

    @app.shortcut(SHORTCUT_CREATE_CASE)
    def on_create_case(ack: Callable[[], None], body: dict[str, Any]) -> None:
        ack()
        official = str((body.get("user") or {}).get("id") or "")
        url = str(body.get("response_url") or "")
        if not intake.is_official(official):
            respond_to(url, reply(ReplyStatus.REFUSED, paragraph(_NOT_OFFICIAL)))
            return
        message = body.get("message") or {}
        channel = str((body.get("channel") or {}).get("id") or "")
        answer = intake.receive(chat_message(message, channel, client, people))
        if answer is None:
            respond_to(url, reply(ReplyStatus.OK, paragraph("Meddelandet är redan ett ärende.")))
            return
        thread = message.get("thread_ts") or message.get("ts")
        _post(client, channel, str(thread) if thread else None, answer)

    return intake
