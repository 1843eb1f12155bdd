"""The Teams transport: proactive messages through the Bot Connector, to a channel or a person.

A destination is ``teams:<conversation id>`` (the officials' channel, ``TEAMS_CHANNEL``) or
``teams:user:<Entra object id>`` (one official): for a person, a one-to-one conversation is
created first (``POST v3/conversations``) and remembered for the process. The message is an
Adaptive Card from ``teams_render``, so all of a notice's text is escaped as actor text.

The SDK's ``ConnectorClient`` is asynchronous; each item is sent in a short event loop of its
own (the drainer runs in the scheduler's thread). An answer to an actor (``channel = "teams"``)
goes to their conversation as a reply to their message (``in_reply_to``), through the Bot
Connector their message came from (``sender``, checked against the token when it arrived), so
it needs no ``TEAMS_SERVICE_URL``. With ``TEAMS_ANONYMOUS`` (local development
and tests) no token is sent; otherwise a token for the Bot Framework comes from Entra with the
app's id and secret (MSAL caches it). An HTTP error answer or a refused connection surely
posted nothing (retry); a timeout is left unknown and never repeated.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import msal
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core.connector.client import ConnectorClient

from samverkan.bot.delivery.port import Delivered, GiveUp, Result, Retry
from samverkan.bot.reply import ReplyStatus, actor, paragraph, reply
from samverkan.bot.teams_render import render_reply
from samverkan.config import Settings
from samverkan.storage.outbox import OutboxItem

__all__ = ["TeamsTransport"]

log = logging.getLogger(__name__)

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
USER = "user:"
AUTHORITY = "https://login.microsoftonline.com/"


class TeamsTransport:
    name = "teams"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.service_url: str | None = settings.teams_service_url
        self._conversations: dict[str, str] = {}
        self._msal: msal.ConfidentialClientApplication | None = None

    def _token(self) -> str:
        """A Bot Framework token, or "" when anonymous (the client then sends none)."""
        s = self.settings
        if s.teams_anonymous or not (s.teams_app_id and s.teams_app_password):
            return ""
        if self._msal is None:
            self._msal = msal.ConfidentialClientApplication(
                s.teams_app_id,
                client_credential=s.teams_app_password.get_secret_value(),
                authority=f"{AUTHORITY}{s.teams_tenant_id or 'botframework.com'}",
            )
        result = self._msal.acquire_token_for_client(scopes=[BOT_FRAMEWORK_SCOPE])
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            raise PermissionError(f"ingen token från Entra: {result.get('error')}")
        return str(token)

    def deliver(self, item: OutboxItem) -> Result:
        service = (item.sender if item.channel == "teams" else None) or self.service_url
        if not service:
            return GiveUp("Teams: SAMVERKAN_TEAMS_SERVICE_URL saknas.")
        try:
            token = self._token()
        except (PermissionError, ValueError, OSError) as exc:
            return Retry(f"Teams: {exc}")
        try:
            activity_id = asyncio.run(self._send(item, token, service))
        except aiohttp.ClientResponseError as exc:
            return Retry(f"Teams svarade {exc.status}: {exc.message[:200]}")
        except aiohttp.ClientConnectorError as exc:
            return Retry(f"Teams kunde inte nås: {exc.os_error}")
        return Delivered(f"teams:{item.to}:{activity_id}")

    async def _send(self, item: OutboxItem, token: str, service: str) -> str:
        message = render_reply(reply(ReplyStatus.OK, paragraph(actor(item.text))))
        activity = Activity(
            type="message",
            text=message.fallback_text,
            attachments=message.attachments(),
        )
        answer_to = item.in_reply_to if item.channel == "teams" else None
        client = ConnectorClient(service, token)
        try:
            conversation = await self._conversation(client, item.to)
            if answer_to:
                answer = await client.conversations.reply_to_activity(
                    conversation, answer_to, activity
                )
            else:
                answer = await client.conversations.send_to_conversation(conversation, activity)
        finally:
            await client.client.close()
        return str(answer.id or "")

    async def _conversation(self, client: ConnectorClient, to: str) -> str:
        if not to.startswith(USER):
            return to
        user = to.removeprefix(USER)
        if user not in self._conversations:
            tenant = self.settings.teams_tenant_id
            params = ConversationParameters(
                is_group=False,
                agent=ChannelAccount(id=self.settings.teams_app_id or "samverkan"),
                members=[ChannelAccount(id=user)],
                **({"tenant_id": tenant} if tenant else {}),
            )
            created = await client.conversations.create_conversation(params)
            self._conversations[user] = str(created.id)
        return self._conversations[user]
