"""Property: whatever happens to a real message's bytes, parse_message returns or says why not.

A crash in parsing would leave a message neither processed nor quarantined; the contract is a
``ParsedMessage`` or a ``ParseError`` with a reason, never any other exception.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samverkan.intake.reading.noise import noise_reason
from samverkan.intake.reading.parse import Limits, ParsedMessage, ParseError, parse_message

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "parse").glob("*.eml"))
SOURCES = [path.read_bytes() for path in FIXTURES]
# Small limits so the size branches are exercised too.
LIMITS = Limits(max_message_bytes=60_000, max_attachment_bytes=400, max_text_chars=2_000)

Mutation = tuple[str, int, int, bytes]
mutations = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate", "shuffle_headers", "splice"]),
        st.integers(min_value=0, max_value=1 << 30),
        st.integers(min_value=1, max_value=64),
        st.binary(min_size=1, max_size=16)
        | st.sampled_from(
            [b"=?", b"?=", b"\r\n", b"\n\n", b"--", b":", b"=\r\n", b"\x96", b"\xff"]
        ),
    ),
    max_size=6,
)


def mutate(raw: bytes, steps: list[Mutation]) -> bytes:
    data = bytearray(raw)
    for kind, where, length, chunk in steps:
        at = where % (len(data) + 1)
        if kind == "flip" and data:
            data[at % len(data)] ^= 1 << (length % 8)
        elif kind == "insert":
            data[at:at] = chunk
        elif kind == "delete":
            del data[at : at + length]
        elif kind == "truncate":
            del data[at:]
        elif kind == "splice":  # a piece of another fixture, e.g. a boundary or a header
            other = SOURCES[where % len(SOURCES)]
            start = (where >> 8) % max(1, len(other))
            data[at:at] = other[start : start + length * 4]
        elif kind == "shuffle_headers":
            head, sep, body = bytes(data).partition(b"\n\n")
            if not sep:
                head, sep, body = bytes(data).partition(b"\r\n\r\n")
            lines = head.splitlines(keepends=True)
            if len(lines) > 1:
                rotate = where % len(lines)
                lines = lines[rotate:] + lines[:rotate]
            data = bytearray(b"".join(lines) + sep + body)
    return bytes(data)


@settings(
    max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(source=st.sampled_from(range(len(SOURCES))), steps=mutations)
def test_mutated_mail_parses_or_raises_parse_error(source: int, steps: list[Mutation]) -> None:
    raw = mutate(SOURCES[source], steps)
    outcome: ParsedMessage | ParseError
    try:
        outcome = parse_message(raw, LIMITS)
    except ParseError as error:
        outcome = error
    if isinstance(outcome, ParseError):
        assert str(outcome)  # the quarantine reason an official reads
        return
    parsed = outcome
    assert len(parsed.text) <= LIMITS.max_text_chars
    assert all(len(a.data) <= LIMITS.max_attachment_bytes for a in parsed.attachments)
    noise = noise_reason(parsed)  # noise checks must cope with whatever parsing produced
    assert noise is None or isinstance(noise, str)


def test_fixtures_are_present() -> None:
    assert len(SOURCES) >= 10
