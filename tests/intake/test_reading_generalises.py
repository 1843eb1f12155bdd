"""Each rule that makes extraction hold for writers other than the project's own.

Texts are written here, fresh, in styles the labelled .eml set does not have: SMS-short
notes, a board's minutes pasted into a mail, a Word table, English and mixed Swedish-English,
mail written without å/ä/ö.
"""

from __future__ import annotations

from datetime import date

import pytest

from samverkan.intake.extraction.amounts import parse_amounts
from samverkan.intake.extraction.dates import parse_duration
from samverkan.intake.extraction.extract import extract
from samverkan.intake.extraction.form import form_fields
from samverkan.intake.extraction.orgnr import find_orgnr
from samverkan.intake.extraction.text import logical_lines, pieces
from samverkan.rules.model import ActorCategory, Application, SupportForm

A = ActorCategory


def amount(app: Application) -> int | None:
    return next((s.amount_sek for s in app.support if s.form is SupportForm.FINANSIERING), None)


# ---- a labelled value ends at its line or at the next label ---------------------------------


def test_a_labelled_value_does_not_take_the_next_line() -> None:
    text = "Vår insats: 12 000 kr plus lokaler\nVi ansöker om 95 000 kr för markiser."
    app = extract(text)
    assert app.own_contribution is not None
    assert "12 000 kr plus lokaler" in app.own_contribution
    assert "95 000" not in app.own_contribution
    assert amount(app) == 95_000


def test_a_value_ends_at_the_next_label_on_the_same_line() -> None:
    fields = form_fields("Tid: 10 månader från april 2027. Söker: 70 000 kr")
    assert fields["duration"].value == "10 månader från april 2027."
    assert fields["support"].value == "70 000 kr"


def test_a_wrapped_value_carries_on_and_table_cells_are_labels() -> None:
    text = (
        "Syfte: att göra kajen mellan båthuset och badplatsen till en plats där\n"
        "grannar och besökare stannar.\n"
        "Sökande\tBåtklubben Kajen\n"
        "Sökt stöd | 0,4 MSEK\n"
    )
    fields = form_fields(text)
    assert fields["purpose"].value.endswith("grannar och besökare stannar.")
    assert fields["organisation"].value == "Båtklubben Kajen"
    assert amount(extract(text)) == 400_000


def test_a_heading_keeps_its_text_apart_and_a_list_stays_whole() -> None:
    text = (
        "Bakgrund och utmaningar\n"
        "Kajen är mörk om kvällarna och bänkarna är trasiga.\n\n"
        "Våra mål för perioden är att:\n"
        "- ordna tolv kajkvällar\n"
        "- få 500 besökare per kväll\n"
    )
    found = pieces(text)
    assert "Bakgrund och utmaningar" in found
    assert "Kajen är mörk om kvällarna och bänkarna är trasiga." in found
    assert (
        "Våra mål för perioden är att: ordna tolv kajkvällar; få 500 besökare per kväll." in found
    )
    assert extract(text).purpose is not None
    assert not extract(text).purpose.startswith("Bakgrund")  # type: ignore[union-attr]


def test_hard_wrapped_prose_is_one_line_and_short_lines_stay_apart() -> None:
    lines = logical_lines(
        "Vi i föreningen har under flera år försökt få liv i kvarteret men det har\n"
        "varit svårt.\nEgen insats: 5 000 kr\nVi söker 20 000 kr"
    )
    assert lines[0].endswith("men det har varit svårt.")
    assert lines[1:] == ["Egen insats: 5 000 kr", "Vi söker 20 000 kr"]


# ---- words with and without å, ä and ö -------------------------------------------------------


def test_mail_written_without_diacritics_is_read_like_mail_with_them() -> None:
    plain = extract(
        "Hej! Vi ar fastighetsagare och foreningen Kajkvarteret i Ribersborg. "
        "Vi soker 80 000 kr for belysning tillsammans med skolan."
    )
    assert {A.FASTIGHETSAGARE, A.CIVILSAMHALLE, A.OFFENTLIG} <= set(plain.actors)
    assert amount(plain) == 80_000
    assert plain.area is not None
    assert plain.area.name == "Ribersborg"


# ---- sign-offs and signatures never inside a name --------------------------------------------


@pytest.mark.parametrize(
    ("ending", "name"),
    [
        ("Halsningar Sara Lind", "Sara Lind"),
        ("Med vanlig halsning\nSara Lind\nOrdförande", "Sara Lind"),
        ("/Sara Lind\n\nSkickat från min iPhone", "Sara Lind"),
        ("Allt gott,\nSara Lind | Kassör | Båtklubben Kajen", "Sara Lind"),
    ],
)
def test_sign_offs_titles_and_devices_are_not_part_of_the_name(ending: str, name: str) -> None:
    app = extract(f"Vi söker 10 000 kr till kajkvällar i Limhamn.\n\n{ending}")
    assert app.contact_name == name


# ---- English and mixed mail ------------------------------------------------------------------


def test_english_and_mixed_mail() -> None:
    app = extract(
        "On behalf of the Harbour Kayak Association (org. no. 802475-6416) we would like to "
        "apply for collaboration support for Limhamn, together with the marina companies.\n"
        "Time frame: 14 months starting in May 2027.\n"
        "Vi söker SEK 220,000 and help with facilitation of the partner meetings."
    )
    assert app.organisation == "Harbour Kayak Association"
    assert app.duration_months == 14
    assert amount(app) == 220_000
    assert SupportForm.PROCESSTOD in {s.form for s in app.support}
    assert {A.CIVILSAMHALLE, A.NARINGSLIV} <= set(app.actors)


# ---- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sek"),
    [
        ("160 tkr", 160_000),
        ("0,8 MSEK", 800_000),
        ("1,5 mkr", 1_500_000),
        ("3 miljoner kronor", 3_000_000),
        ("75.000:-", 75_000),
        ("SEK 330,000", 330_000),
        ("120k", 120_000),
        ("en halv miljon kronor", 500_000),
        ("en kvarts miljon", 250_000),
        ("95\u202f000 kr", 95_000),
    ],
)
def test_amounts_in_every_common_form(text: str, sek: int) -> None:
    assert parse_amounts(f"Vi söker {text}.")[0][0] == sek


def test_the_ask_is_told_from_the_total_and_from_own_money() -> None:
    app = extract(
        "Hela satsningen kostar 1 200 000 kr. Medlemmarna står själva för 400 000 kr. "
        "Vi söker därför 800 000 kr från staden."
    )
    assert amount(app) == 800_000


def test_an_ask_in_total_is_still_the_ask() -> None:
    app = extract("Vi söker sammanlagt 3 miljoner kronor (1 miljon kronor per år).")
    assert amount(app) == 3_000_000


# ---- organisation numbers --------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["802475-6416", "8024756416", "802475 6416", "16802475-6416", "org nr: 802475-6416"],
)
def test_organisation_numbers_in_every_form(written: str) -> None:
    found = find_orgnr(f"Båtklubben Kajen {written}")
    assert found is not None
    assert found.formatted == "802475-6416"


def test_a_sole_traders_number_with_the_century_is_read() -> None:
    found = find_orgnr("enskild firma, organisationsnummer 19791124-2385")
    assert found is not None
    assert found.formatted == "791124-2385"


def test_a_number_only_in_a_forwarders_style_signature_line_is_found() -> None:
    app = extract(
        "Vi söker 40 000 kr för Limhamn.",
        signature="Sara Lind | Kassör | Båtklubben Kajen | Org.nr 802475-6416",
    )
    assert app.orgnr == "802475-6416"
    assert app.organisation == "Båtklubben Kajen"


# ---- durations in prose ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("Arbetet pågår från hösten 2027 till och med våren 2029.", 21),
        ("Tidsplan: under 2028.", 12),
        ("Kajkvällarna hålls juni–augusti 2027.", 3),
        ("Timeline: Q2 2027 to Q1 2028", 12),
        ("Vi tänker oss två år med start i januari 2028.", 24),
        ("Projektet löper läsåret 2027/28.", 10),
    ],
)
def test_durations_in_prose(text: str, months: int) -> None:
    found = parse_duration(text)
    assert found is not None
    assert found[0] == months


@pytest.mark.parametrize(
    "text",
    [
        "Mål: ingen lokal ska stå tom längre än tre månader.",
        "Målet är en plan klar inom ett halvår.",
        "Vi ses fyra gånger per år.",
    ],
)
def test_a_goals_deadline_is_not_the_time_frame(text: str) -> None:
    assert parse_duration(text) is None


def test_a_season_start_in_a_time_field_meets_the_time_frame() -> None:
    app = extract("Tidsram: från hösten 2027\nVi söker 30 000 kr.")
    assert app.start == date(2027, 9, 1)


# ---- areas by neighbourhood, district, street, square or landmark ----------------------------


@pytest.mark.parametrize(
    ("text", "area", "in_malmo"),
    [
        ("Vi söker stöd för kvarteren runt Emporia.", "Hyllie", True),
        ("Stråket mellan Malmö Live och kajen är ödsligt.", "Centrum", True),
        ("Vi vill lyfta stadsområde Söder tillsammans.", "Söder", True),
        ("Ett projekt för Lilla torg och gränderna intill.", "Gamla staden", True),
        ("Vi är handlare i Staffanstorps centrum.", "Staffanstorp", False),
        ("Vi vill göra något åt vårt centrum i Höör.", "Höör", False),
        ("Gatufest pa Mollevangen i augusti", "Möllevången", True),
        ("Vi vill jobba med Seved och Norra Sofielund", "Sofielund", True),
    ],
)
def test_areas_by_landmark_district_and_outside_malmo(text: str, area: str, in_malmo: bool) -> None:
    app = extract(text)
    assert app.area is not None
    assert (app.area.name, app.area.in_malmo) == (area, in_malmo)
