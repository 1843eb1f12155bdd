"""The ``/samverkan`` command and the buttons: Slack text in, the one dispatch, Block Kit out.

The reply's audience decides where it goes: reads, refusals and mistakes are ephemeral (only
the official sees them); a change that succeeded is posted ``in_channel`` so colleagues see
who moved which case. A button's value is the equivalent chat command, run as the user who
clicked; a button whose command needs more words opens a form (``slack_modals``) or, for
commands without one, is answered with the command to type. The committee memo is uploaded as
a Markdown file to the channel the command came from; if Slack refuses (the app is not in
that channel), the official is told to fetch it with ``samverkan memo REF``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.error import URLError

from slack_bolt import App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from samverkan.bot.commands import spec_of
from samverkan.bot.dispatch import Dispatcher, Platform
from samverkan.bot.reply import Attachment, Audience, Reply, ReplyStatus, actor, paragraph, reply
from samverkan.bot.slack_modals import FormOpener
from samverkan.bot.slack_render import ACTION_PREFIX, SlackMessage, read_action_id, render
from samverkan.bot.slack_text import canonical_text

__all__ = ["COMMAND", "register_commands", "respond_with"]

log = logging.getLogger(__name__)

COMMAND = "/samverkan"


class _Seen:
    """The last few thousand trigger ids: a request Slack delivers twice runs once."""

    def __init__(self, size: int = 4096) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def first_time(self, key: str | None) -> bool:
        if not key:
            return True
        with self._lock:
            if key in self._ids:
                return False
            self._ids[key] = None
            if len(self._ids) > self._size:
                self._ids.popitem(last=False)
            return True


_UNKNOWN = "Knappen känns inte igen. Skriv kommandot i stället, t.ex. /samverkan hjälp."
_ASK = "Det här steget behöver fler uppgifter. Skriv kommandot och fyll i det som saknas:"


_OUR_ACTIONS = re.compile("^" + re.escape(ACTION_PREFIX))


def respond_with(respond: Respond, message: SlackMessage, response_type: str) -> None:
    respond(
        text=message.text,
        blocks=message.blocks,
        response_type=response_type,
        replace_original=False,
        unfurl_links=False,
        unfurl_media=False,
    )


_MEMO = "tjansteskrivelse-"


def _upload(client: WebClient, channel: str | None, file: Attachment) -> bool:
    """One file (the memo as Markdown or Word, a chart) in the channel; False if Slack would
    not take it."""
    try:
        if channel is None:
            raise ValueError("ingen kanal att ladda upp till")
        if file.data is not None:  # a binary file: the Word memo, the statistics chart
            client.files_upload_v2(
                channel=channel, content=file.data, filename=file.filename, title=file.title
            )
        else:
            client.files_upload_v2(
                channel=channel,
                content=file.content,
                filename=file.filename,
                title=file.title,
                snippet_type="markdown",
            )
    except (SlackClientError, ValueError, URLError, OSError) as exc:
        log.warning("kunde inte ladda upp %s till %s: %s", file.filename, channel, exc)
        return False
    return True


def _upload_all(
    client: WebClient, channel: str | None, files: tuple[Attachment, ...], respond: Respond
) -> None:
    """Every file; if Slack will not take them, one note says where to get them."""
    failed = [file for file in files if not _upload(client, channel, file)]
    if not failed:
        return
    titles = " och ".join(dict.fromkeys(f.title for f in failed))
    text = f"{titles} kunde inte laddas upp här (bjud in appen till kanalen)."
    if failed[0].filename.startswith(_MEMO):
        ref = failed[0].filename.removeprefix(_MEMO).rsplit(".", 1)[0]
        text += f" Hämta den med: samverkan memo {ref} (Word: samverkan memo {ref} --docx FIL)"
    note = reply(ReplyStatus.ERROR, paragraph(text))
    respond_with(respond, render(note), "ephemeral")


def register_commands(app: App, dispatcher: Dispatcher, open_form: FormOpener) -> None:
    """The slash command and our buttons, each run once per trigger."""
    seen = _Seen()

    def run(text: str, who: str) -> Reply:
        return dispatcher.dispatch(canonical_text(text), who, Platform.SLACK)

    def deliver(answer: Reply, respond: Respond, client: WebClient, channel: str | None) -> None:
        message = render(answer)
        public = answer.audience is Audience.CHANNEL
        respond_with(respond, message, "in_channel" if public else "ephemeral")
        _upload_all(client, channel, message.files, respond)

    @app.command(COMMAND)
    def on_command(
        ack: Callable[[], None], body: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        if not seen.first_time(body.get("trigger_id")):
            return
        answer = run(str(body.get("text") or ""), str(body["user_id"]))
        deliver(answer, respond, client, body.get("channel_id"))

    @app.action({"type": "block_actions", "action_id": _OUR_ACTIONS})
    def on_button(
        ack: Callable[[], None],
        body: dict[str, Any],
        action: dict[str, Any],
        respond: Respond,
        client: WebClient,
    ) -> None:
        ack()
        if not seen.first_time(body.get("trigger_id") or action.get("action_ts")):
            return
        known = read_action_id(str(action.get("action_id", "")))
        value = str(action.get("value") or "")
        words = value.split(maxsplit=1)
        spec = spec_of(words[0]) if words else None
        if known is None or spec is None or spec.name != known[1]:
            log.warning("okänd knapp %r med värdet %r", action.get("action_id"), value)
            respond_with(
                respond, render(reply(ReplyStatus.USAGE, paragraph(_UNKNOWN))), "ephemeral"
            )
            return
        if known[0] == "ask":
            if open_form(known[1], value, body, client):
                return
            hint = reply(ReplyStatus.USAGE, paragraph(_ASK), paragraph(actor(f"{COMMAND} {value}")))
            respond_with(respond, render(hint), "ephemeral")
            return
        channel = (body.get("channel") or {}).get("id")
        deliver(run(value, str(body["user"]["id"])), respond, client, channel)
