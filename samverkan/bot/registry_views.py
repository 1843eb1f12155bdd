"""The registry in chat: ``handlingar REF`` lists a case's registered documents, and
``sekretess REF NR på|av`` marks one secret (the postlista then shows only that it exists).

Both read the case's personal data (who sent what), so both are logged in the audit log, as
``visa`` is. Documents are registered as they arrive or are queued; the case's registry is
brought up to date first all the same, for documents a database from before left unregistered.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from samverkan.bot.commands import Documents, Secrecy
from samverkan.bot.context import CommandContext, Refused, local_time
from samverkan.bot.reply import Fact, FactList, Reply, ReplyStatus, actor, paragraph, reply
from samverkan.rules.postlista import DIRECTION_LABELS
from samverkan.storage import cases as case_store
from samverkan.storage.audit import record_read
from samverkan.storage.registry import (
    DocumentNotFound,
    documents_of,
    register_documents,
    registration_number,
    set_secrecy,
)

__all__ = ["documents_reply", "secrecy_reply"]


def documents_reply(command: Documents, ctx: CommandContext, session: Session) -> Reply:
    now = ctx.clock()
    case = case_store.get_case(session, command.ref)
    register_documents(session, now=now, series=ctx.settings.diarie_series, case_ids=[case.id])
    number = registration_number(session, case, series=ctx.settings.diarie_series)
    record_read(session, case.id, who=ctx.who, command="handlingar", now=now)
    docs = documents_of(session, case.id)
    if not docs:
        return reply(ReplyStatus.OK, paragraph(f"{case.ref} ({number}) har inga handlingar än."))
    facts = tuple(
        Fact(
            f"{d.doc_seq}. {local_time(d.doc_date, ctx)} {DIRECTION_LABELS.get(d.direction, '')}"
            f" {d.kind}{' (sekretess)' if d.secret else ''}",
            actor(f"{d.counterpart or '–'}: {d.subject or '–'}"),
        )
        for d in docs
    )
    return reply(ReplyStatus.OK, FactList(facts, title=f"{case.ref} – diarienummer {number}"))


def secrecy_reply(command: Secrecy, ctx: CommandContext, session: Session, now: datetime) -> Reply:
    case = case_store.get_case(session, command.ref, lock=True)
    register_documents(session, now=now, series=ctx.settings.diarie_series, case_ids=[case.id])
    try:
        doc = set_secrecy(
            session, case.id, command.doc_seq, secret=command.secret, by=ctx.who, now=now
        )
    except DocumentNotFound:
        raise Refused(
            f"{case.ref} har ingen handling nummer {command.doc_seq}. "
            f"Se numren med: handlingar {case.ref}"
        ) from None
    record_read(session, case.id, who=ctx.who, command="sekretess", now=now)
    state = (
        "är nu sekretessmarkerad: postlistan visar bara att den finns"
        if doc.secret
        else "är inte längre sekretessmarkerad"
    )
    return reply(ReplyStatus.OK, paragraph(f"Handling {doc.number} ({doc.kind}) {state}."))
