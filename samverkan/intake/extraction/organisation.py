"""The applicant organisation: from a form field, from prose, from the signature.

Writers name their organisation in many ways: a field ("Sökande: …"), a subject
("Nydala IF, org.nr …, söker …"), "Vi i Brf Kastanjen", "Jag driver Café X (enskild firma …)",
"On behalf of the X (ekonomisk förening, org. no. …)", a name in brackets after a description
("Vi är en ideell förening i Kroksbäck (Kroksbäcks Ungdomsförening)"), or only a signature line
("Fastighetsbolaget X AB | Org.nr …"). Rules, in order of strength:

* a name written right before an organisation number is the applicant's;
* a legal form, a prefix such as Brf, or a word ending in -förening/-förbund marks a name as an
  organisation's; a title before it ("Ordförande", "CFO") and a legal form in brackets
  after it ("(ideell förening)") are not part of it;
* words are compared with and without å/ä/ö.
"""

from __future__ import annotations

import re

from samverkan.intake.extraction.form import Field
from samverkan.intake.extraction.text import fold

__all__ = ["clean_org", "looks_like_org", "organisation"]


_SPACE = re.compile(r"\s+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_GREETING = re.compile(r"^(?:hej|hejsan|hello|hi|dear|tack|mvh)\b", re.IGNORECASE)
_ORG_LEGAL_END = re.compile(
    r"(?:\s(?:AB|HB|KB|BID|IF|IK|FF|BK|IFK|AIK|SK)|\sek\.\s?för\.?|\sekonomisk förening"
    r"|\sideell förening|\s\(ideell förening\))$"
)
_ORG_PREFIX = re.compile(
    r"^(?:Brf|BRF|HSB|Föreningen|Foreningen|Stiftelsen|BID|Ideella föreningen|Fastighets AB"
    r"|Café|Kafé|Restaurang|Hyresgästföreningen)\s"
)
_ORG_WORD = re.compile(
    r"(?:forening|foreningen|forbund|forbundet|stiftelsen?|byalag|byalaget|natverket|natverk"
    r"|network|association|society|samverkan|forum|kooperativ|klubb|klubben|club|\wkaren"
    r"|sallskap|sallskapet|gille|gillet)$"
)
_NOT_ORG = re.compile(
    r"^(?:Malmö stad|Malmö kommun|Tekniska nämnden|Fastighets- och gatukontoret|Stadskontoret)\b"
)
# A leading title or role in a signature line: "Ordförande Bunkeflostrands IF".
_TITLE = re.compile(
    r"^(?:ordförande|kassör|sekreterare|styrelseledamot|verksamhetsledare|projektledare|"
    r"förvaltare|områdeschef|vd|chair|chairman|ceo|cfo|coordinator|manager|property manager)"
    r"\b[\s,:|]*",
    re.IGNORECASE,
)
_BRACKETED_FORM = re.compile(
    r"\s*\((?:ideell|ekonomisk|enskild|registrerad)\s+(?:förening|firma)[^)]*\)", re.IGNORECASE
)
_JOIN = r"(?:i|på|och|för|av|&|de|the|of|and)"
# A name starts at a word's start: without the look-behind, every letter of one long word is a
# start to try, and a 50,000-letter word takes quadratic time.
_ORG_NAME = (
    r"(?<![\w&'’.-])[A-ZÅÄÖ][\w&'’.-]*(?:\s(?:ek\.\s?för\.|[A-ZÅÄÖ0-9&][\w&'’-]*|" + _JOIN + r"|"
    r"\w+(?:förening|föreningen|forening|foreningen|förbund|nätverk|natverk)"
    r"|ideell förening|ekonomisk förening)){0,6}"
)
_ORGNR_AFTER = (
    r"\s*(?:,|\()\s*(?:org(?:anisations)?\.?\s?(?:nr|nummer|no)\b|orgnr|organisationsnummer)"
)
_STRONG = (
    # "Café Lilla Möllan (enskild firma, organisationsnummer …)", "X, org.nr …", "X (org.nr …)"
    re.compile(
        rf"(?P<org>{_ORG_NAME})(?:\s*\((?:enskild|ideell|ekonomisk)[^),]*,?)?{_ORGNR_AFTER}"
    ),
    re.compile(rf"\b(?:[Jj]ag|[Vv]i) driver (?P<org>{_ORG_NAME})"),
    re.compile(rf"\b(?:on behalf of|på uppdrag av) (?:the )?(?P<org>{_ORG_NAME})"),
    re.compile(rf"\((?P<org>{_ORG_NAME})\)"),
)
_ORG_PROSE = (
    re.compile(
        r"\b(?:[Vv]i är|[Vv]i representerar|[Ww]e are) (?P<org>[A-ZÅÄÖ][\w&.'’\- ]{1,60}?)"
        r"(?:,| –| -| som | och | \(|(?<!ek)(?<!för)\.(?=\s|$)|$)",
        re.MULTILINE,
    ),
    re.compile(
        r"(?:^|\.\s+)(?P<org>[A-ZÅÄÖ][\w&.'’\- ]{1,60}?) är en (?:ideell|ekonomisk|lokal)\b",
        re.MULTILINE,
    ),
    re.compile(
        r"\b[Aa]nsökan från (?P<org>[A-ZÅÄÖ][\w&.'’\- ]{1,60}?)(?:,|\.|$| om )", re.MULTILINE
    ),
)
_ORG_WE_IN = re.compile(rf"\b[Vv]i (?:på|i|från) (?P<org>{_ORG_NAME})")
_ORG_SUBJECT = re.compile(
    rf"^(?P<org>{_ORG_NAME})(?P<clause>\s*\([^)\n]{{0,60}}\)|,[^,\n]{{0,60}},)?\s+"
    r"(?:söker|ansöker|vill|representerar|samlar|är|äger|driver|har|arbetar|består|önskar"
    r"|would like|applies|is applying|wants)\b",
    re.MULTILINE,
)
_SIGNATURE_JUNK = re.compile(r"@|https?://|www\.|\d{3}")
_NOT_A_NAME_START = frozenset({"En", "Ett", "Vi", "Jag", "Det", "Den", "We", "I", "The", "Our"})


def looks_like_org(name: str) -> bool:
    """True when the name carries an organisation's mark (legal form, prefix, -förening)."""
    words = name.split()
    if not 1 <= len(words) <= 7 or not name[:1].isupper() or _NOT_ORG.match(name):
        return False
    return bool(
        _ORG_PREFIX.match(name)
        or _ORG_LEGAL_END.search(" " + name)
        or any(_ORG_WORD.search(fold(w.lower())) for w in words)
    )


def clean_org(value: str) -> str | None:
    """The name alone: no org.nr after it, no title before it, no bracketed legal form."""
    org = _SPACE.sub(" ", value)
    org = re.split(r",?\s*\(?\s*(?i:org\.?\s?(?:nr|no)|organisationsnummer)", org)[0]
    org = _BRACKETED_FORM.sub("", org)
    org = _TITLE.sub("", org.strip())
    org = org.strip(" ,;:-–\"'|")
    if not org or len(org) > 80 or _NOT_ORG.match(org) or _EMAIL.search(org):
        return None
    return org


def organisation(
    fields: dict[str, Field], text: str, signature: str, sender_name: str | None
) -> tuple[str, str] | None:
    """The applicant organisation with the words it was read from."""
    if "organisation" in fields:
        org = clean_org(fields["organisation"].value.splitlines()[0])
        if org:
            return org, fields["organisation"].line
    return (
        _strong(text)
        or _org_in_prose(text)
        or _org_in_lines(signature, pieces=True)
        or _strong(signature)
        or _org_in_lines(text, pieces=False)
        or _org_from_display(sender_name)
    )


def _acceptable(org: str | None) -> bool:
    if not org:
        return False
    return not _GREETING.match(org) and org.split()[0] not in _NOT_A_NAME_START


def _strong(text: str) -> tuple[str, str] | None:
    for index, pattern in enumerate(_STRONG):
        for match in pattern.finditer(text):
            org = clean_org(_trim_org(match.group("org")) if index else match.group("org"))
            if not _acceptable(org) or org is None:
                continue
            if index == 0 or looks_like_org(org):
                return org, match.group(0).strip()
    return None


def _org_in_prose(text: str) -> tuple[str, str] | None:
    for pattern in _ORG_PROSE:
        for match in pattern.finditer(text):
            org = clean_org(match.group("org"))
            if org and _acceptable(org):
                return org, match.group(0).strip()
    for match in _ORG_WE_IN.finditer(text):
        org = clean_org(_trim_org(match.group("org")))
        if org and looks_like_org(org):
            return org, match.group(0).strip()
    for match in _ORG_SUBJECT.finditer(text):
        org = clean_org(match.group("org"))
        clause = match.group("clause") or ""
        if org and _acceptable(org) and (looks_like_org(org) or re.search(r"\d{6}", clause)):
            return org, match.group(0).strip()
    return None


def _trim_org(name: str) -> str:
    """Cut "Brf Kastanjen på Kastanjegården" at the first lower-case joining word."""
    return re.split(r"\s(?:i|på|och|and|the)\s", name, maxsplit=1)[0]


def _org_in_lines(source: str, *, pieces: bool) -> tuple[str, str] | None:
    for line in source.splitlines():
        parts = [p.strip() for p in re.split(r"[,|]", line)] if pieces else [line.strip()]
        for part in parts:
            bare = _TITLE.sub("", part)
            if looks_like_org(bare) and not _SIGNATURE_JUNK.search(bare):
                org = clean_org(bare)
                if org:
                    return org, line.strip()
    return None


def _org_from_display(sender_name: str | None) -> tuple[str, str] | None:
    if sender_name and looks_like_org(sender_name.strip()):
        org = clean_org(sender_name)
        if org:
            return org, f"Från: {sender_name}"
    return None
