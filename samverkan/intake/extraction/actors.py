"""Which kinds of actors take part: read per piece, by what the piece is about.

A word such as "boende" or "butiker" names a kind of actor, but an application names many
people it does not work with: "boende beskriver otrygghet", "torget har tappat butiker". So
each piece (sentence or list) is judged first:

* the applicant itself always counts (its name or legal form: "… Fastigheter AB");
* an actors field ("Medverkande aktörer: …") counts whole;
* a piece that says who takes part ("tillsammans med", "deltar", "vill vara med", "together
  with", "members") counts;
* residents (``boende``) count only where the piece says that *they* take part: "vi boende",
  "tillsammans med boende", "föreningen består av boende och företagare", "boende deltar";
  not where the applicant works "tillsammans" *for* them ("vi vill tillsammans skapa en plats
  som invånarna vill besöka"), wants them to ("få fler boende att engagera sig"), or only
  owns something of theirs ("hyresgästernas föreningar");
* any other kind also counts in a neutral piece, but not in one that only describes the
  area's problems.
"""

from __future__ import annotations

import re

from samverkan.intake.extraction.lexicon import PURPOSE_CUE, find_actors
from samverkan.intake.extraction.text import fold, fold_pattern
from samverkan.rules.model import ActorCategory

__all__ = ["actors_taking_part", "organisation_categories"]

_TAKING_PART = fold_pattern(
    r"\b(?:tillsammans|samarbet\w*|samverka\w*|delta\w*|medverka\w*|är med|vara med|"
    r"engager\w*|står bakom|bakom ansökan|partner\w*|parter(?:na)?|består av|representerar|"
    r"samlar|vi är|vi som|ingår|medlem\w*|aktör\w*|har pratat med|har kontakt med|stöttar|"
    r"ställer upp|involverad\w*|med oss|är vi|vi på|vi i|nätverk av|skriver för|för ett nätverk|"
    r"together|take part|taking part|on board|involved|join\w*|members?|on behalf|supported by|"
    r"we are|group of|along with|in cooperation|in partnership|agreed to|network of)\b"
)
# "torgdagar med handlare och boende", "workshops with residents": done with them.
_WITH = fold_pattern(r"\b(?:med|with|tillsammans med)\s+(?:[\w-]+,?\s+){0,4}$")
# "vi boende", "boende i föreningen": the applicant's own members speaking.
_OWN_RESIDENTS = fold_pattern(
    r"\bvi (?:som )?(?:boende|bor)\b|\bvi är (?:[\w-]+ ){0,3}?(?:som bor|boende|grannar)\b"
    r"|\bwe (?:are )?(?:\w+ ){0,3}?(?:who live|residents|neighbours|neighbors)\b"
)
# "består av boende och företagare", "a group of residents": who the applicant is made of.
_MADE_OF = fold_pattern(
    r"\b(?:består av|bestående av|representerar|samla\w*|organiser\w*|vi är|we are|"
    r"nätverk av|grupp av|"
    r"medlemmar(?:na)? är|drivs av|drivet av|initiativ\w* (?:kommer )?från|made up of|"
    r"consists of|group of|network of|represents?|led by|run by)\s+"
    r"(?:[\w-]+,?\s+){0,5}$"
)
# "Tillsammans med föreningen, butikerna på gatan och grannarna …": a list of partners.
_WITH_LIST = fold_pattern(
    r"\b(?:tillsammans med|i samarbete med|i samverkan med|i dialog med|together with|"
    r"along with|in cooperation with|in partnership with|working with)\b[^.;:!?]*$"
)
_GENITIVE = re.compile(r"(?:nas|ens|des|ars)$")
# "boende deltar", "residents have joined": the residents themselves take part (same clause).
_RESIDENTS_ACT = fold_pattern(
    r"^[\s,]*(?:[\w-]+,?\s+){0,6}?(?:deltar|deltog|medverkar|är med|var med|har varit med|"
    r"står bakom|ingår|har engagerat sig|engagerar sig redan|har gått samman|har bildat|"
    r"har anslutit|har tagit initiativ\w*|tog initiativ\w*|stöttar|ställer upp|take part|"
    r"are involved|have joined|support)\b"
)


# Housing companies are named by what they own: "Rosengårdshem AB", "Familjebostäder",
# "Bostads AB Mimer", "Hyresbostäder i X".
_HOUSING_COMPANY = re.compile(
    r"\w(?:hem|bostader|hyreshus)\b|\b(?:bostads|bostader|hyresbostader)\b", re.IGNORECASE
)


def organisation_categories(organisation: str) -> list[tuple[ActorCategory, str]]:
    """The applicant is an actor too: read its kind from its name or legal form."""
    named = find_actors(organisation)
    if named:
        return named
    folded = fold(organisation)
    if re.search(r"fastighet", folded, re.IGNORECASE):
        return [(ActorCategory.FASTIGHETSAGARE, organisation)]
    if _HOUSING_COMPANY.search(folded):
        return [(ActorCategory.FASTIGHETSAGARE, organisation)]
    if re.search(r"\b(?:AB|HB|KB)$", organisation):
        return [(ActorCategory.NARINGSLIV, organisation)]
    if re.search(r"forening|forbund|stiftelse|byalag", folded, re.IGNORECASE):
        return [(ActorCategory.CIVILSAMHALLE, organisation)]
    return []


def actors_taking_part(
    pieces: list[str], field: str | None, organisation: str | None
) -> dict[ActorCategory, str]:
    """Each category that takes part, with the word that said so."""
    found: dict[ActorCategory, str] = {}
    if organisation:
        for category, word in organisation_categories(organisation):
            found.setdefault(category, word)
    if field:
        for category, word in find_actors(field):
            found.setdefault(category, word)
    for piece in pieces:
        folded = fold(piece)
        taking_part = bool(_TAKING_PART.search(folded) or _OWN_RESIDENTS.search(folded))
        problem = PURPOSE_CUE.search(piece) is not None
        if own := _OWN_RESIDENTS.search(folded):  # "vi är några som bor på …"
            found.setdefault(ActorCategory.BOENDE, piece[own.start() : own.end()])
        for category, word in find_actors(piece):
            if category is ActorCategory.BOENDE:
                if _residents_take_part(piece, word):
                    found.setdefault(category, word)
                continue
            if problem and not taking_part:
                continue
            found.setdefault(category, word)
    return found


def _residents_take_part(piece: str, word: str) -> bool:
    """Whether some mention of ``word`` (a resident word) in the piece has them taking part."""
    folded = fold(piece)
    if _OWN_RESIDENTS.search(folded):
        return True
    for match in re.finditer(rf"\w*{re.escape(fold(word))}\w*", folded):
        after = folded[match.end() :]
        clause = re.split(r"[.;:!?]", after, maxsplit=1)[0]
        # "hyresgästernas föreningar", "få fler boende att engagera sig": not them acting.
        if _GENITIVE.search(match.group()) or re.match(r"\s+att\b", after):
            continue
        before = folded[max(0, match.start() - 60) : match.start()]
        listed = _WITH_LIST.search(folded[max(0, match.start() - 200) : match.start()])
        if (
            listed
            or _WITH.search(before)
            or _MADE_OF.search(before)
            or _RESIDENTS_ACT.match(clause)
        ):
            return True
    return False
