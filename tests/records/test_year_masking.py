"""A year of cases with the clock set, and every channel text leaves storage by: no
personal identity number comes out whole (chat renderers on every platform, the memo, the
postlista, notices), while the officials still see that one is there. The log formatters are
tested on their own in test_masking.py: the year logs almost nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from samverkan.bot.delivery import Delivery, FakeTransport
from samverkan.bot.memo import memo_markdown
from samverkan.bot.postlista import postlista_csv, postlista_entries, postlista_html
from samverkan.bot.reply import Reply, to_plain_text
from samverkan.bot.slack_render import render as slack_render
from samverkan.bot.teams_render import render_reply as teams_render
from samverkan.bot.tick import run_tick
from samverkan.storage.outbox import Routing
from tests.helpers.chat import Chat
from tests.records.year import PNR, YearCase, build_year

WHOLE = ("9876", "811218-9876", "8112189876")
MASKED = "811218-XXXX"
END = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)


def _rendered(answer: Reply) -> dict[str, str]:
    slack = slack_render(answer)
    return {
        "terminal": to_plain_text(answer),
        "slack": json.dumps(slack.blocks, ensure_ascii=False) + slack.text,
        "teams": json.dumps(teams_render(answer).attachments(), ensure_ascii=False),
    }


def _year(chat: Chat, notices: FakeTransport) -> list[YearCase]:
    """The year, with the number also where officials write (a title, a follow-up); the
    year-end tick delivers every notice to ``notices``."""
    made = build_year(chat)
    private = [c for c in made if c.private]
    chat.clock[0] = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    assert chat(f"ändra {private[0].ref} titel=Gården för {PNR}").ok
    assert chat(f"uppföljning {made[0].ref} resultat 12 vandringar, kontakt {PNR}").ok
    drain = Delivery(
        chat.engine,
        {"slack": notices},
        planner=lambda ns, _: Routing({n.id: ["slack:C1"] for n in ns}),
    )
    run_tick(chat.engine, chat.settings, END, drainer=drain)
    return made


def _leaks(text: str) -> list[str]:
    return [w for w in WHOLE if w in text]


def test_no_identity_number_leaves_by_any_channel_in_a_year(chat: Chat) -> None:
    notices = FakeTransport("slack")
    made = _year(chat, notices)
    private = [c for c in made if c.private]
    assert len(private) == 4
    for case in private:  # what an official reads in chat, on every platform
        for command in (f"visa {case.ref}", f"handlingar {case.ref}"):
            answer = chat(command)
            assert answer.ok, command
            for channel, text in _rendered(answer).items():
                assert _leaks(text) == [], (command, channel)
    titled = to_plain_text(chat(f"visa {private[0].ref}"))
    assert f"Gården för 19{MASKED}" in titled  # masked, not dropped: the official sees it
    for command in ("lista", "statistik", "mina", "påminnelser"):
        for channel, text in _rendered(chat(command)).items():
            assert _leaks(text) == [], (command, channel)

    memo = memo_markdown(chat.engine, chat.settings, private[0].ref, now=END)
    assert _leaks(memo) == []
    assert "Gården för" in memo

    entries = postlista_entries(
        chat.engine, chat.settings, date(2026, 1, 1), date(2026, 12, 31), now=END
    )
    assert {e.number.split(":")[0] for e in entries} >= {f"TN-2026-{m:04d}" for m in range(1, 13)}
    published = postlista_csv(entries) + postlista_html(
        entries, date(2026, 1, 1), date(2026, 12, 31)
    )
    assert _leaks(published) == []
    assert "Olle" not in published

    told = "\n".join(n.text for n in notices.delivered)
    assert "Nytt ärende" in told
    assert _leaks(told) == []
