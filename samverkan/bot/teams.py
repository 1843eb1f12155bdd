"""Microsoft Teams: ``POST /api/messages`` as a Starlette route, over the M365 Agents SDK.

The adapter only translates. An activity becomes chat text (the bot's ``<at>`` mention removed,
or the ``command`` of a card button), the text goes through the one dispatch like every
other channel, and the :class:`Reply` goes back as Adaptive Cards (``teams_render``).

The SDK (``microsoft-agents-hosting-core`` 1.9) does the Bot Framework protocol: token checks
(``JwtTokenValidator``), the turn, and the reply to ``serviceUrl`` with an outbound token from
MSAL. It ships hosts for aiohttp and FastAPI only; this module's endpoint is the few lines those
hosts hold, on our own Starlette app. Nothing contacts Microsoft before the first request: the
signing keys and the outbound token are fetched on demand.

Who is asking. Teams sends ``from.id`` (``29:…``, per bot), ``from.name`` and
``from.aadObjectId`` (the user's Entra object id); a message carries no e-mail address. An
official configured by object id or ``29:`` id is recognised from the activity alone. Only when
neither is configured is the user's roster entry fetched from the connector
(``GET /v3/conversations/{id}/members/{user}``, which has ``email`` and ``userPrincipalName``),
so officials may be configured by e-mail address too. The core checks the role either way.

Security: in production every request needs a Bot Framework token for ``TEAMS_APP_ID``; a reply
goes only to the ``serviceUrl`` host named in that token, so a replayed token cannot send our
outbound token elsewhere. ``TEAMS_ANONYMOUS=1`` skips the token check (local development).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from jwt import PyJWTError
from microsoft_agents.activity import Activity, ActivityTypes, Attachment, InvokeResponse
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    ClaimsIdentity,
    ConnectorClientBase,
    HttpAdapterBase,
    JwtTokenValidator,
    TurnContext,
)
from microsoft_agents.hosting.core.http import HttpResponse
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from samverkan.bot.chat_intake import ChatIntake, official_note
from samverkan.bot.dispatch import Dispatcher, Platform, is_application_text, needs_identity
from samverkan.bot.teams_cards import form_command, welcome_card
from samverkan.bot.teams_files import fetch_files, file_links
from samverkan.bot.teams_intake import (
    MESSAGE_ACTION,
    chat_message_of,
    conversation_of,
    payload_message,
)
from samverkan.bot.teams_render import CARD_CONTENT_TYPE, render_reply
from samverkan.clock import utc_now
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake

__all__ = [
    "MAX_BODY_BYTES",
    "TeamsAgent",
    "auth_configuration",
    "command_text",
    "sender_ids",
    "teams_routes",
]

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
"""A Teams activity is a few kilobytes; anything far larger is not one."""
CARD_ACTION = "adaptiveCard/action"


# -- reading an activity ----------------------------------------------------------------------

_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE | re.DOTALL)


def _value_command(value: object) -> str | None:
    """``value.command`` of an ``Action.Submit``, or of an ``Action.Execute`` invoke."""
    if isinstance(value, Mapping):
        if (filled := form_command(value)) is not None:
            return filled
        command = value.get("command")
        if isinstance(command, str):
            return command
        action = value.get("action")
        if isinstance(action, Mapping):
            data = action.get("data")
            if isinstance(data, Mapping) and isinstance(data.get("command"), str):
                return str(data["command"])
    return None


def command_text(activity: Activity) -> str | None:
    """The chat command an activity carries, or None for anything that is not one.

    The bot's own mention is removed; another user's mention (``tilldela REF @Karin``) becomes
    that user's id, the same id Teams puts in ``from.id`` when they write.
    """
    if activity.type == ActivityTypes.invoke:
        return _value_command(activity.value) if activity.name == CARD_ACTION else None
    if activity.type != ActivityTypes.message:
        return None
    if (clicked := _value_command(activity.value)) is not None:
        return clicked
    text = activity.text or ""
    bot_id = activity.recipient.id if activity.recipient else None
    for mention in activity.get_mentions():
        tag = mention.text or ""
        mentioned = mention.mentioned.id if mention.mentioned else None
        if tag:
            text = text.replace(tag, "" if mentioned == bot_id else f" {mentioned or ''} ")
    text = _AT_TAG.sub(" ", text)  # a tag without an entity names nobody we can resolve
    text = text.replace("&nbsp;", " ").replace("\u00a0", " ")
    return text.strip()


def sender_ids(activity: Activity) -> tuple[str, ...]:
    """The sender's Entra object id, then the Teams user id: the ids officials are known by."""
    sender = activity.from_property
    if sender is None:
        return ()
    ids = (sender.aad_object_id, sender.id)
    return tuple(dict.fromkeys(i for i in ids if i))


# -- the agent --------------------------------------------------------------------------------


class TeamsAgent:
    """One turn: text in, the command core, cards out. Implements the SDK's ``Agent``."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        intake: Intake,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.dispatcher = Dispatcher(engine, settings, intake, clock)
        self.intake = ChatIntake(self.dispatcher)

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        if _bot_added(activity):
            await _send(context, (welcome_card(),), "Välkommen till Samverkan")
            return
        if activity.type == ActivityTypes.invoke and activity.name == MESSAGE_ACTION:
            await self._message_action(context)
            return
        text = command_text(activity)
        if text is None:
            return  # typing, reactions, other members joining: nothing to answer
        clicked = _value_command(activity.value) is not None
        applies = is_application_text(text) or bool(file_links(activity))  # a file alone, too
        who, email = await self._who(context, lookup=needs_identity(text) or applies)
        if not clicked and self.dispatcher.role_of(who) is None and applies:
            files = await asyncio.to_thread(fetch_files, activity, _bot_token(context))
            await asyncio.to_thread(  # the answer is queued for the thread with the case
                self.intake.receive,
                chat_message_of(activity, text, email, files),
                personal=conversation_of(activity)[2],
            )
            return
        answer = await asyncio.to_thread(self.dispatcher.dispatch, text, who, Platform.TEAMS)
        message = render_reply(answer)
        await _send(context, message.cards, message.fallback_text)
        if activity.type == ActivityTypes.invoke:
            await _invoke_response(
                context,
                {
                    "statusCode": 200,
                    "value": "Klart.",
                    "type": "application/vnd.microsoft.activity.message",
                },
            )

    async def _message_action(self, context: TurnContext) -> None:
        """``Skapa ärende`` on a message: an official's, the message's author the applicant."""
        message = payload_message(context.activity)
        who, _ = await self._who(context, lookup=True)
        if message is None or self.dispatcher.role_of(who) is None:
            note = "Skapa ärende kan bara användas av handläggare i Samverkan."
            await _invoke_response(context, {"task": {"type": "message", "value": note}})
            return
        result = await asyncio.to_thread(self.intake.receive, message)
        note = official_note(result, "Teams")
        await _invoke_response(context, {"task": {"type": "message", "value": note}})

    async def _who(self, context: TurnContext, *, lookup: bool) -> tuple[str, str | None]:
        """The asker as the registry knows them, and their e-mail when the roster gave it."""
        ids = sender_ids(context.activity)
        for ident in ids:
            if self.dispatcher.role_of(ident) is not None:
                return ident, None
        email = await _roster_email(context) if lookup else None
        if email and self.dispatcher.role_of(email) is not None:
            return email, email
        return (ids[0] if ids else "okänd"), email


def _bot_added(activity: Activity) -> bool:
    """The app was just added to a chat or a team (not some other member joining)."""
    if activity.type == ActivityTypes.installation_update:
        return str(activity.action or "").startswith("add")
    if activity.type != ActivityTypes.conversation_update or activity.recipient is None:
        return False
    return any(m.id == activity.recipient.id for m in activity.members_added or [])


async def _send(context: TurnContext, cards: Sequence[dict[str, Any]], summary: str) -> None:
    attachments = [Attachment(content_type=CARD_CONTENT_TYPE, content=card) for card in cards]
    await context.send_activity(
        Activity(
            type=ActivityTypes.message,
            attachments=attachments,
            attachment_layout="list",
            summary=summary[:200],
        )
    )


async def _invoke_response(context: TurnContext, body: dict[str, Any]) -> None:
    await context.send_activity(
        Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
    )


def _bot_token(context: TurnContext) -> str | None:
    """The token the turn's connector client holds (none when anonymous), for its files."""
    connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    session = getattr(connector, "client", None)
    header = str(session.headers.get("Authorization") or "") if session is not None else ""
    return header.removeprefix("Bearer ").strip() or None


async def _roster_email(context: TurnContext) -> str | None:
    """The sender's e-mail (or UPN) from the conversation roster; None if Teams won't say."""
    activity = context.activity
    connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    sender = activity.from_property
    if connector is None or sender is None or not activity.conversation:
        return None
    try:
        member = await connector.conversations.get_conversation_member(
            activity.conversation.id, sender.id
        )
    except Exception as exc:  # the roster is a convenience: without it the user is unknown
        log.warning("teams: roster lookup failed (%s)", type(exc).__name__)
        return None
    extra = member.model_extra or {}
    for key in ("email", "userPrincipalName"):
        value = extra.get(key)
        if isinstance(value, str) and "@" in value:
            return value
    return None


# -- the HTTP edge ----------------------------------------------------------------------------


class _Adapter(HttpAdapterBase):
    """The SDK's HTTP processing, with a turn error that tells the user nothing internal."""

    def __init__(self, connections: MsalConnectionManager) -> None:
        super().__init__(connection_manager=connections)

        async def on_turn_error(context: TurnContext, error: Exception) -> None:
            log.error("teams: turn failed", exc_info=error)
            await context.send_activity("Något gick fel i Samverkan. Försök igen om en stund.")

        self.on_turn_error = on_turn_error


class _ParsedRequest:
    """The SDK's ``HttpRequestProtocol`` over a body we already read and checked."""

    def __init__(self, request: Request, body: dict[str, Any], identity: ClaimsIdentity) -> None:
        self._request = request
        self._body = body
        self._identity = identity

    @property
    def method(self) -> str:
        return self._request.method

    @property
    def headers(self) -> Mapping[str, str]:
        return self._request.headers

    async def json(self) -> dict[str, Any]:
        return self._body

    def get_claims_identity(self) -> ClaimsIdentity:
        return self._identity

    def get_path_param(self, name: str) -> str:
        return str(self._request.path_params.get(name, ""))


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    """The SDK's connection settings from ours (no secret is logged: it is a SecretStr here)."""
    secret = settings.teams_app_password.get_secret_value() if settings.teams_app_password else None
    return AgentAuthConfiguration(
        client_id=settings.teams_app_id,
        tenant_id=settings.teams_tenant_id,
        client_secret=secret,
        anonymous_allowed=settings.teams_anonymous,
    )


async def _authenticate(
    header: str | None, config: AgentAuthConfiguration
) -> ClaimsIdentity | None:
    """The caller's verified claims, or None: no token, a bad one, or not for this app."""
    validator = JwtTokenValidator(config)
    if not header:
        return validator.get_anonymous_claims() if config.ANONYMOUS_ALLOWED else None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return await validator.validate_token(token.strip())
    except (PyJWTError, ValueError) as exc:
        log.warning("teams: token refused (%s)", type(exc).__name__)
        return None


def _same_service_host(identity: ClaimsIdentity, body: Mapping[str, Any]) -> bool:
    """A token names the connector it came from; replies may go there and nowhere else."""
    claimed = identity.get_claim_value("serviceurl")
    if not claimed:
        return True
    actual = body.get("serviceUrl")
    return isinstance(actual, str) and (
        (urlsplit(actual).hostname or "").casefold()
        == (urlsplit(claimed).hostname or "").casefold()
    )


def _response(result: HttpResponse) -> Response:
    if result.body is not None:
        return JSONResponse(result.body, status_code=int(result.status_code))
    return Response(status_code=int(result.status_code))


def _unauthorized() -> Response:
    return JSONResponse({"error": "unauthorized"}, status_code=401)


def teams_routes(
    settings: Settings,
    engine: Engine,
    intake: Intake,
    *,
    clock: Callable[[], datetime] = utc_now,
) -> list[Route]:
    """``POST /api/messages``, or nothing when Teams is not configured.

    Raises ``ValueError`` for a half configuration (an app id without its password), so the
    service stops at start-up instead of failing at the first message.
    """
    if not settings.teams_app_id and not settings.teams_anonymous:
        log.info("Teams är inte konfigurerat (SAMVERKAN_TEAMS_APP_ID saknas)")
        return []
    if settings.teams_app_id and not settings.teams_app_password:
        raise ValueError("SAMVERKAN_TEAMS_APP_PASSWORD saknas för SAMVERKAN_TEAMS_APP_ID")
    if settings.teams_anonymous:
        log.warning(
            "SAMVERKAN_TEAMS_ANONYMOUS=1: Teams-anrop tas emot utan inloggning. "
            "Bara för lokal utveckling, aldrig i drift."
        )
    config = auth_configuration(settings)
    connections = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": config})
    adapter = _Adapter(connections)
    agent = TeamsAgent(engine, settings, intake, clock)

    async def messages(request: Request) -> Response:
        identity = await _authenticate(request.headers.get("authorization"), config)
        if identity is None:
            return _unauthorized()
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return JSONResponse({"error": "too large"}, status_code=413)
        try:
            body = json.loads(raw)
        except ValueError:
            return JSONResponse({"error": "invalid JSON"}, status_code=400)
        if not isinstance(body, dict):
            return JSONResponse({"error": "not an activity"}, status_code=400)
        if not _same_service_host(identity, body):
            log.warning("teams: serviceUrl differs from the token's; refused")
            return _unauthorized()
        result = await adapter.process_request(_ParsedRequest(request, body, identity), agent)
        return _response(result)

    return [Route("/api/messages", messages, methods=["POST"])]
