"""``samverkan person``: a registry extract of one person, and erasure of what may be erased."""

from __future__ import annotations

from typing import Annotated

import typer

from samverkan.bot.cli.base import database, load_settings, print_json, say
from samverkan.bot.cli.swedish import SwedishCommand, group

app = group("Personuppgifter: utdrag och radering.")

Email = Annotated[str, typer.Argument(metavar="E-POST", help="Personens e-postadress.")]


@app.command("export", cls=SwedishCommand)
def person_export(email: Email) -> None:
    """Allt som finns lagrat om en person, som JSON (registerutdrag)."""
    from samverkan.storage.db import session_scope
    from samverkan.storage.people import export_person
    from samverkan.storage.people_officials import official_extract

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        extract = export_person(session, email)
        as_official = official_extract(session, email)
        if as_official:
            extract["as_official"] = as_official
        print_json(extract)


@app.command("erase", cls=SwedishCommand)
def person_erase(email: Email) -> None:
    """Radera det som får raderas; allmänna handlingar i ärenden bevaras enligt arkivlagen."""
    from samverkan.storage.db import session_scope
    from samverkan.storage.people import erase_person
    from samverkan.storage.people_officials import official_kept

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        report = erase_person(session, email)
        report.kept += official_kept(session, email)
    say(
        f"Raderade {report.erased_messages} meddelanden och "
        f"{report.erased_attachments} bilagor som inte hör till något ärende."
    )
    for line in report.kept:
        say(f"Bevaras: {line}")
