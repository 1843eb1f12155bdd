"""``samverkan init``: the database, created or upgraded, and the reference data."""

from __future__ import annotations

from samverkan.bot.cli.base import load_settings, say, storage_errors
from samverkan.clock import utc_now


def init() -> None:
    """Skapa eller uppgradera databasen och läs in referensdata.

    Säkert att köra flera gånger. En SQLite-databas skapas i arbetskatalogen om inte
    SAMVERKAN_DATABASE_URL säger annat; sökvägen skrivs ut.
    """
    from samverkan.storage.db import make_engine, sqlite_file
    from samverkan.storage.setup import initialise

    settings = load_settings()
    with storage_errors():
        engine = make_engine(settings.database_url)
        report = initialise(engine, settings, utc_now())
    path = sqlite_file(settings.database_url)
    where = str(path) if path else engine.url.render_as_string(hide_password=True)
    say(f"Databasen {where} är klar (schema {report.revision}).")
    say(
        f"Referensdata: {report.areas_changed} områden uppdaterade, "
        f"{report.processes_added} samverkansprocesser tillagda."
    )
