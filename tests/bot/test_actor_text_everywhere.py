"""One ``clean_actor_text`` for every channel: the same hostile words, shown by each renderer.

An applicant's text carries a right-to-left override (it makes ``moc.live//:sptth`` read as
``https://evil.com``), an isolate, a bell and an escape sequence. Slack, Teams, the console,
e-mail in text and HTML, and the committee memo must all show the visible words without them.
"""

from __future__ import annotations

import json

import pytest

from samverkan.bot.reply import Reply, ReplyStatus, Text, paragraph, reply, to_plain_text
from samverkan.bot.slack_render import render, render_notice
from samverkan.bot.teams_render import render_reply
from samverkan.render import render_email
from samverkan.rules.text import clean_actor_text

HOSTILE = "Lina \u202emoc.live//:sptth\u202c Ek\u2066 \x07\x1b[2J"
INVISIBLE = ("\u202e", "\u202c", "\u2066", "\x07", "\x1b")
VISIBLE = "Lina moc.live//:sptth Ek [2J"


def hostile_reply() -> Reply:
    return reply(ReplyStatus.OK, paragraph("Kontakt: ", Text(HOSTILE, from_actor=True)))


def test_clean_actor_text_keeps_words_lines_and_tabs_and_drops_the_invisible() -> None:
    assert clean_actor_text(HOSTILE) == VISIBLE
    assert clean_actor_text("rad ett\nrad\ttvå – åäö") == "rad ett\nrad\ttvå – åäö"
    for mark in ("\u061c", "\u200e", "\u200f", "\u202a", "\u202b", "\u202d", "\u2067", "\u2069"):
        assert clean_actor_text(f"a{mark}b") == "ab"


def _slack(answer: Reply) -> str:
    message = render(answer)
    return json.dumps({"text": message.text, "blocks": message.blocks}, ensure_ascii=False)


def _teams(answer: Reply) -> str:
    message = render_reply(answer)
    return json.dumps({"cards": message.cards, "text": message.fallback_text}, ensure_ascii=False)


@pytest.mark.parametrize(
    "channel",
    [_slack, _teams, to_plain_text],
    ids=["slack", "teams", "console"],
)
def test_every_chat_renderer_drops_control_and_bidi_characters(channel: object) -> None:
    assert callable(channel)
    shown = channel(hostile_reply())
    assert "moc.live//:sptth" in shown
    for mark in INVISIBLE:
        assert mark not in shown, repr(mark)


def test_a_slack_notice_drops_them_too() -> None:
    message = render_notice(f"Nytt ärende från {HOSTILE}")
    everything = json.dumps(message.blocks, ensure_ascii=False) + message.text
    assert "moc.live//:sptth" in everything
    for mark in INVISIBLE:
        assert mark not in everything, repr(mark)


def test_e_mail_in_text_and_html_and_its_subject_drop_them() -> None:
    mail = render_email(
        "ack",
        ref="SAM-2026-0001",
        diarienummer="TN-2026-0001",
        contact_name=HOSTILE,
        area=f"Seved{HOSTILE}",
        missing=[f"Budget {HOSTILE}"],
        not_eligible=False,
        contact_address="samverkan@malmo.example",
    )
    assert mail.html is not None
    for shown in (mail.subject, mail.text, mail.html):
        for mark in INVISIBLE:
            assert mark not in shown, repr(mark)
    assert "Lina moc.live//:sptth Ek" in mail.text
    assert "Lina moc.live//:sptth Ek" in mail.html
    assert "<li>Budget Lina" in mail.html  # the template's own markup is untouched
