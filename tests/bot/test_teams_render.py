"""Reply -> Adaptive Card: structure, buttons, files and the escaping Teams needs (SPEC §5)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from samverkan.bot.actions import help_reply
from samverkan.bot.reply import (
    Actions,
    Attachment,
    Button,
    Fact,
    FactList,
    Reply,
    ReplyStatus,
    Text,
    paragraph,
    reply,
)
from samverkan.bot.teams_render import (
    CARD_CONTENT_TYPE,
    MAX_FILE_CHARS,
    escape_markdown,
    render_reply,
)

SPECIAL = set("\\`*_{}[]()<>#+|~!&=")


def unescape(markdown: str) -> str:
    """What a CommonMark renderer shows for backslash escapes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def body(answer: Reply) -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = render_reply(answer).cards[0]["body"]
    return elements


# -- escaping ----------------------------------------------------------------------------------


@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80))
def test_escaped_text_shows_exactly_the_text_and_leaves_no_markup_character_bare(
    text: str,
) -> None:
    plain = text.replace("\r\n", "\n")
    escaped = escape_markdown(plain)
    assert unescape(escaped) == plain
    for match in re.finditer(r"(\\*)([\\`*_{}\[\]()<>#+|~!&=])", escaped):
        backslashes, char = match.groups()
        if char != "\\":
            assert len(backslashes) % 2 == 1, escaped


def test_links_mentions_and_emphasis_become_literal_text() -> None:
    escaped = escape_markdown("[Malmö stad](https://evil.example) <at>Alla</at> **fet** _kursiv_")
    assert escaped == (
        r"\[Malmö stad\]\(https://evil.example\) \<at\>Alla\</at\> \*\*fet\*\* \_kursiv\_"
    )


def test_a_line_that_would_start_a_list_or_heading_does_not() -> None:
    assert escape_markdown("- punkt\n12. punkt\n# rubrik\n> citat") == (
        "\\- punkt\n12\\. punkt\n\\# rubrik\n\\> citat"
    )


def test_ordinary_swedish_text_is_left_readable() -> None:
    text = "SAM-2026-0001 – 350 000 kr, Norra Sofielund: bedömning."
    assert escape_markdown(text) == text


def test_actor_text_loses_control_and_bidi_characters_our_text_is_kept() -> None:
    answer = reply(
        ReplyStatus.OK,
        paragraph("Titel: ", Text("moc.live\u202e//:sptth\x07 ok", from_actor=True)),
    )
    [block] = body(answer)
    assert block["text"] == "Titel: moc.live//:sptth ok"


def test_date_substitution_braces_are_broken_up() -> None:
    answer = reply(
        ReplyStatus.OK, paragraph(Text("{{DATE(2026-01-01T00:00:00Z, SHORT)}}", from_actor=True))
    )
    assert "{{" not in body(answer)[0]["text"]


# -- structure ----------------------------------------------------------------------------------


def test_paragraphs_and_fact_lists_become_text_blocks_and_fact_sets() -> None:
    answer = reply(
        ReplyStatus.OK,
        paragraph("Första raden\nandra raden"),
        FactList(
            (Fact("Fas", Text("bedömning")), Fact("Område", Text("", from_actor=True))),
            title="Ärende",
        ),
    )
    first, title, facts = body(answer)
    assert first == {"type": "TextBlock", "text": "Första raden  \nandra raden", "wrap": True}
    assert title["text"] == "Ärende"
    assert title["weight"] == "Bolder"
    assert facts == {
        "type": "FactSet",
        "facts": [{"title": "Fas", "value": "bedömning"}, {"title": "Område", "value": "–"}],
    }


def test_buttons_submit_their_command_and_input_buttons_open_a_command_form() -> None:
    answer = reply(
        ReplyStatus.OK,
        Actions(
            (
                Button("Godkänn", "godkann", "SAM-2026-0001", "godkänn SAM-2026-0001",
                       style="primary"),
                Button("Avslå", "avsla", "SAM-2026-0001", "avslå SAM-2026-0001 skäl",
                       needs_input=True, style="danger"),
            )
        ),
    )  # fmt: skip
    [action_set] = body(answer)
    approve, reject = action_set["actions"]
    assert approve == {
        "type": "Action.Submit",
        "title": "Godkänn",
        "style": "positive",
        "data": {"command": "godkänn SAM-2026-0001"},
    }
    assert reject["type"] == "Action.ShowCard"
    form = reject["card"]
    [field] = [e for e in form["body"] if e["type"] == "Input.Text"]
    assert (field["id"], field["value"]) == ("command", "avslå SAM-2026-0001 skäl")
    assert form["actions"] == [{"type": "Action.Submit", "title": "Skicka", "style": "destructive"}]


def test_a_refusal_is_coloured_as_one() -> None:
    answer = reply(ReplyStatus.REFUSED, paragraph("Du är inte registrerad som handläggare."))
    assert body(answer)[0]["color"] == "Attention"
    assert "color" not in body(reply(ReplyStatus.OK, paragraph("Klart.")))[0]


def test_a_file_becomes_a_second_card_with_its_markdown_verbatim() -> None:
    memo = "# Tjänsteskrivelse\n\n- Sökande: <at>X</at>\n"
    answer = reply(
        ReplyStatus.OK,
        paragraph("Godkänt."),
        attachments=(Attachment("memo.md", "text/markdown", memo, "Tjänsteskrivelse (utkast)"),),
    )
    message = render_reply(answer)
    assert len(message.cards) == 2
    assert [a["contentType"] for a in message.attachments()] == [CARD_CONTENT_TYPE] * 2
    title, _note, content = message.cards[1]["body"]
    assert title["text"] == "Tjänsteskrivelse \\(utkast\\)"
    assert content["fontType"] == "Monospace"
    assert content["text"] == "\\# Tjänsteskrivelse  \n  \n\\- Sökande: \\<at\\>X\\</at\\>"
    assert "Bifogat: Tjänsteskrivelse \\(utkast\\)" in message.fallback_text


def test_a_file_too_long_for_teams_is_cut_with_a_pointer_to_the_cli() -> None:
    long = "rad\n" * (MAX_FILE_CHARS // 2)
    answer = reply(ReplyStatus.OK, attachments=(Attachment("m.md", "text/markdown", long, "M"),))
    memo = render_reply(answer).cards[1]
    assert "samverkan memo" in memo["body"][1]["text"]
    assert len(memo["body"][2]["text"]) < 2 * MAX_FILE_CHARS


def test_the_help_reply_renders_to_a_card_teams_accepts() -> None:
    message = render_reply(help_reply(None, date(2026, 3, 2)))
    size = len(json.dumps(message.attachments(), ensure_ascii=False).encode())
    assert size < 28_000  # Teams' limit for one message
    assert "hjälp" in message.fallback_text
