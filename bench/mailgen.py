"""A generated contact mailbox: realistic Swedish applications, replies and noise.

Deterministic for a seed, so two runs measure the same mail. Used by the benchmarks.
"""

from __future__ import annotations

import html
import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache

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
    orgnr = rng.choice([*ORGNRS, ""])
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


OUTLOOK_HEAD = (
    '<html xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta name="Generator" content="Microsoft Word 15 (filtered medium)"><style><!--'
    "@font-face {font-family:Calibri; panose-1:2 15 5 2 2 2 4 3 2 4;}"
    "p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm; font-size:11.0pt;"
    " font-family:Calibri,sans-serif;} a:link, span.MsoHyperlink {color:#0563C1;"
    " text-decoration:underline;} span.EpostFormat17 {mso-style-type:personal-compose;}"
    " .MsoChpDefault {mso-style-type:export-only;} div.WordSection1 {page:WordSection1;}"
    '--></style></head><body lang="SV" link="#0563C1" vlink="#954F72"><div class="WordSection1">'
)


def _outlook_html(text: str) -> str:
    """HTML the way Outlook writes it: a paragraph per line, wrapped in spans and styles."""
    paragraphs = "".join(
        f'<p class="MsoNormal"><span style="font-size:11.0pt;font-family:Calibri,sans-serif">'
        f"{html.escape(line) if line else '<o:p>&nbsp;</o:p>'}</span><o:p></o:p></p>"
        for line in text.split("\n")
    )
    disclaimer = (
        '<p class="MsoNormal"><span style="font-size:8.0pt;color:gray">Detta e-postmeddelande '
        "kan innehålla konfidentiell information. Om du har fått det av misstag, meddela "
        "avsändaren och radera meddelandet.</span></p>"
    )
    return f"{OUTLOOK_HEAD}{paragraphs}{disclaimer}</div></body></html>"


@cache
def _docx(text: str) -> bytes:
    import docx  # python-docx, a dependency of samverkan

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _image(rng: random.Random, size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + rng.randbytes(size)


def generate(count: int, *, seed: int = 7, attachment_every: int = 10) -> Iterator[bytes]:
    """``count`` messages: ~80% applications (prose, form, HTML), ~10% replies, ~10% noise."""
    rng = random.Random(seed)
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
            form = rng.random() < 0.4
            text = (_form if form else _prose)(rng, area, org, name, email)
            if attachment_every and n % attachment_every == 0:
                # The application as a Word document, with a short covering note.
                msg.set_content("Hej! Vår ansökan om samverkansstöd finns i bifogad fil.")
                msg.add_attachment(
                    _docx(_form(random.Random(n % 7), area, org, name, email)),
                    maintype="application",
                    subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                    filename="ansokan.docx",
                )
            else:
                msg.set_content(text)
                if rng.random() < 0.7:
                    msg.add_alternative(_outlook_html(text), subtype="html")
            if rng.random() < 0.15:
                msg.add_attachment(
                    _image(rng, rng.randint(20_000, 120_000)),
                    maintype="image",
                    subtype="png",
                    filename="karta.png",
                )
        yield msg.as_bytes()
