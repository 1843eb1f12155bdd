"""The command table the help text and the parser share, and how words are compared.

Swedish words come first, English ones are aliases, and every word is compared with å, ä and ö
folded away, so ``godkänn``, ``godkann`` and ``approve`` name the same command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from difflib import get_close_matches

_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def fold(word: str) -> str:
    """Lower case without å, ä, ö: how officials type on any keyboard."""
    return word.strip().lower().translate(_FOLD)


@dataclass(frozen=True)
class CommandSpec:
    name: str
    """The canonical word (Swedish, without diacritics): action ids use it."""
    words: tuple[str, ...]
    usage: str
    summary: str
    template: str
    """The example, with ``{ref}`` for a case of this year and ``{day}`` for a coming day."""

    def example(self, today: date) -> str:
        """The example as of ``today``: this year's case, a date still to come."""
        day = today + timedelta(days=14)
        while day.weekday() >= 5:  # a working day, as a meeting would be
            day += timedelta(days=1)
        meeting = today + timedelta(days=49)
        while meeting.weekday() != 1:  # the committee meets on Tuesdays
            meeting += timedelta(days=1)
        return self.template.format(
            ref=f"SAM-{today.year}-0001",
            day=day.isoformat(),
            meeting=meeting.isoformat(),
            deadline=(meeting - timedelta(days=21)).isoformat(),
        )


SPECS: tuple[CommandSpec, ...] = (
    CommandSpec("hjalp", ("hjalp", "help"), "hjälp|help [kommando]",
                "visar den här listan, eller hur ett kommando används", "hjälp beslut"),
    CommandSpec("lista", ("lista", "list"), "lista|list [fas] [område]",
                "listar ärenden, om du vill i en fas och ett område", "lista bedömning Seved"),
    CommandSpec("mina", ("mina", "mine"), "mina|mine",
                "dina ärenden som kontaktperson och vad som förfaller i dem", "mina"),
    CommandSpec("visa", ("visa", "show"), "visa|show REF",
                "visar ett ärende: uppgifter, kriterier och möjliga steg", "visa {ref}"),
    CommandSpec("tilldela", ("tilldela", "assign"), "tilldela|assign REF @vem",
                "gör någon till kontaktperson för ärendet (samordnare)",
                "tilldela {ref} @karin"),
    CommandSpec("komplettera", ("komplettera", "request-info", "requestinfo"),
                "komplettera|request-info REF text",
                "ber sökande om kompletterande uppgifter per e-post",
                "komplettera {ref} Skicka gärna en budget för första året."),
    CommandSpec("bedom", ("bedom", "assess"), "bedöm|assess REF [skäl]",
                "flyttar ärendet till bedömning", "bedöm {ref} svar per telefon"),
    CommandSpec("mote", ("mote", "meeting"), "möte|meeting REF ÅÅÅÅ-MM-DD TT:MM",
                "bokar möte med aktörerna (påminnelse arbetsdagen före)",
                "möte {ref} {day} 10:00"),
    CommandSpec("godkann", ("godkann", "approve"), "godkänn|approve REF [override: skäl]",
                "godkänner ansökan för tekniska nämnden och bifogar tjänsteskrivelsen",
                "godkänn {ref}"),
    CommandSpec("avsla", ("avsla", "reject"), "avslå|reject REF skäl",
                "avslår ansökan med skäl (sökande får ett e-postmeddelande)",
                "avslå {ref} området är inte avgränsat"),
    CommandSpec("beslut", ("beslut", "decision"),
                "beslut|decision REF beviljad § NR [sammanträde=ÅÅÅÅ-MM-DD] [stödform=… belopp=… "
                "timmar=…] [skäl] | beslut REF avslag § NR [sammanträde=…] skäl",
                "registrerar tekniska nämndens beslut (utan sammanträde= gäller det senaste i "
                "kalendern) och skickar beslutsbrevet",
                "beslut {ref} beviljad § 45 stödform=finansiering,processtöd belopp=350000"),
    CommandSpec("uppfoljning", ("uppfoljning", "followup", "follow-up"),
                "uppföljning|followup REF resultat|effekt text",
                "registrerar en resultat- eller effektmätning",
                "uppföljning {ref} resultat 12 trygghetsvandringar genomförda"),
    CommandSpec("avsluta", ("avsluta", "close"), "avsluta|close REF [skäl]",
                "avslutar ett ärende efter uppföljningen", "avsluta {ref}"),
    CommandSpec("aterkalla", ("aterkalla", "withdraw"), "återkalla|withdraw REF skäl",
                "markerar ansökan som återkallad av sökande",
                "återkalla {ref} föreningen drar tillbaka ansökan"),
    CommandSpec("paminnelser", ("paminnelser", "reminders"), "påminnelser|reminders",
                "visar kommande påminnelser, närmast först", "påminnelser"),
    CommandSpec("ny", ("ny", "new"), "ny|new Titel; fält=värde; …",
                "öppnar ett ärende från chatten (när staden tar initiativet)",
                "ny Samverkan Lindängen; område=Lindängen; organisation=Lindängens BID"),
    CommandSpec("andra", ("andra", "set"), "ändra|set REF fält=värde …",
                "rättar en uppgift och bedömer ansökan på nytt",
                "ändra {ref} orgnr=802457-3167"),
    CommandSpec("statistik", ("statistik", "stats"), "statistik|stats",
                "ärenden per fas och område, beviljat stöd", "statistik"),
    CommandSpec("process", ("process",),
                'process lägg-till "Namn" område1, område2 [kontakt=…] | process lista',
                "registrerar en pågående samverkansprocess (samordnare), eller listar dem",
                'process lägg-till "BID Lindängen" Lindängen kontakt=info@lindangen.example'),
    CommandSpec("handlingar", ("handlingar", "documents"), "handlingar|documents REF",
                "visar ärendets diarieförda handlingar med nummer och sekretess",
                "handlingar SAM-2026-0001"),
    CommandSpec("sekretess", ("sekretess", "secrecy"), "sekretess|secrecy REF NR på|av",
                "sekretessmarkerar en handling (på) eller tar bort markeringen (av)",
                "sekretess SAM-2026-0001 2 på"),
    CommandSpec("handlaggare", ("handlaggare", "officials", "official"),
                'handläggare lägg-till @vem kontaktperson|samordnare "Namn" "Titel" [epost=…] | '
                'handläggare ändra @vem [roll] ["Namn"] ["Titel"] [namn=… titel=… epost=…] | '
                "handläggare ta-bort @vem | handläggare lista",
                "handläggarregistret: namn och titel i tjänsteskrivelsen (ändras av samordnare)",
                'handläggare lägg-till @karin kontaktperson "Karin Holm" "Stadsutvecklare"'),
    CommandSpec("namnd", ("namnd", "committee"),
                "nämnd lägg-till ÅÅÅÅ-MM-DD sista-dag ÅÅÅÅ-MM-DD | nämnd ta-bort ÅÅÅÅ-MM-DD | "
                "nämnd lista",
                "tekniska nämndens sammanträden och sista dag för tjänsteskrivelser "
                "(ändras av samordnare)",
                "nämnd lägg-till {meeting} sista-dag {deadline}"),
)  # fmt: skip

_BY_WORD = {word: spec for spec in SPECS for word in spec.words}
FIELD_HELP = (
    "titel, organisation, orgnr, kontakt, epost, telefon, område, aktörer, stödform, belopp, "
    "timmar, start, månader, syfte, mål, egen_insats"
)


def word_of(spec: CommandSpec) -> str:
    """The Swedish word as officials write it: ``godkänn``, ``möte``."""
    return spec.usage.split("|", 1)[0].split()[0]


def close_to(word: str) -> CommandSpec | None:
    """The command ``word`` is most likely a typo of, if any is close enough."""
    found = get_close_matches(fold(word), list(_BY_WORD), n=1, cutoff=0.7)
    return _BY_WORD[found[0]] if found else None


def spec_of(name: str) -> CommandSpec | None:
    """The command a (possibly English, possibly accented) word names."""
    return _BY_WORD.get(fold(name))
