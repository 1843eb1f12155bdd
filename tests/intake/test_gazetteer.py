"""The gazetteer: Malmö's areas in the forms actors write them, and places outside Malmö."""

from __future__ import annotations

import pytest

from samverkan.rules.gazetteer import Gazetteer, GazetteerError
from samverkan.rules.model import Area


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.bundled()


@pytest.mark.parametrize(
    ("text", "name", "words"),
    [
        ("Vi vill utveckla Norra Sofielund.", "Norra Sofielund", "Norra Sofielund"),
        ("i Sofielunds södra del", "Sofielund", "Sofielunds"),
        ("butikerna på Limhamn", "Limhamn", "Limhamn"),
        ("boende i Västra hamnen", "Västra Hamnen", "Västra hamnen"),
        ("alla som älskar Möllan", "Möllevången", "Möllan"),
        ("runt Möllevångstorget", "Möllevången", "Möllevångstorget"),
        ("gårdarna på Seved", "Seved", "Seved"),
        ("i Limhamn-Bunkeflo", "Limhamn-Bunkeflo", "Limhamn-Bunkeflo"),
        ("handeln i centrum", "Citykärnan", "centrum"),
        ("torget i Rosengård", "Rosengård", "Rosengård"),
        ("HYLLIE STATION", "Hyllie", "HYLLIE"),
    ],
)
def test_swedish_forms_of_a_malmo_area(gaz: Gazetteer, text: str, name: str, words: str) -> None:
    area, found = gaz.find(text)
    assert area is not None
    assert (area.name, area.in_malmo, found) == (name, True, words)


def test_a_place_outside_malmo_is_an_area_not_in_malmo(gaz: Gazetteer) -> None:
    area, words = gaz.find("Vi vill utveckla centrala Lund.")
    assert area == Area("Lund", False)
    assert words == "Lund"


@pytest.mark.parametrize(
    "text",
    [
        "Vi sitter på Lundavägen 12.",  # a street, not Lund
        "Vi vill höja tryggheten.",  # "höja" is a verb, Höja a neighbourhood
        "norr om stan och söder om kanalen",  # compass words, not stadsområden
        "Vi har en lokal ute på ön.",
        "Sofielundsvägen och Sevedsgatan",  # street names built on place names
    ],
)
def test_words_that_only_look_like_places(gaz: Gazetteer, text: str) -> None:
    assert gaz.find(text) == (None, None)


def test_sofielund_does_not_hide_lund_and_lund_is_not_found_inside_it(gaz: Gazetteer) -> None:
    assert [m.area.name for m in gaz.mentions("Sofielund och Lund")] == ["Sofielund", "Lund"]


def test_the_most_specific_name_wins_over_the_part_it_contains(gaz: Gazetteer) -> None:
    assert [m.area.name for m in gaz.mentions("Norra Sofielund")] == ["Norra Sofielund"]


def test_several_areas_resolve_to_the_smallest_area_holding_them(gaz: Gazetteer) -> None:
    area, words = gaz.find("Vi verkar på Seved och i Norra Sofielund.")
    assert area is not None
    assert area.name == "Sofielund"
    assert words == "Seved, Norra Sofielund"
    area, _ = gaz.find("Området är Södra Sofielund, inte bara Seved.")
    assert area is not None
    assert area.name == "Södra Sofielund"


def test_malmo_wins_over_a_place_outside(gaz: Gazetteer) -> None:
    area, _ = gaz.find("Vi är ett företag från Lund som vill satsa på Möllevången.")
    assert area is not None
    assert area.name == "Möllevången"


def test_a_place_inside_an_organisation_name_is_not_a_mention(gaz: Gazetteer) -> None:
    area, _ = gaz.find("Seveds Vänner och Husie IF vill arbeta i Kroksbäck.")
    assert area is not None
    assert area.name == "Kroksbäck"


def test_an_unknown_place_phrase_is_returned_as_written(gaz: Gazetteer) -> None:
    assert gaz.find("Vi bor i området Sjöbacka.") == (None, "Sjöbacka")
    assert gaz.find("Det gäller Sjöbacka-området.") == (None, "Sjöbacka")


def test_parents_make_overlap_visible(gaz: Gazetteer) -> None:
    seved = gaz.resolve("Seved")
    sofielund = gaz.resolve("Sofielund")
    limhamn = gaz.resolve("Limhamn")
    assert seved is not None
    assert sofielund is not None
    assert limhamn is not None
    assert seved.parents == ("Södra Sofielund", "Sofielund", "Södra Innerstaden", "Innerstaden")
    assert sofielund.covers(seved)
    assert not limhamn.covers(seved)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Seved", "Seved"),
        ("i Västra Hamnen", "Västra Hamnen"),
        ("Seved, Malmö", "Seved"),
        ("Limhamns", "Limhamn"),
        ("Norr", "Norr"),  # a stadsområde: resolved when named alone, never found in prose
        ("stadsdelen Centrum", "Centrum"),
        ("Centrum", "Citykärnan"),
        ("Möllevången (Möllan)", "Möllevången"),
    ],
)
def test_resolve_one_name(gaz: Gazetteer, name: str, expected: str) -> None:
    area = gaz.resolve(name)
    assert area is not None
    assert area.name == expected


def test_resolve_unknown_or_empty(gaz: Gazetteer) -> None:
    assert gaz.resolve("Sjöbacka") is None
    assert gaz.resolve("  ") is None


def test_areas_lists_malmo_only_with_the_model_levels(gaz: Gazetteer) -> None:
    names = {a.name for a in gaz.areas()}
    assert {"Norr", "Söder", "Öster", "Väster", "Innerstaden"} <= names
    assert {"Centrum", "Kirseberg", "Rosengård", "Husie", "Oxie", "Fosie", "Hyllie"} <= names
    assert {"Södra Innerstaden", "Västra Innerstaden", "Limhamn-Bunkeflo"} <= names
    assert {"Sofielund", "Limhamn", "Citykärnan", "Västra Hamnen", "Gamla staden"} <= names
    assert len(names) >= 100
    assert all(a.in_malmo for a in gaz.areas())
    assert "Lund" not in names


def test_bundled_is_loaded_once(gaz: Gazetteer) -> None:
    assert Gazetteer.bundled() is gaz


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('[[area]]\nname = "A"\nparent = "B"\n', "okänd förälder"),
        ('[[area]]\nname = "A"\n[[area]]\nname = "A"\n', "två gånger"),
        ('[[area]]\nname = "A"\nparent = "B"\n[[area]]\nname = "B"\nparent = "A"\n', "sig självt"),
        ('[[area]]\nname = "A"\naliases = ["X"]\n[[area]]\nname = "B"\naliases = ["x"]\n', "både"),
    ],
)
def test_inconsistent_data_is_refused(data: str, message: str) -> None:
    with pytest.raises(GazetteerError, match=message):
        Gazetteer.from_toml(data)


def test_a_long_text_is_scanned_quickly(gaz: Gazetteer) -> None:
    text = "Vi bor i Malmö och tycker om vår stad. " * 5_000 + "Seved"
    area, _ = gaz.find(text)
    assert area is not None
    assert area.name == "Seved"


def test_the_area_applied_for_wins_over_places_merely_mentioned(gaz: Gazetteer) -> None:
    text = "Vi söker samverkansstöd för Norra Sofielund tillsammans med Sofielunds folkets hus."
    area, words = gaz.find(text)
    assert area is not None
    assert (area.name, words) == ("Norra Sofielund", "Norra Sofielund")


def test_a_place_name_inside_an_address_is_not_a_mention() -> None:
    gazetteer = Gazetteer.bundled()
    assert gazetteer.mentions("Kontakt: lina@seved.example, www.limhamn.se/om-oss") == []
    area, _ = gazetteer.find("Vi söker stöd för Möllevången. Svara till per@seved.se")
    assert area is not None
    assert area.name == "Möllevången"
