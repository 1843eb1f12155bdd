"""A realistic application as the rules see it, shared by the pure tests."""

from __future__ import annotations

from datetime import date

from samverkan.rules.model import ActorCategory, Application, Area, SupportForm, SupportRequest

SEVED = Application(
    organisation="Sevedsföreningen",
    orgnr="802457-3167",
    orgnr_valid=True,
    contact_name="Lina Ek",
    email="lina@seved.example",
    area=Area("Seved", True, ("Sofielund",)),
    actors=(ActorCategory.FASTIGHETSAGARE, ActorCategory.CIVILSAMHALLE),
    support=(SupportRequest(SupportForm.FINANSIERING, amount_sek=350_000),),
    start=date(2026, 5, 1),
    duration_months=24,
    purpose="Otrygga gångstråk och tomma lokaler; vi vill göra torget till en mötesplats.",
    goals="Tre nya verksamheter i bottenvåningarna senast 2027.",
    own_contribution="Fastighetsägarna bidrar med 200 000 kr.",
)
