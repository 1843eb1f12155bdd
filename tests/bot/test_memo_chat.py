"""The memo a committee secretary would sign, from a real case: chat, CLI and the Word file."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import docx
import pytest

from samverkan.bot.memo import memo_docx, memo_markdown
from samverkan.bot.reply import ReplyStatus
from tests.helpers.chat import ANNA, REF, Chat, text_of
from tests.helpers.cli import clean_env, run  # noqa: F401 - clean_env is a fixture

LATE = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 00:30 on 3 March in Malmö
SECTIONS = [
    "Sammanfattning",
    "Förslag till beslut",
    "Beslutsunderlag",
    "Beslutsplanering",
    "Ärendet",
    "Bakgrund",
    "Ansökan",
    "Bedömning",
    "Samordning",
    "Ärendets gång",
    "Ekonomiska konsekvenser",
    "Underskrift",
]


def prepared(chat: Chat) -> None:
    """Karin registered with name and title; two meetings in the calendar."""
    assert chat(
        'handläggare lägg-till @U0KARIN kontaktperson "Karin Holm" "Stadsutvecklare" '
        "epost=karin.holm@malmo.se",
        who=ANNA,
    ).ok
    assert chat("nämnd lägg-till 2026-03-17 sista-dag 2026-02-24", who=ANNA).ok  # too late
    assert chat("nämnd lägg-till 2026-04-21 sista-dag 2026-03-31", who=ANNA).ok
    chat.apply()


def test_approval_attaches_the_memo_as_markdown_and_word(chat: Chat) -> None:
    prepared(chat)
    chat.clock[0] = LATE
    answer = chat(f"godkänn {REF}")
    assert answer.status is ReplyStatus.OK, text_of(answer)
    markdown, word = answer.attachments
    assert markdown.filename == f"tjansteskrivelse-{REF}.md"
    assert word.filename == f"tjansteskrivelse-{REF}.docx"
    assert word.data is not None

    memo = markdown.content
    for must in (
        "| Diarienummer | TN-2026-0001 |",
        "| Datum | 2026-03-03 |",  # the local date, not UTC's 2 March
        "| Handläggare | Karin Holm, Stadsutvecklare |",
        "# Tjänsteskrivelse: Ansökan från Sevedsföreningen om samverkansstöd för Seved: "
        "finansiering (350 000 kr) och processtöd",
        "Tekniska nämnden sammanträde 2026-04-21 (sista dag för tjänsteskrivelser 2026-03-31)",
        "Tekniska nämnden beviljar Sevedsföreningen (802457-3167) samverkansstöd för Seved i "
        "form av finansiering (350 000 kr) och processtöd under 24 månader",
        "Ansökan avser finansiering med 350 000 kr för",
        "Tjänsteskrivelse 2026-03-03, diarienummer TN-2026-0001",
    ):
        assert must in memo, must
    for banned in ("U0KARIN", "ej tilldelad", "datum fastställs", "det stöd som anges"):
        assert banned not in memo, banned
    headings = [line.lstrip("#").strip() for line in memo.splitlines() if line.startswith("##")]
    assert headings == SECTIONS
    signature = memo.split("## Underskrift")[1]
    assert "Karin Holm" in signature
    assert "Stadsutvecklare" in signature

    document = docx.Document(BytesIO(word.data))
    word_headings = [
        p.text for p in document.paragraphs if p.style.name in ("Heading 1", "Heading 2")
    ]
    assert word_headings == SECTIONS
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Tekniska nämnden sammanträde 2026-04-21" in text
    assert "Tekniska nämnden beviljar Sevedsföreningen (802457-3167)" in text
    head = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert head["Diarienummer"] == "TN-2026-0001"
    assert head["Datum"] == "2026-03-03"
    assert head["Handläggare"] == "Karin Holm, Stadsutvecklare"
    assert "TN-2026-0001" in document.sections[0].header.paragraphs[0].text
    criteria = [row.cells[0].text for row in document.tables[1].rows[1:]]
    assert "Flera slags aktörer samverkar" in criteria


def test_the_memo_keeps_the_meeting_of_the_day_it_was_approved(chat: Chat) -> None:
    prepared(chat)
    assert chat(f"godkänn {REF}").ok  # 2 March: the 17 March deadline (24 Feb) has passed
    chat.clock[0] = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # after the 31 March deadline too
    memo = memo_markdown(chat.engine, chat.settings, REF, now=chat.clock[0])
    assert "sammanträde 2026-04-21" in memo
    assert "| Datum | 2026-04-01 |" in memo


@pytest.mark.usefixtures("clean_env")
def test_the_cli_writes_the_memo_as_markdown_and_as_word(
    chat: Chat, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared(chat)
    assert chat(f"godkänn {REF}").ok
    monkeypatch.setenv("SAMVERKAN_DATABASE_URL", chat.settings.database_url)
    monkeypatch.setenv("SAMVERKAN_OFFICIALS", "U0KARIN:kontaktperson,anna.berg@malmo.se:samordnare")
    code, out, _ = run(capsys, "memo", REF)
    assert code == 0
    assert "| Handläggare | Karin Holm, Stadsutvecklare |" in out
    target = tmp_path / "memo.docx"
    code, out, _ = run(capsys, "memo", REF, "--docx", str(target))
    assert code == 0
    assert str(target) in out
    document = docx.Document(str(target))
    assert any(p.text == "Ekonomiska konsekvenser" for p in document.paragraphs)
    code, _, err = run(capsys, "memo", "SAM-2026-0099")
    assert code != 0
    assert "SAM-2026-0099" in err


def test_the_word_memo_masks_identity_numbers_and_drops_control_characters(chat: Chat) -> None:
    chat.apply()
    assert chat(f"ändra {REF} titel=Trygghet för 19811218-9876 \u202e\x07nu").ok
    data = memo_docx(chat.engine, chat.settings, REF, now=chat.clock[0])
    document = docx.Document(BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Trygghet för 19811218-" in text  # the project's title is there …
    assert "9876" not in text  # … with the number masked
    assert "\u202e" not in text
