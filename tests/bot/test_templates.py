"""Every template renders with a realistic case under StrictUndefined, and none is forgotten."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from jinja2 import StrictUndefined, UndefinedError

from samverkan.render import environment, render, render_email
from samverkan.rules.committee import CommitteeMeeting
from samverkan.rules.criteria import CoordinationContext, evaluate
from samverkan.rules.deadline_policy import bundled_policy
from samverkan.rules.letters import ack_details
from samverkan.rules.memo import MemoCase, memo_view
from samverkan.rules.model import Application, Area
from samverkan.rules.officials import Official
from samverkan.rules.phases import Role
from samverkan.rules.ruleset import bundled_ruleset_path, load_ruleset
from tests.helpers.applications import SEVED

RULES = load_ruleset(bundled_ruleset_path())
APP = SEVED
EVALUATION = evaluate(APP, RULES, CoordinationContext())
LUND = evaluate(Application(area=Area("Lund", False)), RULES, CoordinationContext())
CASE = {
    "ref": "SAM-2026-0007",
    "diarienummer": "TN-2026-0007",
    "contact_name": "Lina Ek",
    "contact_address": "samverkan@malmo.example",
}
ACK = {"area": "Seved", "missing": [], "pending_review": False, "not_eligible": False}
DECISION = {
    "applicant": "Sevedsföreningen",
    "area": "Seved",
    "granted": True,
    "decided_by": "Tekniska nämnden",
    "meeting": "17 mars 2026",
    "paragraph": "45",
    "reasons": ["Ansökan uppfyller modellens kriterier."],
    "support": ["finansiering (350 000 kr)"],
    "handlaggare": "Karin Holm, Stadsutvecklare",
}
EMAILS: dict[str, list[dict[str, Any]]] = {
    "ack": [
        {**ACK, **ack_details(EVALUATION, bundled_policy())},
        {
            **ACK,
            "missing": ["Skicka organisationsnummer."],
            **ack_details(EVALUATION, bundled_policy()),
        },
        {**ACK, "area": None, "not_eligible": True, **ack_details(LUND, bundled_policy())},
        {**ACK, "pending_review": True, **ack_details(EVALUATION, bundled_policy())},
    ],
    "beslut": [
        DECISION,
        {**DECISION, "granted": False, "support": [], "reasons": ["Medel saknas."]},
        {
            **DECISION,
            "granted": False,
            "decided_by": "Fastighets- och gatukontoret",
            "meeting": None,
            "paragraph": None,
            "support": [],
            "handlaggare": None,
        },
    ],
    "request_info": [{"text": "Skicka en budget.", "missing": ["Skicka organisationsnummer."]}],
    "followup": [{"kind": "resultatmatning", "measurement": "resultatmätning"}],
    "followup_paminnelse": [{"measurement": "effektmätning"}],
    "mote_paminnelse": [{"when": "2026-03-10 kl. 10:00"}],
    "komplettering_paminnelse": [{"days": 10}],
}


REMINDERS = ("followup", "followup_paminnelse", "mote_paminnelse", "komplettering_paminnelse")
CHATS: dict[str, list[dict[str, Any]]] = {
    "ack": EMAILS["ack"],
    "received": [{}],
    "reply": [{"closed": False, "missing": ["Skicka organisationsnummer."]}, {"closed": True}],
    "request_info": EMAILS["request_info"],
    # reminders to a chat-born case without an e-mail address, in its thread
    **{name: EMAILS[name] for name in REMINDERS},
}


def test_every_template_is_rendered_here_with_strict_undefined() -> None:
    env = environment()
    assert env.undefined is StrictUndefined
    names = set(env.list_templates())
    emails = {n.removeprefix("email/").split(".")[0] for n in names if n.startswith("email/")}
    chats = {n.removeprefix("chat/").split(".")[0] for n in names if n.startswith("chat/")}
    assert emails == set(EMAILS), "a template without a realistic case in this test"
    assert chats == set(CHATS), "a template without a realistic case in this test"
    assert {n for n in names if "/" not in n} == {"memo.md.j2", "postlista.html.j2"}


@pytest.mark.parametrize(("name", "context"), [(n, c) for n, cs in CHATS.items() for c in cs])
def test_each_chat_answer_renders(name: str, context: dict[str, Any]) -> None:
    text = render(f"chat/{name}.txt", **CASE, **context)
    assert text.strip()
    if name in (*REMINDERS, "reply", "request_info", "ack"):  # the case and its number
        assert "SAM-2026-0007" in text
        assert "TN-2026-0007" in text
    if name in REMINDERS:  # and a reminder asks for the answer in the thread
        assert "här i tråden" in text
    if name == "ack" and context["not_eligible"]:
        assert "ligger inte i Malmö" in text
        assert "vänd er till den kommunen" in text


@pytest.mark.parametrize(("name", "context"), [(n, c) for n, cs in EMAILS.items() for c in cs])
def test_each_letter_renders_and_names_its_case(name: str, context: dict[str, Any]) -> None:
    mail = render_email(name, **CASE, **context)
    assert mail.html is not None
    for part in (mail.subject, mail.text, mail.html):
        assert "SAM-2026-0007" in part
    if name == "beslut":  # the registration number, in the subject and the body
        for part in (mail.subject, mail.text, mail.html):
            assert "TN-2026-0007" in part


@pytest.mark.parametrize("context", EMAILS["beslut"])
def test_the_appeal_counts_from_the_minutes_that_hold_the_decision(context: dict[str, Any]) -> None:
    """The committee's decision is in its own minutes; the office's refusal is delegated and
    appealable from the minutes of the meeting it is reported to, which the letter says."""
    mail = render_email("beslut", **CASE, **context)
    by_office = context["paragraph"] is None
    for part in (mail.text, mail.html or ""):
        assert "laglighetsprövning" in part
        assert ("på delegation från tekniska nämnden" in part) is by_office
        assert ("sammanträde där beslutet anmäldes" in part) is by_office
        assert ("den dag protokollet anslagits" in part) is not by_office


def test_a_missing_value_is_an_error_not_a_gap() -> None:
    with pytest.raises(UndefinedError):
        render_email("beslut", **CASE)


def test_the_memo_and_the_postlista_render() -> None:
    official = Official("U0KARIN", Role.KONTAKTPERSON, "Karin Holm", "Stadsutvecklare")
    case = MemoCase(
        ref="SAM-2026-0007", title="Trygga Seved", application=APP, registration="TN-2026-0007",
        official=official, meeting=CommitteeMeeting(date(2026, 6, 16), date(2026, 5, 26)),
    )  # fmt: skip
    memo = render("memo.md.j2", **memo_view(case, EVALUATION, date(2026, 5, 4)))
    assert "| Diarienummer | TN-2026-0007 |" in memo
    assert "Karin Holm, Stadsutvecklare" in memo
    assert "2026–2028" in memo  # 24 months from May 2026
    html = render(
        "postlista.html.j2", entries=[], columns=["Datum"], start="2026-05-01", end="2026-05-31",
        committee="tekniska nämnden",
    )  # fmt: skip
    assert "2026-05-01" in html
