"""The one dispatch: every platform's text runs the same core, and the reply says who sees it."""

from __future__ import annotations

import pytest

from samverkan.bot.dispatch import Dispatcher, Platform, needs_identity
from samverkan.bot.reply import Audience, ReplyStatus
from tests.helpers.chat import ANNA, KARIN, REF, STRANGER, Chat, snapshot


@pytest.fixture
def dispatcher(chat: Chat) -> Dispatcher:
    return Dispatcher(chat.engine, chat.settings, chat.intake, lambda: chat.clock[0])


@pytest.mark.parametrize("platform", list(Platform))
def test_reads_are_for_the_asker_and_a_change_that_worked_for_the_channel(
    chat: Chat, dispatcher: Dispatcher, platform: Platform
) -> None:
    chat.apply()
    for read in ("hjälp", f"visa {REF}", "lista", "påminnelser", "statistik", "flytta x"):
        assert dispatcher.dispatch(read, KARIN, platform).audience is Audience.ASKER, read
    changed = dispatcher.dispatch(f"komplettera {REF} budget tack", KARIN, platform)
    assert changed.status is ReplyStatus.OK
    assert changed.audience is Audience.CHANNEL
    assert chat.case()["phase"] == "komplettering"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_a_refused_or_mistaken_change_is_for_the_asker_alone_and_changes_nothing(
    chat: Chat, dispatcher: Dispatcher
) -> None:
    chat.apply()
    before = snapshot(chat.engine)
    refused = dispatcher.dispatch(f"godkänn {REF}", STRANGER, Platform.SLACK)
    assert (refused.status, refused.audience) == (ReplyStatus.REFUSED, Audience.ASKER)
    wrong = dispatcher.dispatch(f"möte {REF} i morgon", KARIN, Platform.TEAMS)
    assert (wrong.status, wrong.audience) == (ReplyStatus.USAGE, Audience.ASKER)
    nobody = dispatcher.dispatch(f"visa {REF}", None, Platform.CLI)
    assert nobody.status is ReplyStatus.REFUSED
    assert snapshot(chat.engine) == before


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # not about the database
def test_canonical_mentions_work_from_every_platform(chat: Chat, dispatcher: Dispatcher) -> None:
    chat.apply()
    assert dispatcher.dispatch(f"tilldela {REF} @{KARIN}", ANNA, Platform.SLACK).ok
    assert chat.case()["assigned_to"] == KARIN
    assert dispatcher.dispatch(f"tilldela {REF} {ANNA}", ANNA, Platform.TEAMS).ok
    assert chat.case()["assigned_to"] == ANNA


def test_only_open_commands_need_no_identity() -> None:
    assert not needs_identity("hjälp")
    assert not needs_identity("help godkänn")
    assert not needs_identity("flytta SAM-2026-0001")  # a mistake is answered to anyone
    assert needs_identity("lista")
    assert needs_identity(f"visa {REF}")
