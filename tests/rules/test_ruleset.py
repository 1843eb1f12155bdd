"""The rule-set file: what an official may write, and how a mistake is reported."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from samverkan.rules.ruleset import (
    CRITERION_IDS,
    RuleSetError,
    bundled_ruleset_path,
    describe_ruleset,
    load_ruleset,
    parse_ruleset,
)
from samverkan.rules.tomllines import key_lines

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rulesets"


def bundled_text() -> str:
    return bundled_ruleset_path().read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    """The 1-based line where ``needle`` occurs exactly once in ``text``."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(hits) == 1, f"{needle!r} occurs {len(hits)} times"
    return hits[0]


def test_bundled_ruleset_loads_with_every_criterion_in_spec_order() -> None:
    rs = load_ruleset(bundled_ruleset_path())

    assert rs.id == "2020-08-25.1"
    assert rs.effective == date(2020, 8, 25)
    assert [c.id for c in rs.criteria] == [
        "omrade",
        "aktorer",
        "sokande",
        "syfte",
        "mal",
        "tidsram",
        "egen_insats",
        "stod",
        "overlapp",
    ]
    assert {c.id for c in rs.criteria if c.blocking} == {"omrade", "aktorer"}
    assert rs.criterion("aktorer").int_param("min_categories") == 2
    assert rs.criterion("tidsram").int_param("warn_above_months") == 36
    assert rs.criterion("stod").words_param("require_amount_for") == ("finansiering",)
    assert rs.criterion("omrade").reasons["met"] == "Området {area} ligger i Malmö{evidence}."


def test_describe_lists_id_date_and_one_line_per_criterion() -> None:
    listing = describe_ruleset(load_ruleset(bundled_ruleset_path()))
    lines = listing.splitlines()

    assert "2020-08-25.1" in lines[0]
    assert "2020-08-25" in lines[0]
    for cid in CRITERION_IDS:
        (line,) = [x for x in lines if x.split()[0] == cid]
        if cid in ("omrade", "aktorer"):
            assert "(blockerande)" in line
        else:
            assert "(ej blockerande)" in line
    assert "min_categories = 2" in listing
    assert "warn_above_months = 36" in listing
    assert 'require_amount_for = ["finansiering"]' in listing


BROKEN = [
    ("syntax_unquoted_text.toml", "citattecken"),
    ("unknown_criterion.toml", "Kriteriet ”budget” finns inte"),
    ("blocking_stod.toml", "stod får inte vara blockerande"),
    ("bad_placeholder.toml", "Okänd platshållare {maximum}"),
    ("wrong_type.toml", "”warn_above_months” ska vara ett heltal"),
    ("duplicate_criterion.toml", "två gånger"),
    ("missing_parameter.toml", "saknar parametern ”min_categories”"),
    ("unknown_support_form.toml", "Okänd stödform ”pengar”"),
]


@pytest.mark.parametrize(("fixture", "problem"), BROKEN)
def test_broken_file_is_refused_naming_file_line_and_problem(fixture: str, problem: str) -> None:
    path = FIXTURES / fixture
    marked = line_of(path.read_text(encoding="utf-8"), "# FEL")

    with pytest.raises(RuleSetError) as caught:
        load_ruleset(path)

    assert caught.value.line == marked
    assert str(caught.value).startswith(f"{path}, rad {marked}: ")
    assert problem in str(caught.value)


def test_missing_criterion_names_it_and_points_at_the_criteria() -> None:
    text = bundled_text().replace("[criteria.overlapp]", "[ignored.overlapp]")
    text = text.replace("[criteria.overlapp.reasons]", "[ignored.overlapp.reasons]")

    with pytest.raises(RuleSetError, match="Okänd inställning ”ignored”"):
        parse_ruleset(text, "x.toml")

    text = bundled_text().split("[criteria.overlapp]")[0]
    with pytest.raises(RuleSetError, match="Kriteriet ”overlapp” saknas") as caught:
        parse_ruleset(text, "x.toml")
    assert caught.value.line == line_of(text, "[criteria.omrade]")


def test_duplicate_key_is_refused_at_the_second_occurrence() -> None:
    text = bundled_text().replace("min_chars = 40\n", "min_chars = 40\nmin_chars = 50\n")

    with pytest.raises(RuleSetError, match="två gånger") as caught:
        parse_ruleset(text, "x.toml")

    assert caught.value.line == line_of(text, "min_chars = 50")


def test_line_is_found_after_multiline_values() -> None:
    """A list or text spread over several lines must not shift the reported line."""
    text = bundled_text().replace(
        'empty_answers = ["vet ej", "vet inte", "inget", "inga", "-", "saknas"]',
        'empty_answers = [\n  "vet ej",\n  "min_chars = 1",\n]',
    )
    text = text.replace(
        'missing = "Ansökan anger inga mål eller förväntade resultat."',
        'missing = """Ansökan anger inga mål\nmin_chars = 2\n"""',
    )
    text = text.replace("warn_above_months = 36", "warn_above_months = -1")

    with pytest.raises(RuleSetError, match="minst 1") as caught:
        parse_ruleset(text, "x.toml")

    assert caught.value.line == line_of(text, "warn_above_months = -1")
    lines = key_lines(text)
    assert lines[("criteria", "mal", "params", "min_chars")] == line_of(text, "min_chars = 20")


# (text to replace, replacement, text on the line the error must name, problem)
SEMANTIC = [
    (
        "blocking = true\n\n[criteria.omrade.reasons]",
        'blocking = "ja"\n\n[criteria.omrade.reasons]',
        'blocking = "ja"',
        "”blocking” ska vara true eller false",
    ),
    (
        "effective = 2020-08-25",
        'effective = "2020-08-25"',
        "effective =",
        "”effective” ska vara ett datum",
    ),
    ('id = "2020-08-25.1"', 'id = "regler version 2"', "id =", "Id ”regler version 2”"),
    ("min_categories = 2", "min_categories = 9", "min_categories", "högst 5"),
    ("min_categories = 2", "min_categories = true", "min_categories", "ska vara ett heltal"),
    ("require_contact_name = false", "require_contact_name = 0", "require_contact", "true eller"),
    ("min_chars = 40", "min_chars = 40\nmax_chars = 900", "max_chars", "Okänd parameter"),
    ('name = "Tidsram"', 'name = ""', 'name = ""', "inte vara tom"),
    (
        "Området {area} ligger i Malmö{evidence}.",
        "Området {area ligger i Malmö.",
        "{area ligger",
        "ensam klammerparentes",
    ),
    (
        "Området {area} ligger i Malmö{evidence}.",
        "Området {0} ligger i Malmö.",
        "{0}",
        "Okänd platshållare {0}",
    ),
    (
        'met = "Området {area} ligger i Malmö{evidence}."\n',
        "",
        "[criteria.omrade.reasons]",
        "Texten ”met” saknas",
    ),
    ('name = "Tidsram"', 'name = "Tidsram"\nweight = 3', "weight", "Okänd inställning ”weight”"),
    (
        'evidence = " – enligt ansökan: ”{quote}”"',
        'evidence = " ({citat})"',
        "{citat}",
        "Okänd platshållare {citat}",
    ),
]


@pytest.mark.parametrize(("old", "new", "where", "problem"), SEMANTIC)
def test_semantic_mistakes_are_refused_at_their_line(
    old: str, new: str, where: str, problem: str
) -> None:
    text = bundled_text()
    assert text.count(old) == 1
    text = text.replace(old, new)

    with pytest.raises(RuleSetError) as caught:
        parse_ruleset(text, "regler.toml")

    assert problem in caught.value.problem
    assert caught.value.line == line_of(text, where)
    assert str(caught.value).startswith(f"regler.toml, rad {caught.value.line}: ")


def test_missing_file_and_bad_encoding_are_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match="finns inte") as caught:
        load_ruleset(tmp_path / "saknas.toml")
    assert str(tmp_path / "saknas.toml") in str(caught.value)

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(bundled_text().encode("utf-8").replace("ö".encode(), b"\xf6"))
    with pytest.raises(RuleSetError, match="UTF-8"):
        load_ruleset(latin1)


def test_edited_copy_loads_with_its_own_id_and_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "regler.toml"
    shutil.copy(bundled_ruleset_path(), path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('id = "2020-08-25.1"', 'id = "2026-01-01.1"')
        .replace("effective = 2020-08-25", "effective = 2026-01-01")
        .replace("min_categories = 2", "min_categories = 3"),
        encoding="utf-8",
    )

    rs = load_ruleset(path)

    assert (rs.id, rs.effective) == ("2026-01-01.1", date(2026, 1, 1))
    assert rs.criterion("aktorer").int_param("min_categories") == 3
    assert rs.source == str(path)
