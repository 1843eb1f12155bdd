"""Time frames in applications: a duration in months and a start date.

Numbers in applications are about many things ("vi har funnits i 30 år", "barn 6–12 år"), so a
duration only counts when a time-frame cue precedes it ("under", "i", "projekttid") and no
cue about the organisation's history or people's ages does. Decisions worth knowing:

* a span of years "2026–2028" is read inclusively: three calendar years, 36 months;
* a span of months "mars 2027 – februari 2029" is inclusive too: 24 months, start 1 March 2027;
* a month without a day ("start januari 2027") starts on the first of that month;
* vague starts ("till hösten", "våren 2027") are left unknown rather than guessed; a season
  only counts as the end of a span ("från hösten 2026 till och med våren 2028": 21 months);
* a start without a year ("start i mars", "från 1 september") is the next such date on or
  after the day the mail was written (``today``): a mail of 10 May 2026 starting "från 1
  september" starts on 1 September 2026, one starting "i mars" in March 2027. A month alone in
  the mail's own month is that month (the work starts now); without the mail's date the start
  stays unknown.
"""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise

from samverkan.intake.extraction.text import either

__all__ = ["first_date", "number_word", "parse_duration", "parse_season_start", "parse_start"]

_UNITS = {
    "noll": 0, "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14,
    "femton": 15, "sexton": 16, "sjutton": 17, "arton": 18, "aderton": 18, "nitton": 19,
    "tva": 2, "atta": 8,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12,
    "eighteen": 18, "twenty-four": 24,
}  # fmt: skip
_TENS = {"tjugo": 20, "trettio": 30, "fyrtio": 40, "femtio": 50, "sextio": 60}
_NUMBER_WORD = (
    r"(?:(?:tjugo|trettio|fyrtio|femtio|sextio)(?:en|ett|två|tre|fyra|fem|sex|sju|åtta|nio)?"
    r"|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + ")"
)
_N = rf"(?P<n>\d+(?:[.,]5)?|{_NUMBER_WORD})"

_DURATION = re.compile(
    rf"(?<![\w.,]){_N}(?P<half>\s+och\s+ett\s+halvt)?[\s-]*"
    r"(?P<unit>månader|månad|mån\.?|manader|manad|months?|years?|år|ar|veckor)(?![\wåäö])"
    r"|(?<![\wåäö])(?P<halfyear>ett\s+halvår|halvår)(?![\wåäö])"
    rf"|(?<![\w.,]){_N.replace('<n>', '<n2>')}-?(?P<unit2>årig[at]?|månaders)(?![\wåäö])",
    re.IGNORECASE,
)
_CUE = either(
    r"\b(?:under|i|på|över|period\w*|pågå\w*|löptid|projekttid|projektperiod|tidsram|tidsperiod"
    r"|varaktighet|tid|längd|omfattning|sträcker|tar|ungefär|cirka|ca|for|during|tänker oss"
    r"|planerar|planeras|räknar med|beräknas|beräknat|tidsplan|timeline|time frame|lasts?"
    r"|duration|runs?)\b",
)
_NOT_A_FRAME = either(
    r"\b(?:funnits|funnit|verksam\w*|sedan|drivit|driver|erfarenhet\w*|ålder\w*|gammal|gamla"
    r"|äldre|yngre|barn|unga|ungdomar|senaste|senare|tidigare|bott|bor|jobbat|arbetat|founded"
    r"|aged?|years old|längre än|mer än|kortare än|than|minst|högst|per)\b",
)

# "klar inom ett halvår", "within two years": a goal's deadline, not the project's length.
_DEADLINE = re.compile(r"\b(?:inom|within|senast|by)\s+$", re.IGNORECASE)
_SENTENCE_START = re.compile(r"[.!?]\s+")
# "ett år med start i maj", "två år från hösten": a duration followed by its start.
_STARTS_AFTER = re.compile(r"\s*(?:med start|från|fr\.o\.m|starting|from|framåt)\b", re.I)

_MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "februari": 2, "feb": 2, "february": 2, "mars": 3,
    "mar": 3, "march": 3, "april": 4, "apr": 4, "maj": 5, "may": 5, "juni": 6, "jun": 6,
    "june": 6, "juli": 7, "jul": 7, "july": 7, "augusti": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_MONTH = "(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# Seasons and quarters: (first month, last month). "hösten 2026" starts in September.
_SEASONS = {
    "våren": (3, 5), "vår": (3, 5), "sommaren": (6, 8), "sommar": (6, 8), "hösten": (9, 11),
    "höst": (9, 11), "vintern": (12, 2), "spring": (3, 5), "summer": (6, 8), "autumn": (9, 11),
    "fall": (9, 11), "winter": (12, 2), "varen": (3, 5), "hosten": (9, 11),
    # school terms: "ht 2026" (hösttermin) is August to December, "vt 2027" January to June
    "ht": (8, 12), "vt": (1, 6), "hösttermin": (8, 12), "hostterminen": (8, 12),
    "höstterminen": (8, 12), "vårtermin": (1, 6), "vårterminen": (1, 6), "varterminen": (1, 6),
}  # fmt: skip
_SEASON = "(?:" + "|".join(sorted(_SEASONS, key=len, reverse=True)) + ")"
_DATE = (
    r"(?:(?P<iy>20\d{2})-(?P<im>\d{1,2})(?:-(?P<id>\d{1,2}))?(?![\d-])"
    rf"|(?:(?P<d>\d{{1,2}})(?::?e|:a)?\s+)?(?P<mn>{_MONTH})\s+(?:år\s+)?(?P<y>20\d{{2}})"
    rf"|(?P<season>{_SEASON})\s+(?P<zy>20\d{{2}})"
    r"|(?:Q|kvartal\s*)(?P<q>[1-4])\s*(?P<qy>20\d{2})"
    r"|(?P<sd>\d{1,2})/(?P<sm>\d{1,2})[\s/-]*(?P<sy>20\d{2}))"
)
_DATE_RE = re.compile(rf"(?<![\w-]){_DATE}(?!\d)", re.IGNORECASE)
_START_CUE = re.compile(
    r"(?:\bstart\w*|\bfrån|\bfr\.?\s?o\.?\s?m\.?|\bfrom|\bpåbörja\w*|\bbörja\w*|\binleds"
    r"|\bbegin\w*|\bstarting|\bmed\s+början)\W{0,3}(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
_RANGE_GAP = re.compile(
    r"\s*(?:-|–|—|till och med|till|to|until|through|t\.o\.m\.?|tom)\s*$", re.IGNORECASE
)
# "november–december 2026", "juni till augusti 2026": months of one year.
_MONTH_PAIR = re.compile(
    rf"(?<![\w-])(?P<m1>{_MONTH})\s*(?:-|–|—|till och med|till|to|until)\s*(?P<m2>{_MONTH})"
    r"\s+(?P<y>20\d{2})(?!\d)",
    re.IGNORECASE,
)
# "under 2027", "during 2027", "hela 2027": one calendar year.
_WHOLE_YEAR = re.compile(
    r"\b(?:under|during|hela|in|throughout)\s+(?:år\s+|året\s+|the year\s+)?(?P<y>20\d{2})"
    r"(?![\d/–-]|\s*(?:-|–|till|to)\s*20\d{2})",
    re.IGNORECASE,
)
# "läsåret 2026/27": August to June.
_SCHOOL_YEAR = re.compile(r"\b(?:läsåret|läsår|skolåret|academic year)\s+(?P<y>20\d{2})", re.I)
_YEAR_RANGE = re.compile(
    r"(?<![\d-])(?P<y1>20\d{2})\s*(?:-|–|—|till|to)\s*(?P<y2>20\d{2})(?![\d-])", re.IGNORECASE
)


def number_word(word: str) -> int | None:
    """A Swedish (or English) number written in digits or words: "tjugofyra" -> 24."""
    w = word.strip().lower().replace(",", ".")
    if re.fullmatch(r"\d+(?:\.\d+)?", w):
        return int(float(w)) if float(w).is_integer() else None
    if w in _UNITS:
        return _UNITS[w]
    for tens, value in _TENS.items():
        if w.startswith(tens):
            rest = w[len(tens) :]
            if not rest:
                return value
            unit = _UNITS.get(rest)
            return value + unit if unit is not None and unit < 10 else None
    return None


def parse_duration(text: str, *, cued: bool = True) -> tuple[int, str] | None:
    """The time frame in months, with the words it was read from.

    ``cued=False`` is for text that is known to be a time frame (a "Tidsperiod:" field), where
    "18 mån" needs no "under" before it.
    """
    for match in _DURATION.finditer(text):
        window = _SENTENCE_START.split(text[max(0, match.start() - 40) : match.start()])[-1]
        after = text[match.end() : match.end() + 20]
        framed = (
            not cued
            or _CUE.search(window)
            or _STARTS_AFTER.match(after)
            or match.group("unit2")
            or match.group("halfyear")
        )
        if _NOT_A_FRAME.search(window) or _DEADLINE.search(window) or not framed:
            continue
        months = _months(match)
        if months:
            return months, match.group(0).strip()
    span = _month_span(text)
    if span is not None:
        return span[1], span[2]
    prose = _prose_frame(text)
    if prose is not None:
        return prose[1], prose[2]
    for match in _YEAR_RANGE.finditer(text):
        years = int(match.group("y2")) - int(match.group("y1")) + 1
        if 2 <= years <= 10:
            return years * 12, match.group(0)
    return None


def parse_start(text: str, *, today: date | None = None) -> tuple[date, str] | None:
    """The start of the work: a date introduced by a start cue, or the start of a span;
    with ``today`` (the mail's date) also a day and month without a year."""
    for match in _DATE_RE.finditer(text):
        before = text[max(0, match.start() - 40) : match.start()]
        if _START_CUE.search(before) and not match.group("season"):
            day = _to_date(match)
            if day is not None:
                return day, match.group(0)
    span = _month_span(text)
    if span is not None:
        return span[0], span[2]
    prose = _prose_frame(text)
    if prose is not None:
        return prose[0], prose[2]
    return _yearless_start(text, today) if today is not None else None


# "start i mars", "från 1 september", "starting in March", "from September 1st": no year.
_YEARLESS = either(
    r"(?:\bstart\w*|\bfrån|\bfr\.?\s?o\.?\s?m\.?|\bfrom|\bpåbörja\w*|\bbörja\w*|\binleds"
    r"|\bbegin\w*|\bstarting|\bmed\s+början|\bkör\w* igång|\bdrar igång)\s+"
    r"(?:(?:i|den|på|on|in|the|redan|vid|efter|kring|omkring|runt|första|1:a)\s+){0,2}"
    rf"(?:(?P<d>\d{{1,2}})(?::?e|:a|st|nd|rd|th)?\s+(?:of\s+)?)?(?P<mn>{_MONTH})(?:\s+(?P<d2>\d{{1,2}})"
    r"(?:st|nd|rd|th)?)?(?![\wåäö])(?!\s*(?:år\s+)?(?:20)?\d{2}\b)",
)


def _yearless_start(text: str, today: date) -> tuple[date, str] | None:
    for match in _YEARLESS.finditer(text):
        month = _MONTHS[match.group("mn").lower().rstrip(".")]
        day_text = match.group("d") or match.group("d2")
        day = int(day_text) if day_text else 1
        year = today.year
        if (month, day if day_text else 31) < (today.month, today.day):
            year += 1
        try:
            return date(year, month, day), match.group(0)
        except ValueError:
            continue
    return None


_SEASON_START = re.compile(
    rf"\b(?:från|fr\.o\.m\.?|from|starting|med start|start\w*)\s+(?:i\s+|in\s+)?"
    rf"(?P<season>{_SEASON})\s+(?P<zy>20\d{{2}})",
    re.IGNORECASE,
)


def first_date(text: str) -> tuple[date, str] | None:
    """The first whole date in a text known to be a time frame."""
    for match in _DATE_RE.finditer(text):
        if not match.group("season"):
            day = _to_date(match)
            if day is not None:
                return day, match.group(0)
    return None


def parse_season_start(text: str) -> tuple[date, str] | None:
    """A start given as a season ("från hösten 2026"): its first month, with the words.

    Kept apart from :func:`parse_start`: a season is a time frame an official accepts, but
    only as a start the writer says ("från …"), never as a date read from "våren 2027" alone.
    """
    match = _SEASON_START.search(text)
    if match is None:
        return None
    first, _ = _SEASONS[match.group("season").lower()]
    return date(int(match.group("zy")), first, 1), match.group(0)


def _prose_frame(text: str) -> tuple[date, int, str] | None:
    """A frame written in words: "juni–augusti 2026", "under 2027", "läsåret 2026/27"."""
    pair = _MONTH_PAIR.search(text)
    if pair is not None:
        first = _MONTHS[pair.group("m1").lower().rstrip(".")]
        last = _MONTHS[pair.group("m2").lower().rstrip(".")]
        months = (last - first) % 12 + 1
        return date(int(pair.group("y")), first, 1), months, pair.group(0)
    school = _SCHOOL_YEAR.search(text)
    if school is not None:
        return date(int(school.group("y")), 8, 1), 10, school.group(0)
    whole = _WHOLE_YEAR.search(text)
    if whole is not None:
        return date(int(whole.group("y")), 1, 1), 12, whole.group(0)
    return None


def _months(match: re.Match[str]) -> int | None:
    if match.group("halfyear"):
        return 6
    raw = match.group("n") or match.group("n2")
    unit = (match.group("unit") or match.group("unit2") or "").lower()
    value = _amount(raw)
    if value is None or value <= 0:
        return None
    if match.group("half"):
        value += 0.5
    if unit.startswith(("år", "year")) or unit == "ar":
        months = value * 12
    elif unit.startswith("vec"):
        months = value * 12 / 52
    else:
        months = value
    rounded = round(months)
    return rounded if 0 < rounded <= 240 else None


def _amount(raw: str) -> float | None:
    raw = raw.lower().replace(",", ".")
    if re.fullmatch(r"\d+(?:\.5)?", raw):
        return float(raw)
    value = number_word(raw)
    return float(value) if value is not None else None


def _month_span(text: str) -> tuple[date, int, str] | None:
    """A span between two dates ("mars 2027 – februari 2029"): start, inclusive months."""
    dates = list(_DATE_RE.finditer(text))
    for first, second in pairwise(dates):
        gap = text[first.end() : second.start()]
        if len(gap) > 16 or not _RANGE_GAP.fullmatch(gap):
            continue
        start, end = _to_date(first), _to_date(second, end_of_month=True)
        if start is None or end is None or end <= start:
            continue
        months = (end.year - start.year) * 12 + end.month - start.month
        if end.day > start.day:
            months += 1
        if 0 < months <= 240:
            return start, months, text[first.start() : second.end()]
    return None


def _to_date(match: re.Match[str], *, end_of_month: bool = False) -> date | None:
    g = match.group
    if g("iy"):
        year, month, day_text = int(g("iy")), int(g("im")), g("id")
    elif g("mn"):
        year, month, day_text = int(g("y")), _MONTHS[g("mn").lower().rstrip(".")], g("d")
    elif g("season"):
        first, last = _SEASONS[g("season").lower()]
        year, month, day_text = int(g("zy")), last if end_of_month else first, None
    elif g("q"):
        quarter = int(g("q"))
        year, month, day_text = int(g("qy")), 3 * quarter if end_of_month else 3 * quarter - 2, None
    else:
        year, month, day_text = int(g("sy")), int(g("sm")), g("sd")
    if day_text:
        day = int(day_text)
    elif end_of_month:
        day = 28
    else:
        day = 1
    try:
        return date(year, month, day)
    except ValueError:
        return None
