"""Telling what a sender wrote now from what they quoted, forwarded or always sign with.

An actor who answers a request for more information usually top-posts above the whole earlier
thread; extraction must judge only the new words, or the city's own question would be read back
as the actor's answer. The detector knows the markers Swedish and English clients write:
Outlook's ``Från: … Skickat: … Till: … Ämne:`` block, Gmail's and Apple Mail's
``Den 3 mars 2026 kl. 10:12 skrev Anna <a@b.se>:``, ``>`` lines, ``-----Ursprungligt
meddelande-----`` and the forward separators. Signatures start at ``-- `` or at a closing such as
``Med vänliga hälsningar``; they are kept apart (not thrown away) because the name and phone
number in them help extraction.

Everything works line by line in one pass with anchored, bounded patterns, so cost stays linear
in the size of the text whatever a sender throws at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

__all__ = [
    "InlineForward",
    "ReplySplit",
    "is_forward_subject",
    "split_reply",
    "strip_subject_prefixes",
]

_SUBJECT_PREFIX = re.compile(
    r"\s*(?:re|sv|vb|fw|fwd|aw|wg|tr|vs|antw|rif|r)\s?(?:\[\d{1,4}\]|\(\d{1,4}\))?\s?[:：]\s*",
    re.IGNORECASE,
)
_FORWARD_PREFIX = re.compile(r"\s*(?:vb|fw|fwd|wg|tr|vs)\s?[:：]", re.IGNORECASE)

# "Från:" header lines of an Outlook-style quoted or forwarded message, optionally bold ("*").
_HEADER_LINE = re.compile(
    r"\*{0,2}(från|from|skickat|sent|datum|date|till|to|kopia|cc|ämne|subject|"
    r"von|gesendet|an|betreff)\*{0,2}\s?:\*{0,2}(?:\s|$)",
    re.IGNORECASE,
)
_FROM_LABELS = frozenset({"från", "from", "von"})
_SUBJECT_LABELS = frozenset({"ämne", "subject", "betreff"})
_DATE_LABELS = frozenset({"skickat", "sent", "datum", "date", "gesendet"})
_TO_LABELS = frozenset({"till", "to", "an"})

_ORIGINAL_MARKERS = frozenset(
    {
        "ursprungligt meddelande",
        "original message",
        "originalmeddelande",
        "ursprüngliche nachricht",
    }
)
_FORWARD_MARKERS = frozenset(
    {
        "vidarebefordrat meddelande",
        "vidarebefordrat brev",
        "forwarded message",
        "begin forwarded message:",
        "början på vidarebefordrat meddelande:",
        "början av vidarebefordrat meddelande:",
        "vidarebefordrat meddelande:",
        "weitergeleitete nachricht",
    }
)
# "Den 3 mars 2026 kl. 10:12 skrev Anna <a@b.se>:", "On Tue, 3 Mar 2026 … wrote:".
# The verb may come last (English) or before the name (Swedish "skrev Anna <a@b.se>:"); an
# address or a clock time tells an attribution from a sentence like "som Karin skrev:".
_ATTRIBUTION_VERB = re.compile(r"\b(?:skrev|wrote|schrieb)\b", re.IGNORECASE)
_ATTRIBUTION_EVIDENCE = re.compile(r"@|\b\d{1,2}[:.]\d{2}\b")
_MAX_ATTRIBUTION = 300

_WRITTEN_CLOSINGS = (
    "med vänliga hälsningar",
    "med vänlig hälsning",
    "vänliga hälsningar",
    "vänlig hälsning",
    "bästa hälsningar",
    "varma hälsningar",
    "hälsningar",
    "hälsning",
    "mvh",
    "m.v.h.",
    "vh",
    "best regards",
    "kind regards",
    "warm regards",
    "regards",
    "sincerely",
    "yours sincerely",
    "mit freundlichen grüßen",
    "best wishes",
    "cheers",
    "allt gott",
)
_CLOSINGS: tuple[str, ...] = tuple(
    dict.fromkeys(c.translate(str.maketrans("åäöü", "aaou")) for c in _WRITTEN_CLOSINGS)
)
_DEVICE_SIGNATURES = (
    "skickat från min",
    "sent from my",
    "skickat från outlook",
    "hämta outlook för",
    "get outlook for",
)
_MAX_CLOSING_TAIL = 40


@dataclass(frozen=True)
class InlineForward:
    """A message forwarded inline (in the body, not as an attachment)."""

    sender_name: str | None
    sender_addr: str | None
    subject: str | None
    date_text: str | None
    text: str


@dataclass(frozen=True)
class ReplySplit:
    """A body cut into what the sender wrote now, their signature, and what they quoted."""

    new_text: str
    signature: str
    quoted_text: str
    forwards: tuple[InlineForward, ...]


def strip_subject_prefixes(subject: str) -> str:
    """``"SV: VB: Re[2]: Ansökan"`` -> ``"Ansökan"``: the subject a thread started with."""
    position = 0
    while True:
        match = _SUBJECT_PREFIX.match(subject, position)
        if match is None or match.end() == position:
            return subject[position:].strip()
        position = match.end()


def is_forward_subject(subject: str) -> bool:
    """True when the outermost prefix says the message was forwarded (VB:, Fwd:, ...)."""
    return _FORWARD_PREFIX.match(subject) is not None


def _header_label(line: str) -> str | None:
    match = _HEADER_LINE.match(line)
    return match.group(1).lower() if match else None


def _is_header_block(lines: list[str], start: int) -> bool:
    """An Outlook-style block: Från/From followed closely by at least two other header lines."""
    if _header_label(lines[start].lstrip()) not in _FROM_LABELS:
        return False
    seen: set[str] = set()
    for line in lines[start + 1 : start + 8]:
        label = _header_label(line.lstrip())
        if label is None:
            if line.strip():
                continue  # a wrapped recipient list
            if seen:
                break
            continue
        if label in _DATE_LABELS:
            seen.add("date")
        elif label in _SUBJECT_LABELS:
            seen.add("subject")
        elif label in _TO_LABELS:
            seen.add("to")
    return len(seen) >= 2


def _separator_kind(line: str) -> str | None:
    """``"original"`` / ``"forward"`` for a separator line, else None."""
    stripped = line.strip()
    if not stripped or len(stripped) > 80:
        return None
    core = stripped.strip("-_=* ").lower()
    if core in _ORIGINAL_MARKERS:
        return "original"
    if core in _FORWARD_MARKERS:
        return "forward"
    return None


def _attribution_length(lines: list[str], index: int, end: int | None = None) -> int:
    """How many lines (1-3) form an attribution starting at ``index``; 0 when it is none."""
    end = len(lines) if end is None else end
    joined = ""
    for count in range(1, 4):
        if index + count > end:
            return 0
        line = lines[index + count - 1].strip()
        if not line or line.startswith(">"):
            return 0
        joined = f"{joined} {line}".strip()
        if len(joined) > _MAX_ATTRIBUTION:
            return 0
        if joined.endswith(":") and _ATTRIBUTION_VERB.search(joined):
            if not _ATTRIBUTION_EVIDENCE.search(joined):
                return 0
            if count > 1 and _attribution_length(lines, index + 1, index + count):
                return 0  # the attribution starts further down; this line is the sender's
            return count
    return 0


def _is_quote_line(line: str) -> bool:
    return line.lstrip(" ").startswith(">")


def _next_content(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _find_cut(lines: list[str], forward: bool) -> tuple[int, int, bool]:
    """Scan once for the first hard cut: (line, first line after marker, is_forward).

    Attribution lines directly followed by ``>`` lines are soft (handled by dropping quote
    lines) and do not cut, so a bottom-posted reply below a quote survives.
    """
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or _is_quote_line(line):
            continue
        kind = _separator_kind(stripped)
        if kind is not None:
            return index, index + 1, kind == "forward"
        if _is_header_block(lines, index):
            underscored = index > 0 and lines[index - 1].strip().strip("_") == ""
            start = index - 1 if underscored and lines[index - 1].strip() else index
            return start, index, forward
        length = _attribution_length(lines, index) if len(stripped) < _MAX_ATTRIBUTION else 0
        if length:
            after = _next_content(lines, index + length)
            if after < len(lines) and _is_quote_line(lines[after]):
                continue
            return index, index + length, False
    return len(lines), len(lines), False


def _parse_forward(lines: list[str]) -> InlineForward:
    """Read the header lines at the top of a forwarded block, the rest is its text."""
    index = _next_content(lines, 0)
    fields: dict[str, str] = {}
    while index < len(lines):
        line = lines[index].strip()
        if not line:
            if fields:
                break
            index += 1
            continue
        match = _HEADER_LINE.match(line)
        if match is None:
            if not fields:
                break
            index += 1  # continuation of a long recipient list
            continue
        label = match.group(1).lower()
        value = line[match.end() :].strip().strip("*").strip()
        if label in _FROM_LABELS:
            fields.setdefault("from", value)
        elif label in _SUBJECT_LABELS:
            fields.setdefault("subject", value)
        elif label in _DATE_LABELS:
            fields.setdefault("date", value)
        index += 1
    sender = fields.get("from", "")
    if "[mailto:" in sender:  # Outlook: "Name [mailto:addr]"
        name, _, rest = sender.partition("[mailto:")
        addr = rest.partition("]")[0]
    else:
        name, addr = parseaddr(sender)
    return InlineForward(
        sender_name=name.strip().strip('"') or None,
        sender_addr=addr.strip().lower() if "@" in addr else None,
        subject=fields.get("subject") or None,
        date_text=fields.get("date") or None,
        text="\n".join(lines[index:]).strip(),
    )


_PLAIN = str.maketrans("åäöü", "aaou")


def _is_closing(line: str) -> bool:
    """A closing line, also written without å/ä/ö ("Halsningar", "Med vanlig halsning")."""
    lowered = line.strip().lower().translate(_PLAIN)
    if not lowered or len(lowered) > len("mit freundlichen grüßen") + _MAX_CLOSING_TAIL:
        return False
    for closing in _CLOSINGS:
        if lowered.startswith(closing):
            tail = lowered[len(closing) :]
            if not tail or tail.strip(" ,.!/-") == "":
                return True
            if tail[0] in " ,/" and len(tail) <= _MAX_CLOSING_TAIL and "." not in tail:
                return True
    return False


def _signature_start(lines: list[str]) -> int:
    """Index where the signature begins: first ``-- `` delimiter or the last closing line."""
    start = len(lines)
    for index, line in enumerate(lines):
        if line.rstrip() == "--" or line == "-- ":
            start = index
            break
    for index in range(min(start, len(lines)) - 1, 0, -1):
        line = lines[index]
        lowered = line.strip().lower()
        if _is_closing(line) or lowered.startswith(_DEVICE_SIGNATURES):
            return index
    return start


def split_reply(text: str, *, forward: bool = False) -> ReplySplit:
    """Separate the new text from quotes, forwards and the signature.

    ``forward`` says the subject marks a forward (VB:/Fwd:), so an Outlook header block starts
    a forwarded message rather than a quoted one.
    """
    lines = text.split("\n")
    cut, after_marker, is_forward = _find_cut(lines, forward)
    head = lines[:cut]
    tail = lines[after_marker:]

    own: list[str] = []
    quoted: list[str] = []
    index = 0
    while index < len(head):
        line = head[index]
        if _is_quote_line(line):
            quoted.append(line)
            index += 1
            continue
        length = _attribution_length(head, index) if line.strip() else 0
        if length:
            quoted.extend(head[index : index + length])
            index += length
            continue
        own.append(line)
        index += 1
    while own and own[-1].strip().strip("_") == "":
        own.pop()

    sig_at = _signature_start(own)
    body = "\n".join(own[:sig_at]).strip()
    signature = "\n".join(own[sig_at:]).strip()
    if signature.startswith("--"):
        signature = signature[2:].lstrip()

    forwards: tuple[InlineForward, ...] = ()
    if is_forward and cut < len(lines):
        forwards = (_parse_forward(tail),)
    quoted_text = "\n".join([*quoted, *lines[cut:]]).strip()
    return ReplySplit(
        new_text=body, signature=signature, quoted_text=quoted_text, forwards=forwards
    )
