"""The approval rule, pure: who may go to the committee, and when only with a reason."""

from __future__ import annotations

import dataclasses

from samverkan.rules.approval import ApprovalCheck, applicant_gaps, check_approval
from samverkan.rules.criteria import CoordinationContext, evaluate
from samverkan.rules.model import ActorCategory, Application, Area
from samverkan.rules.ruleset import bundled_ruleset_path, load_ruleset
from tests.helpers.applications import SEVED

RULES = load_ruleset(bundled_ruleset_path())
REF = "SAM-2026-0007"
APP = SEVED


def check(app: Application, override: str | None = None) -> ApprovalCheck:
    return check_approval(REF, app, evaluate(app, RULES, CoordinationContext()), override)


def test_a_complete_eligible_application_goes_on_without_a_reason() -> None:
    verdict = check(APP)
    assert verdict.allowed
    assert verdict.refusal is None
    assert not verdict.overridden


def test_one_kind_of_actor_is_not_met_and_needs_a_reason() -> None:
    app = dataclasses.replace(APP, actors=(ActorCategory.BOENDE,))
    refused = check(app)
    assert not refused.allowed
    assert [r.id for r in refused.blocking] == ["aktorer"]
    assert refused.refusal is not None
    assert "Flera slags aktörer samverkar (ej uppfyllt)" in refused.refusal
    assert f"godkänn {REF} override: skäl" in refused.refusal
    allowed = check(app, "stadens eget initiativ")
    assert allowed.allowed
    assert allowed.overridden
    assert allowed.refusal is None


def test_no_actors_at_all_is_missing_and_needs_a_reason_too() -> None:
    # Zero actors used to pass as `missing` while one actor needed an override.
    app = dataclasses.replace(APP, actors=())
    refused = check(app)
    assert not refused.allowed
    assert refused.refusal is not None
    assert "(uppgift saknas)" in refused.refusal
    assert check(app, "  ").allowed is False  # a blank reason is no reason
    assert check(app, "aktörerna anges i bilaga").allowed


def test_an_area_outside_malmo_and_no_area_both_block() -> None:
    lund = dataclasses.replace(APP, area=Area("Lund", False))
    assert [r.id for r in check(lund).blocking] == ["omrade"]
    nowhere = dataclasses.replace(APP, area=None, area_text=None)
    assert [r.id for r in check(nowhere).blocking] == ["omrade"]
    assert check(nowhere, "området är hela Malmö").allowed


def test_a_case_never_evaluated_needs_a_reason() -> None:
    verdict = check_approval(REF, APP, None, None)
    assert not verdict.allowed
    assert verdict.refusal is not None
    assert "inte bedömts" in verdict.refusal
    assert check_approval(REF, APP, None, "bedömd muntligt").allowed


def test_an_unidentified_applicant_never_goes_on_not_even_with_a_reason() -> None:
    nobody = dataclasses.replace(APP, organisation=None, orgnr=None, orgnr_valid=None)
    assert applicant_gaps(nobody) == ["organisationens namn", "organisationsnummer"]
    for override in (None, "viktigt område"):
        verdict = check(nobody, override)
        assert not verdict.allowed
        assert verdict.refusal is not None
        assert "sökande är inte identifierad" in verdict.refusal
        assert "organisationens namn, organisationsnummer" in verdict.refusal
        assert f"ändra {REF} organisation=" in verdict.refusal


def test_an_invalid_organisation_number_does_not_identify_anyone() -> None:
    wrong = dataclasses.replace(APP, orgnr="802457-3168", orgnr_valid=False)
    assert applicant_gaps(wrong) == ["ett giltigt organisationsnummer (802457-3168 stämmer inte)"]
    assert not check(wrong, "ändå").allowed
