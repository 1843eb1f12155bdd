"""``samverkan officials …`` and ``samverkan committee …``: the registry and the calendar.

The same storage functions back the chat commands ``handläggare`` and ``nämnd``; here an
operator or registrar keeps them from a terminal. The command line loads this module only
when one of these commands runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlmodel import Session

from samverkan.bot.cli.swedish import SwedishCommand, group
from samverkan.rules.committee import CalendarError, CommitteeMeeting
from samverkan.rules.officials import ROLE_LABELS, Official
from samverkan.rules.phases import Role
from samverkan.storage import committee, officials
from samverkan.storage.db import session_scope
from samverkan.storage.officials import OfficialChange

officials_app = group("Handläggarregistret: namn, titel, roll och id:n.")
committee_app = group("Tekniska nämndens sammanträden.")

CLI_ACTOR = "cli"
"""Who the history names for a change made from the terminal."""

RoleOption = Annotated[str | None, typer.Option("--role", help="kontaktperson eller samordnare.")]
NameOption = Annotated[str | None, typer.Option("--name", help="För- och efternamn.")]
TitleOption = Annotated[str | None, typer.Option("--title", help="Titel, t.ex. stadsutvecklare.")]
EmailOption = Annotated[str | None, typer.Option("--email", help="E-postadress.")]
SlackOption = Annotated[str | None, typer.Option("--slack", help="Slack-användar-id (U…).")]
TeamsOption = Annotated[str | None, typer.Option("--teams", help="Teams/Entra-objekt-id.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Skriv ut som JSON.")]


def _role(value: str | None) -> Role | None:
    if value is None:
        return None
    for role, label in ROLE_LABELS.items():
        if value.strip().lower() in (role.value, label):
            return role
    raise typer.BadParameter(f"okänd roll '{value}' (kontaktperson eller samordnare)")


def official_dict(official: Official) -> dict[str, object]:
    return {
        "id": official.ident,
        "role": official.role.value,
        "name": official.name,
        "title": official.title,
        "email": official.email,
        "slack_id": official.slack_id,
        "teams_id": official.teams_id,
        "active": official.active,
    }


def official_line(official: Official) -> str:
    ids = ", ".join(official.ids)
    gone = "" if official.active else " (borttagen)"
    return f"{official.display} – {ROLE_LABELS[official.role]} – {ids}{gone}"


@officials_app.command("list", cls=SwedishCommand)
def officials_list(
    everyone: Annotated[bool, typer.Option("--all", help="Även borttagna.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Lista handläggarna."""
    from samverkan.bot.cli.base import database, load_settings, print_json, say

    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        officials.seed(session, settings.officials)
        found = officials.list_officials(session, include_removed=everyone)
    if as_json:
        print_json([official_dict(o) for o in found])
        return
    for official in found:
        say(official_line(official))
    if not found:
        say("Inga handläggare registrerade.")


def _change(
    role: str | None,
    name: str | None,
    title: str | None,
    email: str | None,
    slack: str | None,
    teams: str | None,
) -> OfficialChange:
    return OfficialChange(
        role=_role(role), name=name, title=title, email=email, slack_id=slack, teams_id=teams
    )


def _registry_edit(edit: Callable[[Session, datetime], Official]) -> None:
    """Run one registry change in a transaction; a refused change is one line, exit 2."""
    from samverkan.bot.cli import EXIT_USAGE
    from samverkan.bot.cli.base import database, fail, load_settings, say
    from samverkan.clock import utc_now

    settings = load_settings()
    with database(settings) as engine:
        try:
            with session_scope(engine) as session:
                officials.seed(session, settings.officials)
                official = edit(session, utc_now())
        except officials.RegistryError as exc:
            fail(str(exc), EXIT_USAGE)
    say(official_line(official))


@officials_app.command("add", cls=SwedishCommand)
def officials_add(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Id eller e-postadress handläggaren använder.")
    ],
    role: RoleOption = None,
    name: NameOption = None,
    title: TitleOption = None,
    email: EmailOption = None,
    slack: SlackOption = None,
    teams: TeamsOption = None,
) -> None:
    """Lägg till en handläggare (eller ta tillbaka en borttagen)."""
    change = _change(role, name, title, email, slack, teams)
    _registry_edit(
        lambda session, now: officials.register(session, ident, change, by=CLI_ACTOR, now=now)[0]
    )


@officials_app.command("change", cls=SwedishCommand)
def officials_change(
    ident: Annotated[str, typer.Argument(metavar="ID", help="Något av handläggarens id:n.")],
    role: RoleOption = None,
    name: NameOption = None,
    title: TitleOption = None,
    email: EmailOption = None,
    slack: SlackOption = None,
    teams: TeamsOption = None,
) -> None:
    """Ändra namn, titel, roll eller id:n för en handläggare."""
    change = _change(role, name, title, email, slack, teams)
    _registry_edit(
        lambda session, now: officials.update(session, ident, change, by=CLI_ACTOR, now=now)
    )


@officials_app.command("remove", cls=SwedishCommand)
def officials_remove(
    ident: Annotated[str, typer.Argument(metavar="ID", help="Något av handläggarens id:n.")],
) -> None:
    """Ta bort en handläggare (namnet står kvar i det hen har gjort)."""
    _registry_edit(lambda session, now: officials.remove(session, ident, by=CLI_ACTOR, now=now))


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' är inget datum (ÅÅÅÅ-MM-DD)") from None


@committee_app.command("list", cls=SwedishCommand)
def committee_list(
    everything: Annotated[bool, typer.Option("--all", help="Även passerade sammanträden.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Lista nämndens sammanträden och sista dag för tjänsteskrivelser."""
    from samverkan.bot.cli.base import database, load_settings, print_json, say
    from samverkan.clock import utc_now

    settings = load_settings()
    today = utc_now().astimezone(ZoneInfo(settings.timezone)).date()
    with database(settings) as engine, session_scope(engine) as session:
        found = committee.meetings(session, from_day=None if everything else today)
    if as_json:
        print_json(
            [
                {"date": m.on.isoformat(), "memo_deadline": m.memo_deadline.isoformat()}
                for m in found
            ]
        )
        return
    for meeting in found:
        deadline = meeting.memo_deadline
        say(f"{meeting.on:%Y-%m-%d}  sista dag för tjänsteskrivelser {deadline:%Y-%m-%d}")
    if not found:
        say("Inga sammanträden i kalendern.")


@committee_app.command("add", cls=SwedishCommand)
def committee_add(
    day: Annotated[str, typer.Argument(metavar="DATUM", help="Sammanträdets datum, ÅÅÅÅ-MM-DD.")],
    deadline: Annotated[
        str, typer.Option("--memo-deadline", help="Sista dag för tjänsteskrivelser, ÅÅÅÅ-MM-DD.")
    ],
) -> None:
    """Lägg till ett sammanträde (eller flytta sista dagen för ett som finns)."""
    from samverkan.bot.cli import EXIT_USAGE
    from samverkan.bot.cli.base import database, fail, load_settings, say
    from samverkan.clock import utc_now

    try:
        meeting = CommitteeMeeting(on=_day(day), memo_deadline=_day(deadline))
    except CalendarError as exc:
        fail(str(exc), EXIT_USAGE)
    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        _, created = committee.add_meeting(session, meeting, by=CLI_ACTOR, now=utc_now())
    verb = "tillagt" if created else "ändrat"
    say(
        f"Sammanträdet {meeting.on:%Y-%m-%d} är {verb}; sista dag för tjänsteskrivelser "
        f"{meeting.memo_deadline:%Y-%m-%d}."
    )


@committee_app.command("remove", cls=SwedishCommand)
def committee_remove(
    day: Annotated[str, typer.Argument(metavar="DATUM", help="Sammanträdets datum, ÅÅÅÅ-MM-DD.")],
) -> None:
    """Ta bort ett sammanträde ur kalendern."""
    from samverkan.bot.cli import EXIT_NOT_FOUND
    from samverkan.bot.cli.base import database, fail, load_settings, say

    on = _day(day)
    settings = load_settings()
    with database(settings) as engine, session_scope(engine) as session:
        removed = committee.remove_meeting(session, on)
    if not removed:
        fail(f"Det finns inget sammanträde {on:%Y-%m-%d} i kalendern.", EXIT_NOT_FOUND)
    say(f"Sammanträdet {on:%Y-%m-%d} är borttaget ur kalendern.")
