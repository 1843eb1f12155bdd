"""Officials typing commands on a real database, shared by the bot tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from samverkan.bot.actions import CommandContext, handle
from samverkan.bot.commands import parse
from samverkan.bot.reply import FactList, Paragraph, Reply
from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage import cases as case_store
from samverkan.storage.case_view import case_view
from samverkan.storage.models import (
    CaseRow,
    DecisionRow,
    EvaluationRow,
    MeasurementRow,
    MessageRow,
    PhaseChangeRow,
    ProcessRow,
    ReminderRow,
)

KARIN = "U0KARIN"  # kontaktperson


ANNA = "anna.berg@malmo.se"  # samordnare


STRANGER = "U0STRANGER"


REF = "SAM-2026-0001"


APPLICATION = """Hej!

Vi ansöker om samverkansstöd för Seved.

Organisation: Sevedsföreningen
Organisationsnummer: 802457-3167

Fastighetsägare och butiker i området vill samverka med föreningarna och de boende.

Syfte: Området har problem med otrygghet och nedskräpning, men stor potential med sina
lokaler och sitt föreningsliv som vi vill ta tillvara tillsammans.
Mål: Ökad trygghet mätt i trygghetsvandringar och fler besökare till lokala butiker.
Egen insats: Fastighetsägarna bidrar med 200 000 kr och föreningarna med ideell tid.
Vi söker finansiering med 350 000 kr samt processtöd under 24 månader.

Kontaktperson: Lina Ek, lina@seved.example, 070-123 45 67
"""


WITHOUT_ORGNR = APPLICATION.replace("Organisationsnummer: 802457-3167\n", "")


def mail(body: str, subject: str = "Ansökan om samverkansstöd") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Lina Ek <lina@seved.example>"
    msg["To"] = "samverkan@malmo.example"
    msg["Subject"] = subject
    msg["Message-ID"] = "<app-1@seved.example>"
    msg.set_content(body)
    return msg.as_bytes()


@dataclass
class Chat:
    """Officials typing commands; ``clock[0]`` is "now" and tests move it."""

    engine: Engine
    settings: Settings
    intake: Intake
    clock: list[datetime]

    def __call__(self, text: str, who: str = KARIN) -> Reply:
        context = CommandContext(
            self.engine, self.settings, self.intake.assessor, who, lambda: self.clock[0]
        )
        return handle(parse(text), context)

    def apply(self, body: str = APPLICATION, subject: str = "Ansökan om samverkansstöd") -> str:
        result = self.intake.process(mail(body, subject), source="test.eml")
        assert result.case is not None
        return result.case

    def case(self, ref: str = REF) -> dict[str, Any]:
        with Session(self.engine) as session:
            return case_view(session, case_store.get_case(session, ref)).to_dict()

    def outbox(self, kind: str) -> list[MessageRow]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(MessageRow).where(MessageRow.kind == kind).order_by(col(MessageRow.id))
                ).all()
            )

    def reminders(self, ref: str = REF) -> list[tuple[str, datetime, str]]:
        return [
            (r["kind"], datetime.fromisoformat(r["due_at"]), r["state"])
            for r in self.case(ref)["reminders"]
        ]


@pytest.fixture
def chat(engine: Engine, settings: Settings, now: datetime) -> Chat:
    clock = [now]
    return Chat(engine, settings, Intake(engine, settings, clock=lambda: clock[0]), clock)


def text_of(reply: Reply) -> str:
    parts: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.plain)
        elif isinstance(block, FactList):
            parts += [block.title or ""] + [f"{f.label}: {f.value.value}" for f in block.items]
        else:
            parts += [b.command for b in block.buttons]
    return "\n".join(parts)


def snapshot(engine: Engine) -> dict[str, Any]:
    """Everything a command could change, to prove a refused one changed nothing."""
    with Session(engine) as session:
        counts = {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (
                CaseRow, PhaseChangeRow, MessageRow, ReminderRow, DecisionRow, MeasurementRow,
                ProcessRow, EvaluationRow,
            )
        }  # fmt: skip
        cases = [
            (c.ref, c.phase, c.assigned_to, c.meeting_at, c.override_reason, c.application)
            for c in session.exec(select(CaseRow).order_by(col(CaseRow.id))).all()
        ]
    return {"counts": counts, "cases": cases}


def moves(chat: Chat, ref: str = REF) -> list[tuple[str, str | None, str]]:
    return [(h["by"], h["from"], h["to"]) for h in chat.case(ref)["history"]]
