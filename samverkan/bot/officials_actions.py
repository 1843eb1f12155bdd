"""``handläggare …`` and ``nämnd …``: the officials' registry and the committee's calendar
from chat, through the same storage functions as ``samverkan officials`` and ``samverkan
committee``. Anyone registered may list; only a coordinator changes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from samverkan.bot import deadlines
from samverkan.bot.commands import Calendar, Officials
from samverkan.bot.context import CommandContext, Refused
from samverkan.bot.reply import Fact, FactList, Reply, ReplyStatus, Text, actor, paragraph, reply
from samverkan.rules.committee import CalendarError, CommitteeMeeting
from samverkan.rules.officials import ROLE_LABELS, Official
from samverkan.rules.phases import Role
from samverkan.storage import committee, officials
from samverkan.storage.officials import OfficialChange, RegistryError

__all__ = ["calendar_command", "official_command"]


def _coordinator_only(ctx: CommandContext, what: str) -> None:
    if ctx.role is not Role.SAMORDNARE:
        raise Refused(f"Endast en samordnare kan {what}.")


def _line(official: Official) -> Fact:
    ids = ", ".join(official.ids)
    return Fact(ROLE_LABELS[official.role], actor(f"{official.display} ({ids})"))


def official_command(
    command: Officials, ctx: CommandContext, session: Session, now: datetime
) -> Reply:
    officials.seed(session, ctx.settings.officials, now=now)
    if command.action == "list":
        found = officials.list_officials(session)
        if not found:
            return reply(ReplyStatus.OK, paragraph("Inga handläggare är registrerade."))
        return reply(ReplyStatus.OK, FactList(tuple(map(_line, found)), title="Handläggare:"))
    _coordinator_only(ctx, "ändra i handläggarregistret")
    who = command.who or ""
    change = OfficialChange(
        role=command.role, name=command.name, title=command.title, email=command.email
    )
    try:
        if command.action == "add":
            official, new = officials.register(session, who, change, by=ctx.who, now=now)
            what = "är registrerad" if new else "är ändrad"
        elif command.action == "change":
            official, what = (
                officials.update(session, who, change, by=ctx.who, now=now),
                "är ändrad",
            )
        else:
            official = officials.remove(session, who, by=ctx.who, now=now)
            what = "är borttagen (namnet står kvar i det hen har gjort)"
    except RegistryError as exc:
        raise Refused(str(exc)) from exc
    return reply(
        ReplyStatus.OK,
        paragraph(
            actor(official.display),
            f" ({ROLE_LABELS[official.role]}, {', '.join(official.ids)}) {what}.",
        ),
    )


def _meeting_line(meeting: CommitteeMeeting) -> Fact:
    return Fact(
        f"{meeting.on:%Y-%m-%d}",
        Text(f"sista dag för tjänsteskrivelser {meeting.memo_deadline:%Y-%m-%d}"),
    )


def calendar_command(
    command: Calendar, ctx: CommandContext, session: Session, now: datetime
) -> Reply:
    today = now.astimezone(ctx.zone).date()
    if command.action == "list":
        found = committee.meetings(session, from_day=today)
        if not found:
            return reply(ReplyStatus.OK, paragraph("Inga kommande sammanträden i kalendern."))
        lines = tuple(map(_meeting_line, found))
        return reply(ReplyStatus.OK, FactList(lines, title="Tekniska nämndens sammanträden:"))
    _coordinator_only(ctx, "ändra nämndens sammanträden")
    on = command.on or today  # the reader always gives a day for add and remove
    if command.action == "add":
        try:
            meeting = CommitteeMeeting(on=on, memo_deadline=command.memo_deadline or on)
        except CalendarError as exc:
            raise Refused(str(exc)) from exc
        _, created = committee.add_meeting(session, meeting, by=ctx.who, now=now)
        verb = "tillagt" if created else "ändrat"
        text = (
            f"Sammanträdet {on:%Y-%m-%d} är {verb}; sista dag för tjänsteskrivelser "
            f"{meeting.memo_deadline:%Y-%m-%d}."
        )
    else:
        if not committee.remove_meeting(session, on):
            raise Refused(f"Det finns inget sammanträde {on:%Y-%m-%d} i kalendern.")
        text = f"Sammanträdet {on:%Y-%m-%d} är borttaget ur kalendern."
    session.flush()
    deadlines.sync(session, committee.cases_before_committee(session), ctx.settings, now)
    return reply(ReplyStatus.OK, paragraph(text))
