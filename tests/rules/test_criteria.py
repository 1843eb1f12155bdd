"""The criteria of SPEC §3: one table of applications and the verdict each must get."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samverkan.rules.criteria import (
    ActiveCase,
    CoordinationContext,
    CriterionResult,
    Evaluation,
    ExistingProcess,
    Outcome,
    Status,
    evaluate,
    format_date_sv,
    short_quote,
)
from samverkan.rules.komplettering import missing_items
from samverkan.rules.model import ActorCategory, Application, Area, SupportForm, SupportRequest
from samverkan.rules.ruleset import SCHEMA, RuleSet, bundled_ruleset_path, load_ruleset
from samverkan.rules.text import format_sek

RULES = load_ruleset(bundled_ruleset_path())

SOFIELUND = ("Sofielund", "Södra Innerstaden")
SEVED = Area("Seved", True, SOFIELUND)
KROKSBACK = Area("Kroksbäck", True, ("Hyllie",))
MOLLEVANGEN = Area("Möllevången", True, ("Södra Innerstaden",))

REGISTRY = CoordinationContext(
    processes=(
        ExistingProcess(
            "BID Sofielund",
            (
                Area("Norra Sofielund", True, SOFIELUND),
                Area("Södra Sofielund", True, SOFIELUND),
                SEVED,
            ),
            contact="info@bidsofielund.se",
        ),
        ExistingProcess("På Limhamn", (Area("Limhamn", True, ("Limhamn-Bunkeflo",)),)),
        ExistingProcess(
            "Citysamverkan",
            (Area("Gamla staden", True, ("Centrum",)), Area("Innerstaden", True, ("Centrum",))),
        ),
        ExistingProcess("Västra Hamnen", (Area("Västra Hamnen", True, ("Centrum",)),)),
    ),
    active_cases=(ActiveCase("SAM-2026-0002", MOLLEVANGEN),),
)

COMPLETE = Application(
    title="Ett levande Kroksbäck",
    organisation="Kroksbäcks samverkansförening",
    orgnr="802457-3167",
    orgnr_valid=True,
    contact_name="Anna Berg",
    email="anna.berg@example.se",
    area=KROKSBACK,
    area_text="Kroksbäck",
    actors=(ActorCategory.FASTIGHETSAGARE, ActorCategory.BOENDE),
    support=(
        SupportRequest(SupportForm.FINANSIERING, amount_sek=350_000),
        SupportRequest(SupportForm.PROCESSTOD),
    ),
    start=date(2026, 3, 1),
    duration_months=24,
    purpose="Otrygga gångstråk och tomma lokaler; vi vill göra torget till en mötesplats.",
    goals="Tre nya verksamheter i bottenvåningarna och ökad upplevd trygghet 2027.",
    own_contribution="Fastighetsägarna bidrar med 200 000 kr och 300 timmar.",
    evidence={
        "area": "Vi vill utveckla centrala Kroksbäck",
        "actors": "fastighetsägare och boende",
    },
)

ALL_MET = dict.fromkeys(SCHEMA, Status.MET)

# (name, changes to COMPLETE, statuses that differ from met, outcome)
TABLE: list[tuple[str, dict[str, Any], dict[str, Status], Outcome]] = [
    ("complete", {}, {}, Outcome.COMPLETE),
    ("orgnr with wrong checksum", {"orgnr": "802457-3168", "orgnr_valid": False},
     {"sokande": Status.MISSING}, Outcome.INCOMPLETE),
    ("orgnr not verified by intake", {"orgnr_valid": None},
     {"sokande": Status.MISSING}, Outcome.INCOMPLETE),
    ("orgnr missing", {"orgnr": None, "orgnr_valid": None},
     {"sokande": Status.MISSING}, Outcome.INCOMPLETE),
    ("no e-mail", {"email": None}, {"sokande": Status.MISSING}, Outcome.INCOMPLETE),
    ("no organisation", {"organisation": None}, {"sokande": Status.MISSING}, Outcome.INCOMPLETE),
    ("contact name not required by default", {"contact_name": None}, {}, Outcome.COMPLETE),
    ("place outside Malmö", {"area": Area("Lund", False), "area_text": "Lund"},
     {"omrade": Status.NOT_MET}, Outcome.NOT_ELIGIBLE),
    ("place not resolved", {"area": None, "area_text": "bakom ICA"},
     {"omrade": Status.MISSING}, Outcome.INCOMPLETE),
    ("no place at all", {"area": None, "area_text": None},
     {"omrade": Status.MISSING}, Outcome.INCOMPLETE),
    ("one actor category", {"actors": (ActorCategory.NARINGSLIV,)},
     {"aktorer": Status.NOT_MET}, Outcome.NOT_ELIGIBLE),
    ("same category twice is one", {"actors": (ActorCategory.BOENDE, ActorCategory.BOENDE)},
     {"aktorer": Status.NOT_MET}, Outcome.NOT_ELIGIBLE),
    ("no actors", {"actors": ()}, {"aktorer": Status.MISSING}, Outcome.INCOMPLETE),
    ("five categories", {"actors": tuple(ActorCategory)}, {}, Outcome.COMPLETE),
    ("not eligible wins over incomplete",
     {"actors": (ActorCategory.BOENDE,), "purpose": None, "email": None},
     {"aktorer": Status.NOT_MET, "syfte": Status.MISSING, "sokande": Status.MISSING},
     Outcome.NOT_ELIGIBLE),
    ("no purpose", {"purpose": None}, {"syfte": Status.MISSING}, Outcome.INCOMPLETE),
    ("purpose is an empty answer", {"purpose": "Vet ej."},
     {"syfte": Status.MISSING}, Outcome.INCOMPLETE),
    ("purpose too short", {"purpose": "Trygghet."}, {"syfte": Status.MISSING}, Outcome.INCOMPLETE),
    ("no goals", {"goals": "   "}, {"mal": Status.MISSING}, Outcome.INCOMPLETE),
    ("own contribution 'inga'", {"own_contribution": "Inga"},
     {"egen_insats": Status.MISSING}, Outcome.INCOMPLETE),
    ("no own contribution", {"own_contribution": None},
     {"egen_insats": Status.MISSING}, Outcome.INCOMPLETE),
    ("48 months", {"duration_months": 48}, {"tidsram": Status.WARNING}, Outcome.COMPLETE),
    ("exactly 36 months", {"duration_months": 36}, {}, Outcome.COMPLETE),
    ("start only", {"duration_months": None}, {}, Outcome.COMPLETE),
    ("duration only", {"start": None}, {}, Outcome.COMPLETE),
    ("no time frame", {"start": None, "duration_months": None},
     {"tidsram": Status.MISSING}, Outcome.INCOMPLETE),
    ("finansiering without amount",
     {"support": (SupportRequest(SupportForm.FINANSIERING), SupportRequest(SupportForm.PERSONAL))},
     {"stod": Status.MISSING}, Outcome.INCOMPLETE),
    ("no support form", {"support": ()}, {"stod": Status.MISSING}, Outcome.INCOMPLETE),
    ("process support needs no amount", {"support": (SupportRequest(SupportForm.PROCESSTOD),)},
     {}, Outcome.COMPLETE),
    ("Seved overlaps BID Sofielund", {"area": SEVED}, {"overlapp": Status.WARNING},
     Outcome.COMPLETE),
    ("Sofielund contains BID areas", {"area": Area("Sofielund", True, ("Södra Innerstaden",))},
     {"overlapp": Status.WARNING}, Outcome.COMPLETE),
    ("active case in the same area", {"area": MOLLEVANGEN}, {"overlapp": Status.WARNING},
     Outcome.COMPLETE),
    ("district containing an active case",
     {"area": Area("Södra Innerstaden", True, ())},
     {"overlapp": Status.WARNING}, Outcome.COMPLETE),
    ("nothing at all", {f.name: f.default for f in dataclasses.fields(Application)
                        if f.name != "evidence"},
     {"omrade": Status.MISSING, "aktorer": Status.MISSING, "sokande": Status.MISSING,
      "syfte": Status.MISSING, "mal": Status.MISSING, "tidsram": Status.MISSING,
      "egen_insats": Status.MISSING, "stod": Status.MISSING},
     Outcome.INCOMPLETE),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "expected", "outcome"),
    [pytest.param(c, e, o, id=name) for name, c, e, o in TABLE],
)
def test_verdict_table(
    changes: dict[str, Any], expected: dict[str, Status], outcome: Outcome
) -> None:
    app = dataclasses.replace(COMPLETE, **changes)

    ev = evaluate(app, RULES, REGISTRY)

    assert {r.id: r.status for r in ev.results} == {**ALL_MET, **expected}
    assert ev.outcome is outcome
    assert ev.ruleset == "2020-08-25.1"
    assert {r.id for r in ev.results if r.blocking} == {"omrade", "aktorer"}
    assert all(r.reason for r in ev.results)


def verdict(**changes: Any) -> Evaluation:
    return evaluate(dataclasses.replace(COMPLETE, **changes), RULES, REGISTRY)


def test_wrong_checksum_reason_quotes_the_number() -> None:
    ev = verdict(orgnr="802457-3168", orgnr_valid=False)

    assert "802457-3168" in ev.result("sokande").reason
    assert missing_items(ev, RULES) == [
        "Ert organisationsnummer 802457-3168 verkar inte stämma – kontrollera siffrorna."
    ]


def test_invalid_number_and_absent_email_are_both_asked_for_in_one_line() -> None:
    ev = verdict(orgnr="802457-3168", orgnr_valid=False, email=None)

    (line,) = missing_items(ev, RULES)
    assert "802457-3168" in line
    assert "e-postadress" in line
    assert "802457-3168" in ev.result("sokande").reason
    assert "e-postadress" in ev.result("sokande").reason


def test_reasons_name_the_evidence() -> None:
    assert "Kroksbäck" in verdict().result("omrade").reason
    assert "”Vi vill utveckla centrala Kroksbäck”" in verdict().result("omrade").reason
    assert "fastighetsägare och boende" in verdict().result("aktorer").reason
    assert "Lund" in verdict(area=Area("Lund", False)).result("omrade").reason
    assert "bakom ICA" in verdict(area=None, area_text="bakom ICA").result("omrade").reason
    one = verdict(actors=(ActorCategory.NARINGSLIV,)).result("aktorer")
    assert "näringsliv" in one.reason
    assert "2" in one.reason
    assert "offentlig aktör" in verdict(actors=(ActorCategory.OFFENTLIG,)).result("aktorer").reason
    assert "350 000 kr" in verdict().result("stod").reason
    assert "processtöd" in verdict().result("stod").reason
    assert "24 månader från 1 mars 2026" in verdict().result("tidsram").reason
    assert "48 månader" in verdict(duration_months=48).result("tidsram").reason
    assert "Otrygga gångstråk" in verdict().result("syfte").reason
    lacking = verdict(support=(SupportRequest(SupportForm.FINANSIERING),)).result("stod")
    assert "finansiering" in lacking.reason


def test_overlap_names_the_process_and_whom_to_contact() -> None:
    reason = verdict(area=SEVED).result("overlapp").reason

    assert "BID Sofielund" in reason
    assert "info@bidsofielund.se" in reason
    assert "Seved" in reason
    case = verdict(area=MOLLEVANGEN).result("overlapp").reason
    assert "SAM-2026-0002" in case


def test_overlap_without_area_is_met_and_says_why() -> None:
    result = verdict(area=None).result("overlapp")

    assert result.status is Status.MET
    assert "förrän området är känt" in result.reason


def test_long_evidence_is_quoted_short() -> None:
    long_text = "Vi vill utveckla " + "området kring torget " * 20
    reason = verdict(evidence={"area": long_text}).result("omrade").reason

    quote = reason.split("”")[1]
    assert quote.endswith("…")
    assert len(quote) <= 80
    assert short_quote("kort  text\n med radbrytning") == "kort text med radbrytning"


def test_swedish_formats() -> None:
    assert format_sek(350_000) == "350 000 kr"
    assert format_sek(1_250_000) == "1 250 000 kr"
    assert format_sek(900) == "900 kr"
    assert format_date_sv(date(2026, 3, 1)) == "1 mars 2026"


def test_complete_application_asks_for_nothing() -> None:
    assert missing_items(verdict(), RULES) == []


def test_komplettering_lists_one_line_per_missing_criterion_in_order() -> None:
    ev = verdict(area=None, area_text=None, goals=None, support=(), actors=(ActorCategory.BOENDE,))

    lines = missing_items(ev, RULES)

    # aktorer is not_met (not asked for); omrade, mal and stod are missing
    assert len(lines) == 3
    assert "område" in lines[0]
    assert "mål" in lines[1]
    assert "stöd" in lines[2]


def test_evaluation_round_trips_through_json_and_keeps_komplettering() -> None:
    ev = verdict(orgnr="802457-3168", orgnr_valid=False, duration_months=48, area=SEVED)

    data = json.loads(json.dumps(ev.to_dict()))
    back = Evaluation.from_dict(data)

    assert back == ev
    assert set(data) >= {"ruleset", "outcome", "results"}
    assert data["outcome"] == "incomplete"
    assert data["results"][0].keys() >= {"id", "status", "blocking", "reason"}
    assert missing_items(back, RULES) == missing_items(ev, RULES)


def test_minimal_stored_shape_is_readable() -> None:
    """Stored evaluations with only the SPEC keys still load and yield their reason."""
    data = {
        "ruleset": "2020-08-25.1",
        "outcome": "incomplete",
        "results": [{"id": "mal", "status": "missing", "blocking": False, "reason": "Mål saknas."}],
    }
    ev = Evaluation.from_dict(data)

    assert ev.results == (CriterionResult("mal", Status.MISSING, False, "Mål saknas.", name="mal"),)
    assert missing_items(ev, RULES) == ["Mål saknas."]


def edited_copy(tmp_path: Path, **replacements: str) -> RuleSet:
    path = tmp_path / "regler.toml"
    shutil.copy(bundled_ruleset_path(), path)
    text = path.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert text.count(old) == 1
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return load_ruleset(path)


def test_editing_the_file_changes_the_verdict_without_code(tmp_path: Path) -> None:
    app = dataclasses.replace(COMPLETE, duration_months=48)
    assert evaluate(app, RULES, REGISTRY).result("tidsram").status is Status.WARNING

    edited = edited_copy(
        tmp_path,
        **{
            'id = "2020-08-25.1"': 'id = "2026-05-01.1"',
            "warn_above_months = 36": "warn_above_months = 60",
            "min_categories = 2": "min_categories = 3",
        },
    )
    ev = evaluate(app, edited, REGISTRY)

    assert ev.ruleset == "2026-05-01.1"
    assert ev.result("tidsram").status is Status.MET
    assert ev.result("aktorer").status is Status.NOT_MET  # two categories no longer enough
    assert "3" in ev.result("aktorer").reason
    assert ev.outcome is Outcome.NOT_ELIGIBLE
    assert ev.to_dict()["ruleset"] == "2026-05-01.1"


def test_edited_reason_text_is_used(tmp_path: Path) -> None:
    edited = edited_copy(
        tmp_path,
        **{"Området {area} ligger i Malmö{evidence}.": "{area} är ett område i Malmö."},
    )

    assert evaluate(COMPLETE, edited, REGISTRY).result("omrade").reason == (
        "Kroksbäck är ett område i Malmö."
    )


def test_non_blocking_area_criterion_warns_instead_of_blocking(tmp_path: Path) -> None:
    edited = edited_copy(
        tmp_path,
        **{
            'name = "Geografiskt avgränsat område i Malmö"\nblocking = true': (
                'name = "Geografiskt avgränsat område i Malmö"\nblocking = false'
            )
        },
    )

    ev = evaluate(dataclasses.replace(COMPLETE, area=Area("Lund", False)), edited, REGISTRY)

    assert ev.result("omrade").status is Status.WARNING
    assert ev.outcome is Outcome.COMPLETE


def test_every_placeholder_the_file_may_use_is_supplied() -> None:
    """A rule set whose texts use every allowed placeholder must still evaluate every case."""

    def all_of(allowed: frozenset[str]) -> str:
        return " ".join("{" + p + "}" for p in sorted(allowed)) or "-"

    criteria = tuple(
        dataclasses.replace(
            rule,
            reasons={k: all_of(v) for k, v in SCHEMA[rule.id].reasons.items()},
            requests={k: all_of(v) for k, v in SCHEMA[rule.id].requests.items()},
        )
        for rule in RULES.criteria
    )
    greedy = dataclasses.replace(RULES, criteria=criteria)

    for _name, changes, _expected, _outcome in TABLE:
        app = dataclasses.replace(COMPLETE, **changes)
        ev = evaluate(app, greedy, REGISTRY)
        assert len(missing_items(ev, greedy)) == sum(r.status is Status.MISSING for r in ev.results)


areas = st.one_of(st.none(), st.sampled_from([SEVED, KROKSBACK, MOLLEVANGEN, Area("Lund", False)]))
texts = st.one_of(st.none(), st.text(max_size=120))
applications = st.builds(
    Application,
    organisation=texts,
    orgnr=st.one_of(st.none(), st.just("802457-3167"), st.just("123")),
    orgnr_valid=st.one_of(st.none(), st.booleans()),
    email=texts,
    area=areas,
    area_text=texts,
    actors=st.lists(st.sampled_from(ActorCategory), max_size=6).map(tuple),
    support=st.lists(
        st.builds(
            SupportRequest,
            form=st.sampled_from(SupportForm),
            amount_sek=st.one_of(st.none(), st.integers(0, 10_000_000)),
        ),
        max_size=3,
    ).map(tuple),
    start=st.one_of(st.none(), st.dates()),
    duration_months=st.one_of(st.none(), st.integers(0, 240)),
    purpose=texts,
    goals=texts,
    own_contribution=texts,
    evidence=st.dictionaries(st.sampled_from(["area", "actors", "support"]), st.text(max_size=200)),
)


@given(applications)
def test_any_application_gets_a_consistent_verdict(app: Application) -> None:
    ev = evaluate(app, RULES, REGISTRY)

    statuses = {r.id: r.status for r in ev.results}
    assert list(statuses) == list(SCHEMA)
    for r in ev.results:
        assert r.reason.strip()
        if not r.blocking:
            assert r.status is not Status.NOT_MET
    if any(r.blocking and r.status is Status.NOT_MET for r in ev.results):
        assert ev.outcome is Outcome.NOT_ELIGIBLE
    elif Status.MISSING in statuses.values():
        assert ev.outcome is Outcome.INCOMPLETE
    else:
        assert ev.outcome is Outcome.COMPLETE
    assert statuses["overlapp"] is not Status.MISSING
    assert len(missing_items(ev, RULES)) == list(statuses.values()).count(Status.MISSING)


def test_a_busy_area_names_the_newest_cases_and_counts_the_rest() -> None:
    seved = Area("Seved", True, ("Södra Sofielund", "Sofielund"))
    context = CoordinationContext(
        active_cases=[ActiveCase(f"SAM-2026-{n:04d}", seved) for n in range(1, 13)]
    )
    result = evaluate(Application(area=seved), RULES, context).result("overlapp")
    assert result.status is Status.WARNING
    assert "SAM-2026-0012" in result.reason
    assert "SAM-2026-0008" in result.reason
    assert "SAM-2026-0007" not in result.reason
    assert "7 ärenden till" in result.reason


def test_a_page_of_overlapping_cases_names_the_newest_and_counts_the_total() -> None:
    seved = Area("Seved", True, ("Södra Sofielund", "Sofielund"))
    newest = [ActiveCase(f"SAM-2026-{n}", seved) for n in (10004, 10003, 9999, 10002, 10001)]
    page = CoordinationContext(active_cases=newest, active_total=1000, more_than_total=True)
    reason = evaluate(Application(area=seved), RULES, page).result("overlapp").reason
    assert (
        reason.index("SAM-2026-10004")
        < reason.index("SAM-2026-10001")
        < reason.index("SAM-2026-9999")
    ), "numbers compared as numbers"
    assert "fler än 995 ärenden till" in reason
    exact = CoordinationContext(active_cases=newest, active_total=7)
    assert (
        "2 ärenden till"
        in evaluate(Application(area=seved), RULES, exact).result("overlapp").reason
    )
