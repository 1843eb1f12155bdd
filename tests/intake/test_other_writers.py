"""Applications from writers unlike the project's own, read end to end (parse, then extract).

Each mail is written fresh for this file, in a style the labelled set lacks: no å/ä/ö at all
with a "/Johan" sign-off, an Outlook forward from a city office with the applicant's titled
signature below it, English with Swedish terms, a phone-typed note with a list and "Skickat
från min iPhone", and an HTML-only form table for a place outside Malmö. They are read with the
mail's date, as the pipeline reads them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest

from samverkan.intake.extraction.message import extract_message
from samverkan.intake.reading.parse import parse_message
from samverkan.rules.model import ActorCategory, Application, SupportForm

A = ActorCategory
WRITTEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)

NO_DIACRITICS = """\
Hej!

Vi ar en grupp fastighetsagare och butiksagare langs Nobelvagen och i Annelund som vill
gora omradet tryggare pa kvallarna. Idag ar det morkt, skrapigt och manga butiker har
stangt tidigt av oro.

Vi soker 85 tkr till belysning och en gemensam vaktrunda, och vill gora det under 12 manader
med start i februari. Sjalva bidrar vi med 40 000 kr och egen arbetstid.

Malet ar farre anmalda inbrott och att fler butiker haller oppet till kl 20.

Foreningen heter Annelunds Handlarforening, org nr 8024671235.

Mvh
/Johan Persson
"""

OUTLOOK_FORWARD = """\
Hej Samverkan,

Skickar vidare en ansökan som kom in till oss på stadsdelsförvaltningen. Den hör hemma hos er.

Hälsningar
Eva Strand
Områdesutvecklare, Malmö stad

________________________________
Från: Leila Haddad <leila.haddad@kroksbacksgarden.example>
Skickat: den 12 november 2026 14:02
Till: Strand Eva <eva.strand@malmo.example>
Ämne: Ansökan gårdsodling Kroksbäck

Hej Eva!

Vi i Kroksbäcksgårdens odlarförening (org.nr 802512-3459) vill tillsammans med
bostadsbolaget och fritidsgården bygga upp odlingslotter mellan husen i Kroksbäck.

Bakgrund: gårdarna används knappt och många känner sig ensamma.
Mål: 40 odlingslotter i bruk och en skördefest varje höst.
Egen insats: ideellt arbete, ungefär 300 timmar per år.
Vi söker 120 000 kr under två år.

Vänliga hälsningar
Leila Haddad
Ordförande, Kroksbäcksgårdens odlarförening
070-555 12 34
"""

ENGLISH = """\
Hi,

We are a group of property owners and shop keepers around Möllevångstorget, and we would
like to apply for collaboration support (samverkansstöd).

The problem: the square is full of litter in the mornings and people feel unsafe at night.
Our goal is a cleaner square, measured in weekly litter counts, and more people staying in
the evenings.

We apply for SEK 250,000 for 18 months starting in September. Our members contribute
SEK 100,000 and staff time.

Applicant: Möllans Fastighetsägare ek. för., org. no. 769612-3459

Best regards,
Karin Holm
Chair, Möllans Fastighetsägare
"""

PHONE_NOTE = """\
Hej

vi är några som bor på Rasmusgatan och vill göra något åt gården, vi har pratat med
hyresvärden och skolan som är med.

vi vill ha hjälp med att söka tillstånd och kanske 30 000 kr till bänkar och växter,
vi drar igång fr.o.m. 1 april

Målen är
- en gård där barnen kan leka
- att grannarna lär känna varandra
- mindre skräp

vår insats är att vi sköter planteringarna själva

Skickat från min iPhone
"""

HTML_TABLE = """\
<html><body>
<p>Hej,</p>
<p>Här kommer vår ansökan.</p>
<table>
<tr><td>Sökande</td><td>Arlövs Företagarförening</td></tr>
<tr><td>Organisationsnummer</td><td>802477-9905</td></tr>
<tr><td>Område</td><td>Arlöv centrum</td></tr>
<tr><td>Medverkande aktörer</td><td>fastighetsägare, handlare, Burlövs kommun</td></tr>
<tr><td>Syfte</td><td>Ett levande centrum med fler besökare och färre tomma lokaler.</td></tr>
<tr><td>Mål</td><td>Tre nya butiker och 20 % fler besökare.</td></tr>
<tr><td>Egen insats</td><td>50 000 kr</td></tr>
<tr><td>Sökt belopp</td><td>200 000 kr</td></tr>
<tr><td>Tidsperiod</td><td>2027-01-01 – 2027-12-31</td></tr>
<tr><td>Kontaktperson</td><td>Nils Bergström, nils@arlovsforetagare.example</td></tr>
</table>
<p>Med vänlig hälsning<br>Nils Bergström<br>Sekreterare</p>
</body></html>
"""


def read(body: str, sender: str, subject: str, *, html: bool = False) -> Application:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "samverkan@malmo.se"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(WRITTEN)
    msg["Message-ID"] = "<other-writer@example.se>"
    msg.set_content(body, subtype="html" if html else "plain")
    return extract_message(parse_message(msg.as_bytes()))


def asked(app: Application) -> int | None:
    return next((s.amount_sek for s in app.support if s.form is SupportForm.FINANSIERING), None)


def test_a_mail_without_diacritics_and_a_slash_sign_off() -> None:
    app = read(
        NO_DIACRITICS, "Johan Persson <johan.p@annelund.example>", "Ansokan om samverkansstod"
    )
    assert app.organisation == "Annelunds Handlarforening"
    assert (app.orgnr, app.orgnr_valid) == ("802467-1235", True)
    assert app.contact_name == "Johan Persson"
    assert app.area is not None
    assert app.area.name == "Annelund"
    assert set(app.actors) == {A.FASTIGHETSAGARE, A.NARINGSLIV}
    assert asked(app) == 85_000
    assert app.duration_months == 12  # "under 12 manader"
    assert app.start == date(2027, 2, 1)  # "med start i februari", written in November
    assert app.own_contribution is not None
    assert "40 000 kr" in app.own_contribution
    assert "start" in app.to_check()  # the year was inferred


def test_an_outlook_forward_is_read_as_the_original_writers_application() -> None:
    app = read(OUTLOOK_FORWARD, "Eva Strand <eva.strand@malmo.example>", "VB: Ansökan gårdsodling")
    assert app.organisation == "Kroksbäcksgårdens odlarförening"
    assert app.contact_name == "Leila Haddad"  # not the forwarder, not "Ordförande"
    assert app.email == "leila.haddad@kroksbacksgarden.example"
    assert app.phone == "+46705551234"
    assert app.area is not None
    assert app.area.name == "Kroksbäck"
    # the housing company, the association and the youth centre ("fritidsgården" is no yard)
    assert set(app.actors) == {A.FASTIGHETSAGARE, A.CIVILSAMHALLE, A.OFFENTLIG}
    assert (asked(app), app.duration_months) == (120_000, 24)
    assert app.goals is not None
    assert app.goals.startswith("40 odlingslotter")
    assert app.to_check() == []


def test_english_with_swedish_terms() -> None:
    app = read(ENGLISH, "Karin Holm <karin.holm@mollansfast.example>", "Application")
    assert app.organisation == "Möllans Fastighetsägare ek. för."
    assert app.contact_name == "Karin Holm"  # not "Chair"
    assert app.area is not None
    assert app.area.name == "Möllevången"
    assert set(app.actors) == {A.FASTIGHETSAGARE, A.NARINGSLIV}
    assert asked(app) == 250_000  # not the members' SEK 100,000
    assert (app.duration_months, app.start) == (18, date(2027, 9, 1))
    assert app.own_contribution is not None
    assert "100,000" in app.own_contribution


def test_a_phone_typed_note_with_a_list_and_a_street_for_the_area() -> None:
    app = read(PHONE_NOTE, "sara.k88@gmail.example", "gården")
    assert app.area is not None
    assert app.area.name == "Seved"
    assert set(app.actors) == {A.BOENDE, A.FASTIGHETSAGARE, A.OFFENTLIG}
    assert asked(app) == 30_000
    assert app.start == date(2027, 4, 1)  # "fr.o.m. 1 april"
    assert app.goals is not None
    assert "mindre skräp" in app.goals
    assert app.contact_name is None  # "Skickat från min iPhone" is no name
    assert app.organisation is None


def test_an_html_form_table_for_a_place_outside_malmo() -> None:
    app = read(HTML_TABLE, "Nils Bergström <nils@arlovsforetagare.example>", "Ansökan", html=True)
    assert app.organisation == "Arlövs Företagarförening"
    assert app.area is not None
    assert (app.area.name, app.area.in_malmo) == ("Arlöv", False)
    assert app.contact_name == "Nils Bergström"
    assert (asked(app), app.duration_months, app.start) == (200_000, 12, date(2027, 1, 1))
    assert app.provenance["organisation"].found.value == "labelled"
    assert app.to_check() == []


@pytest.mark.parametrize("body", [NO_DIACRITICS, OUTLOOK_FORWARD, ENGLISH, PHONE_NOTE])
def test_every_value_names_its_evidence_and_how_it_was_found(body: str) -> None:
    app = read(body, "Someone <someone@example.se>", "Ansökan")
    for name in app.provenance:
        assert app.evidence.get(name), name
