"""``samverkan memo``: the draft committee memo of one case, as Markdown or a Word file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from samverkan.bot.cli.base import database, load_settings
from samverkan.clock import utc_now


def memo(
    ref: Annotated[str, typer.Argument(metavar="REF", help="Ärendets referens.")],
    docx: Annotated[
        Path | None,
        typer.Option("--docx", metavar="FIL", help="Skriv tjänsteskrivelsen som Word-fil (.docx)."),
    ] = None,
) -> None:
    """Skriv ut utkastet till tjänsteskrivelse för ett ärende (Markdown, eller Word med --docx)."""
    from samverkan.bot.cli.base import fail, say
    from samverkan.bot.memo import memo_docx, memo_markdown

    settings = load_settings()
    with database(settings) as engine:
        if docx is None:
            sys.stdout.write(memo_markdown(engine, settings, ref, now=utc_now()))
            return
        data = memo_docx(engine, settings, ref, now=utc_now())
    try:
        docx.write_bytes(data)
    except OSError as exc:
        fail(f"Kunde inte skriva {docx}: {exc.strerror or exc}.")
    say(f"Tjänsteskrivelsen är sparad som {docx}.")
