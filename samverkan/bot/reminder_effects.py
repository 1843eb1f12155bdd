"""What a reminder does when it falls due: the e-mail and notices it queues, by kind.

Called by the tick inside the transaction that claimed the reminder, so its effects are
queued exactly when the claim commits. Notices of kind ``reminder`` reach the officials'
channels and the case's contact person directly; ``deadline`` notices the channels; the
assessment deadline goes to the coordinators. A reminder acted on more than an hour after it
fell due (the service was down) says so.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from samverkan.bot.deadlines import policy_of
from samverkan.config import Settings
from samverkan.intake.chat_answers import ChatThread, answer_row
from samverkan.intake.outbox import email_row, notice_row
from samverkan.rules.deadline_policy import LABELS
from samverkan.rules.deadlines import MEASUREMENT_KINDS, is_late
from samverkan.storage.outbox import AUDIENCE
from samverkan.storage.reminders import DueReminder

__all__ = ["act"]

MEASUREMENT_LABELS = {"resultatmatning": "resultatmätning", "effektmatning": "effektmätning"}


def _mail(
    rows: list[dict[str, Any]], due: DueReminder, settings: Settings, template: str,
    now: datetime, thread: ChatThread | None, **context: object,
) -> bool:  # fmt: skip
    """Write to the applicant: by e-mail, or in the chat thread of a case that came by Slack
    or Teams without an address; False when there is nowhere to write."""
    context = {
        "ref": due.ref,
        "contact_name": due.contact_name,
        "contact_address": settings.contact_address,
        **context,
    }
    if not due.applicant_email:
        if thread is None:
            return False
        rows.append(answer_row(thread, case_id=due.case_id, template=template,
                               context=context, kind=due.kind, now=now))  # fmt: skip
        return True
    _, row = email_row(
        case_id=due.case_id,
        tag=due.ref,
        template=template,
        context=context,
        sender=settings.contact_address,
        to=due.applicant_email,
        kind=due.kind,
        now=now,
    )
    rows.append(row)
    return True


def act(
    rows: list[dict[str, Any]],
    due: DueReminder,
    settings: Settings,
    zone: tzinfo,
    now: datetime,
    *,
    number: str,
    thread: ChatThread | None = None,
) -> str:
    """Add the outbox rows of what ``due`` does to ``rows`` (the tick writes a batch's rows
    at once, in the claim's transaction); returns the tick's line for it. ``number`` is the
    case's registration number, which every letter shows; ``thread`` where a chat-born case
    without an e-mail address is answered."""
    local = due.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    late = f" (försenad: skulle ha kommit {local})" if is_late(due.due_at, now) else ""
    label = LABELS.get(due.kind) or MEASUREMENT_LABELS.get(due.kind.removesuffix("_paminnelse"))

    def mail(template: str, **context: object) -> bool:
        return _mail(rows, due, settings, template, now, thread, diarienummer=number, **context)

    def notice(text: str, kind: str = "reminder", audience: str | None = None) -> None:
        row = notice_row(case_id=due.case_id, text=text + late, kind=kind, now=now)
        rows.append(row | ({"recipients": f"{AUDIENCE}{audience}"} if audience else {}))

    if due.kind in MEASUREMENT_KINDS:
        what = MEASUREMENT_LABELS[due.kind]
        sent = mail("followup", kind=due.kind, measurement=what)
        notice(f"Påminnelse {due.ref}: dags för {what}"
               + ("" if sent else " (sökanden saknar e-postadress och chattråd)"))  # fmt: skip
        return f"{due.ref}: {what} begärd av sökanden"
    if due.kind.removesuffix("_paminnelse") in MEASUREMENT_KINDS:
        what = MEASUREMENT_LABELS[due.kind.removesuffix("_paminnelse")]
        sent = mail("followup_paminnelse", measurement=what)
        notice(f"Påminnelse {due.ref}: ingen {what} har kommit in"
               + ("; sökanden har fått en påminnelse" if sent else ""))  # fmt: skip
        return f"{due.ref}: påminnelse om {what} köad"
    if due.kind == "mote":
        mail("mote_paminnelse", when=(due.note or "").removeprefix(
            "möte med aktörerna "))  # fmt: skip
        notice(f"Påminnelse {due.ref}: {due.note or 'möte'}")
    elif due.kind == "komplettering":
        days = policy_of(settings).offset("komplettering").amount
        sent = mail("komplettering_paminnelse", days=days)
        notice(f"Påminnelse {due.ref}: begäran om komplettering är obesvarad efter {days} dagar"
               + ("; sökanden har fått en påminnelse" if sent else ""))  # fmt: skip
    elif due.kind == "komplettering_avsluta":
        days = policy_of(settings).offset("komplettering_avsluta").amount
        notice(f"{due.ref}: begäran om komplettering har varit obesvarad i {days} dagar. "
               f"Ska ärendet avslutas? Skriv: avsluta {due.ref} skäl")  # fmt: skip
    elif due.kind == "tilldelning":
        notice(f"{due.ref} har ingen kontaktperson ännu. Tilldela med: tilldela {due.ref} @vem",
               kind="deadline")  # fmt: skip
    elif due.kind == "bedomning":
        notice(f"{due.ref} är inte bedömt inom fristen. Ta upp det med: bedöm {due.ref}",
               audience="samordnare")  # fmt: skip
    else:
        notice(f"Påminnelse {due.ref}: {due.note or label or due.kind} ({local})")
    return f"{due.ref}: påminnelse {label or due.kind} köad ({local})"
