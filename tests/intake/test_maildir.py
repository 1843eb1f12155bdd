"""The Maildir drop folder: read from new/ only, filed only after the pipeline returned."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from samverkan.config import Settings
from samverkan.intake.feeders.maildir import MaildirWatcher, open_maildir, seed_examples
from samverkan.intake.feeders.start import start_mail_watcher
from samverkan.intake.feeders.watching import HealthState
from samverkan.storage.db import make_engine
from tests.imap.support import FakeIntake, make_message, wait_until

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path, sqlite_template: Path) -> Engine:
    shutil.copyfile(sqlite_template, tmp_path / "samverkan.db")
    return make_engine(f"sqlite:///{tmp_path / 'samverkan.db'}")


def deliver(path: Path, raw: bytes) -> str:
    return str(open_maildir(path).add(raw))  # stdlib create=True races with the watcher


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_new_mail_is_handled_and_moved_to_cur_as_seen(tmp_path: Path, db: Engine) -> None:
    path = tmp_path / "maildir"
    key = deliver(path, make_message(1))
    intake = FakeIntake()
    assert MaildirWatcher(path, db, intake).drain() == 1
    assert intake.message_ids == ["<msg-1@example.org>"]
    assert names(path / "new") == []
    assert names(path / "cur") == [f"{key}:2,S"]


def test_quarantined_mail_goes_to_the_quarantine_subfolder(tmp_path: Path, db: Engine) -> None:
    path = tmp_path / "maildir"
    key = deliver(path, make_message(1, "TRASIG"))
    MaildirWatcher(path, db, FakeIntake()).drain()
    assert names(path / ".Karantän" / "cur") == [f"{key}:2,"]
    assert names(path / "cur") == []
    assert (path / ".Karantän" / "maildirfolder").exists()


def test_a_half_written_file_in_tmp_is_never_read(tmp_path: Path, db: Engine) -> None:
    path = tmp_path / "maildir"
    open_maildir(path)
    (path / "tmp" / "123.half").write_bytes(b"Subject: halv\r\n")
    intake = FakeIntake()
    assert MaildirWatcher(path, db, intake).drain() == 0
    assert intake.calls == []
    assert names(path / "tmp") == ["123.half"]


def test_a_failing_pipeline_leaves_the_message_in_new(tmp_path: Path, db: Engine) -> None:
    path = tmp_path / "maildir"
    key = deliver(path, make_message(1))
    with pytest.raises(RuntimeError):
        MaildirWatcher(path, db, FakeIntake(fail=1)).drain()
    assert names(path / "new") == [key]


def test_the_watcher_thread_picks_up_deliveries(tmp_path: Path, db: Engine) -> None:
    path = tmp_path / "maildir"
    intake = FakeIntake()
    w = MaildirWatcher(path, db, intake, poll_interval=0.05)
    w.start()
    try:
        deliver(path, make_message(1))
        deliver(path, make_message(2))
        wait_until(lambda: len(intake.calls) == 2 and not names(path / "new"), 5)
        wait_until(lambda: w.health.state is HealthState.OK, 5)
    finally:
        w.stop()
    assert sorted(intake.message_ids) == ["<msg-1@example.org>", "<msg-2@example.org>"]
    stopped = w.health
    assert stopped.state is HealthState.STOPPED
    assert stopped.last_success_at is not None


def test_seed_fills_only_a_newly_created_maildir(tmp_path: Path) -> None:
    examples = []
    for n in (1, 2):
        example = tmp_path / f"exempel-{n}.eml"
        example.write_bytes(make_message(n))
        examples.append(example)
    fresh = tmp_path / "ny"
    assert seed_examples(fresh, examples) == 2
    assert len(names(fresh / "new")) == 2
    existing = tmp_path / "befintlig"
    existing.mkdir()
    assert seed_examples(existing, examples) == 0
    assert not (existing / "new").exists()


def test_start_mail_watcher_uses_the_maildir_without_an_imap_host(
    tmp_path: Path, db: Engine
) -> None:
    settings = Settings(_env_file=None, maildir=tmp_path / "drop")
    intake = FakeIntake()
    w = start_mail_watcher(settings, db, intake)
    try:
        assert isinstance(w, MaildirWatcher)
        assert (tmp_path / "drop" / "new").is_dir()
        deliver(tmp_path / "drop", make_message(7))
        # The seeded examples and the new mail are all read; in which order is the folder's.
        wait_until(lambda: "<msg-7@example.org>" in intake.message_ids, 10)
    finally:
        w.stop()
