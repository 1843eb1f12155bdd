"""Reply -> Block Kit: what Slack would show, and that actor text cannot become markup."""

from __future__ import annotations

import json
from typing import Any

from samverkan.bot.reply import (
    Actions,
    Attachment,
    Button,
    Fact,
    FactList,
    ReplyStatus,
    Text,
    actor,
    paragraph,
    reply,
)
from samverkan.bot.slack_render import (
    MAX_BLOCKS,
    MAX_SECTION,
    action_id_of,
    escape,
    escape_actor,
    read_action_id,
    render,
    render_notice,
)

HOSTILE = "<!channel> *bold* <https://evil.example|Malmö stad> <@U0BOSS> @here ```kod``` _i_ ~s~"
ZWSP = "\u200b"


def visible(text: str) -> str:
    """What a reader sees: Slack decodes the three entities; zero-width spaces are invisible."""
    return text.replace(ZWSP, "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mrkdwn_objects(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return found


def test_actor_text_keeps_its_characters_but_loses_its_power() -> None:
    safe = escape_actor(HOSTILE)
    assert "<" not in safe
    assert ">" not in safe.replace("&gt;", "")
    assert "&lt;!channel&gt;" in safe
    assert "&lt;https://evil.example|Malmö stad&gt;" in safe
    assert "&lt;@U0BOSS&gt;" in safe
    for markup in ("*bold*", "```", "_i_", "~s~", "@here"):
        assert markup not in safe, markup
    assert visible(safe) == HOSTILE  # nothing the actor wrote is lost or changed


def test_ordinary_words_addresses_and_quotes_survive_escaping() -> None:
    assert escape_actor("lina_ek@seved.example, 5*3 kr") == "lina_ek@seved.example, 5*3 kr"
    assert escape_actor("Malmö & Co") == "Malmö &amp; Co"
    assert escape_actor("rad\x07ett\x1b[31m") == "radett[31m"  # control characters dropped
    quoted = escape_actor("> citat som ser ut som vårt")
    assert not quoted.startswith("&gt;")  # Slack would show a block quote
    assert visible(quoted) == "> citat som ser ut som vårt"


def test_our_own_text_is_escaped_but_keeps_its_formatting() -> None:
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    message = render(
        reply(
            ReplyStatus.OK,
            FactList((Fact("Fas", Text("bedömning")),), title="Ärende"),
        )
    )
    (section,) = message.blocks
    assert section["text"]["text"] == "*Ärende*\n• *Fas:* bedömning"


def test_every_text_from_a_reply_is_verbatim_and_defused() -> None:
    answer = reply(
        ReplyStatus.OK,
        paragraph("SAM-2026-0001 – ", actor(HOSTILE)),
        FactList((Fact("Sökande", actor(HOSTILE)), Fact("Fas", Text("inkommen")))),
    )
    message = render(answer)
    texts = mrkdwn_objects(message.blocks)
    assert len(texts) == 2
    assert all(t["verbatim"] is True for t in texts)
    dumped = json.dumps(message.blocks, ensure_ascii=False) + message.text
    for danger in ("<!channel>", "<https://", "<@U0BOSS>", "*bold*", "@here"):
        assert danger not in dumped, danger
    assert visible(texts[0]["text"]) == f"SAM-2026-0001 – {HOSTILE}"
    assert "*Fas:* inkommen" in texts[1]["text"]
    assert visible(message.text) == f"SAM-2026-0001 – {HOSTILE}"


def test_buttons_carry_the_chat_command_and_say_whether_it_can_run_as_is() -> None:
    answer = reply(
        ReplyStatus.OK,
        Actions(
            (
                Button("Godkänn", "godkann", "SAM-2026-0001", "godkänn SAM-2026-0001",
                       style="primary"),
                Button("Boka möte", "mote", "SAM-2026-0001",
                       "möte SAM-2026-0001 ÅÅÅÅ-MM-DD TT:MM", needs_input=True),
            )
        ),
    )  # fmt: skip
    (actions,) = render(answer).blocks
    approve, meeting = actions["elements"]
    assert approve["action_id"] == "samverkan:run:godkann"
    assert approve["value"] == "godkänn SAM-2026-0001"
    assert approve["style"] == "primary"
    assert approve["text"] == {"type": "plain_text", "text": "Godkänn"}
    assert "confirm" in approve  # a change asks "are you sure" first
    assert meeting["action_id"] == "samverkan:ask:mote"
    assert meeting["value"] == "möte SAM-2026-0001 ÅÅÅÅ-MM-DD TT:MM"
    assert "confirm" not in meeting


def test_action_ids_round_trip_and_foreign_ones_are_not_ours() -> None:
    button = Button("Avslå", "avsla", "SAM-2026-0001", "avslå SAM-2026-0001 skäl", True)
    assert read_action_id(action_id_of(button)) == ("ask", "avsla")
    assert read_action_id("samverkan:run:godkann") == ("run", "godkann")
    for foreign in ("approve", "samverkan:", "samverkan:delete:x", "samverkan:run:", "x:run:y"):
        assert read_action_id(foreign) is None, foreign


def test_a_long_reply_is_cut_to_what_slack_accepts() -> None:
    facts = tuple(Fact(f"Rad {i}", actor("&" * 400)) for i in range(300))
    many = reply(ReplyStatus.OK, *(paragraph(f"stycke {i}") for i in range(80)), FactList(facts))
    message = render(many)
    assert len(message.blocks) == MAX_BLOCKS
    assert "förkortat" in message.blocks[-1]["text"]["text"]
    huge = render(reply(ReplyStatus.OK, paragraph(actor("<" * 5000))))
    (section,) = huge.blocks
    text = section["text"]["text"]
    assert len(text) <= MAX_SECTION
    assert text.endswith("&lt;…")  # never cut inside an entity
    assert all(len(b["text"]["text"]) <= MAX_SECTION for b in message.blocks)


def test_a_refusal_says_so_in_the_notification_text() -> None:
    message = render(reply(ReplyStatus.REFUSED, paragraph("Du är inte registrerad.")))
    assert message.text == "Nekat: Du är inte registrerad."


def test_files_travel_with_the_message_untouched() -> None:
    memo = Attachment("tjansteskrivelse-SAM-2026-0001.md", "text/markdown", "# <!channel>", "T")
    message = render(reply(ReplyStatus.OK, paragraph("ok"), attachments=(memo,)))
    assert message.files == (memo,)  # a file is not mrkdwn: Slack shows it as it is


def test_a_notice_is_escaped_as_a_whole() -> None:
    message = render_notice(f"Nytt ärende SAM-2026-0001: {HOSTILE}")
    (section,) = message.blocks
    assert section["text"]["verbatim"] is True
    assert section["text"]["text"] == message.text
    assert "<!channel>" not in message.text
    assert "*bold*" not in message.text
    assert visible(message.text) == f"Nytt ärende SAM-2026-0001: {HOSTILE}"
