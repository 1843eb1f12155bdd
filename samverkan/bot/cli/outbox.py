"""``samverkan outbox``: what is waiting to go out, what went, and what could not be sent."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from samverkan.bot.cli import EXIT_NOT_FOUND, EXIT_USAGE
from samverkan.bot.cli.base import database, fail, load_settings, print_json, say
from samverkan.bot.cli.swedish import SwedishCommand, group

if TYPE_CHECKING:
    from samverkan.storage.outbox_view import OutboxItemView, OutboxLine

app = group(
    "Utkorgen: e-post och notiser som väntar, har skickats eller inte kunde skickas.",
    runs_alone=True,
)

STATE_WORDS = {
    "pending": "väntar",
    "sending": "skickas",
    "sent": "skickat",
    "failed": "misslyckades",
    "folded": "sammanfattat",
}


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "–"


def _row(line: OutboxLine, zone: ZoneInfo) -> str:
    to = f"{line.transport}:{line.to}" if line.channel == "notice" and line.to else line.to
    what = line.subject or line.kind or "–"
    state = STATE_WORDS.get(line.state, line.state)
    if line.state == "pending" and line.attempts:
        state += f" (försök {line.attempts}, nästa {_when(line.next_attempt_at, zone)})"
    return (
        f"{line.id:>6}  {_when(line.queued_at, zone)}  {state:<12} {line.channel:<6} "
        f"{line.ref or '–':<14} {to or '(ej adresserad)'}  {what}"
    )


@app.callback(invoke_without_command=True)
def outbox(
    ctx: typer.Context,
    pending: Annotated[bool, typer.Option("--pending", help="Bara det som väntar.")] = False,
    failed: Annotated[
        bool, typer.Option("--failed", help="Bara det som inte kunde skickas.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Utkorgen: e-post och notiser som väntar, har skickats eller inte kunde skickas."""
    if ctx.invoked_subcommand is not None:
        return
    from samverkan.rules.personal import mask_identity_numbers
    from samverkan.storage.outbox_view import outbox_lines

    states = (*(("pending", "sending") if pending else ()), *(("failed",) if failed else ()))
    settings = load_settings()
    with database(settings) as engine, engine.connect() as conn:
        lines = outbox_lines(conn, states=states)
    if as_json:
        print_json([line.to_dict() for line in lines])
        return
    if not lines:
        say("Utkorgen är tom." if not states else "Inget i utkorgen med det tillståndet.")
        return
    zone = ZoneInfo(settings.timezone)
    for line in lines:
        say(mask_identity_numbers(_row(line, zone)))


def _page(item: OutboxItemView, zone: ZoneInfo) -> str:
    line = item.line
    rows = [
        ("Id", str(line.id)),
        ("Tillstånd", STATE_WORDS.get(line.state, line.state)),
        ("Kanal", line.channel + (f" via {line.transport}" if line.transport else "")),
        ("Till", line.to or "(ej adresserad än)"),
        ("Från", item.sender or "–"),
        ("Ärende", line.ref or "–"),
        ("Slag", line.kind or "–"),
        ("Ämne", line.subject or "–"),
        ("Köad", _when(line.queued_at, zone)),
        ("Försök", str(line.attempts)),
        ("Nästa försök", _when(line.next_attempt_at, zone) if line.state == "pending" else "–"),
        ("Skickad", _when(line.sent_at, zone)),
        ("Senaste fel", line.last_error or "–"),
        ("Message-ID", item.message_id or "–"),
    ]
    width = max(len(k) for k, _ in rows)
    text = "\n".join(f"{k + ':':<{width + 1}} {v}" for k, v in rows)
    return text + "\n\n" + (item.text or "(ingen text)")


@app.command("show", cls=SwedishCommand)
def outbox_show(
    item_id: Annotated[str, typer.Argument(metavar="ID", help="Utkorgens id (första kolumnen).")],
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Visa ett meddelande i utkorgen: mottagare, tillstånd, försök, fel och text."""
    from samverkan.rules.personal import mask_data, mask_identity_numbers
    from samverkan.storage.outbox_view import outbox_item

    if not item_id.isdigit():
        fail(f"'{item_id}' är inget id i utkorgen (ett heltal)", EXIT_USAGE)
    settings = load_settings()
    with database(settings) as engine, engine.connect() as conn:
        item = outbox_item(conn, int(item_id))
    if item is None:
        fail(f"Det finns inget meddelande {item_id} i utkorgen.", EXIT_NOT_FOUND)
    if as_json:
        print_json(mask_data(item.to_dict()))
    else:
        sys.stdout.write(mask_identity_numbers(_page(item, ZoneInfo(settings.timezone))) + "\n")
