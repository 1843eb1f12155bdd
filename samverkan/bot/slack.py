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
  connections, so no signing secret is needed for it. It acknowledges first too: the envelope
  is answered at once and its work goes to the same workers as an HTTP request's (a form's
  submission, whose answer is the acknowledgement, runs first, as over HTTP).
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import parse_qs

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from samverkan.bot.dispatch import Dispatcher
from samverkan.bot.reply import Reply
from samverkan.bot.slack_commands import COMMAND, register_commands
from samverkan.bot.slack_home import register_home
from samverkan.bot.slack_intake import register_intake
from samverkan.bot.slack_modals import Later, register_modals
from samverkan.bot.slack_render import (
    render,
)
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

EVENTS_PATH = "/slack/events"
MAX_BODY = 1_000_000
"""Bytes; Slack's payloads are a few kilobytes."""
DEFAULT_API_URL = "https://slack.com/api/"
WORKERS = 4
"""Requests worked on at once after their acknowledgement; the rest wait their turn."""


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


def _skip_retries(req: BoltRequest, next_: Callable[[], None]) -> BoltResponse | None:
    """Runs after the signature check: a verified retry is acknowledged and not run again.
    Socket Mode marks a first delivery ``retry_attempt: 0``, which is no retry."""
    values = req.headers.get("x-slack-retry-num") or ()
    first = str(values[0] if isinstance(values, list | tuple) and values else values)
    if first.isdigit() and int(first) > 0:
        return BoltResponse(status=200, body="")
    next_()
    return None


def _bolt_app(settings: Settings, client: WebClient, *, process_before_response: bool) -> App:
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
    return app


def build_app(
    settings: Settings,
    engine: Engine,
    intake: Intake,
    *,
    clock: Callable[[], datetime],
    client: WebClient | None = None,
    process_before_response: bool = True,
    later: Later | None = None,
) -> App:
    """The bolt app with its listeners. Each listener runs to its end inside
    ``app.dispatch`` (``process_before_response``): the HTTP route and Socket Mode
    acknowledge before they call dispatch (:class:`SlackBridge`, :class:`AckFirstSocketMode`).
    ``later`` runs what follows a form's acknowledgement (inline when None)."""
    client = client or make_client(settings)
    app = _bolt_app(settings, client, process_before_response=process_before_response)
    dispatcher = Dispatcher(engine, settings, intake, clock)
    open_form = register_modals(app, dispatcher, later or _now)
    register_commands(app, dispatcher, open_form)
    register_home(app, dispatcher)
    register_intake(app, dispatcher, client, lambda url, answer: _respond_to(client, url, answer))
    return app


def _now(work: Callable[[], None]) -> None:
    work()


def _respond_to(client: WebClient, url: str, answer: Reply) -> None:
    """An ephemeral answer through a request's ``response_url``."""
    if url:
        message = render(answer)
        WebhookClient(url).send(text=message.text, blocks=message.blocks, response_type="ephemeral")


_IN_THE_RESPONSE = frozenset({"url_verification", "view_submission", "block_suggestion"})
"""Requests whose HTTP response carries the answer; every other one is acknowledged first."""


def answers_in_response(body: bytes, content_type: str) -> bool:
    """Whether Slack reads this request's answer from its HTTP response (a challenge, a
    modal's validation errors, options for a menu), so it must be handled before answering."""
    if content_type.startswith("application/json"):
        try:
            kind = json.loads(body).get("type")
        except (ValueError, AttributeError):
            return True  # let bolt answer what it makes of it
        return kind in _IN_THE_RESPONSE
    payload = parse_qs(body.decode("utf-8", "replace")).get("payload")
    if not payload:
        return False  # a slash command
    try:
        return json.loads(payload[0]).get("type") in _IN_THE_RESPONSE
    except (ValueError, AttributeError):
        return True


@dataclass
class SlackBridge:
    """What the service wires: the HTTP route and Socket Mode (notices go by ``delivery``).

    ``ack_first``: a verified request is answered 200 at once and handed to a small pool of
    workers, so no amount of work queued behind it delays an acknowledgement past Slack's
    three seconds; the answer follows through ``response_url`` or the Web API. Requests whose
    answer is the HTTP response itself (``answers_in_response``) run before answering.
    """

    settings: Settings
    app: App
    client: WebClient
    socket: SocketModeHandler | None = field(default=None)
    ack_first: bool = True
    workers: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(WORKERS, thread_name_prefix="slack")
    )

    def routes(self) -> list[Route]:
        """``POST /slack/events``; none without a signing secret (Socket Mode only)."""
        secret = self.settings.slack_signing_secret
        if secret is None:
            return []
        app = self.app
        verifier = SignatureVerifier(secret.get_secret_value())

        async def events(request: Request) -> Response:
            body = await request.body()
            if len(body) > MAX_BODY:
                return Response(status_code=413)
            bolt_request = to_bolt_request(request, body)
            kind = request.headers.get("content-type", "")
            if self.ack_first and not answers_in_response(body, kind):
                if not verifier.is_valid_request(body, dict(request.headers)):
                    return Response(status_code=401)
                self.workers.submit(_dispatch_later, app, bolt_request)
                return Response(status_code=200)
            # bolt's App is synchronous: run it off the event loop so /healthz stays responsive
            answer = await run_in_threadpool(app.dispatch, bolt_request)
            return to_starlette_response(answer)

        return [Route(EVENTS_PATH, events, methods=["POST"])]

    def socket_mode_handler(self) -> SocketModeHandler | None:
        """The Socket Mode connection (not yet connected), when an app token is set."""
        token = self.settings.slack_app_token
        if token is None:
            return None
        handler = AckFirstSocketMode(self.app, app_token=token.get_secret_value())
        handler.workers = self.workers if self.ack_first else None
        return handler

    def start(self) -> None:
        """Connects Socket Mode in the background, if configured; the HTTP route needs nothing."""
        self.socket = self.socket_mode_handler()
        if self.socket is not None:
            self.socket.connect()  # type: ignore[no-untyped-call]

    def stop(self) -> None:
        self.workers.shutdown(wait=True, cancel_futures=False)
        if self.socket is not None:
            self.socket.close()  # type: ignore[no-untyped-call]
            self.socket = None


class AckFirstSocketMode(SocketModeHandler):
    """Socket Mode that answers an envelope before its work, as the HTTP route does.

    bolt's own handler runs the listener to its end and answers after it, so a long command
    would be acknowledged late. Here the acknowledgement goes at once and the request is handed
    to ``workers``; an envelope whose answer is the acknowledgement (a form's validation
    errors, a menu's options) is run first. Without ``workers`` it behaves as bolt's.
    """

    workers: ThreadPoolExecutor | None = None

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        kind = req.payload.get("type") if isinstance(req.payload, dict) else None
        if self.workers is None or (req.type == "interactive" and kind in _IN_THE_RESPONSE):
            super().handle(client, req)
            return
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
        request = BoltRequest(mode="socket_mode", body=req.payload, headers=build_headers(req))
        self.workers.submit(_dispatch_later, self.app, request)


def _dispatch_later(app: App, request: BoltRequest) -> None:
    """A worker's turn: bolt verifies again and runs the listener; nothing may escape."""
    try:
        answer = app.dispatch(request)
        if answer.status >= 400:
            log.warning(
                "slack: a request was refused after its acknowledgement (%s)", answer.status
            )
    except Exception:
        log.exception("slack: a request failed after its acknowledgement")


def build_slack(
    settings: Settings,
    engine: Engine,
    intake: Intake,
    *,
    clock: Callable[[], datetime],
    process_before_response: bool = False,
) -> SlackBridge | None:
    """The Slack side of the service, or None when no bot token is configured.
    ``process_before_response`` answers each HTTP request only after its work (tests)."""
    if settings.slack_bot_token is None:
        return None
    if settings.slack_signing_secret is None and settings.slack_app_token is None:
        raise SlackConfigError(
            "Slack är halvt konfigurerat: ange SAMVERKAN_SLACK_SIGNING_SECRET (HTTP-endpoint "
            "/slack/events) eller SAMVERKAN_SLACK_APP_TOKEN (Socket Mode)."
        )
    client = make_client(settings)
    # Both the HTTP route and Socket Mode acknowledge before they dispatch (and hand the work
    # to the workers), so every listener runs to its end inside dispatch.
    workers = ThreadPoolExecutor(WORKERS, thread_name_prefix="slack")
    app = build_app(
        settings,
        engine,
        intake,
        clock=clock,
        client=client,
        process_before_response=True,
        later=None if process_before_response else workers.submit,
    )
    return SlackBridge(
        settings=settings,
        app=app,
        client=client,
        ack_first=not process_before_response,
        workers=workers,
    )
