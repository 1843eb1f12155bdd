"""``samverkan export``: the export tables as CSV files or one Excel workbook (openpyxl).

CSV files are semicolon-separated UTF-8 with a byte-order mark, which is how Excel in a
Swedish locale opens them without garbling å, ä and ö; the workbook has one sheet per table
with real dates and numbers, the header row frozen and bold.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from samverkan.storage.exports import Table

__all__ = ["CSV_NAMES", "write_csv", "write_xlsx"]

CSV_NAMES = {"Ärenden": "arenden.csv", "Beslut": "beslut.csv", "Uppföljning": "uppfoljning.csv"}


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(tables: list[Table], folder: Path) -> list[Path]:
    """One file per table in ``folder`` (created if missing); returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = folder / CSV_NAMES.get(table.name, f"{table.name.lower()}.csv")
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(table.header)
            writer.writerows([_cell(v) for v in row] for row in table.rows)
        written.append(path)
    return written


def write_xlsx(tables: list[Table], path: Path) -> Path:
    """One workbook, a sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active) if book.active is not None else None
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.header))
        for row in table.rows:
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column, title in enumerate(table.header, start=1):
            width = max([len(title), *(len(_cell(r[column - 1])) for r in table.rows)])
            sheet.column_dimensions[sheet.cell(1, column).column_letter].width = min(60, width + 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
