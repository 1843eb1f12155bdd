"""The App Home: an official's own cases and what falls due in them, published on opening.

The content is the ``mina`` command's reply, from the one dispatch, as Block Kit without its
buttons (a Home tab has no ``response_url`` to answer a click through). Someone who is not an
official sees how to apply instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from samverkan.bot.dispatch import Dispatcher, Platform
from samverkan.bot.reply import ReplyStatus, paragraph, reply
from samverkan.bot.slack_render import render

__all__ = ["home_view", "register_home"]

log = logging.getLogger(__name__)

_FOR_ACTORS = (
    "Hej! Här kan du söka samverkansstöd från Malmö stad: skriv din ansökan som ett "
    "meddelande till appen (vad ni vill göra, i vilket område, vilka som är med och vilket "
    "stöd ni söker). Du får svar här med ärendets nummer."
)


def home_view(dispatcher: Dispatcher, user: str) -> dict[str, Any]:
    """The Home tab for ``user``."""
    if dispatcher.role_of(user) is None:
        answer = reply(ReplyStatus.OK, paragraph(_FOR_ACTORS))
    else:
        answer = dispatcher.dispatch("mina", user, Platform.SLACK)
    blocks = [b for b in render(answer).blocks if b.get("type") != "actions"]
    header = {"type": "header", "text": {"type": "plain_text", "text": "Samverkan"}}
    return {"type": "home", "blocks": [header, *blocks]}


def register_home(app: App, dispatcher: Dispatcher) -> None:
    @app.event("app_home_opened")
    def on_home(ack: Callable[[], None], event: dict[str, Any], client: WebClient) -> None:
        ack()
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user") or "")
        try:
            client.views_publish(user_id=user, view=home_view(dispatcher, user))
        except SlackClientError as exc:
            log.warning("slack: the App Home could not be published (%s)", type(exc).__name__)
