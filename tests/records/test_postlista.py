"""The postlista for a year of cases: every registered document, masked as it is published."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from html.parser import HTMLParser

from sqlmodel import Session

from samverkan.bot.postlista import postlista_csv, postlista_entries, postlista_html
from samverkan.storage import cases as case_store
from samverkan.storage.registry import documents_between, set_secrecy
from tests.helpers.chat import Chat
from tests.records.year import PNR, build_year

END = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
FORBIDDEN = ("Olle", "olle", "Lina", "lina", "9876", "765 43 21", "123 45 67", "Rönngatan")


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        self._in_cell = tag in ("td", "th")

    def handle_endtag(self, tag: str) -> None:
        self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.rows[-1].append(data)


def test_the_postlista_lists_every_document_of_the_period_masked(chat: Chat) -> None:
    made = build_year(chat)
    entries = postlista_entries(
        chat.engine, chat.settings, date(2026, 1, 1), date(2026, 12, 31), now=END
    )
    with Session(chat.engine) as session:
        docs = documents_between(
            session, datetime(2025, 12, 31, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        )
    assert [e.number for e in entries] == [d.number for d in docs]
    assert len({e.number for e in entries}) == len(entries)
    text = postlista_csv(entries)
    for word in FORBIDDEN:
        assert word not in text, word
    by_number = {e.number: e for e in entries}
    for case, doc in ((c, d) for c in made for d in docs if d.case_ref == c.ref):
        entry = by_number[doc.number]
        if doc.direction == "upprättad":
            assert entry.counterpart in ("Fastighets- och gatukontoret", "Tekniska nämnden")
        elif case.private:
            assert entry.counterpart == "Privatperson"
        else:
            assert entry.counterpart == "Sevedsföreningen"
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Diarienummer"
    assert len(rows) == len(entries) + 1
    months = {date.fromisoformat(r[1]).month for r in rows[1:]}
    assert months == set(range(1, 13))


def test_a_period_and_a_secret_document(chat: Chat) -> None:
    made = build_year(chat)
    march = next(c for c in made if c.month == 3)
    with Session(chat.engine) as session:
        case = case_store.get_case(session, march.ref)
        assert case.id is not None
        postlista_entries(chat.engine, chat.settings, date(2026, 3, 1), date(2026, 3, 31), now=END)
        set_secrecy(session, case.id, 1, secret=True, by="U0KARIN", now=END)
        session.commit()
    entries = postlista_entries(
        chat.engine, chat.settings, date(2026, 3, 1), date(2026, 3, 31), now=END
    )
    assert entries
    assert {e.day.month for e in entries} == {3}
    secret = [e for e in entries if e.secret]
    assert len(secret) == 1
    assert secret[0].number == "TN-2026-0003:1"
    assert secret[0].subject == "Handling som omfattas av sekretess"
    assert (secret[0].kind, secret[0].counterpart) == ("–", "–")
    assert "Ansökan om samverkansstöd 03" not in postlista_csv(secret)

    html = postlista_html(entries, date(2026, 3, 1), date(2026, 3, 31))
    parser = _Cells()
    parser.feed(html)
    assert len(parser.rows) == len(entries) + 1
    assert parser.rows[1][0] == entries[0].number
    assert PNR not in html
    assert "Olle" not in html
