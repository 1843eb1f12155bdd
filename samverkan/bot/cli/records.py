"""``samverkan postlista``, ``gallra`` and ``export``: the registrar's public-records commands.

The command line loads this module only when one of these commands runs; the heavier
modules each command needs are imported inside it.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

from samverkan.bot.cli import EXIT_USAGE
from samverkan.bot.cli.base import database, fail, load_settings
from samverkan.clock import utc_now


class ListFormat(StrEnum):
    CSV = "csv"
    HTML = "html"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' är inget datum (ÅÅÅÅ-MM-DD)") from None


def postlista(
    start: Annotated[
        str, typer.Option("--from", metavar="DATUM", help="Första dagen (ÅÅÅÅ-MM-DD).")
    ],
    end: Annotated[str, typer.Option("--to", metavar="DATUM", help="Sista dagen (ÅÅÅÅ-MM-DD).")],
    fmt: Annotated[ListFormat, typer.Option("--format", help="csv eller html.")] = ListFormat.CSV,
) -> None:
    """Postlistan: de registrerade handlingarna under en period, som de får publiceras."""
    from samverkan.bot.postlista import postlista_csv, postlista_entries, postlista_html

    first, last = _day(start), _day(end)
    if last < first:
        fail("--to ligger före --from.", EXIT_USAGE)
    settings = load_settings()
    with database(settings) as engine:
        entries = postlista_entries(engine, settings, first, last, now=utc_now())
    if fmt is ListFormat.HTML:
        sys.stdout.write(postlista_html(entries, first, last))
    else:
        sys.stdout.write(postlista_csv(entries))


def gallra(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Visa vad som skulle gallras; ändra ingenting.")
    ] = False,
    show_log: Annotated[bool, typer.Option("--log", help="Visa gallringsloggen.")] = False,
    now: Annotated[
        str | None,
        typer.Option(
            "--now", metavar="TIDPUNKT", help="Tidpunkt (ISO 8601) att gallra som; standard nu."
        ),
    ] = None,
) -> None:
    """Gallra enligt gallringsplanen och skriv gallringsloggen (--dry-run: bara visa)."""
    from samverkan.bot.cli.service import parse_moment
    from samverkan.bot.gallring import retention_plan, run_disposal
    from samverkan.rules.retention_plan import RetentionError
    from samverkan.storage.db import session_scope
    from samverkan.storage.disposal import disposal_log

    settings = load_settings()
    try:
        plan = retention_plan(settings)
    except RetentionError as exc:
        fail(str(exc))
    with database(settings) as engine:
        if show_log:
            with session_scope(engine) as session:
                for item in disposal_log(session):
                    sys.stdout.write(
                        f"{item.at:%Y-%m-%d %H:%M} {item.plan}/{item.rule}: {item.what}\n"
                    )
            return
        at = parse_moment(now, settings.timezone) if now else utc_now()
        lines = run_disposal(engine, settings, at, dry_run=dry_run)
    for line in lines:
        sys.stdout.write(line[0].upper() + line[1:] + "\n")
    verb = "Skulle gallras" if dry_run else "Gallrat"
    sys.stdout.write(f"{verb}: {len(lines)} enligt gallringsplan {plan.id}.\n")
