"""Adaptive Cards that are not replies: the welcome card and the forms (new case, decision).

A form's ``Action.Submit`` sends ``{"form": "ny"}`` or ``{"form": "beslut", "ref": …}`` with
the inputs beside it; :func:`form_command` turns that into the chat command the form stands
for (``samverkan.bot.forms``), so it runs through the one dispatch like typed text. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samverkan.bot.forms import (
    DECISION_OUTCOMES,
    NEW_CASE_FIELDS,
    SUPPORT_FORMS,
    decision_text,
    new_case_text,
)
from samverkan.bot.teams_render import CARD_VERSION, escape_markdown

__all__ = ["decision_form", "form_command", "new_case_form", "welcome_card"]


def _text(value: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": escape_markdown(value), "wrap": True, **style}


def _card(
    body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def new_case_form() -> dict[str, Any]:
    inputs = [
        {"type": "Input.Text", "id": key, "label": label, "isRequired": not optional,
         "isMultiline": key == "syfte"}
        for key, label, optional in NEW_CASE_FIELDS
    ]  # fmt: skip
    submit = {"type": "Action.Submit", "title": "Spara", "data": {"form": "ny"}}
    return _card([_text("Nytt ärende", weight="Bolder", size="Medium"), *inputs], [submit])


def decision_form(ref: str) -> dict[str, Any]:
    choices = [{"title": label, "value": value} for value, label in DECISION_OUTCOMES]
    forms = [{"title": label, "value": value} for value, label in SUPPORT_FORMS]
    body = [
        _text(f"Nämndens beslut för {ref}", weight="Bolder"),
        {"type": "Input.ChoiceSet", "id": "utfall", "label": "Beslut", "style": "expanded",
         "choices": choices, "isRequired": True},
        {"type": "Input.Text", "id": "paragraf", "label": "Paragraf (§) i protokollet",
         "isRequired": True},
        {"type": "Input.Date", "id": "sammantrade",
         "label": "Sammanträdets datum (tomt: det senaste)"},
        {"type": "Input.ChoiceSet", "id": "stodform", "label": "Beviljat stöd",
         "isMultiSelect": True, "choices": forms},
        {"type": "Input.Number", "id": "belopp", "label": "Belopp (kr)", "min": 0},
        {"type": "Input.Number", "id": "timmar", "label": "Timmar (personal)", "min": 0},
        {"type": "Input.Text", "id": "kommentar", "label": "Skäl (krävs vid avslag)",
         "isMultiline": True},
    ]  # fmt: skip
    submit = {"type": "Action.Submit", "title": "Spara", "data": {"form": "beslut", "ref": ref}}
    return _card(body, [submit])


def form_command(value: Mapping[str, Any]) -> str | None:
    """The chat command a submitted form stands for; None when ``value`` is no form of ours."""
    inputs = {k: str(v) for k, v in value.items() if k not in ("form", "ref") and v is not None}
    if value.get("form") == "ny":
        return new_case_text(inputs)
    if value.get("form") == "beslut" and isinstance(value.get("ref"), str):
        return decision_text(str(value["ref"]), inputs)
    return None


def welcome_card() -> dict[str, Any]:
    """Sent once when the app is added: what it does, for officials and for applicants."""
    body = [
        _text("Välkommen till Samverkan", weight="Bolder", size="Medium"),
        _text(
            "Här tar Malmö stad emot ansökningar om samverkansstöd. Skriv din ansökan till "
            "appen (vad ni vill göra, i vilket område, vilka som är med och vilket stöd ni "
            "söker) så får du ett ärendenummer och besked om något saknas."
        ),
        _text(
            "Handläggare skriver kommandon, till exempel «lista», «visa SAM-2026-0001» eller "
            "«hjälp», eller använder Skapa ärende på ett meddelande."
        ),
    ]
    actions = [
        {"type": "Action.Submit", "title": "Hjälp", "data": {"command": "hjälp"}},
        {"type": "Action.ShowCard", "title": "Nytt ärende …", "card": new_case_form()},
    ]
    return _card(body, actions)
