"""Malmö's geography as data: every delområde resolves, every street to its area, and the
places around Malmö are known as outside it."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from samverkan.rules.gazetteer import Gazetteer

DATA = resources.files("samverkan.rules").joinpath("data")
PLACES: dict[str, Any] = tomllib.loads(DATA.joinpath("gazetteer.toml").read_text("utf-8"))
STREETS: dict[str, list[str]] = tomllib.loads(DATA.joinpath("streets.toml").read_text("utf-8"))[
    "streets"
]
AREAS = list(PLACES["area"])
FOLD = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.bundled()


def test_the_city_division_is_there_with_its_districts(gaz: Gazetteer) -> None:
    names = {a.name for a in gaz.areas()}
    assert len(names) >= 136
    for district in ("Innerstaden", "Norr", "Söder", "Öster", "Väster"):
        assert district in names
    by_name = {a.name: a for a in gaz.areas()}
    assert by_name["Annelund"].parents == ("Södra Innerstaden", "Innerstaden")
    assert by_name["Bulltofta"].parents == ("Kirseberg", "Norr")
    assert by_name["Borgmästargården"].parents == ("Hyllie", "Väster")
    assert by_name["Lindängen"].parents == ("Fosie", "Söder")


@pytest.mark.parametrize("row", AREAS, ids=lambda row: row["name"])
def test_every_area_resolves_as_written_and_without_diacritics(
    gaz: Gazetteer, row: dict[str, Any]
) -> None:
    name = row["name"]
    for written in {name, name.translate(FOLD)}:
        area = gaz.resolve(written)
        if row.get("match_name", True):
            assert area is not None, written
            assert (area.name, area.in_malmo) == (name, True)
    if row.get("free_text", True) and row.get("match_name", True):
        area, _ = gaz.find(f"Vi söker samverkansstöd för {name}.")
        assert area is not None
        assert area.name == name


STREET_CASES = [(area, street) for area, streets in STREETS.items() for street in streets]


@pytest.mark.parametrize(("area", "street"), STREET_CASES, ids=lambda v: str(v))
def test_every_street_and_landmark_lies_in_its_area(gaz: Gazetteer, area: str, street: str) -> None:
    for written in {street, street.translate(FOLD)}:
        found, _ = gaz.find(f"Vi håller till vid {written} sedan länge.")
        assert found is not None, written
        assert (found.name, found.in_malmo) == (area, True)


@pytest.mark.parametrize(
    "text",
    [
        "Vi vill rusta upp torget i Lund.",
        "Föreningen finns i Burlöv och vill samarbeta med grannarna.",
        "Hela projektet genomförs i Arlöv.",
        "Vi söker stöd för Vellinge centrum.",
        "Bryggorna i Hollviken behöver lyftas.",
        "Gatufest i Staffanstorp i juni.",
        "vi har en lokal i Svedala",
        "Stranden i Lomma och i Bjärred",
        "Vi bor på Norra Fäladen i Lund.",
        "Trelleborgs hamn",
    ],
)
def test_places_around_malmo_are_outside(gaz: Gazetteer, text: str) -> None:
    area, _ = gaz.find(text)
    assert area is not None
    assert not area.in_malmo


def test_a_malmo_place_wins_over_one_outside_and_streets_are_not_towns(gaz: Gazetteer) -> None:
    area, _ = gaz.find("Vi kommer från Lund men söker stöd för Annelund.")
    assert area is not None
    assert area.name == "Annelund"
    area, _ = gaz.find("Butikerna längs Lundavägen och Ystadgatan")
    assert area is None or area.in_malmo


def test_streets_name_a_known_area_or_the_data_is_refused() -> None:
    from samverkan.rules.gazetteer import GazetteerError

    with pytest.raises(GazetteerError, match="okänt område"):
        Gazetteer({"area": [{"name": "A"}], "streets": {"B": ["Bgatan"]}})
