"""The labelled Swedish mail set: every fixture parsed and extracted as the pipeline will.

labels.toml says, per file, what a careful official reads in the mail. Fields the mail does not
state are expected to be None (lists empty), so a guess fails the test as surely as a miss.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from samverkan.intake.extraction.extract import extract
from samverkan.intake.reading.noise import noise_reason
from samverkan.intake.reading.parse import ParsedMessage, ParseError, parse_message
from samverkan.rules.model import Application

MAIL = Path(__file__).parent.parent / "fixtures" / "mail"
LABELS: dict[str, dict[str, Any]] = tomllib.loads((MAIL / "labels.toml").read_text("utf-8"))
OUTCOMES = {"created", "appended", "ignored", "quarantined"}
READ = [name for name, label in LABELS.items() if label["outcome"] in ("created", "appended")]
IGNORED = [name for name, label in LABELS.items() if label["outcome"] == "ignored"]
QUARANTINED = [name for name, label in LABELS.items() if label["outcome"] == "quarantined"]
SCALARS = ("organisation", "orgnr", "orgnr_valid", "contact_name", "email", "phone")


def _parse(name: str) -> ParsedMessage:
    return parse_message((MAIL / name).read_bytes())


def _extract(msg: ParsedMessage) -> Application:
    """What the pipeline feeds extraction: the new text, attachment texts, the signature."""
    parts = [msg.new_text, *(a.text for a in msg.attachments if a.text)]
    return extract(
        "\n\n".join(parts),
        subject=msg.subject,
        sender_name=msg.sender_name,
        sender_addr=msg.sender_addr,
        signature=msg.signature,
    )


def test_every_fixture_is_labelled_and_the_set_is_broad() -> None:
    files = {p.name for p in MAIL.glob("*.eml")}
    assert files == set(LABELS)
    assert {label["outcome"] for label in LABELS.values()} <= OUTCOMES
    assert len(files) >= 60
    created = [n for n, label in LABELS.items() if label["outcome"] == "created"]
    appended = [n for n, label in LABELS.items() if label["outcome"] == "appended"]
    assert len(created) >= 35
    assert len(appended) >= 10
    assert len(IGNORED) >= 10
    assert len(QUARANTINED) >= 4


@pytest.mark.parametrize("name", READ)
def test_extracted_fields_match_the_labels(name: str) -> None:
    label = LABELS[name]
    app = _extract(_parse(name))
    got: dict[str, Any] = {field: getattr(app, field) for field in SCALARS}
    want: dict[str, Any] = {field: label.get(field) for field in SCALARS}
    got["area"] = app.area.name if app.area else None
    want["area"] = label.get("area")
    if "area_text" in label:
        got["area_text"], want["area_text"] = app.area_text, label["area_text"]
    got["actors"] = sorted(a.value for a in app.actors)
    want["actors"] = sorted(label.get("actors", []))
    got["support"] = sorted((s.form.value, s.amount_sek) for s in app.support)
    want["support"] = sorted((s["form"], s.get("amount_sek")) for s in label.get("support", []))
    got["duration_months"] = app.duration_months
    want["duration_months"] = label.get("duration_months")
    for flag, field in (
        ("has_purpose", "purpose"),
        ("has_goals", "goals"),
        ("has_own_contribution", "own_contribution"),
    ):
        got[flag] = getattr(app, field) is not None
        want[flag] = label.get(flag, False)
    assert got == want


@pytest.mark.parametrize("name", READ)
def test_every_extracted_value_names_its_evidence_and_how_it_was_found(name: str) -> None:
    app = _extract(_parse(name))
    data = app.to_dict()
    for field, value in data.items():
        if field in ("evidence", "provenance", "parents") or value in (None, [], ""):
            continue
        assert app.evidence.get(field), f"{field} has no evidence"
        assert field in app.provenance, f"{field} has no provenance"
        assert 0 < app.provenance[field].confidence <= 1


@pytest.mark.parametrize("name", READ)
def test_applications_and_replies_are_not_noise(name: str) -> None:
    assert noise_reason(_parse(name)) is None


@pytest.mark.parametrize("name", IGNORED)
def test_noise_has_a_reason(name: str) -> None:
    reason = noise_reason(_parse(name))
    assert reason


def _readable(name: str) -> bool:
    try:
        msg = _parse(name)
    except ParseError:
        return False
    return bool(msg.new_text.strip() or any(a.text for a in msg.attachments))


@pytest.mark.parametrize("name", QUARANTINED)
def test_broken_mail_gives_nothing_to_read(name: str) -> None:
    assert not _readable(name)


def test_a_readable_application_is_not_taken_for_broken() -> None:
    assert _readable("prose_sofielund_complete.eml")
    assert _readable("pdf_attached_application.eml")
