"""The hand-keyed list of targets stated in prose (issue 24) is well formed against its sources.

tests/corpus/prose/ holds, per seed plan, the commitments a person found in the body text
(`<stem>.commitments.csv`) and the numbers judged not to be commitments (`<stem>.excluded.csv`),
keyed by hand without the extractor. The extractor is measured against this list, so the list
itself must hold: every quote is an exact substring of the seed line it names, the comparator and
year basis come from the issue's vocabulary, the value is written in the quote, and no row comes
from a block the README declares a table (table_blocks.csv). Reads ../shared/seeds (the
`seeds_dir` fixture: skips on a developer machine without it, fails under CI=true).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

PROSE_DIR = Path(__file__).resolve().parents[1] / "corpus" / "prose"
COMMITMENT_HEADER = [
    "line",
    "quote",
    "subject",
    "comparator",
    "value",
    "unit",
    "year",
    "year_basis",
    "note",
]
EXCLUDED_HEADER = ["line", "quote", "reason"]
COMPARATORS = {">=", ">", "<=", "<", "=", "~", "range"}
YEAR_BASES = {"explicit", "plan_period", "standing"}
STEMS = sorted(p.name.removesuffix(".commitments.csv") for p in PROSE_DIR.glob("*.commitments.csv"))
CHINESE_DIGITS = "零一二三四五六七八九"


def _read(path: Path, header: list[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == header, f"{path.name}: header is not {header}"
        rows = [dict(zip(header, row, strict=True)) for row in reader]
    assert rows, f"{path.name}: no rows"
    return rows


def _seed_lines(seeds_dir: Path, stem: str) -> list[str]:
    return (seeds_dir / f"{stem}.txt").read_text(encoding="utf-8").splitlines()


def _chinese(number: int) -> set[str]:
    """The ways a plan writes a small whole number in Chinese numerals (2 also as 两)."""
    if number < 10:
        forms = {CHINESE_DIGITS[number]}
    elif number < 100:
        tens, ones = divmod(number, 10)
        head = "十" if tens == 1 else CHINESE_DIGITS[tens] + "十"
        forms = {head + (CHINESE_DIGITS[ones] if ones else "")}
    else:
        return set()
    return forms | {form.replace("二", "两") for form in forms if form.startswith("二")}


def _written_in(number: str, quote: str) -> bool:
    """Is the keyed number written in the quote, as digits or as a Chinese numeral?"""
    value = float(number)
    digits = re.findall(r"\d+(?:\.\d+)?", quote)
    if any(float(found) == value for found in digits):
        return True
    return value.is_integer() and any(form in quote for form in _chinese(int(value)))


def _table_blocks() -> dict[str, list[range]]:
    blocks: dict[str, list[range]] = {}
    with (PROSE_DIR / "table_blocks.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            first, last = int(row["first_line"]), int(row["last_line"])
            blocks.setdefault(row["stem"], []).append(range(first, last + 1))
    return blocks


def test_every_keyed_seed_has_both_files_and_its_table_blocks() -> None:
    """table_blocks.csv names every keyed seed (with its table line ranges); each has both files."""
    declared = set(_table_blocks())
    assert declared, f"{PROSE_DIR / 'table_blocks.csv'} declares no seed"
    assert set(STEMS) == declared, f"keyed files {STEMS} differ from table_blocks.csv {declared}"
    for stem in STEMS:
        assert (PROSE_DIR / f"{stem}.excluded.csv").is_file(), f"{stem}: no excluded.csv"


@pytest.mark.parametrize("stem", STEMS)
def test_commitment_rows_hold_against_the_seed(seeds_dir: Path, stem: str) -> None:
    lines = _seed_lines(seeds_dir, stem)
    tables = _table_blocks().get(stem, [])
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for row in _read(PROSE_DIR / f"{stem}.commitments.csv", COMMITMENT_HEADER):
        where = f"{stem}.commitments.csv line {row['line']} {row['quote']!r}"
        number = int(row["line"])
        if not 1 <= number <= len(lines):
            problems.append(f"{where}: no such line in the seed")
            continue
        text = lines[number - 1]
        if row["quote"] not in text:
            problems.append(f"{where}: quote is not a substring of the seed line")
        if any(number in block for block in tables):
            problems.append(f"{where}: line lies in a declared table block")
        if not row["subject"].strip():
            problems.append(f"{where}: empty subject")
        if row["comparator"] not in COMPARATORS:
            problems.append(f"{where}: comparator {row['comparator']!r} not in {COMPARATORS}")
        ends = row["value"].split("-") if row["comparator"] == "range" else [row["value"]]
        if row["comparator"] == "range" and len(ends) != 2:
            problems.append(f"{where}: range value must be written a-b")
        for end in ends:
            try:
                float(end)
            except ValueError:
                problems.append(f"{where}: value {row['value']!r} is not a number")
                continue
            if not _written_in(end, row["quote"]):
                problems.append(f"{where}: value {end} is not written in the quote")
        if row["year_basis"] not in YEAR_BASES:
            problems.append(f"{where}: year_basis {row['year_basis']!r} not in {YEAR_BASES}")
        if (row["year_basis"] == "standing") != (row["year"] == ""):
            problems.append(f"{where}: a year is empty exactly when the norm is standing")
        if row["year"] and not re.fullmatch(r"20\d\d", row["year"]):
            problems.append(f"{where}: year {row['year']!r} is not a year")
        if row["year_basis"] == "explicit" and not re.search(
            r"\s*".join(row["year"]) + r"\s*年", text
        ):
            problems.append(f"{where}: year basis explicit but {row['year']}年 is not on the line")
        key = (row["line"], row["quote"], row["value"])
        if key in seen:
            problems.append(f"{where}: duplicate row")
        seen.add(key)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_excluded_rows_hold_against_the_seed(seeds_dir: Path, stem: str) -> None:
    lines = _seed_lines(seeds_dir, stem)
    problems: list[str] = []
    for row in _read(PROSE_DIR / f"{stem}.excluded.csv", EXCLUDED_HEADER):
        where = f"{stem}.excluded.csv line {row['line']} {row['quote']!r}"
        number = int(row["line"])
        if not 1 <= number <= len(lines):
            problems.append(f"{where}: no such line in the seed")
        elif row["quote"] not in lines[number - 1]:
            problems.append(f"{where}: quote is not a substring of the seed line")
        if not row["reason"].strip():
            problems.append(f"{where}: no reason given")
    assert not problems, "\n".join(problems)


def test_value_in_quote_check_can_tell_numbers_apart() -> None:
    """The value check is not vacuous: it finds digits and Chinese numerals, and refuses others."""
    assert _written_in("96.5", "覆盖面达到96.5%")
    assert _written_in("1", "新建一所特殊教育学校")
    assert _written_in("0.3", "初中小于 0.3")
    assert not _written_in("96", "覆盖面达到96.5%")
    assert not _written_in("2", "新建一所特殊教育学校")
