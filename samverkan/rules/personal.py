"""Personal data in text: Swedish personal identity numbers, private phone numbers, addresses.

A personal identity number (personnummer) or coordination number (samordningsnummer) must
never leave storage unmasked (SPEC §5): chat replies, notices, the memo, the postlista and the
logs all pass their text through :func:`mask_identity_numbers`. Only ``show --full`` and
``person export`` show a number in full.

A number counts only when its check digit is right (the Luhn algorithm over the ten digits
``YYMMDDNNNC``) and its date part is a date (a coordination number adds 60 to the day). An
organisation number has a month of 20 or more, so it is never a date and stays visible:
``802457-3167`` is the applicant's organisation, a public fact. The masked form keeps the date
of birth and the separator as written, which is how Swedish authorities publish it:
``19811218-9876`` becomes ``19811218-XXXX`` and ``811218+9876`` becomes ``811218+XXXX``.

Chat notices go further (:func:`mask_private_contact`): phone numbers and street addresses in
them are masked too, since a notice is posted to a channel many people read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "erase_data",
    "erase_personal",
    "is_identity_number",
    "is_legal_person",
    "mask_data",
    "mask_identity_numbers",
    "mask_private_contact",
]

_IDENTITY = re.compile(
    r"(?<![\d\w+\-–/.,])"
    r"(?P<century>19|20)?(?P<date>\d{6})(?P<sep>[-+–]|\u00a0| )?(?P<tail>\d{4})"
    r"(?![\d\w\-–/])"
)
_DIGIT = re.compile(r"\d")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def is_identity_number(ten_digits: str) -> bool:
    """True for a personal identity or coordination number ``YYMMDDNNNC`` (no separator)."""
    if len(ten_digits) != 10 or not ten_digits.isdigit():
        return False
    month, day = int(ten_digits[2:4]), int(ten_digits[4:6])
    if day > 60:  # samordningsnummer: the day of birth plus 60
        day -= 60
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        return False
    return _luhn_ok(ten_digits)


def is_legal_person(orgnr: str | None, valid: bool | None) -> bool:
    """A valid organisation number of a legal person (third digit 2 or more); a sole trader's
    number is their personnummer, which is personal data like any other."""
    digits = "".join(c for c in orgnr or "" if c.isdigit())[-10:]
    return bool(valid) and len(digits) == 10 and int(digits[2]) >= 2


def _mask(match: re.Match[str]) -> str:
    if not is_identity_number(match.group("date") + match.group("tail")):
        return match.group(0)
    sep = match.group("sep") or ""
    return f"{match.group('century') or ''}{match.group('date')}{sep}XXXX"


def mask_identity_numbers(text: str) -> str:
    """``text`` with every checksum-verified personal identity number masked (``811218-XXXX``)."""
    if _DIGIT.search(text) is None:  # a C scan; most values have no digit at all
        return text
    return _IDENTITY.sub(_mask, text)


def mask_data(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string masked, for ``show --json``."""
    if isinstance(value, str):
        return mask_identity_numbers(value)
    if isinstance(value, dict):
        return {key: mask_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(item) for item in value]
    return value


# A Swedish phone number: +46 or 0, then 7 to 10 more digits in groups.
_PHONE = re.compile(
    r"(?<![\w+\-–/.:])(?P<prefix>(?:\+|00)46[ \u00a0]?\(?0?\)?[ \u00a0]?|0)"
    r"(?P<area>[1-9]\d{0,2})(?P<rest>(?:[ \u00a0\-–/]?\d){5,8})(?!\d)"
)
# A street address: a street name with a usual ending, a number, maybe a letter and a postcode.
_STREET = re.compile(
    r"\b[A-ZÅÄÖ][a-zåäöéü]*(?:gatan|gata|vägen|väg|gränd|gången|torget|torg|plan|allén|allé"
    r"|stigen|backe|backen|esplanaden|kajen|parken|promenaden|leden)"
    r"[ \u00a0]+\d{1,4}(?:[ \u00a0]?[A-Za-z])?\b(?![-–]\d)"
)
_POSTCODE = re.compile(r"(?<!\d)\d{3}[ \u00a0]\d{2}(?!\d)(?=[ \u00a0]+[A-ZÅÄÖ])")


def _mask_phone(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group("rest"))
    if len(digits) < 5:
        return match.group(0)
    return f"{match.group('prefix')}{match.group('area')}-XXX XX XX"


def mask_private_contact(text: str) -> str:
    """``text`` for a chat notice: identity numbers, phone numbers and street addresses masked.

    A notice cannot tell a private person's number from a switchboard, so every phone number
    keeps only its area code; the full details stay in the case for those who open it.
    """
    text = mask_identity_numbers(text)
    text = _PHONE.sub(_mask_phone, text)
    text = _STREET.sub("[adress]", text)
    return _POSTCODE.sub("XXX XX", text)


# --- erasure (gallring) -----------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_NAME_PART = 2  # name parts at least this long are erased as words ("Olle", "Ek")


def _erase_identity(match: re.Match[str]) -> str:
    digits = match.group("date") + match.group("tail")
    return "[personnummer]" if is_identity_number(digits) else match.group(0)


def _erase_phone(match: re.Match[str]) -> str:
    return "[telefon]" if len(re.sub(r"\D", "", match.group("rest"))) >= 5 else match.group(0)


def _known_patterns(known: Iterable[str]) -> list[re.Pattern[str]]:
    """The given personal details as patterns: each whole (any case), and a name's parts
    as words in the case they were written."""
    whole = sorted({k.strip() for k in known if k and k.strip()}, key=len, reverse=True)
    parts = sorted(
        {p for k in whole if "@" not in k for p in re.split(r"[\s,]+", k) if len(p) >= _NAME_PART},
        key=len,
        reverse=True,
    )
    found = [re.compile(re.escape(k), re.IGNORECASE) for k in whole]
    return found + [re.compile(rf"(?<!\w){re.escape(p)}(?!\w)") for p in parts]


def erase_personal(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with its personal details gone for good, as disposal (gallring) needs them:
    the ``known`` details (a person's name, address, phone) and every e-mail address,
    checksum-verified identity number, phone number and street address. Unlike the masks,
    nothing of them is left (not even a birth date)."""
    return _erase_with(text, _known_patterns(known))


def _erase_with(text: str, known: Sequence[re.Pattern[str]]) -> str:
    for pattern in known:
        text = pattern.sub("[gallrad]", text)
    text = _EMAIL.sub("[e-post]", text)
    text = _IDENTITY.sub(_erase_identity, text)
    text = _PHONE.sub(_erase_phone, text)
    text = _STREET.sub("[adress]", text)
    return _POSTCODE.sub("[postnummer]", text)


def erase_data(value: Any, known: Iterable[str] = ()) -> Any:
    """A JSON-like value with :func:`erase_personal` applied to every string in it."""
    patterns = _known_patterns(known)

    def erase(item: Any) -> Any:
        if isinstance(item, str):
            return _erase_with(item, patterns)
        if isinstance(item, dict):
            return {key: erase(v) for key, v in item.items()}
        if isinstance(item, list | tuple):
            return [erase(v) for v in item]
        return item

    return erase(value)
