"""split_reply: only the sender's new words reach extraction, whatever client quoted the thread."""

from __future__ import annotations

import time

import pytest

from samverkan.intake.reading.quoting import is_forward_subject, split_reply


def test_english_outlook_block_is_cut() -> None:
    text = (
        "Hi, the amount is 200 000 SEK.\n\n"
        "Kind regards,\nErik\n\n"
        "From: Samverkan <samverkan@malmo.se>\n"
        "Sent: Tuesday, March 3, 2026 10:12 AM\n"
        "To: Erik <erik@example.com>\n"
        "Subject: SAM-2026-0003 More information\n\n"
        "How much do you apply for?"
    )
    split = split_reply(text)

    assert split.new_text == "Hi, the amount is 200 000 SEK."
    assert split.signature == "Kind regards,\nErik"
    assert split.quoted_text.startswith("From: Samverkan")
    assert "How much" in split.quoted_text


def test_bold_outlook_block_from_html_is_cut() -> None:
    text = (
        "Svar: 24 månader.\n\n*Från:* Samverkan\n*Skickat:* den 3 mars\n*Ämne:* Fråga\n\nHur länge?"
    )
    assert split_reply(text).new_text == "Svar: 24 månader."


@pytest.mark.parametrize(
    "separator",
    [
        "-----Ursprungligt meddelande-----",
        "-----Original Message-----",
        "----- Originalmeddelande -----",
    ],
)
def test_original_message_separators_cut(separator: str) -> None:
    text = f"Vi bidrar med 100 timmar.\n\n{separator}\nFrån: a@b.se\nHur mycket bidrar ni med?"
    split = split_reply(text)

    assert split.new_text == "Vi bidrar med 100 timmar."
    assert "Hur mycket" in split.quoted_text


def test_english_attribution_with_quote_lines() -> None:
    text = (
        "Yes, Seved is the area.\n\n"
        "On Tue, 3 Mar 2026 at 10:12, Samverkan <samverkan@malmo.se> wrote:\n"
        "> Which area?\n"
    )
    split = split_reply(text)

    assert split.new_text == "Yes, Seved is the area."
    assert split.quoted_text.startswith("On Tue")


def test_attribution_without_quote_marks_still_cuts() -> None:
    # Some clients quote by indentation only; the attribution line is then the only marker.
    text = "Det stämmer.\n\nDen 3 mars 2026 kl. 10:12 skrev Anna <anna@b.se>:\n\n    Stämmer det?"
    split = split_reply(text)

    assert split.new_text == "Det stämmer."
    assert "Stämmer det?" in split.quoted_text


def test_sentence_with_skrev_is_not_an_attribution() -> None:
    text = "Som Karin skrev:\nvi behöver fler aktörer. Därför har vi bjudit in MKB."
    assert split_reply(text).new_text == text


def test_bottom_posted_inline_answers_are_kept() -> None:
    text = (
        "Den 3 mars 2026 kl. 10:12 skrev Samverkan <samverkan@malmo.se>:\n"
        "> Hur länge ska samarbetet pågå?\n"
        "Två år.\n"
        "> Vilka aktörer deltar?\n"
        "Fastighetsägare och handlare.\n"
    )
    split = split_reply(text)

    assert split.new_text == "Två år.\nFastighetsägare och handlare."
    assert "> Vilka aktörer deltar?" in split.quoted_text


def test_dash_dash_space_starts_the_signature() -> None:
    text = "Ansökan bifogas.\n-- \nAnna Ström\nSofielunds Vänner\n070-123 45 67"
    split = split_reply(text)

    assert split.new_text == "Ansökan bifogas."
    assert split.signature == "Anna Ström\nSofielunds Vänner\n070-123 45 67"


@pytest.mark.parametrize(
    "closing",
    ["Mvh", "MVH Anna", "Med vänliga hälsningar,", "Vänliga hälsningar / Anna", "Hälsningar!"],
)
def test_swedish_closings_start_the_signature(closing: str) -> None:
    split = split_reply(f"Vi söker 50 000 kr.\n\n{closing}\nAnna Ström\n040-12 34 56")

    assert split.new_text == "Vi söker 50 000 kr."
    assert split.signature.startswith(closing)
    assert split.signature.endswith("040-12 34 56")


def test_closing_word_inside_a_sentence_is_body_text() -> None:
    text = "Hej!\nHälsningar från alla på Limhamn som vill se ett tryggare torg i sommar.\nAnna"
    assert split_reply(text).new_text == text


def test_outlook_forward_with_vb_subject_yields_the_forwarded_message() -> None:
    text = (
        "Kan ni ta hand om denna?\n\n"
        "Från: Oskar Berg [mailto:oskar@vastrahamnen.se]\n"
        "Skickat: den 11 mars 2026 16:02\n"
        "Till: Maria Nilsson\n"
        "Ämne: Ansökan om processtöd\n\n"
        "Vi söker processtöd för Dockan."
    )
    split = split_reply(text, forward=True)

    assert split.new_text == "Kan ni ta hand om denna?"
    (forward,) = split.forwards
    assert forward.sender_name == "Oskar Berg"
    assert forward.sender_addr == "oskar@vastrahamnen.se"
    assert forward.subject == "Ansökan om processtöd"
    assert forward.date_text == "den 11 mars 2026 16:02"
    assert forward.text == "Vi söker processtöd för Dockan."


def test_apple_mail_forward_marker() -> None:
    text = (
        "FYI\n\nBörjan på vidarebefordrat meddelande:\n\n"
        "Från: Lena Holm <lena@icloud.com>\nÄmne: Ansökan\nDatum: 6 mars 2026 18:22:30 CET\n"
        "Till: maria@malmo.se\n\nVi vill söka stöd."
    )
    split = split_reply(text)

    assert split.new_text == "FYI"
    assert split.forwards[0].sender_addr == "lena@icloud.com"
    assert split.forwards[0].text == "Vi vill söka stöd."


def test_reply_quote_is_not_a_forward() -> None:
    text = "Ok.\n\nFrån: a@b.se\nSkickat: i går\nÄmne: Fråga\n\nFråga?"
    assert split_reply(text).forwards == ()


@pytest.mark.parametrize(
    ("subject", "forward"),
    [("VB: Ansökan", True), ("Fwd: Ansökan", True), ("SV: VB: Ansökan", False), ("Ansökan", False)],
)
def test_is_forward_subject(subject: str, forward: bool) -> None:
    assert is_forward_subject(subject) is forward


def test_hostile_input_is_split_in_linear_time() -> None:
    # Every line looks like the start of a marker; a quadratic detector would take minutes.
    hostile = ("Från: x\n" + "Den 3 mars 10:12 skrev " * 10 + "\n> \n-- x\n") * 20_000
    started = time.perf_counter()
    split = split_reply(hostile)
    elapsed = time.perf_counter() - started

    assert split.new_text.startswith("Från: x\nDen 3 mars")
    assert elapsed < 5
