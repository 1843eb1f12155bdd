"""noise_reason: mail that must get neither a case nor an automatic answer (mail loops)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from samverkan.intake.reading.noise import autoreply_allowed, is_noreply_address, noise_reason
from samverkan.intake.reading.parse import ParsedMessage, parse_message

FIXTURES = Path(__file__).parent.parent / "fixtures" / "parse"
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


def mail(*headers: str, sender: str = "Anna Ström <anna@sofielundsvanner.se>") -> ParsedMessage:
    subject = [h for h in headers if h.lower().startswith("subject:")]
    lines = [f"From: {sender}", "To: samverkan@malmo.se", *headers]
    if not subject:
        lines.append("Subject: Ansökan om samverkansstöd")
    raw = "\r\n".join([*lines, "", "Hej, vi söker stöd för Seved.", ""])
    return parse_message(raw.encode("utf-8"))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("out_of_office_sv.eml", "automatiskt svar (Auto-Submitted: auto-replied)"),
        ("dsn_bounce.eml", "automatiskt svar (Auto-Submitted: auto-replied)"),
        ("mailing_list.eml", "e-postlista (List-Id: Stadsbyggnadsnytt"),
        ("noreply_sender.eml", "avsändaren tar inte emot svar (no-reply@etjanster.malmo.se)"),
    ],
)
def test_noise_fixtures_are_recognised(name: str, reason: str) -> None:
    result = noise_reason(parse_message((FIXTURES / name).read_bytes()))
    assert result is not None
    assert result.startswith(reason)


@pytest.mark.parametrize(
    "name",
    [
        "outlook_reply_sv.eml",
        "gmail_reply_sv.eml",
        "apple_mail_reply_sv.eml",
        "html_only_newsletter_style.eml",
        "windows1252_body.eml",
        "forwarded_inline_sv.eml",
        "attached_eml.eml",
        "mislabelled_png_is_pdf.eml",
    ],
)
def test_real_applications_and_replies_are_not_noise(name: str) -> None:
    assert noise_reason(parse_message((FIXTURES / name).read_bytes())) is None


def test_bounce_without_auto_submitted_is_still_a_bounce() -> None:
    raw = (FIXTURES / "dsn_bounce.eml").read_bytes().replace(b"Auto-Submitted: auto-replied\n", b"")
    assert noise_reason(parse_message(raw)) == "studsat meddelande (multipart/report)"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (("Auto-Submitted: auto-generated",), "automatiskt svar (Auto-Submitted: auto-generated)"),
        (("Auto-Submitted: auto-replied; owner-email=x@y",), "automatiskt svar (Auto-Submitted"),
        (("X-Autoreply: yes",), "automatiskt svar (X-Autoreply: yes)"),
        (("X-Autorespond: Frånvaro",), "automatiskt svar (X-Autorespond: Frånvaro)"),
        (("X-Auto-Response-Suppress: All",), "automatiskt svar (X-Auto-Response-Suppress: All)"),
        (("X-Auto-Response-Suppress: DR, OOF",), "automatiskt svar (X-Auto-Response-Suppress"),
        (("Subject: Frånvaro: Ansökan om stöd",), "automatiskt svar (ämne: Frånvaro)"),
        (("Subject: Automatiskt svar: Ansökan",), "automatiskt svar (ämne: Automatiskt svar)"),
        (("Subject: SV: Autosvar",), "automatiskt svar (ämne: Autosvar)"),
        (("Subject: Out of Office: Ansökan",), "automatiskt svar (ämne: Out of Office)"),
        (("Subject: Abwesenheitsnotiz",), "automatiskt svar (ämne: Abwesenheitsnotiz)"),
        (("Subject: Undeliverable: Ansökan",), "studsat meddelande (ämne: Undeliverable)"),
        (("Subject: Olevererbart: Ansökan",), "studsat meddelande (ämne: Olevererbart)"),
        (("Precedence: bulk",), "massutskick (Precedence: bulk)"),
        (("Precedence: junk",), "massutskick (Precedence: junk)"),
        (("List-Id: <styrelsen.example.se>",), "e-postlista (List-Id: <styrelsen.example.se>)"),
        (
            ("List-Unsubscribe: <mailto:u@x.se>", "Precedence: first-class"),
            "massutskick (List-Unsubscribe)",
        ),
        (("Return-Path: <>",), "automatiskt meddelande (tom Return-Path)"),
    ],
)
def test_noise_headers_and_subjects(headers: tuple[str, ...], reason: str) -> None:
    result = noise_reason(mail(*headers))
    assert result is not None
    assert result.startswith(reason)


@pytest.mark.parametrize(
    "headers",
    [
        ("Auto-Submitted: no",),
        ("X-Auto-Response-Suppress: DR, RN, NRN",),
        ("Subject: Ansökan om stöd mot frånvaro i skolan",),
        ("Subject: SV: SAM-2026-0001 Komplettering",),
        ("Precedence: first-class",),
        ("List-Unsubscribe: <mailto:u@x.se>",),  # without Precedence a person may have sent it
        ("Return-Path: <anna@sofielundsvanner.se>",),
    ],
)
def test_ordinary_mail_is_not_noise(headers: tuple[str, ...]) -> None:
    assert noise_reason(mail(*headers)) is None


@pytest.mark.parametrize(
    "sender",
    [
        "MAILER-DAEMON@mx.malmo.se",
        "postmaster@example.se",
        "Mail Delivery System <mailer-daemon@x.se>",
    ],
)
def test_bounce_senders(sender: str) -> None:
    result = noise_reason(mail(sender=sender))
    assert result is not None
    assert result.startswith("studsat meddelande (avsändare")


@pytest.mark.parametrize(
    ("addr", "expected"),
    [
        ("noreply@malmo.se", True),
        ("no-reply@etjanster.malmo.se", True),
        ("No_Reply@Example.se", True),
        ("donotreply@bank.se", True),
        ("do-not-reply+kvitto@shop.se", True),
        ("bounces+123@mailchimp.com", True),
        ("MAILER-DAEMON@mx.se", True),
        ("anna@sofielundsvanner.se", False),
        ("reply@forening.se", False),
        ("nora.eply@example.se", False),
    ],
)
def test_is_noreply_address(addr: str, expected: bool) -> None:
    assert is_noreply_address(addr) is expected


def test_autoreply_allowed_counts_the_last_24_hours() -> None:
    two = [NOW - timedelta(hours=1), NOW - timedelta(hours=23)]
    assert autoreply_allowed(two, NOW) is True
    assert autoreply_allowed([*two, NOW - timedelta(minutes=5)], NOW) is False
    old = [NOW - timedelta(hours=24, seconds=1)] * 10
    assert autoreply_allowed([*two, *old], NOW) is True
    assert autoreply_allowed([*two], NOW, max_per_day=2) is False


def test_autoreply_allowed_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        autoreply_allowed([], datetime(2026, 3, 16, 9, 0))  # noqa: DTZ001
