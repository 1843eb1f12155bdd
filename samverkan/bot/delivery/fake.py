"""A transport for tests: records what it was given and answers as it is told.

Ships with the package (like httpx's ``MockTransport``) so tests of intake, commands and the
tick can watch the outbox drain without a mail server or a chat platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from samverkan.bot.delivery.port import Delivered, Result
from samverkan.storage.outbox import OutboxItem

__all__ = ["FakeTransport"]


@dataclass
class FakeTransport:
    """Delivers everything, unless ``answer`` says otherwise for an item.

    ``answer`` may return a :data:`Result` or raise, exactly as a real transport would.
    """

    name: str = "fake"
    answer: Callable[[OutboxItem], Result] | None = None
    delivered: list[OutboxItem] = field(default_factory=list)
    tried: list[OutboxItem] = field(default_factory=list)

    def deliver(self, item: OutboxItem) -> Result:
        self.tried.append(item)
        result = self.answer(item) if self.answer else Delivered(f"{self.name}:{item.id}")
        if isinstance(result, Delivered):
            self.delivered.append(item)
        return result
