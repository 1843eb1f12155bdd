"""The Slack adapter: `/samverkan` commands and buttons in, Block Kit replies and notices out.

A thin translation over the command core: Slack's mention and link syntax becomes canonical
text (``slack_text``), the Slack user id is ``who``, the one dispatch does everything else
(including the check that ``who`` is an official, and whether the answer is for the asker or
the channel), and ``slack_render`` turns the reply into escaped Block Kit. Nothing here runs at
import; the app is built by :func:`build_slack` from the settings, and no Slack call is made
before a request arrives (a fixed ``authorize`` instead of ``auth.test``).

Decisions an operator or official will notice:

- Every HTTP request is verified with the signing secret; a forged or stale (over five
  minutes) request gets 401 and runs nothing. Without a signing secret there is no HTTP
  endpoint at all.
- Slack's retries (``X-Slack-Retry-Num``) are acknowledged and not run again, and a request
  whose ``trigger_id`` was already seen by this process is dropped, so a command runs once.
- Every request is acknowledged at once with an empty body (Slack's three-second limit); the
  reply follows through the request's ``response_url``. The reply's audience decides:
  reads, refusals and mistakes are ephemeral (only the official sees them); a change that
  succeeded is posted ``in_channel`` so colleagues see who moved which case.
- The committee memo is uploaded as a Markdown file (``files_upload_v2``) to the channel the
  command came from. If Slack refuses (the app is not in that channel), the official is told
  to fetch it with ``samverkan memo REF``.
- A button's value is the equivalent chat command, run as the user who clicked. A button whose
  command needs more words (a date, a reason) is answered with the command to type instead.
- Socket Mode (``SLACK_APP_TOKEN``) runs the same app over a websocket; Slack verifies those
  connections, so no signing secret is needed for it.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.error import URLError

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from samverkan.bot.commands import spec_of
from samverkan.bot.dispatch import Dispatcher, Platform
from samverkan.bot.reply import Attachment, Audience, Reply, ReplyStatus, actor, paragraph, reply
from samverkan.bot.slack_render import (
    ACTION_PREFIX,
    SlackMessage,
    read_action_id,
    render,
)
from samverkan.bot.slack_text import canonical_text
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake

__all__ = [
    "COMMAND",
    "EVENTS_PATH",
    "SlackBridge",
    "SlackConfigError",
    "build_app",
    "build_slack",
    "make_client",
]

log = logging.getLogger(__name__)

COMMAND = "/samverkan"
EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000
"""Bytes; Slack's payloads are a few kilobytes."""
DEFAULT_API_URL = "https://slack.com/api/"


class SlackConfigError(ValueError):
    """Slack is half configured; ``str()`` tells the operator what is missing, in Swedish."""


def make_client(settings: Settings) -> WebClient:
    """The Web API client. Without the SDK's retries: a resent post could appear twice."""
    if settings.slack_bot_token is None:
        raise SlackConfigError("SAMVERKAN_SLACK_BOT_TOKEN saknas.")
    base_url = settings.slack_api_url or DEFAULT_API_URL
    if not base_url.endswith("/"):  # joined with urljoin: the last segment would be dropped
        base_url += "/"
    return WebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=base_url, retry_handlers=[]
    )


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


def _skip_retries(req: BoltRequest, next_: Callable[[], None]) -> BoltResponse | None:
    """Runs after the signature check: a verified retry is acknowledged and not run again."""
    if req.headers.get("x-slack-retry-num"):
        return BoltResponse(status=200, body="")
    next_()
    return None


def build_app(
    settings: Settings,
    engine: Engine,
    intake: Intake,
    *,
    clock: Callable[[], datetime],
    client: WebClient | None = None,
    process_before_response: bool = False,
) -> App:
    """The bolt app with its listeners. ``process_before_response`` makes each HTTP request
    return only after its reply was sent (tests); the service acknowledges first."""
    client = client or make_client(settings)
    secret = settings.slack_signing_secret
    # Socket Mode needs no secret, but bolt's HTTP check must never run with an empty one.
    signing_secret = secret.get_secret_value() if secret else secrets.token_hex(32)
    if not signing_secret:
        raise SlackConfigError("SAMVERKAN_SLACK_SIGNING_SECRET är tom.")
    token = client.token
    # The token comes from ``authorize``; a client holding it too makes bolt warn at start-up.
    tokenless = WebClient(base_url=client.base_url, retry_handlers=[])

    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    app = App(
        client=tokenless,
        signing_secret=signing_secret,
        authorize=authorize,
        request_verification_enabled=True,
        token_verification_enabled=False,
        process_before_response=process_before_response,
    )
    app.use(_skip_retries)
    seen = _Seen()

    dispatcher = Dispatcher(engine, settings, intake, clock)

    def run(text: str, who: str) -> Reply:
        return dispatcher.dispatch(canonical_text(text), who, Platform.SLACK)

    def deliver(answer: Reply, respond: Respond, client: WebClient, channel: str | None) -> None:
        message = render(answer)
        public = answer.audience is Audience.CHANNEL
        _respond(respond, message, "in_channel" if public else "ephemeral")
        for file in message.files:
            _upload(client, channel, file, respond)

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
            _respond(respond, render(reply(ReplyStatus.USAGE, paragraph(_UNKNOWN))), "ephemeral")
            return
        if known[0] == "ask":
            hint = reply(ReplyStatus.USAGE, paragraph(_ASK), paragraph(actor(f"{COMMAND} {value}")))
            _respond(respond, render(hint), "ephemeral")
            return
        channel = (body.get("channel") or {}).get("id")
        deliver(run(value, str(body["user"]["id"])), respond, client, channel)

    return app


_UNKNOWN = "Knappen känns inte igen. Skriv kommandot i stället, t.ex. /samverkan hjälp."
_ASK = "Det här steget behöver fler uppgifter. Skriv kommandot och fyll i det som saknas:"


_OUR_ACTIONS = re.compile("^" + re.escape(ACTION_PREFIX))


def _respond(respond: Respond, message: SlackMessage, response_type: str) -> None:
    respond(
        text=message.text,
        blocks=message.blocks,
        response_type=response_type,
        replace_original=False,
        unfurl_links=False,
        unfurl_media=False,
    )


def _upload(client: WebClient, channel: str | None, file: Attachment, respond: Respond) -> None:
    """The memo as a file in the channel; if Slack will not take it, say where to get it."""
    try:
        if channel is None:
            raise SlackConfigError("ingen kanal att ladda upp till")
        if file.data is not None:  # a picture (the statistics chart)
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
    except (SlackClientError, SlackConfigError, URLError, OSError) as exc:
        log.warning("kunde inte ladda upp %s till %s: %s", file.filename, channel, exc)
        ref = file.filename.removeprefix("tjansteskrivelse-").removesuffix(".md")
        note = reply(
            ReplyStatus.ERROR,
            paragraph(
                f"{file.title} kunde inte laddas upp här (bjud in appen till kanalen). "
                f"Hämta den med: samverkan memo {ref}"
            ),
        )
        _respond(respond, render(note), "ephemeral")


@dataclass
class SlackBridge:
    """What the service wires: the HTTP route and Socket Mode (notices go by ``delivery``)."""

    settings: Settings
    app: App
    client: WebClient
    socket: SocketModeHandler | None = field(default=None)

    def routes(self) -> list[Route]:
        """``POST /slack/events``; none without a signing secret (Socket Mode only)."""
        if self.settings.slack_signing_secret is None:
            return []
        app = self.app

        async def events(request: Request) -> Response:
            body = await request.body()
            if len(body) > MAX_BODY:
                return Response(status_code=413)
            bolt_request = to_bolt_request(request, body)
            # bolt's App is synchronous: run it off the event loop so /healthz stays responsive
            answer = await run_in_threadpool(app.dispatch, bolt_request)
            return to_starlette_response(answer)

        return [Route(EVENTS_PATH, events, methods=["POST"])]

    def socket_mode_handler(self) -> SocketModeHandler | None:
        """The Socket Mode connection (not yet connected), when an app token is set."""
        token = self.settings.slack_app_token
        if token is None:
            return None
        return SocketModeHandler(self.app, app_token=token.get_secret_value())

    def start(self) -> None:
        """Connects Socket Mode in the background, if configured; the HTTP route needs nothing."""
        self.socket = self.socket_mode_handler()
        if self.socket is not None:
            self.socket.connect()  # type: ignore[no-untyped-call]

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.close()  # type: ignore[no-untyped-call]
            self.socket = None


def build_slack(
    settings: Settings,
    engine: Engine,
    intake: Intake,
    *,
    clock: Callable[[], datetime],
    process_before_response: bool = False,
) -> SlackBridge | None:
    """The Slack side of the service, or None when no bot token is configured."""
    if settings.slack_bot_token is None:
        return None
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        raise SlackConfigError(
            "Slack är halvt konfigurerat: ange SAMVERKAN_SLACK_SIGNING_SECRET (HTTP-endpoint "
            "/slack/events) eller SAMVERKAN_SLACK_APP_TOKEN (Socket Mode)."
        )
    client = make_client(settings)
    app = build_app(
        settings,
        engine,
        intake,
        clock=clock,
        client=client,
        process_before_response=process_before_response,
    )
    return SlackBridge(settings=settings, app=app, client=client)
