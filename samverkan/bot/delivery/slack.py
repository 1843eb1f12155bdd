"""The Slack transport: a notice posted to a channel, or to a person as a direct message.

The destination is ``slack:<channel id>`` or ``slack:<user id>`` (``chat.postMessage`` opens
the direct message itself). All of a notice's text is treated as actor text and escaped by
``slack_render``. An answer to an actor (``channel = "slack"``) goes to their conversation, in
the thread ``in_reply_to`` names. Slack's answer decides: an API error or a refused connection
surely posted nothing (retry, after ``Retry-After`` when rate-limited); a reset or a timeout
may come after Slack took the post, so it is left unknown and never repeated.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from samverkan.bot.delivery.port import Delivered, Result, Retry
from samverkan.bot.slack_render import render_notice
from samverkan.storage.outbox import OutboxItem

__all__ = ["SlackTransport"]


class SlackTransport:
    name = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def deliver(self, item: OutboxItem) -> Result:
        message = render_notice(item.text)
        try:
            response = self.client.chat_postMessage(
                channel=item.to,
                thread_ts=item.in_reply_to if item.channel == "slack" else None,
                text=message.text,
                blocks=message.blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            wait = (
                exc.response.headers.get("Retry-After") if exc.response.status_code == 429 else None
            )
            error = str(exc.response.get("error") or exc)
            return Retry(error, timedelta(seconds=int(wait)) if wait and wait.isdigit() else None)
        except URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
                return Retry(f"Slack kunde inte nås: {exc.reason}")
            raise
        return Delivered(f"slack:{response.get('channel') or item.to}:{response.get('ts')}")


def _retry_after(exc: SlackApiError) -> timedelta | None:
    """Slack's wait when it rate-limits (HTTP 429 with ``Retry-After`` seconds)."""
    if exc.response.status_code != 429:
        return None
    wait = str(exc.response.headers.get("Retry-After", ""))
    return timedelta(seconds=int(wait)) if wait.isdigit() else None
