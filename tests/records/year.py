"""A year of cases with the clock set: the registry, postlista, disposal and export tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from tests.helpers.chat import APPLICATION, Chat

PNR = "19811218-9876"

PRIVATE = """Hej,

jag bor på Rönngatan 7 i Seved och vill att vi grannar och fastighetsägarna samverkar.
Butikerna på gatan är med. Mitt personnummer är {pnr}.
Syfte: Otrygghet och nedskräpning på gården, men stor potential med gården.
Mål: Fler som vistas på gården, mätt med räkningar varje månad.
Egen insats: Vi boende bidrar med ideell tid varje vecka.
Vi söker processtöd under 12 månader.

Olle Ek, 070-765 43 21
"""


@dataclass(frozen=True)
class YearCase:
    ref: str
    month: int
    private: bool
    sender: str
    decided: bool


def application_mail(month: int, *, private: bool) -> bytes:
    msg = EmailMessage()
    sender = f"olle{month}@ek.example" if private else f"lina{month}@seved.example"
    msg["From"] = f"{'Olle Ek' if private else 'Lina Ek'} <{sender}>"
    msg["To"] = "samverkan@malmo.example"
    msg["Subject"] = f"Ansökan om samverkansstöd {month:02d}"
    msg["Message-ID"] = f"<year-{month}@{sender.split('@')[1]}>"
    body = PRIVATE.format(pnr=PNR) if private else APPLICATION
    msg.set_content(body)
    if not private:
        msg.add_attachment(
            b"Budget: 350 000 kr\n", maintype="text", subtype="plain", filename="budget.txt"
        )
    return msg.as_bytes()


def build_year(chat: Chat, year: int = 2026) -> list[YearCase]:
    """One application a month, every third from a private person; Jan-Mar through decision."""
    made: list[YearCase] = []
    for month in range(1, 13):
        chat.clock[0] = datetime(year, month, 5, 9, 0, tzinfo=UTC)
        private = month % 3 == 0
        raw = application_mail(month, private=private)
        result = chat.intake.process(raw, source=f"year-{month}.eml")
        assert result.case is not None, result
        decided = month <= 3 and not private
        if decided:
            walk_to_decision(chat, result.case)
        sender = f"olle{month}@ek.example" if private else f"lina{month}@seved.example"
        made.append(YearCase(result.case, month, private, sender, decided))
    return made


def walk_to_decision(chat: Chat, ref: str) -> None:
    start = chat.clock[0]
    meeting = start + timedelta(days=7)
    steps = [
        f"möte {ref} {meeting:%Y-%m-%d} 10:00",
        f"godkänn {ref}",
        f"beslut {ref} beviljad § {start.month} sammanträde={start:%Y-%m-%d} "
        "stödform=finansiering belopp=350000",
    ]
    for offset, step in enumerate(steps, start=1):
        chat.clock[0] = start + timedelta(days=offset * 3)
        answer = chat(step, who="anna.berg@malmo.se")
        assert answer.ok, (step, answer)


def noise_mail(kind: str, n: int) -> bytes:
    """A newsletter (``bulk``: ignored by intake) or an empty mail (``junk``: quarantined)."""
    msg = EmailMessage()
    msg["To"] = "samverkan@malmo.example"
    msg["Message-ID"] = f"<noise-{kind}-{n}@reklam.example>"
    if kind == "bulk":
        msg["From"] = "Nyheter <news@reklam.example>"
        msg["Subject"] = f"Veckans erbjudanden {n}"
        msg["Precedence"] = "bulk"
        msg.set_content("Köp nu!")
    else:
        msg["From"] = f"okand{n}@reklam.example"
        msg["Subject"] = ""
        msg.set_content("")
    return msg.as_bytes()


def arrive(chat: Chat, raw: bytes, at: datetime) -> None:
    chat.clock[0] = at
    chat.intake.process(raw, source="noise.eml")
