"""What a quality rule is, and the helpers rules share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from warroom.config import Config
from warroom.model import Finding
from warroom.records.reading import is_unfilled
from warroom.records.spec import SPECS, FieldSpec
from warroom.records.types import Comment, Reading

Evaluate = Callable[[Reading, Comment, Config], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """A named check over one record (and the comment around it)."""

    name: str
    kinds: frozenset[str]
    evaluate: Evaluate


def omitted(reading: Reading, key: str) -> bool:
    """No value, and not written or written blank.

    A value written unreadably is reported already (an error, or a warning for
    an optional field); one supplied another way (the next owner written after
    the checkpoint time) is not omitted.
    """
    if key in reading.values:
        return False
    spec = SPECS[reading.block.kind].by_key[key]
    written = reading.block.field(key)
    return written is None or is_unfilled(spec, written.value)


def line_of(reading: Reading, key: str) -> int:
    """The line to point at: the field's own line when written, else the block's start."""
    written = reading.block.field(key)
    return written.line if written is not None else reading.block.line


def state(reading: Reading, key: str) -> str:
    return "is empty" if reading.block.field(key) is not None else "missing"


def field_spec(kind: str, key: str) -> FieldSpec:
    return SPECS[kind].by_key[key]
