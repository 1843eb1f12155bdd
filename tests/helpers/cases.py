"""A stored case for the storage tests: the application as intake would store it, opened
with its first phase."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from samverkan.rules.model import ActorCategory, Application, Area, SupportForm, SupportRequest
from samverkan.rules.phases import Phase, Role, transition
from samverkan.storage import cases

APP = Application(
    title="Trygghet i Seved",
    organisation="Sevedsföreningen",
    orgnr="802457-3167",
    orgnr_valid=True,
    contact_name="Lina Ek",
    email="lina@seved.example",
    phone="+46701234567",
    area=Area("Seved", True, ("Sofielund",)),
    area_text="i Seved",
    actors=(ActorCategory.FASTIGHETSAGARE, ActorCategory.BOENDE),
    support=(SupportRequest(SupportForm.FINANSIERING, amount_sek=350_000),),
    duration_months=24,
    evidence={"orgnr": "org.nr 802457-3167"},
)


def open_case(session: Session, now: datetime, app: Application = APP) -> cases.Case:
    move = transition(None, Phase.INKOMMEN, by="system", role=Role.SYSTEM, why="e-post", now=now)
    return cases.create_case(session, app, moves=[move], origin="email", now=now)
