"""Slack's mention, link and entity syntax becomes canonical chat text in the Slack adapter."""

from __future__ import annotations

import pytest

from samverkan.bot.commands import Assign, Invalid, parse
from samverkan.bot.slack_text import canonical_text

REF = "SAM-2026-0001"


@pytest.mark.parametrize(
    ("slack", "command"),
    [
        ("tilldela SAM-2026-0001 <@U0KARIN>", Assign(REF, "U0KARIN")),
        ("assign SAM-2026-0001 <@U0KARIN|karin>", Assign(REF, "U0KARIN")),
        ("tilldela SAM-2026-0001 <mailto:anna@malmo.se|anna@malmo.se>",
         Assign(REF, "anna@malmo.se")),
    ],
)  # fmt: skip
def test_slack_mentions_and_mailto_links_reach_the_core_as_ids(slack: str, command: Assign) -> None:
    assert parse(canonical_text(slack)) == command


def test_the_core_itself_does_not_read_slack_syntax() -> None:
    assert isinstance(parse("tilldela SAM-2026-0001 <@U0KARIN>"), Invalid)


@pytest.mark.parametrize(
    ("slack", "canonical"),
    [
        ("ändra SAM-2026-0001 epost=<mailto:Lina@Seved.example|Lina@Seved.example>",
         "ändra SAM-2026-0001 epost=Lina@Seved.example"),
        ("komplettera SAM-2026-0001 se <https://malmo.se/stod|malmo.se/stod>",
         "komplettera SAM-2026-0001 se https://malmo.se/stod"),
        ("komplettera SAM-2026-0001 budget &amp; tidplan &lt;2 sidor&gt;",
         "komplettera SAM-2026-0001 budget & tidplan <2 sidor>"),
        ("ny Trygghet; kontakt=<#C0SAM|samverkan> <!here>",
         "ny Trygghet; kontakt=#samverkan @here"),
        ("visa SAM-2026-0001", "visa SAM-2026-0001"),
    ],
)  # fmt: skip
def test_links_channels_and_entities_become_plain_text(slack: str, canonical: str) -> None:
    assert canonical_text(slack) == canonical
