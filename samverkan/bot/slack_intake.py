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
as long as the app can see the channel. The answer (case reference, what is missing) is queued
by the intake for the thread and posted by the outbox's Slack transport; the acknowledgement
e-mail goes too when Slack gave the author's address.

An official's own top-level message in the intake channel is no application: officials work
there with commands (answered only to them), and turn a message into a case with the
shortcut. Anything else they write there gets a short hint, only to them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from samverkan.bot.chat_files import MAX_FILE_BYTES, MAX_FILES, fetch
from samverkan.bot.chat_intake import ChatIntake, official_note
from samverkan.bot.dispatch import Dispatcher, Platform, is_application_text, is_command_text
from samverkan.bot.reply import Reply, ReplyStatus, paragraph, reply
from samverkan.bot.slack_render import render
from samverkan.bot.slack_text import canonical_text
from samverkan.clock import utc_now
from samverkan.intake.feeders.chat import ChatFile, ChatMessage

__all__ = ["SHORTCUT_CREATE_CASE", "register_intake"]

log = logging.getLogger(__name__)

SHORTCUT_CREATE_CASE = "skapa_arende"
PLATFORM = "slack"
_HUMAN_SUBTYPES = (None, "file_share", "thread_broadcast")


def _when(ts: str) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC)
    except ValueError:
        return utc_now()


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
        data = fetch(str(url), token=client.token, platform=PLATFORM)
        if data is not None:
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


def _whisper(client: WebClient, channel: str, user: str, answer: Reply) -> None:
    """An answer only ``user`` sees, in the channel they wrote in."""
    message = render(answer)
    client.chat_postEphemeral(channel=channel, user=user, text=message.text, blocks=message.blocks)


_OFFICIAL_IN_INTAKE = (
    "Ditt meddelande blev inget ärende: i ansökningskanalen blir bara sökandes meddelanden "
    "ansökningar. Gör ett ärende av ett meddelande med genvägen Skapa ärende, eller skriv "
    "/samverkan ny titel; … för ett eget."
)


def _official_in_intake(
    client: WebClient, dispatcher: Dispatcher, channel: str, user: str, text: str
) -> None:
    """An official wrote in the intake channel: a command is run, anything else gets a hint;
    either is answered only to them."""
    command = canonical_text(text)
    if is_command_text(command):
        answer = dispatcher.dispatch(command, user, Platform.SLACK)
    else:
        answer = reply(ReplyStatus.USAGE, paragraph(_OFFICIAL_IN_INTAKE))
    _whisper(client, channel, user, answer)


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
        official = intake.is_official(user)
        applies = is_application_text(text) or bool(event.get("files"))  # a file alone, too
        if direct and (official or not applies):
            answer = dispatcher.dispatch(canonical_text(text), user, Platform.SLACK)
            _post(client, channel, root, answer)
            return
        if root is not None:
            if official or intake.case_of_thread(PLATFORM, channel, root) is None:
                return  # officials discuss in the thread; a thread of no case is not ours
        elif not direct:
            if channel != settings.slack_intake_channel:
                return
            if official:
                _official_in_intake(client, dispatcher, channel, user, text)
                return
        intake.receive(chat_message(event, channel, client, people), personal=direct)

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
        result = intake.receive(chat_message(message, channel, client, people))
        respond_to(url, reply(ReplyStatus.OK, paragraph(official_note(result, "Slack"))))

    return intake
