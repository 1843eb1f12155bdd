"""Applications, mail builders and read-backs shared by the intake tests."""

from __future__ import annotations

import shutil
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from samverkan.config import Settings
from samverkan.intake.pipeline import Intake
from samverkan.storage import cases as case_store
from samverkan.storage.case_view import case_view
from samverkan.storage.db import make_engine
from samverkan.storage.models import MessageRow

COMPLETE = """Hej!

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

Med vänliga hälsningar
Lina Ek
"""


NO_ORGNR = COMPLETE.replace("Organisationsnummer: 802457-3167\n", "")


def mail(
    body: str,
    *,
    subject: str = "Ansökan om samverkansstöd",
    sender: str = "Lina Ek <lina@seved.example>",
    message_id: str | None = "<app-1@seved.example>",
    headers: dict[str, str] | None = None,
    date: datetime | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "samverkan@malmo.example"
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    if date:
        msg["Date"] = format_datetime(date)
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(body)
    return msg.as_bytes()


def outbox(engine: Engine, channel: str = "email") -> list[MessageRow]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(MessageRow)
                .where(MessageRow.direction == "out", MessageRow.channel == channel)
                .order_by(col(MessageRow.id))
            ).all()
        )


def view(engine: Engine, ref: str) -> dict[str, object]:
    with Session(engine) as session:
        return case_view(session, case_store.get_case(session, ref)).to_dict()


def by_mail(
    text: str, subject: str, settings: Settings, now: datetime, tmp: Path
) -> dict[str, Any]:
    """The case the same text makes when it is mailed, in a database of its own."""
    path = tmp / "by-mail.db"
    shutil.copyfile(Path(settings.database_url.removeprefix("sqlite:///")), path)
    engine = make_engine(f"sqlite:///{path}")
    try:
        with Session(engine) as session:  # the copy starts empty of cases
            assert case_store.list_cases(session) == []
        raw = mail(text, subject=subject, sender="Lina Ek <lina@seved.example>")
        intake = Intake(engine, settings.model_copy(update={"database_url": f"sqlite:///{path}"}),
                        clock=lambda: now)  # fmt: skip
        result = intake.process(raw, source="same.eml")
        assert result.case is not None
        with Session(engine) as session:
            return case_view(session, case_store.get_case(session, result.case)).to_dict()
    finally:
        engine.dispose()


def verdict(view: dict[str, Any]) -> dict[str, Any]:
    criteria = view["criteria"]
    return {
        "phase": view["phase"],
        "applicant": view["applicant"],
        "area": view["area"],
        "actors": view["actors"],
        "support": view["support"],
        "outcome": criteria["outcome"],
        "results": [(r["id"], r["status"], r["reason"]) for r in criteria["results"]],
    }
