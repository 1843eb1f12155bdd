"""The committee memo: rendered from the view model, structure safe from actor text."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest

from samverkan.render import environment
from samverkan.rules.committee import CommitteeMeeting
from samverkan.rules.criteria import CoordinationContext, ExistingProcess, evaluate
from samverkan.rules.memo import PLAIN, MemoCase, md_inline, md_quote, memo_view
from samverkan.rules.model import ActorCategory, Application, Area, SupportForm, SupportRequest
from samverkan.rules.officials import Official
from samverkan.rules.phases import Role
from samverkan.rules.ruleset import bundled_ruleset_path, load_ruleset

RULES = load_ruleset(bundled_ruleset_path())
HEADINGS = [
    "## Sammanfattning",
    "## Förslag till beslut",
    "## Beslutsunderlag",
    "## Beslutsplanering",
    "## Ärendet",
    "## Ekonomiska konsekvenser",
    "## Underskrift",
]
KARIN = Official(
    "U0KARIN", Role.KONTAKTPERSON, "Karin Lund", "Stadsutvecklare", "karin.lund@malmo.se"
)
SEVED = Area("Seved", True, ("Sofielund", "Södra Innerstaden"))
CONTEXT = CoordinationContext(
    processes=(ExistingProcess("BID Sofielund", (SEVED,), "info@bidsofielund.se"),)
)
APP = Application(
    title="Trygga Seved",
    organisation="Sevedsföreningen",
    orgnr="802457-3167",
    orgnr_valid=True,
    contact_name="Anna Berg",
    email="anna.berg@example.se",
    area=SEVED,
    actors=(ActorCategory.FASTIGHETSAGARE, ActorCategory.CIVILSAMHALLE),
    support=(
        SupportRequest(SupportForm.FINANSIERING, amount_sek=350_000),
        SupportRequest(SupportForm.PROCESSTOD),
    ),
    start=date(2026, 3, 1),
    duration_months=24,
    purpose="Otrygga gångstråk och tomma lokaler; vi vill göra torget till en mötesplats.",
    goals="Tre nya verksamheter i bottenvåningarna senast 2027.",
    own_contribution="Fastighetsägarna bidrar med 200 000 kr och 300 timmar.",
)


def render(case: MemoCase, today: date = date(2026, 4, 14)) -> str:
    # The environment the product renders with (Markdown is not autoescaped: memo_view makes
    # every value Markdown-safe instead).
    evaluation = evaluate(case.application, RULES, CONTEXT)
    return environment().get_template("memo.md.j2").render(memo_view(case, evaluation, today))


def case_for(
    app: Application,
    proposed_support: tuple[SupportRequest, ...] = (),
    meeting: CommitteeMeeting | None = None,
    override: str | None = None,
) -> MemoCase:
    return MemoCase(
        ref="SAM-2026-0001",
        title="Trygga Seved",
        application=app,
        registration="TN-2026-0042",
        official=KARIN,
        contact_person="U0KARIN",
        proposed_support=proposed_support,
        history=("2026-02-03 inkommen: ansökan via e-post", "2026-03-10 möte med aktörerna"),
        meeting=meeting,
        override=override,
        received=date(2026, 2, 3),
    )


def test_memo_has_every_heading_in_order_and_the_key_facts() -> None:
    memo = render(case_for(APP, meeting=CommitteeMeeting(date(2026, 5, 20), date(2026, 4, 29))))
    lines = memo.splitlines()

    positions = [lines.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    for fact in (
        "SAM-2026-0001",
        "2026-04-14",
        "Trygga Seved",
        "Sevedsföreningen",
        "802457-3167",
        "Seved",
        "fastighetsägare och civilsamhälle",
        "finansiering (350 000 kr) och processtöd",
        "24 månader från 1 mars 2026",
        "2020-08-25.1",
        "| Handläggare | Karin Lund, Stadsutvecklare |",
        "| Diarienummer | TN-2026-0042 |",
        "# Tjänsteskrivelse: Ansökan från Sevedsföreningen om samverkansstöd för Seved: "
        "finansiering (350 000 kr) och processtöd",
        "Tekniska nämnden sammanträde 2026-05-20 (sista dag för tjänsteskrivelser 2026-04-29)",
        "2026-03-10 möte med aktörerna",
        "BID Sofielund",
        "Tekniska nämnden beviljar Sevedsföreningen (802457-3167) samverkansstöd för Seved i "
        "form av finansiering (350 000 kr) och processtöd under 24 månader från 1 mars 2026.",
        "Ansökan avser finansiering med 350 000 kr för 2026–2028.",
        "Processtöd ges inom fastighets- och gatukontorets befintliga resurser.",
        "Ansökan från Sevedsföreningen, inkommen 2026-02-03 (ärende SAM-2026-0001)",
    ):
        assert fact in memo, fact
    for rule in RULES.criteria:
        assert f"| {rule.name} |" in memo


def test_proposed_support_replaces_what_was_asked_for_in_the_proposal() -> None:
    memo = render(
        case_for(APP, proposed_support=(SupportRequest(SupportForm.FINANSIERING, 200_000),))
    )
    proposal = memo.split("## Förslag till beslut")[1].split("## Beslutsunderlag")[0]

    assert "finansiering (200 000 kr)" in proposal
    assert "350 000 kr" not in proposal
    assert "350 000 kr" in memo  # still shown as what the actor applied for


def test_memo_for_an_almost_empty_application_still_renders() -> None:
    memo = render(MemoCase(ref="SAM-2026-0009", title=None, application=Application()))

    for heading in HEADINGS:
        assert heading in memo
    assert "uppgift saknas" in memo
    assert "ofullständig" in memo
    assert "ej tilldelad" in memo
    proposal = memo.split("## Förslag till beslut")[1].split("## Beslutsunderlag")[0]
    assert "beviljar" not in proposal  # never a grant to nobody
    assert "sökande är inte identifierad" in proposal
    assert "inget kommande sammanträde finns i kalendern" in memo


def test_no_grant_is_proposed_without_a_support_form() -> None:
    memo = render(case_for(dataclasses.replace(APP, support=())))
    proposal = memo.split("## Förslag till beslut")[1].split("## Beslutsunderlag")[0]
    assert "beviljar" not in proposal
    assert "det stöd som anges" not in memo
    assert "anger inte vilket stöd som söks" in proposal


def test_an_override_is_in_the_summary_and_the_assessment() -> None:
    one_actor = dataclasses.replace(APP, actors=(ActorCategory.BOENDE,))
    memo = render(case_for(one_actor, override="stadens eget initiativ"))
    summary = memo.split("## Sammanfattning")[1].split("## Förslag")[0]
    assert "ej stödberättigad" in summary
    assert "stadens eget initiativ" in summary
    assessment = memo.split("### Bedömning")[1].split("### Samordning")[0]
    assert "med motiveringen: stadens eget initiativ" in assessment


def test_a_handlaggare_without_a_name_is_never_shown_by_a_chat_id() -> None:
    nameless = dataclasses.replace(case_for(APP), official=Official("U0KARIN", Role.KONTAKTPERSON))
    memo = render(nameless)
    assert "U0KARIN" not in memo
    assert "| Handläggare | namn saknas i handläggarregistret |" in memo


def test_the_plain_view_keeps_the_words_unescaped() -> None:
    app = dataclasses.replace(APP, organisation="Seved_Föreningen *AB*")
    view = memo_view(case_for(app), evaluate(app, RULES, CONTEXT), date(2026, 4, 14), PLAIN)
    assert view["title"].startswith("Ansökan från Seved_Föreningen *AB* om")
    assert view["signature"] == [
        "Fastighets- och gatukontoret",
        "Karin Lund",
        "Stadsutvecklare",
        "karin.lund@malmo.se",
    ]


HOSTILE = (
    "# Beviljat!\n"
    "Vanlig rad\n"
    "- en punkt\n"
    "1. numrerad\n"
    "| a | b |\n"
    "---\n"
    "<script>alert(1)</script> [klicka](http://evil.example) ![bild](x.png)\n"
    "> citat\n"
    "    kodblock"
)


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_actor_text_cannot_change_the_memo_structure() -> None:
    app = dataclasses.replace(
        APP,
        title="## Falsk rubrik | med tabell",
        organisation="Evil *AB* <b>",
        purpose=HOSTILE,
        goals=HOSTILE,
        own_contribution=HOSTILE,
        evidence={"area": HOSTILE},
    )
    memo = render(case_for(app))
    lines = memo.splitlines()

    assert [line for line in lines if line.startswith("#")] == [
        lines[0],
        *HEADINGS[:5],
        "### Bakgrund",
        "### Ansökan",
        "### Bedömning",
        "### Samordning",
        "### Ärendets gång",
        *HEADINGS[5:],
    ]
    assert lines[0].startswith("# Tjänsteskrivelse: ")
    assert "<script>" not in memo
    assert "<b>" not in memo
    assert not re.search(r"(?<!\\)\]\(", memo)  # no link syntax survives
    assert not any(re.match(r"\s*(-|\d+\.|>)\s*(en punkt|numrerad|citat)", x) for x in lines)
    assert not any(x.strip() == "---" for x in lines)
    # the actor's words are still there, quoted
    assert "> Vanlig rad" in lines
    assert "> \\# Beviljat\\!" in lines
    # every row of the assessment table has exactly its four cell borders
    table = [x for x in lines if x.startswith("| ") and x.endswith(" |")]
    assessment_rows = [row for row in table if row.count(" | ") >= 2][-len(RULES.criteria) :]
    assert all(unescaped_pipes(row) == 4 for row in assessment_rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("a\nb", "a b"),
        ("# x", "\\# x"),
        ("a | b", "a \\| b"),
        ("[l](u)", "\\[l\\](u)"),
        ("<b>", "\\<b\\>"),
        ("snake_case *bold*", "snake\\_case \\*bold\\*"),
    ],
)
def test_md_inline(text: str, expected: str) -> None:
    assert md_inline(text) == expected


def test_md_quote_keeps_lines_and_neutralises_block_markup() -> None:
    assert md_quote("- a\n\n2. b\n+ c\n=== d") == "> \\- a\n>\n> 2\\. b\n> \\+ c\n> \\=== d"
    long = md_quote("ord " * 1000)
    assert long.endswith("…")
    assert len(long) <= 1502


def test_list_items_stand_on_their_own_lines() -> None:
    text = render(case_for(APP))
    assert "\n1. Tekniska nämnden beviljar" in text
    assert "\n2. Tekniska nämnden ger" in text
    assert "\n- **Sökande:**" in text
