"""``samverkan export``: cases, decisions and follow-ups for the registrar and the committee."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from samverkan.bot.cli.base import database, load_settings, say


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", metavar="FORMAT", help="csv eller xlsx.")
    ] = ExportFormat.XLSX,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="SÖKVÄG",
            help="Mappen för CSV-filerna, eller arbetsboken; standard arbetskatalogen.",
        ),
    ] = None,
) -> None:
    """Exportera ärenden, beslut och uppföljning som CSV-filer eller en Excel-arbetsbok."""
    from samverkan.bot.exports import write_csv, write_xlsx
    from samverkan.storage.db import session_scope
    from samverkan.storage.exports import export_tables

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        tables = export_tables(session, settings.timezone)
    if fmt is ExportFormat.CSV:
        written = write_csv(tables, out or Path("."))
    else:
        written = [write_xlsx(tables, out or Path("samverkan-export.xlsx"))]
    counts = ", ".join(f"{len(t.rows)} {t.name.lower()}" for t in tables)
    for path in written:
        say(f"Skrev {path}")
    say(f"Exporterade {counts}.")
