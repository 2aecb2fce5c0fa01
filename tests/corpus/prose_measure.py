"""Recall and precision of the prose extractor against the hand-keyed list (tests/corpus/prose/):
a commitment matches a keyed row on the same line with the same value (a range as `a-b`, a ratio
a:b as a, numbers compared as decimals). Each keyed row matches at most one extracted row.

Run alone for the figures: `python -m tests.corpus.prose_measure [SEEDS_DIR]`.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flows.extract import extract_document
from flows.extract.models import Commitment

PROSE_DIR = Path(__file__).resolve().parent / "prose"


def _number(text: str) -> str:
    return format(Decimal(text).normalize(), "f")


def keyed_value(value: str) -> str:
    """A keyed value in the compared form: `1-2` stays a range, `96.50` reads 96.5."""
    if "-" in value.strip("-"):
        low, high = value.split("-", 1)
        return f"{_number(low)}-{_number(high)}"
    return _number(value)


def extracted_value(row: Commitment) -> str:
    """An extracted value in the compared form (value_upper makes a range; 1:1 reads 1)."""
    value = row.value.split(":", 1)[0]
    if row.value_upper is not None:
        return f"{_number(value)}-{_number(row.value_upper)}"
    return _number(value)


@dataclass(frozen=True)
class Score:
    stem: str
    keyed: int
    extracted: int
    matched: int
    missed: list[tuple[int, str]]  # keyed (line, value) not extracted
    spurious: list[tuple[int | None, str]]  # extracted (line, value) not keyed

    @property
    def recall(self) -> float:
        return self.matched / self.keyed if self.keyed else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0

    def format(self) -> str:
        return (
            f"{self.stem}: recall {self.recall:.1%} ({self.matched}/{self.keyed}), "
            f"precision {self.precision:.1%} ({self.matched}/{self.extracted})"
        )


def keyed_rows(stem: str) -> list[tuple[int, str]]:
    path = PROSE_DIR / f"{stem}.commitments.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [(int(r["line"]), keyed_value(r["value"])) for r in csv.DictReader(handle)]


def stems() -> list[str]:
    return sorted(
        p.name.removesuffix(".commitments.csv") for p in PROSE_DIR.glob("*.commitments.csv")
    )


def score(seeds_dir: Path, stem: str) -> Score:
    """Extract the seed whole and compare its commitments with the keyed list."""
    rows = extract_document(seeds_dir / f"{stem}.txt").commitments
    found = Counter((r.line, extracted_value(r)) for r in rows)
    keyed = Counter(keyed_rows(stem))
    matched = found & keyed
    return Score(
        stem,
        sum(keyed.values()),
        sum(found.values()),
        sum(matched.values()),
        sorted((keyed - found).elements()),
        sorted((found - keyed).elements(), key=lambda k: (k[0] or 0, k[1])),
    )


if __name__ == "__main__":
    from tests.conftest import SEEDS_DIR  # ../shared/seeds, or $EDUPLAN_SHARED/seeds

    seeds = Path(sys.argv[1]) if len(sys.argv) > 1 else SEEDS_DIR
    for stem in stems():
        result = score(seeds, stem)
        print(result.format())
        print("  missed:", result.missed)
        print("  spurious:", result.spurious)
