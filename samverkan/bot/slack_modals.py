"""Forms where a form is better than a line of text: a new case, and a committee decision.

A form is only another way to write a chat command: its submission becomes the same text an
official could type (``ny Titel; område=…`` or ``beslut REF beviljad § 45 stödform=… belopp=…``),
which goes through the one dispatch like any other. A text the parser refuses is shown in the
form (``response_action: errors``) before anything runs; otherwise the form closes at once and
the answer comes as a direct message from the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from samverkan.bot.commands import Invalid, parse
from samverkan.bot.dispatch import Dispatcher, Platform
from samverkan.bot.forms import (
    DECISION_OUTCOMES,
    NEW_CASE_FIELDS,
    SUPPORT_FORMS,
    decision_text,
    new_case_text,
)
from samverkan.bot.slack_render import escape, render

__all__ = [
    "DECISION_VIEW",
    "NEW_CASE_SHORTCUT",
    "NEW_CASE_VIEW",
    "decision_command",
    "decision_view",
    "new_case_command",
    "new_case_view",
    "register_modals",
]

log = logging.getLogger(__name__)

NEW_CASE_SHORTCUT = "nytt_arende"
NEW_CASE_VIEW = "samverkan:form:ny"
DECISION_VIEW = "samverkan:form:beslut"
Later = Callable[[Callable[[], None]], object]


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


def _input(block_id: str, label: str, optional: bool, *, multiline: bool = False) -> dict[str, Any]:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline}
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "optional": optional,
        "element": element,
    }


def _modal(
    callback_id: str, title: str, blocks: list[dict[str, Any]], meta: str = ""
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title),
        "submit": _plain("Spara"),
        "close": _plain("Avbryt"),
        "private_metadata": meta,
        "blocks": blocks,
    }


def new_case_view() -> dict[str, Any]:
    blocks = [
        _input(key, label, optional, multiline=key == "syfte")
        for key, label, optional in NEW_CASE_FIELDS
    ]
    return _modal(NEW_CASE_VIEW, "Nytt ärende", blocks)


def decision_view(ref: str) -> dict[str, Any]:
    outcome = {
        "type": "input",
        "block_id": "utfall",
        "label": _plain("Nämndens beslut"),
        "element": {
            "type": "radio_buttons",
            "action_id": "value",
            "options": [{"text": _plain(label), "value": v} for v, label in DECISION_OUTCOMES],
        },
    }
    forms = {
        "type": "input",
        "block_id": "stodform",
        "optional": True,
        "label": _plain("Beviljat stöd"),
        "element": {
            "type": "checkboxes",
            "action_id": "value",
            "options": [{"text": _plain(label), "value": value} for value, label in SUPPORT_FORMS],
        },
    }
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"Beslut för *{escape(ref)}*", "verbatim": True},
        },
        outcome,
        _input("paragraf", "Paragraf (§) i protokollet", False),
        _input("sammantrade", "Sammanträdets datum (ÅÅÅÅ-MM-DD; tomt: det senaste)", True),
        forms,
        _input("belopp", "Belopp (kr)", True),
        _input("timmar", "Timmar (personal)", True),
        _input("kommentar", "Skäl (krävs vid avslag)", True, multiline=True),
    ]
    return _modal(DECISION_VIEW, "Nämndens beslut", blocks, meta=ref)


def _values(state: dict[str, Any]) -> dict[str, str]:
    """What the official entered, per block: text, the chosen option, or options joined."""
    out: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        element = (actions or {}).get("value") or {}
        if element.get("selected_options"):
            out[block_id] = ",".join(str(o["value"]) for o in element["selected_options"])
        elif element.get("selected_option"):
            out[block_id] = str(element["selected_option"]["value"])
        elif element.get("value"):
            out[block_id] = " ".join(str(element["value"]).split())
    return out


def new_case_command(state: dict[str, Any]) -> str:
    return new_case_text(_values(state))


def decision_command(ref: str, state: dict[str, Any]) -> str:
    return decision_text(ref, _values(state))


def _error_block(command: str) -> str:
    return {"ny": "titel", "beslut": "utfall"}.get(command, "titel")


FormOpener = Callable[[str, str, dict[str, Any], WebClient], bool]
"""``(command word, button value, request body, client) -> opened``: a button's form."""


def register_modals(app: App, dispatcher: Dispatcher, later: Later) -> FormOpener:
    """The forms' listeners; returns the opener the buttons use (``beslut`` has a form)."""

    def open_view(client: WebClient, trigger: str, view: dict[str, Any]) -> bool:
        try:
            client.views_open(trigger_id=trigger, view=view)
        except SlackClientError as exc:
            log.warning("slack: a form could not be opened (%s)", type(exc).__name__)
            return False
        return True

    def opener(word: str, value: str, body: dict[str, Any], client: WebClient) -> bool:
        words = value.split()
        if word != "beslut" or len(words) < 2 or not body.get("trigger_id"):
            return False
        return open_view(client, str(body["trigger_id"]), decision_view(words[1]))

    @app.shortcut(NEW_CASE_SHORTCUT)
    def on_new_case(ack: Callable[[], None], body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_view(client, str(body.get("trigger_id") or ""), new_case_view())

    def submitted(
        ack: Callable[..., None], body: dict[str, Any], client: WebClient, text: str
    ) -> None:
        command = parse(text)
        if isinstance(command, Invalid):
            ack(
                response_action="errors",
                errors={_error_block(command.command or ""): command.problem[:150]},
            )
            return
        ack()
        user = str(body["user"]["id"])

        def run() -> None:
            message = render(dispatcher.dispatch(text, user, Platform.SLACK))
            client.chat_postMessage(
                channel=user, text=message.text, blocks=message.blocks, unfurl_links=False
            )

        later(run)

    @app.view(NEW_CASE_VIEW)
    def on_new_case_form(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        submitted(ack, body, client, new_case_command(body["view"]["state"]))

    @app.view(DECISION_VIEW)
    def on_decision_form(ack: Callable[..., None], body: dict[str, Any], client: WebClient) -> None:
        view = body["view"]
        submitted(
            ack,
            body,
            client,
            decision_command(str(view.get("private_metadata") or ""), view["state"]),
        )

    return opener
