"""``samverkan memo``: the draft committee memo of one case."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from samverkan.bot.cli.base import database, load_settings, now_utc


def memo(
    ref: Annotated[str, typer.Argument(metavar="REF", help="Ärendets referens.")],
) -> None:
    """Skriv ut utkastet till tjänsteskrivelse för ett ärende (Markdown)."""
    from samverkan.bot.memo import memo_markdown

    settings = load_settings()
    with database(settings) as engine:
        text = memo_markdown(engine, settings, ref, today=now_utc().date())
    sys.stdout.write(text)
