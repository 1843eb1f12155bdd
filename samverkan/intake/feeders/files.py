"""Where ``samverkan ingest`` finds messages: .eml files, folders of them, Maildirs, mbox files.

Messages are yielded one at a time, so a 50,000-message mbox is never held in memory whole.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RawMessage:
    source: str
    data: bytes


class SourceError(Exception):
    """A path that cannot be read as mail; ``str()`` is a Swedish message."""


def is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def is_mbox(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(5) == b"From "


def count_messages(paths: list[Path]) -> int | None:
    """A cheap count for the progress bar; None when counting would cost a full read."""
    total = 0
    for path in paths:
        if is_maildir(path):
            total += sum(1 for _ in mailbox.Maildir(path, create=False).iterkeys())
        elif path.is_dir():
            total += sum(1 for p in path.rglob("*.eml") if p.is_file())
        elif path.is_file() and not is_mbox(path):
            total += 1
        else:
            return None
    return total


def iter_messages(paths: list[Path]) -> Iterator[RawMessage]:
    for path in paths:
        if not path.exists():
            raise SourceError(f"Hittar inte {path}")
        if is_maildir(path):
            box = mailbox.Maildir(path, factory=None, create=False)
            for key in sorted(box.iterkeys()):
                yield RawMessage(f"{path}/{key}", box.get_bytes(key))
        elif path.is_dir():
            for file in sorted(p for p in path.rglob("*.eml") if p.is_file()):
                yield RawMessage(str(file), file.read_bytes())
        elif is_mbox(path):
            box_m = mailbox.mbox(path, create=False)
            try:
                for index, key in enumerate(box_m.iterkeys()):
                    yield RawMessage(f"{path}#{index + 1}", box_m.get_bytes(key))
            finally:
                box_m.close()
        else:
            yield RawMessage(str(path), path.read_bytes())
