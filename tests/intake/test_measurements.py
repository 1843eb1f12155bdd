"""Reading an actor's answer to a measurement request: which one it answers, its figures."""

from __future__ import annotations

import pytest

from samverkan.intake.extraction.measurements import Figure, figures_in, read_measurement

EFFECT_ANSWER = """Hej,

här är vår effektmätning: besöken i butikerna har ökat med 30 procent sedan förra året och
nedskräpningen har minskat enligt fastighetsägarna.

Mvh
Omar
"""


def test_the_figures_are_the_numbers_that_count_something() -> None:
    text = (
        "Vi har genomfört 12 trygghetsvandringar med 340 deltagare.\n"
        "Antal workshops: 4\n"
        "Stödet på 350 000 kr har använts till lokalhyra."
    )
    assert [str(f) for f in figures_in(text)] == [
        "12 trygghetsvandringar",
        "340 deltagare",
        "Antal workshops: 4",
        "350 000 kr",
    ]


def test_dates_times_years_phone_numbers_and_references_are_not_figures() -> None:
    text = (
        "Vi ses 2026-10-01 kl. 10.00 i SAM-2026-0001 under 2026; ring 070-123 45 67 "
        "eller 040-34 10 00."
    )
    assert figures_in(text) == ()


def test_a_change_is_one_figure_named_by_what_changed() -> None:
    (figure,) = figures_in("Andelen som känner sig trygga ökade från 54 % till 61 %.")
    assert figure == Figure("54 % → 61 %", "Andelen som känner sig trygga", labelled=True)


@pytest.mark.parametrize(
    ("replied_to", "asked", "kind"),
    [
        ("effekt", ["resultat", "effekt"], "effekt"),  # the thread decides
        (None, ["resultat", "effekt"], "effekt"),  # else the measurement it names
        (None, ["effekt"], "effekt"),
        ("resultat", ["effekt"], "effekt"),  # a result already recorded is not asked again
    ],
)
def test_the_answer_is_to_the_request_it_replies_to_or_names(
    replied_to: str | None, asked: list[str], kind: str
) -> None:
    answer = read_measurement(EFFECT_ANSWER, asked=asked, replied_to=replied_to)
    assert answer is not None
    assert answer.kind == kind
    assert answer.text.startswith("här är vår effektmätning")
    assert "Omar" not in answer.text
    assert [str(f) for f in answer.figures] == ["30 procent"]


@pytest.mark.parametrize(
    "text",
    [
        "Hej!\n\nVi återkommer med siffrorna nästa vecka.\n\nMvh Lina",
        "Hej, vi har inte hunnit sammanställa allt än, återkommer om 2 veckor.\nMvh Lina",
        "Tack!\n\nMvh Lina",
        "Hi, we will send the figures later.\nBest regards, Lina",
        "> Nu är det dags för resultatmätning.\n> Antal deltagare: 340",
    ],
)
def test_a_reply_without_an_answer_gives_no_measurement(text: str) -> None:
    assert read_measurement(text, asked=["resultat"]) is None


def test_nothing_is_read_when_nothing_was_asked() -> None:
    assert read_measurement(EFFECT_ANSWER, asked=[]) is None


def test_an_answer_in_words_alone_counts_when_it_says_enough() -> None:
    text = "Hej!\n\nProjektet har samlat föreningarna och fastighetsägarna kring gemensamma "
    text += "städdagar och en ny mötesplats i området.\n\nHälsningar\nLina"
    answer = read_measurement(text, asked=["resultat"])
    assert answer is not None
    assert answer.figures == ()
    assert answer.text.startswith("Projektet har samlat")
