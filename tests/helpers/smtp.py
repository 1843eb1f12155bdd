"""A real SMTP server that refuses one kind of recipient, for delivery failures."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from aiosmtpd.controller import Controller


class PickySink:
    """A real SMTP server that knows every recipient but one (a permanent 5xx for it)."""

    def __init__(self) -> None:
        self.accepted: list[str] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: object, session: object, envelope: object, address: str, options: object
    ) -> str:
        if address.startswith("okand"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)  # type: ignore[attr-defined]
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: object, session: object, envelope: object
    ) -> str:
        self.accepted += envelope.rcpt_tos  # type: ignore[attr-defined]
        return "250 Message accepted"


@pytest.fixture
def picky_smtp(free_port: Callable[[], int]) -> Iterator[tuple[PickySink, int]]:
    sink, port = PickySink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()
