"""What a reply to an open case says beyond new facts: a withdrawal, a new contact person.

A reply is read with the same extractor as an application, but two things differ. The person
who writes back is not always the contact person any more: a reply that names a new one
(``Från 1 april är Jonas Berg kontaktperson``) changes the contact, and a reply that does not
leaves the contact alone even when someone else signs it. And a reply may withdraw the
application; only an official changes a case, so the withdrawal is put to the contact person
with the command that confirms it (a From header is easy to forge).

Pure: text in, facts out. The words are matched with and without å, ä and ö.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from samverkan.intake.extraction.extract import normalise_phone
from samverkan.rules.model import Application, Found, Provenance

__all__ = ["DeclaredContact", "declared_contact", "reply_update", "withdrawal_sentence"]


def fold(text: str) -> str:
    """Lower case without diacritics, so `återkallar` and `aterkallar` read alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


_PIECE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-*•])")

_WITHDRAW = re.compile(
    r"\b(?:dra(?:r|git|)\s+(?:\w+\s+){0,2}tillbaka\s+(?:\w+\s+){0,2}ansokan"
    r"|dra(?:r|git|)\s+(?:\w+\s+){0,2}ansokan\s+tillbaka"
    r"|aterkalla(?:r|de|t)?\s+(?:\w+\s+){0,2}ansokan"
    r"|aterta(?:r|git)?\s+(?:\w+\s+){0,2}ansokan"
    r"|avbryt(?:er)?\s+(?:\w+\s+){0,2}ansokan"
    r"|stryk\w*\s+(?:\w+\s+){0,2}ansokan"
    r"|drar\s+oss\s+ur"
    r"|inte\s+(?:langre\s+)?(?:ga|gar)\s+vidare\s+med\s+(?:\w+\s+){0,2}ansokan"
    r"|withdraw(?:s|ing|n)?\s+(?:\w+\s+){0,2}application"
    r"|cancel(?:s|ling|led)?\s+(?:\w+\s+){0,2}application"
    r"|no\s+longer\s+(?:wish|want)\s+to\s+(?:pursue|proceed))"
)
_NEGATED = re.compile(r"\b(?:inte|ej|icke|not|don't|do not)\s+(?:\w+\s+){0,1}$")


def withdrawal_sentence(text: str) -> str | None:
    """The sentence in which the writer withdraws the application, or None.

    A negated withdrawal (`vi drar inte tillbaka ansökan`) and a question about one
    (`kan vi dra tillbaka ansökan?`) are not withdrawals.
    """
    for piece in _PIECE.split(text):
        folded = " ".join(fold(piece).split())
        match = _WITHDRAW.search(folded)
        if match is None or folded.rstrip().endswith("?"):
            continue
        before = folded[: match.start()]
        words = match.group(0).split()
        if _NEGATED.search(before) or any(w in ("inte", "ej", "not") for w in words[1:]):
            continue
        return " ".join(piece.split())
    return None


@dataclass(frozen=True)
class DeclaredContact:
    """A contact person a reply names in place of the one the case has."""

    name: str
    email: str | None
    phone: str | None
    evidence: str


_CONTACT_CUE = re.compile(
    r"\b(?:ny\s+kontaktperson|kontaktperson(?:en)?\s+(?:ar|blir|kommer\s+att\s+vara)"
    r"|(?:ar|blir)\s+(?:\w+\s+){0,3}kontaktperson|tar\s+over\s+(?:som\s+)?kontakt"
    r"|kontakta\s+(?:\w+\s+){0,3}i\s*stallet|kontaktperson\s*:"
    r"|new\s+contact(?:\s+person)?|contact\s+person\s+(?:is|will\s+be)"
    r"|(?:is|will\s+be)\s+(?:\w+\s+){0,3}contact\s+person|takes?\s+over\s+as\s+contact)"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME = re.compile(
    r"\b([A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?"
    r"(?:\s+[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?){1,2})\b"
)
_NOT_NAME_WORDS = {
    "hej",
    "hallo",
    "mvh",
    "med",
    "vanliga",
    "halsningar",
    "tack",
    "fran",
    "och",
    "den",
    "det",
    "vi",
    "jag",
    "hon",
    "han",
    "ansokan",
    "kontaktperson",
    "malmo",
    "stad",
    "hi",
    "hello",
    "regards",
    "best",
    "kind",
    "thanks",
    "from",
    "the",
    "our",
    "new",
    "contact",
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
}
_PHONE = re.compile(r"(?:\+46|0046|0)[\d\s-]{6,14}\d")


def declared_contact(text: str, *, sender_addr: str | None = None) -> DeclaredContact | None:
    """The new contact person a reply names, or None when it names none.

    The name is the one next to the new address when there is one (`Jonas Berg,
    jonas.berg@…`), else the capitalised name in the sentence that names the change.
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not _CONTACT_CUE.search(" ".join(fold(line).split())):
            continue
        window = "\n".join(lines[max(0, i - 1) : i + 3])
        emails = [e for e in _EMAIL.findall(window) if e.lower() != (sender_addr or "")]
        names = [n for n in _NAME.findall(window) if _is_name(n)]
        if not names:
            continue
        email = emails[0].lower() if emails else None
        name = _name_for(email, names) if email else names[0]
        phone_match = _PHONE.search(window)
        phone = normalise_phone(phone_match.group(0)) if phone_match else None
        return DeclaredContact(name, email, phone, " ".join(line.split()))
    return None


def _is_name(candidate: str) -> bool:
    return not any(fold(word) in _NOT_NAME_WORDS for word in candidate.split())


def _name_for(email: str, names: list[str]) -> str:
    """The name whose words the address is made of (jonas.berg@ -> Jonas Berg), if any."""
    local = fold(email.split("@", 1)[0])
    for name in names:
        if all(fold(word) in local for word in name.split()):
            return name
    return names[0]


def reply_update(
    case: Application, reply: Application, *, text: str, sender: str | None
) -> Application:
    """The application after a reply: its new facts win, the contact only changes on purpose.

    The extractor reads a reply's signature as the contact, which is right for an application
    and wrong for a reply that someone else signs; so the contact fields of a reply only fill
    what the case lacks, unless the reply names a new contact person.
    """
    contact = declared_contact(text, sender_addr=sender)
    name = case.contact_name or reply.contact_name
    email = case.email or reply.email
    phone = case.phone or reply.phone
    evidence = dict(reply.evidence)
    if contact is not None:
        name, email, phone = contact.name, contact.email or email, contact.phone or phone
        evidence["contact_name"] = contact.evidence
    elif case.contact_name:
        evidence.pop("contact_name", None)
    read = {k: v for k, v in reply.provenance.items() if k != "title"}
    merged = case.merged_with(replace(reply, title=None, evidence=evidence, provenance=read))
    found = dict(merged.provenance)
    for key, kept in (("contact_name", name), ("email", email), ("phone", phone)):
        if contact is not None and key == "contact_name":
            found[key] = Provenance(Found.PROSE, 0.85)  # the reply names its contact person
        elif kept is not None and kept == getattr(case, key) and key in case.provenance:
            found[key] = case.provenance[key]
    return replace(merged, contact_name=name, email=email, phone=phone, provenance=found)
