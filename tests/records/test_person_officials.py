"""Person export and erasure for an official: what is recorded under their ids, what is kept
and under which law."""

from __future__ import annotations

from sqlmodel import Session, select

from samverkan.storage import officials
from samverkan.storage.models import PhaseChangeRow
from samverkan.storage.people import erase_person, export_person
from samverkan.storage.people_officials import official_extract, official_kept
from tests.helpers.chat import ANNA, Chat
from tests.records.year import build_year


def test_an_official_gets_an_extract_and_learns_what_is_kept(chat: Chat) -> None:
    with Session(chat.engine) as session:
        officials.seed(session, chat.settings.officials)
        session.commit()
    made = build_year(chat)
    assert chat(f"visa {made[0].ref}", who=ANNA).ok
    assert chat(f"sekretess {made[0].ref} 1 på", who=ANNA).ok
    with Session(chat.engine) as session:
        extract = official_extract(session, ANNA)
        history = len(session.exec(select(PhaseChangeRow).where(PhaseChangeRow.by == ANNA)).all())
        report = erase_person(session, ANNA)
        kept = official_kept(session, ANNA)
        session.commit()
        assert official_extract(session, ANNA) == extract  # erasure took nothing of it
        assert export_person(session, "nobody@malmo.example")["official"] == []
        assert official_extract(session, "nobody@malmo.example") == {}
    assert extract["registry_entry"]["role"] == "samordnare"
    assert [d["case"] for d in extract["decisions_recorded"]] == [made[0].ref, made[1].ref]
    assert [r["command"] for r in extract["reads_of_personal_data"]] == ["visa", "sekretess"]
    assert extract["secrecy_markings"] == [{"case": made[0].ref, "document": 1, "secret": True}]
    assert report.erased_messages == 0
    assert any("arkivlagen (1990:782)" in line and str(history + 2) in line for line in kept)
    assert any("dataskyddsförordningen" in line and line.startswith("2 ") for line in kept)
    assert any(line.startswith("posten i handläggarregistret (aktiv)") for line in kept)
