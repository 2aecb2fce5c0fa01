"""Findings a data file is known to have, declared beside it, so that a night that meets only
those reads as clean: a newcomer's first `make run` on the shipped raw/ should not look like a
broken set-up.

An actuals file `NAME.csv` (or `.xlsx`) may have a note `NAME.toml` beside it with `[[expected]]`
entries: the line, the finding (a held-back reason of marts.mart_actuals_quarantine, or
`unresolved_name` with the `name` as written) and `why` it is kept as published. The night still
holds the row back and still leaves the name unresolved (dbt judges, nothing changes in the
marts); the summary lists such findings under "expected" with their reason instead of as
problems. A finding not declared is a problem as before; a declared one that no longer occurs is
reported as stale, so the note cannot hide a later mistake.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from flows.held_back import HeldBack
from flows.unresolved_names import UnresolvedName

UNRESOLVED = "unresolved_name"
# a dbt warning-severity test -> the finding kind whose rows it counts (its "Got N results")
WARNING_FINDINGS = {"assert_every_indicator_name_is_catalogued": ("indicator", UNRESOLVED)}
_GOT = re.compile(r"Got (\d+) results?")


@dataclass(frozen=True)
class Expected:
    """One declared finding: `file:line` (file as the night names it), what, and why."""

    note: str  # the note's path, for messages
    file: str
    line: int
    finding: str
    why: str
    name: str | None = None

    def format(self) -> str:
        what = f"{self.finding} {self.name!r}" if self.name else self.finding
        return f"{self.file}:{self.line}: {what}: {self.why}"


@dataclass
class Findings:
    """Tonight's held-back groups and unresolved names, split into problems and expected."""

    held_back: list[str] = field(default_factory=list)
    unresolved_names: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # bad or stale notes
    expected_names: dict[str, int] = field(default_factory=dict)  # kind -> expected names
    problem_names: dict[str, int] = field(default_factory=dict)  # kind -> names not expected


def read_notes(actuals_dir: Path) -> tuple[list[Expected], list[str]]:
    """The `[[expected]]` entries of every `NAME.toml` beside an actuals file, and what is wrong
    with a note (a warning, naming the note: the night goes on)."""
    entries: list[Expected] = []
    problems: list[str] = []
    folder = Path(actuals_dir)
    for note in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        data_files = [p.name for p in folder.glob(f"{note.stem}.*") if p.suffix != ".toml"]
        if len(data_files) != 1:
            problems.append(f"{note}: a note needs exactly one data file named {note.stem}.*")
            continue
        try:
            items = tomllib.loads(note.read_text(encoding="utf-8")).get("expected", [])
            for n, item in enumerate(items, start=1):
                entries.append(Expected(
                    note=str(note), file=data_files[0], line=int(item["line"]),
                    finding=str(item["finding"]), why=str(item["why"]),
                    name=str(item["name"]) if "name" in item else None,
                ))  # fmt: skip
                if entries[-1].finding == UNRESOLVED and entries[-1].name is None:
                    raise ValueError(f"expected entry {n}: an unresolved_name needs its name")
        except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
            problems.append(f"{note}: not a note of expected findings ({error})")
    return entries, problems


def sort_findings(
    held_back: list[HeldBack], names: list[UnresolvedName], actuals_dir: Path
) -> Findings:
    """Split tonight's findings by the notes beside the actuals files."""
    entries, problems = read_notes(actuals_dir)
    out = Findings(warnings=problems)
    used: set[Expected] = set()
    for group in held_back:
        declared = [e for e in entries if e.finding == group.reason and e.file == group.file
                    and e.line in group.lines]  # fmt: skip
        if group.lines and {e.line for e in declared} >= set(group.lines):
            used.update(declared)
            out.expected += [e.format() for e in declared]
        else:
            out.held_back.append(group.format())
    for name in names:
        file, _, line = name.first_source_ref.rpartition(":")
        declared = [e for e in entries if e.finding == UNRESOLVED and e.name == name.name
                    and e.file == file]  # fmt: skip
        if declared:
            used.update(declared)
            out.expected += [f"{e.file}:{line or e.line}: {name.kind} name {e.name!r}: {e.why}"
                             for e in declared[:1]]  # fmt: skip
            out.expected_names[name.kind] = out.expected_names.get(name.kind, 0) + 1
        else:
            out.unresolved_names.append(name.format())
            out.problem_names[name.kind] = out.problem_names.get(name.kind, 0) + 1
    out.warnings += [
        f"{e.note}: the expected {e.finding} at {e.file}:{e.line} no longer occurs: remove it"
        for e in entries if e not in used
    ]  # fmt: skip
    return out


def explain_dbt_warnings(warnings: list[str], findings: Findings) -> list[str]:
    """dbt's warnings with a word after the count of a test that counts findings: `(expected:
    ...)` when every row it reports is declared, else how many are."""
    out = []
    for warning in warnings:
        test = warning.partition(":")[0].strip()
        kind = WARNING_FINDINGS.get(test)
        got = _GOT.search(warning)
        expected = findings.expected_names.get(kind[0], 0) if kind else 0
        if got and expected:
            problems = findings.problem_names.get(kind[0], 0) if kind else 0
            note = (
                f" (expected: the {expected} name(s) listed under expected, declared beside "
                "their files)"
                if not problems and int(got.group(1)) == expected
                else f" ({expected} of them expected)"
            )
            warning = warning[: got.end()] + note + warning[got.end() :]
        out.append(warning)
    return out
