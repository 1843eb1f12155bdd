"""``samverkan reminders`` and ``samverkan deadlines check``: what falls due, and the policy."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from samverkan.bot.cli.base import database, fail, load_settings, print_json
from samverkan.bot.cli.swedish import SwedishCommand, group

deadlines_app = group("Fristpolicyn: när påminnelserna infaller.")


@deadlines_app.command("check", cls=SwedishCommand)
def deadlines_check(
    file: Annotated[Path, typer.Argument(metavar="FIL", help="Fristfilen att kontrollera (TOML).")],
) -> None:
    """Kontrollera en fristfil och skriv ut dess frister; ett fel anges med radnummer."""
    from samverkan.rules.deadline_policy import DeadlinePolicyError, describe_policy, load_policy

    try:
        policy = load_policy(file)
    except DeadlinePolicyError as exc:
        fail(str(exc))
    sys.stdout.write(describe_policy(policy) + "\n")


def reminders(
    as_json: Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")] = False,
) -> None:
    """Kommande påminnelser: när, vilket ärende, varför."""
    from samverkan.bot.context import REMINDER_LABELS
    from samverkan.storage import reminders as store
    from samverkan.storage.db import session_scope

    settings = load_settings()
    zone = ZoneInfo(settings.timezone)
    with database(settings) as engine, session_scope(engine) as session:
        pending = store.pending_reminders(session, limit=None)
    items = [
        {
            "ref": r.ref,
            "kind": r.kind,
            "label": REMINDER_LABELS.get(r.kind, r.kind),
            "due_at": r.due_at.isoformat(),
            "reason": r.note or "",
            "policy": r.policy,
        }
        for r in pending
    ]
    if as_json:
        print_json(items)
        return
    if not items:
        sys.stdout.write("Inga väntande påminnelser.\n")
    for item in items:
        local = datetime.fromisoformat(str(item["due_at"])).astimezone(zone)
        sys.stdout.write(
            f"{local:%Y-%m-%d %H:%M}  {item['ref']}  {item['label']}: {item['reason']}\n"
        )
