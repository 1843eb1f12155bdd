"""Header values as mail clients really write them: RFC 2047 words, addresses, ids, dates.

Split out of ``parse.py``, which walks the MIME tree; everything here reads one header value
and never raises on a malformed one (``_guard``).
"""

from __future__ import annotations

import binascii
import email.errors
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from typing import TypeVar
from urllib.parse import unquote_to_bytes

from samverkan.intake.reading.attachments import decode_text

_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([QqBb])\?([^?\s]*)\?=")
_FOLD = re.compile(r"\r?\n")
_ADDR_SPEC = re.compile(r"[^\s<>(),;:\"\[\]@]{1,64}@[^\s<>(),;:\"\[\]@]{1,255}")
_ANGLE_ID = re.compile(r"<[^<>\s]{1,900}>")
_T = TypeVar("_T")
_PART_ERRORS = (
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    AttributeError,
    LookupError,
    UnicodeError,
    email.errors.MessageError,
)


def _unfold(value: str) -> str:
    """Undo header folding and repair raw 8-bit bytes (kept by the parser as surrogates)."""
    value = _FOLD.sub("", value)
    if not value.isascii():
        value = decode_text(value.encode("utf-8", "surrogateescape"))
    return value.strip()


def _decode_word(encoding: str, payload: str) -> bytes | None:
    if not payload.isascii():
        return None
    data = payload.encode("ascii")
    try:
        if encoding in "Bb":
            data = data.rstrip(b"=")
            return binascii.a2b_base64(data + b"=" * (-len(data) % 4))
        return binascii.a2b_qp(data, header=True)
    except (binascii.Error, ValueError):
        return None


def decode_header_value(value: str) -> str:
    """RFC 2047 encoded-words to text; adjacent words in one charset are joined before decoding
    (senders split multibyte characters across words), and unknown charsets never raise."""
    if "=?" not in value:
        return value
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    position = 0
    after_word = False
    for match in _ENCODED_WORD.finditer(value):
        decoded = _decode_word(match.group(2), match.group(3))
        if decoded is None:
            continue  # stays literal text: it becomes part of the next gap
        gap = value[position : match.start()]
        charset = match.group(1).lower()
        if after_word and not gap.strip() and charset == pending_charset:
            pending.append(decoded)
        else:
            if pending_charset:
                out.append(decode_text(b"".join(pending), pending_charset))
            if not (after_word and not gap.strip()):  # whitespace between words is dropped
                out.append(gap)
            pending, pending_charset = [decoded], charset
        position = match.end()
        after_word = True
    if pending_charset:
        out.append(decode_text(b"".join(pending), pending_charset))
    out.append(value[position:])
    return "".join(out)


def _header_values(message: Message) -> tuple[dict[str, str], dict[str, str]]:
    """First occurrence of each header: (unfolded raw values, fully decoded values)."""
    raw: dict[str, str] = {}
    decoded: dict[str, str] = {}
    for name, value in message.raw_items():
        key = str(name).strip().lower()
        if key in raw or not isinstance(value, str):
            continue
        unfolded = _unfold(value)
        raw[key] = unfolded
        decoded[key] = decode_header_value(unfolded)
    return raw, decoded


def _address_pairs(raw_value: str) -> list[tuple[str, str]]:
    """``getaddresses``, which recurses on nested comments: "((((…" falls back to a scan."""
    try:
        return getaddresses([raw_value])
    except (RecursionError, ValueError, IndexError, TypeError):
        return [("", addr) for addr in _ADDR_SPEC.findall(raw_value)]


def _addresses(raw_value: str | None) -> list[tuple[str | None, str]]:
    """(decoded display name, lowercased address) pairs; unparseable entries are left out."""
    if not raw_value:
        return []
    pairs: list[tuple[str | None, str]] = []
    for name, addr in _address_pairs(raw_value):
        addr = addr.strip().lower()
        if "@" not in addr:
            continue
        display = decode_header_value(name).strip().strip('"').strip() or None
        pairs.append((display, addr))
    return pairs


def _sender(raw_value: str | None) -> tuple[str | None, str | None]:
    """The first sender; a From without any address still gives a name to show."""
    if not raw_value:
        return None, None
    pairs = _addresses(raw_value)
    if pairs:
        return pairs[0]
    names = [name for name, _ in _address_pairs(raw_value) if name]
    display = decode_header_value(names[0] if names else raw_value)
    return display.strip().strip('"').strip()[:200] or None, None


def _message_id(value: str | None) -> str | None:
    if not value:
        return None
    match = _ANGLE_ID.search(value)
    if match:
        return match.group(0)
    token = value.strip()
    if token and len(token) <= 900 and not any(c.isspace() for c in token) and "<" not in token:
        return f"<{token.strip('>')}>"
    return None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


# Body ---------------------------------------------------------------------------------------


def _guard(call: Callable[[], _T], default: _T) -> _T:
    """Run one stdlib MIME accessor; its parsers can fail on garbage values."""
    try:
        return call()
    except _PART_ERRORS:
        return default


def _split_params(value: str) -> list[str]:
    """Split ``type/sub; a=1; b="x;y"`` at semicolons outside quotes (one linear scan)."""
    pieces: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            pieces.append("".join(current))
            current = []
            continue
        current.append(char)
    pieces.append("".join(current))
    return pieces


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        if "\\" in value:
            value = re.sub(r"\\(.)", r"\1", value)
    return value


def _parse_parameterised(value: str) -> tuple[str, dict[str, str]]:
    """``(main value lowercased, parameters)`` of Content-Type/-Disposition, RFC 2231 included.

    RFC 2231 values (``filename*=utf-8''Ans%C3%B6kan.pdf``, continuations ``name*0*=``) win
    over plain ones, as Outlook sends both and only the former is right.
    """
    main, *rest = _split_params(value)
    params: dict[str, str] = {}
    extended: dict[str, dict[int, tuple[str, bool]]] = {}
    for piece in rest[:100]:
        name, sep, raw_value = piece.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            continue
        if "*" in name:
            base, _, index = name.partition("*")
            encoded = index == "" or index.endswith("*")
            number = index.rstrip("*")
            position = int(number) if number.isdigit() and len(number) < 4 else 0
            extended.setdefault(base, {}).setdefault(position, (_unquote(raw_value), encoded))
        else:
            params.setdefault(name, _unquote(raw_value))
    for base, pieces in extended.items():
        charset: str | None = None
        chunks: list[bytes] = []
        for position in sorted(pieces):
            text, encoded = pieces[position]
            if encoded:
                if position == 0 and text.count("'") >= 2:
                    charset, _, text = text.partition("'")
                    text = text.partition("'")[2]
                chunks.append(unquote_to_bytes(text))
            else:
                chunks.append(text.encode("utf-8", "surrogateescape"))
        params[base] = decode_text(b"".join(chunks), charset)
    return main.strip().lower(), params
