"""Swedish words that name kinds of actors, forms of support and the parts of an application.

Swedish builds compounds ("butiksägarna", "idrottsföreningen", "fastighetsägareföreningen"),
so actor words are matched as parts of a word token, in a priority order: the first rule that
fits a token decides its category. Decisions worth knowing:

* a bostadsrättsförening (BRF), HSB and Riksbyggen own and manage buildings: ``fastighetsagare``
  (their members are residents, but the association acts as the property owner);
* MKB, Malmö's municipal housing company, is a property owner too, not ``offentlig``;
* a hyresgästförening is an association (``civilsamhalle``); tenants themselves are ``boende``;
* every word is compared folded (no diacritics), so "fastighetsagare" is "fastighetsägare";
* "Malmö stad" and "kommunen" are not counted: every application is addressed to them;
* words in street names ("Föreningsgatan") and form labels ("Företag:") are not actors;
* a word right after "inga", "ingen", "saknar" ("inga boende deltar") is not counted.
"""

from __future__ import annotations

import re
from functools import lru_cache

from samverkan.intake.extraction.text import either, fold
from samverkan.rules.model import ActorCategory

__all__ = [
    "ASK",
    "FIELD_LABELS",
    "FINANCE_CUE",
    "GOALS_CUE",
    "OTHER_CUE",
    "OUR_STAFF",
    "OWN_CUE",
    "PERSONAL_CUE",
    "PROCESS_CUE",
    "PURPOSE_CUE",
    "PURPOSE_WORD",
    "TOTAL_CUE",
    "find_actors",
]

_A = ActorCategory

# (part of a word, category, where): "in" = anywhere in the token, "start" = the token starts
# with it, "exact" = the whole token. Checked in order; the first rule that fits wins.
_ACTOR_RULES: tuple[tuple[str, ActorCategory, str], ...] = (
    ("fastighetsägar", _A.FASTIGHETSAGARE, "in"),
    ("fastighetsbolag", _A.FASTIGHETSAGARE, "in"),
    ("fastighetsförvalt", _A.FASTIGHETSAGARE, "in"),
    ("fastighetsvärd", _A.FASTIGHETSAGARE, "in"),
    ("hyresvärd", _A.FASTIGHETSAGARE, "in"),
    ("bostadsrättsförening", _A.FASTIGHETSAGARE, "in"),
    ("bostadsbolag", _A.FASTIGHETSAGARE, "in"),
    ("allmännytt", _A.FASTIGHETSAGARE, "in"),
    ("property", _A.FASTIGHETSAGARE, "start"),
    ("landlord", _A.FASTIGHETSAGARE, "start"),
    ("brf", _A.FASTIGHETSAGARE, "exact"),
    ("mkb", _A.FASTIGHETSAGARE, "exact"),
    ("hsb", _A.FASTIGHETSAGARE, "exact"),
    ("riksbyggen", _A.FASTIGHETSAGARE, "exact"),
    ("hyresgästförening", _A.CIVILSAMHALLE, "in"),
    ("housing", _A.FASTIGHETSAGARE, "exact"),
    ("cooperatives", _A.FASTIGHETSAGARE, "exact"),
    ("förvaltare", _A.FASTIGHETSAGARE, "exact"),
    ("förvaltaren", _A.FASTIGHETSAGARE, "exact"),
    ("bostäder", _A.FASTIGHETSAGARE, "exact"),
    ("hyresgäst", _A.BOENDE, "in"),
    ("boende", _A.BOENDE, "start"),
    ("invånar", _A.BOENDE, "in"),
    ("granne", _A.BOENDE, "start"),
    ("grannar", _A.BOENDE, "start"),
    ("residents", _A.BOENDE, "exact"),
    ("tenants", _A.BOENDE, "exact"),
    ("köpmannaförening", _A.NARINGSLIV, "in"),
    ("handlarförening", _A.NARINGSLIV, "in"),
    ("företagarförening", _A.NARINGSLIV, "in"),
    ("näringslivsförening", _A.NARINGSLIV, "in"),
    ("köpmän", _A.NARINGSLIV, "in"),
    ("handlare", _A.NARINGSLIV, "in"),
    ("handlarna", _A.NARINGSLIV, "in"),
    ("handlaren", _A.NARINGSLIV, "in"),
    ("handeln", _A.NARINGSLIV, "exact"),
    ("handelsförening", _A.NARINGSLIV, "in"),
    ("butik", _A.NARINGSLIV, "in"),
    ("företag", _A.NARINGSLIV, "in"),
    ("näringsidkar", _A.NARINGSLIV, "in"),
    ("näringsliv", _A.NARINGSLIV, "in"),
    ("restaurang", _A.NARINGSLIV, "in"),
    ("krögar", _A.NARINGSLIV, "in"),
    ("café", _A.NARINGSLIV, "in"),
    ("kafé", _A.NARINGSLIV, "in"),
    ("hotell", _A.NARINGSLIV, "start"),
    ("butiksägar", _A.NARINGSLIV, "in"),
    ("frisör", _A.NARINGSLIV, "in"),
    ("pizzeria", _A.NARINGSLIV, "in"),
    ("kiosk", _A.NARINGSLIV, "in"),
    ("bageri", _A.NARINGSLIV, "in"),
    ("ica", _A.NARINGSLIV, "exact"),
    ("verksamhetsutövare", _A.NARINGSLIV, "in"),
    ("businesses", _A.NARINGSLIV, "exact"),
    ("shops", _A.NARINGSLIV, "exact"),
    ("restaurants", _A.NARINGSLIV, "exact"),
    ("companies", _A.NARINGSLIV, "exact"),
    ("company", _A.NARINGSLIV, "exact"),
    ("traders", _A.NARINGSLIV, "exact"),
    ("shopkeeper", _A.NARINGSLIV, "start"),
    ("shop", _A.NARINGSLIV, "exact"),
    ("shopowners", _A.NARINGSLIV, "exact"),
    ("retailers", _A.NARINGSLIV, "exact"),
    ("merchants", _A.NARINGSLIV, "exact"),
    ("entrepreneurs", _A.NARINGSLIV, "exact"),
    ("cafés", _A.NARINGSLIV, "exact"),
    ("verkstad", _A.NARINGSLIV, "start"),
    ("verkstäder", _A.NARINGSLIV, "in"),
    ("ateljé", _A.NARINGSLIV, "start"),
    ("näringsidkare", _A.NARINGSLIV, "in"),
    ("handelsplats", _A.NARINGSLIV, "in"),
    ("galleri", _A.NARINGSLIV, "start"),
    ("nattklubb", _A.NARINGSLIV, "in"),
    ("business", _A.NARINGSLIV, "exact"),
    ("förening", _A.CIVILSAMHALLE, "in"),
    ("klubb", _A.CIVILSAMHALLE, "in"),
    ("ideell", _A.CIVILSAMHALLE, "start"),
    ("idrottsklubb", _A.CIVILSAMHALLE, "in"),
    ("fotbollsklubb", _A.CIVILSAMHALLE, "in"),
    ("kyrka", _A.CIVILSAMHALLE, "in"),
    ("kyrkan", _A.CIVILSAMHALLE, "in"),
    ("församling", _A.CIVILSAMHALLE, "in"),
    ("moské", _A.CIVILSAMHALLE, "in"),
    ("studieförbund", _A.CIVILSAMHALLE, "in"),
    ("abf", _A.CIVILSAMHALLE, "exact"),
    ("sensus", _A.CIVILSAMHALLE, "exact"),
    ("studiefrämjandet", _A.CIVILSAMHALLE, "exact"),
    ("civilsamhälle", _A.CIVILSAMHALLE, "in"),
    ("volontär", _A.CIVILSAMHALLE, "start"),
    ("frivilliga", _A.CIVILSAMHALLE, "exact"),
    ("associations", _A.CIVILSAMHALLE, "exact"),
    ("association", _A.CIVILSAMHALLE, "exact"),
    ("society", _A.CIVILSAMHALLE, "exact"),
    ("club", _A.CIVILSAMHALLE, "exact"),
    ("church", _A.CIVILSAMHALLE, "exact"),
    ("föräldranätverk", _A.CIVILSAMHALLE, "in"),
    ("föräldragrupp", _A.CIVILSAMHALLE, "in"),
    ("scout", _A.CIVILSAMHALLE, "start"),
    ("idrottsförening", _A.CIVILSAMHALLE, "in"),
    ("skola", _A.OFFENTLIG, "in"),
    ("skolan", _A.OFFENTLIG, "in"),
    ("skolor", _A.OFFENTLIG, "in"),
    ("polis", _A.OFFENTLIG, "in"),
    ("university", _A.OFFENTLIG, "exact"),
    ("förskola", _A.OFFENTLIG, "in"),
    ("region", _A.OFFENTLIG, "exact"),
    ("regionen", _A.OFFENTLIG, "exact"),
    ("högskola", _A.OFFENTLIG, "in"),
    ("universitet", _A.OFFENTLIG, "start"),
    ("bibliotek", _A.OFFENTLIG, "in"),
    ("fritidsgård", _A.OFFENTLIG, "start"),
    ("räddningstjänst", _A.OFFENTLIG, "start"),
    ("länsstyrelsen", _A.OFFENTLIG, "exact"),
    ("trafikverket", _A.OFFENTLIG, "exact"),
    ("police", _A.OFFENTLIG, "exact"),
    ("school", _A.OFFENTLIG, "start"),
)
_FOLDED_RULES = tuple((fold(part), category, where) for part, category, where in _ACTOR_RULES)
# Street and place names, yards and plans are not actors ("Föreningsgatan", "skolgården").
_EXCLUDED_TOKEN = re.compile(
    fold(
        r"(?:gatan|gata|vägen|väg|torget|torg|parken|gränd|allén|plan|gården)$"
        r"|^(?:kyrkogård|grannskap|boendemiljö|boendeform|nätverket$|nätverk$)"
    )
)
# Capitalised inside a company's name, these words make it a property owner; in lower case
# ("fastigheterna är slitna") they only describe buildings.
_NAMED_OWNER = frozenset({"Fastigheter", "Fastighets", "Fastighet", "Förvaltning", "Forvaltning"})
# A yard word that names an institution: "fritidsgården" is a youth centre, not a courtyard.
_INSTITUTION_YARD = re.compile(fold(r"^(?:fritidsgård|ungdomsgård|hemgård)"))
# "föreningen" alone is the applicant speaking of itself, not another actor taking part.
_SELF_REFERENCE = frozenset({"foreningen", "foreningens"})
# "ideell tid", "ideella timmar": volunteered time (an own contribution), not an actor.
_VOLUNTEER_TIME = re.compile(r"\s+(?:tid|timmar|arbete|insats\w*)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:inga|ingen|inget|saknar|saknas|no)\s+$", re.IGNORECASE)
# "ekonomisk förening" is a legal form (often of traders), not a sign of civil society.
_LEGAL_FORM = re.compile(r"\bekonomisk\s+$", re.IGNORECASE)
_TOKEN = re.compile(r"\w+")
# Sports clubs are named by capitalised abbreviations ("Limhamns IF", "Kvarnby IK").
_CLUB = frozenset({"IF", "IK", "FF", "BK", "FK", "IFK", "BOIS", "SK", "KFUM", "KFUK"})


def find_actors(text: str) -> list[tuple[ActorCategory, str]]:
    """Each actor category named in the text, once, with the first word that named it."""
    found: dict[ActorCategory, str] = {}
    for match in _TOKEN.finditer(text):
        word = match.group()
        token = word.lower()
        named = text[match.end() : match.end() + 2].strip()[:1].isupper()
        category: ActorCategory | None
        if token in ("föreningen", "foreningen") and named:
            category = ActorCategory.CIVILSAMHALLE  # "Föreningen Kvinnor i …": another one
        elif word in _NAMED_OWNER:  # "Stena Fastigheter", "Kvarnby Fastighets AB"
            category = ActorCategory.FASTIGHETSAGARE
        else:
            category = ActorCategory.CIVILSAMHALLE if word in _CLUB else _category(token)
        if category is None or category in found:
            continue
        if text[match.end() : match.end() + 1] == ":":  # a form label such as "Företag:"
            continue
        before = text[max(0, match.start() - 12) : match.start()]
        if _NEGATION.search(before):
            continue
        if category is ActorCategory.CIVILSAMHALLE and _LEGAL_FORM.search(before):
            continue
        if token.startswith("ideell") and _VOLUNTEER_TIME.match(text, match.end()):
            continue
        found[category] = word
    return list(found.items())


@lru_cache(maxsize=16_384)
def _category(token: str) -> ActorCategory | None:
    """Cached: every word of every message comes here, and most words recur (bounded, so a
    long ingest does not grow with its vocabulary)."""
    token = fold(token)
    if len(token) < 3 or token in _SELF_REFERENCE:
        return None
    if _EXCLUDED_TOKEN.search(token) and not _INSTITUTION_YARD.match(token):
        return None
    for part, category, where in _FOLDED_RULES:
        if (
            (where == "in" and part in token)
            or (where == "start" and token.startswith(part))
            or (where == "exact" and token == part)
        ):
            return category
    return None


# ---- the parts of an application --------------------------------------------------------

# Form labels an applicant may use for each field ("Organisation:", "Syfte:", "Egen insats:").
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "organisation": (
        "organisation", "organisationens namn", "namn på organisation", "namn på organisationen",
        "förening", "föreningens namn", "sökande", "sökande organisation", "företag",
        "företagets namn", "organisation/förening", "förening/organisation", "applicant",
        "organisation name", "organization", "sökande part",
    ),
    "orgnr": ("organisationsnummer", "org.nr", "orgnr", "org nr", "org. nr", "org.nummer"),
    "contact_name": (
        "kontaktperson", "kontakt", "namn", "contact", "contact person", "ansvarig",
        "ansvarig person", "kontaktpersonens namn", "name", "ditt namn",
    ),
    "email": ("e-post", "epost", "e-mail", "email", "mail", "mejl", "e-postadress", "mejladress"),
    "phone": ("telefon", "tel", "tfn", "mobil", "telefonnummer", "mobilnummer", "phone", "tel.nr"),
    "area": (
        "område", "geografiskt område", "plats", "stadsdel", "area", "delområde",
        "geografisk avgränsning", "avgränsning", "området", "location", "vilket område",
    ),
    "actors": (
        "aktörer", "medverkande aktörer", "samverkanspartners", "parter", "partners",
        "deltagande aktörer", "samverkande aktörer", "medverkande", "actors",
    ),
    "support": (
        "stödform", "typ av stöd", "sökt stöd", "vi söker", "söker", "sökes", "ansöker om",
        "önskat stöd", "stöd", "stödformer",
        "vilket stöd söker ni", "support", "support requested",
    ),
    "amount": ("belopp", "sökt belopp", "summa", "ansökt belopp", "amount", "sökt bidrag"),
    "duration": (
        "tidsperiod", "period", "projekttid", "tidsram", "varaktighet", "löptid", "tid",
        "projektperiod", "duration", "time frame",
    ),
    "start": ("start", "startdatum", "projektstart", "start datum", "planerad start", "start date"),
    "purpose": (
        "syfte", "utmaningar", "bakgrund", "beskrivning", "utmaningar och utvecklingspotential",
        "lokala utmaningar", "behov", "problem", "syfte och bakgrund", "bakgrund och syfte",
        "beskrivning av området", "purpose", "background", "challenges", "utvecklingspotential",
    ),
    "goals": (
        "mål", "förväntade resultat", "förväntade effekter", "effektmål", "resultat",
        "målsättning", "mål och förväntade resultat", "goals", "expected results",
        "förväntat resultat",
    ),
    "own_contribution": (
        "egen insats", "egna insatser", "vi bidrar med", "medfinansiering", "egen finansiering",
        "own contribution", "egen insats/medfinansiering", "vår insats",
    ),
    "title": ("projektnamn", "projekttitel", "rubrik", "namn på projektet", "titel", "project"),
}  # fmt: skip

# Cue words that mark a sentence as saying what a field holds.
PURPOSE_CUE = either(
    r"\b(?:syfte\w*|utmaning\w*|problem\w*|otrygg\w*|nedskräp\w*|skadegörelse|"
    r"utvecklingspotential|behov\w*|brist\w*|förfall\w*|tomma lokaler|vakan\w*|kriminalitet|"
    r"vill utveckla|slitn\w*|sliten|saknas|saknar|nedgång\w*|ödslig\w*|tappar|challenges?|"
    r"purpose|unsafe|mörk\w*|skräpig\w*|tomt|tomma|öde|ödsligt|genomfart\w*|omvägar|"
    r"har svårt|har gått ner|minskat|minskar|tappat|ingenstans|känner inte varandra|"
    r"används (?:nästan |knappt )?inte|används lite|tryggare|trevligare|renare|levande|"
    r"locka tillbaka|för att locka|vill göra \w+ till|vill skapa|vill att det ska bli|"
    r"isolated|lonely|empty|dark|struggl\w*|declin\w*|safer|livelier|so that|in order to|"
    r"want to create|would like to create|losing|lost)\b",
    re.IGNORECASE,
)
PURPOSE_WORD = either(r"\b(?:syfte\w*|utmaning\w*|problem\w*)\b", re.IGNORECASE)
GOALS_CUE = either(
    r"\b(?:mål|målet|målen|målsättning\w*|effektmål\w*|förväntad\w* (?:resultat|effekt\w*)|"
    r"resultat(?:et|en)?|effekt(?:en|er|erna)?|uppnå|ska leda till|mätbar\w*|indikator\w*|"
    r"goals?|expected results?|outcomes?)\b",
    re.IGNORECASE,
)
OWN_CUE = either(
    r"(?<!staden )(?<!kommunen )(?<!ni )(?<!staden kan )(?<!kommunen kan )(?<!ni kan )"
    r"\b(?:egen insats\w*|egna insats\w*|vi bidrar|bidrar vi|"
    r"bidrar med|bidra med|medfinansierar|ideell tid|ideella timmar|ideellt arbete|vi står för|"
    r"står vi för|egen finansiering|egna medel|egen medfinansiering|vårt bidrag|vår insats|"
    r"själva står för|står själva för|varav \w+ (?:själva )?står för|"
    r"in kind|own contribution|we contribute|we will contribute|(?:members|we) contribute|"
    r"contribute[sd]? (?:with )?(?:SEK|\d)|our (?:own )?share)\b",
    re.IGNORECASE,
)
ASK = either(
    r"\b(?:söker|ansöker|söka|ansöka|önskar|begär|behöver|ber om|ber er om|vill ha|skulle behöva|"
    r"skulle vilja ha|hoppas (?:på|att)|"
    r"apply|applying|request\w*|asking|ask for|ask|seeking|seek|would like|need)\b",
    re.IGNORECASE,
)
FINANCE_CUE = either(
    r"(?<!inga )(?<!ingen )(?<!inte )(?<!utan )"
    r"\b(?:finansiering|bidrag(?:et)?|ekonomiskt stöd|medfinansiering|belopp(?:et)?|"
    r"pengar|funding|grant|kan bidra med|kunde bidra|finansiera|money)\b",
    re.IGNORECASE,
)
TOTAL_CUE = either(
    r"\b(?:total\w*|budget\w*|omslutning|omsättning|totalkostnad\w*|kostar|kostnad)\b",
    re.IGNORECASE,
)
PERSONAL_CUE = either(
    r"\b(?:personal(?:stöd|resurs\w*)?|tjänsteperson\w*|timmar|arbetstid|handläggar\w*|"
    r"medarbetare från|person från (?:staden|kommunen)|staff|"
    r"\w*(?:pedagog|sekreterare|samordnare|värd|arbetare|tekniker)\w* från (?:staden|kommunen)|"
    r"från (?:staden|kommunen) på (?:halvtid|heltid|deltid))\b",
    re.IGNORECASE,
)
OUR_STAFF = either(r"\b(?:vår|våra|egen|egna)\s+(?:personal|anställda)\b", re.IGNORECASE)
PROCESS_CUE = either(
    r"\b(?:processtöd\w*|processledning|processledare|facilitering|facilitator\w*|workshop\w*|"
    r"analys\w*|kartläggning\w*|stöd i processen|dialogmöte\w*|process support|"
    r"hjälp med processen|stöd i att leda|leda (?:de )?(?:möte\w*|samtal\w*|arbetet)|leda det|"
    r"mötesledning|samordna\w*|komma igång|få ihop|facilitation|facilitate\w*|"
    r"coordinat\w*|moderat\w*)\b",
    re.IGNORECASE,
)
OTHER_CUE = either(
    r"\b(?:hjälp med|tillgång till|låna|lån av|tillstånd|upplåtelse|stöd med)\b", re.IGNORECASE
)
