"""A generated contact mailbox: realistic Swedish applications, replies and noise.

Deterministic for a seed, so two runs measure the same mail. Used by the benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import UTC, datetime, timedelta

AREAS = [
    "Seved",
    "Möllevången",
    "Limhamn",
    "Västra Hamnen",
    "Rosengård",
    "Hyllie",
    "Lindängen",
    "Kirseberg",
    "Värnhem",
    "Gamla staden",
    "Holma",
    "Kroksbäck",
    "Augustenborg",
    "Oxie",
    "Fosie",
    "Nydala",
    "Hermodsdal",
    "Södervärn",
    "Triangeln",
    "Davidshall",
    "Lund",
]
ORGS = [
    "Föreningen Trygga Grannar",
    "Fastighets AB Kvarteret",
    "Köpmannaföreningen i {area}",
    "Hyresgästföreningen {area}",
    "Idrottsföreningen {area} IF",
    "BRF Solgläntan",
]
FIRST = ["Anna", "Lina", "Karin", "Erik", "Johan", "Fatima", "Ali", "Sara", "Maria", "Omar"]
LAST = ["Berg", "Ek", "Lindqvist", "Nilsson", "Hassan", "Persson", "Andersson", "Yilmaz"]
ORGNRS = ["802457-3167", "556036-0793", "802479-6148", "556677-8899", "769621-4448"]
ACTORS = [
    "fastighetsägare",
    "butiker",
    "föreningar",
    "boende",
    "restauranger",
    "skolan",
    "hyresgäster",
    "näringsidkare",
]


def _prose(rng: random.Random, area: str, org: str, name: str, email: str) -> str:
    actors = rng.sample(ACTORS, k=rng.randint(1, 3))
    amount = rng.choice(["250 000 kr", "0,5 MSEK", "300 tkr", "1,2 miljoner kronor", "SEK 150,000"])
    months = rng.choice(["under 24 månader", "i två år", "18 mån", "under 48 månader", "3 år"])
    orgnr = rng.choice(ORGNRS + [""])
    body = [
        "Hej,",
        "",
        f"Vi är {org}{f' (org.nr {orgnr})' if orgnr else ''} och vill ansöka om samverkansstöd "
        f"för att utveckla området i {area}.",
        f"I arbetet deltar {', '.join(actors)} som tillsammans vill ta ansvar för området.",
        "",
        "Området har problem med otrygghet, tomma lokaler och nedskräpning, men stor potential "
        "tack vare ett starkt föreningsliv och många engagerade boende.",
        "Målet är ökad trygghet och fler besökare, vilket vi följer upp med trygghetsvandringar "
        "och besöksräkning två gånger per år.",
        f"Vi söker finansiering med {amount} samt processtöd {months}.",
        "Som egen insats bidrar fastighetsägarna med 100 000 kr och föreningarna med ideell tid.",
        "",
        "Med vänliga hälsningar",
        name,
        org,
        f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        email,
    ]
    return "\n".join(body)


def _form(rng: random.Random, area: str, org: str, name: str, email: str) -> str:
    return "\n".join(
        [
            "Ansökan om samverkansstöd",
            "",
            f"Organisation: {org}",
            f"Organisationsnummer: {rng.choice(ORGNRS)}",
            f"Kontaktperson: {name}",
            f"E-post: {email}",
            f"Telefon: 040-{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            f"Område: {area}",
            f"Aktörer: {', '.join(rng.sample(ACTORS, k=rng.randint(2, 4)))}",
            "Syfte: Att tillsammans vända utvecklingen i området med fler mötesplatser och "
            "bättre belysning.",
            "Mål: Fler trygga platser och minskad nedskräpning till 2028.",
            f"Tidsram: {rng.choice([12, 24, 36])} månader",
            f"Sökt stöd: finansiering {rng.randint(1, 9)}00 000 kr, processtöd",
            "Egen insats: 200 timmar ideellt arbete och lokaler.",
        ]
    )


def generate(count: int, *, seed: int = 7, attachment_every: int = 10) -> Iterator[bytes]:
    """``count`` messages: ~80% applications (prose, form, HTML), ~10% replies, ~10% noise."""
    rng = random.Random(seed)  # noqa: S311 - test data, not security
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    for n in range(count):
        area = rng.choice(AREAS)
        org = rng.choice(ORGS).format(area=area)
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"{name.split()[0].lower()}.{n}@example.se"
        msg = EmailMessage()
        msg["From"] = f"{name} <{email}>"
        msg["To"] = "samverkan@malmo.se"
        msg["Date"] = format_datetime(start + timedelta(minutes=n))
        msg["Message-ID"] = f"<gen-{seed}-{n}@example.se>"
        kind = rng.random()
        if kind < 0.08:
            msg["Subject"] = "Frånvaro: Ansökan"
            msg["Auto-Submitted"] = "auto-replied"
            msg.set_content("Jag är på semester till och med vecka 32.")
        elif kind < 0.10:
            msg["Subject"] = "Nyhetsbrev från grannföreningen"
            msg["List-Id"] = "<nyheter.grannar.example.se>"
            msg["Precedence"] = "bulk"
            msg.set_content("Månadens nyheter ...")
        elif kind < 0.20 and n > 10:
            msg["Subject"] = f"SV: [SAM-2026-{rng.randint(1, max(1, n // 2)):04d}] Ansökan"
            msg.set_content(
                f"Hej! Här kommer vårt organisationsnummer: {rng.choice(ORGNRS)}\n\n"
                f"Mvh {name}\n\n"
                "Från: Malmö stad <samverkan@malmo.se>\nSkickat: den 2 mars 2026 09:00\n"
                "Ämne: Ansökan\n\nTack för er ansökan ..."
            )
        else:
            msg["Subject"] = f"Ansökan om samverkansstöd – {area}"
            text = (_form if rng.random() < 0.4 else _prose)(rng, area, org, name, email)
            msg.set_content(text)
            if rng.random() < 0.3:
                html = "".join(f"<p>{line}</p>" for line in text.split("\n") if line)
                msg.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
            if attachment_every and n % attachment_every == 0:
                msg.add_attachment(
                    text.encode("utf-8"), maintype="text", subtype="plain", filename="ansokan.txt"
                )
        yield msg.as_bytes()
