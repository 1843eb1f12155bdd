"""One parsed message to one :class:`Application`: choose the words, then read them.

The single entry point the pipeline calls, so which words count as the application (the
sender's own, or a message they forwarded) is decided in one place, and tested without a
database.
"""

from __future__ import annotations

from dataclasses import replace

from samverkan.intake.extraction.extract import extract, person_in_signature
from samverkan.intake.extraction.orgnr import find_orgnr
from samverkan.intake.reading.forwarded import ApplicationSource, application_source
from samverkan.intake.reading.parse import ParsedMessage
from samverkan.rules.gazetteer import Gazetteer
from samverkan.rules.model import Application, Found, Provenance

__all__ = ["application_text", "extract_message"]


def application_text(msg: ParsedMessage, *, own_address: str | None = None) -> str:
    """The text that would be read as the application (empty: nothing to read)."""
    return application_source(msg, own_address=own_address).text


def extract_message(
    msg: ParsedMessage, *, gazetteer: Gazetteer | None = None, own_address: str | None = None
) -> Application:
    """Read one message as an application (or as the facts a reply adds)."""
    source = application_source(msg, own_address=own_address)
    app = extract(
        source.text,
        subject=source.subject,
        sender_name=source.sender_name,
        sender_addr=source.sender_addr,
        signature=source.signature,
        gazetteer=gazetteer,
        written=msg.date.date() if msg.date else None,
    )
    if source.forwarded_by is None:
        return app
    signed = f"{source.forwarder_signature}\n{source.forwarder_note}"
    if app.orgnr is None and (number := find_orgnr(signed)):
        # The forwarder signs for the same organisation: its number is the applicant's.
        evidence = {**app.evidence, "orgnr": number.words, "orgnr_valid": number.words}
        signed_by = Provenance(Found.SIGNATURE, 0.75)
        found = {**app.provenance, "orgnr": signed_by, "orgnr_valid": signed_by}
        app = replace(
            app,
            orgnr=number.formatted,
            orgnr_valid=number.valid,
            evidence=evidence,
            provenance=found,
        )
    if source.forwarder_is_contact:
        return _forwarder_as_contact(app, source)
    return app


def _forwarder_as_contact(app: Application, source: ApplicationSource) -> Application:
    """The forwarder said they are the contact person: their name and address win."""
    name, addr = source.forwarded_by or (None, None)
    signed = person_in_signature(source.forwarder_signature, source.forwarder_note)
    evidence = dict(app.evidence)
    found = dict(app.provenance)
    changes: dict[str, str] = {}
    if signed or name:
        changes["contact_name"] = signed or name or ""
        evidence["contact_name"] = source.forwarder_note[:500]
        found["contact_name"] = Provenance(Found.PROSE, 0.85)  # they said so themselves
    if addr:
        changes["email"] = addr
        evidence["email"] = f"Från: {addr}"
        found["email"] = Provenance(Found.HEADER, 0.9)
    return replace(app, **changes, evidence=evidence, provenance=found)  # type: ignore[arg-type]
