"""Names that resolve to nothing, and accepting a person's choice for one.

dbt resolves names (macros/name_key.sql, the alias seeds) and lists the ones it cannot, with their
three most similar catalogue entries, in marts.mart_unresolved_names. This module reads that
mart for the nightly summary and `eduplan names`, and appends an accepted alias to its seed
(`eduplan names accept`) so that the next run resolves the name: a fuzzy candidate is never
applied on its own."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flows.config import dbt_project_dir
from flows.warehouse.db import connect

# name kind -> (alias seed, its name column, catalogue seed, the catalogue's code column)
ALIAS_SEEDS = {
    "indicator": (
        "indicator_aliases.csv",
        "indicator_name_raw",
        "indicators.csv",
        "indicator_code",
    ),
    "region": ("region_aliases.csv", "region_name_raw", "regions.csv", "region_code"),
}
# a prose target's subject is an indicator name: its alias goes to the indicator seed
ALIAS_SEEDS["commitment"] = ALIAS_SEEDS["indicator"]

UNRESOLVED_SQL = """
select name_kind, name_raw, occurrences, first_source_ref, candidate_code, candidate_name,
    similarity
from marts.mart_unresolved_names
-- the subjects of targets stated in prose after the indicator and region names
order by name_kind = 'commitment', name_kind, name_raw, candidate_rank
"""


class AliasError(ValueError):
    """An alias that cannot be accepted: unknown code, or the name already has an alias."""


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    similarity: float


@dataclass(frozen=True)
class UnresolvedName:
    """A name as written that no rule resolves, with its best catalogue candidates."""

    kind: str  # indicator or region
    name: str
    occurrences: int
    first_source_ref: str
    candidates: tuple[Candidate, ...]

    def format(self) -> str:
        best = ", ".join(f"{c.code} {c.similarity:.2f}" for c in self.candidates)
        return (
            f"{self.kind} {self.name!r} ({self.occurrences} row(s), {self.first_source_ref}): "
            + (f"candidates {best}" if best else "no similar name in the catalogue")
        )


def unresolved_names(database: Path) -> list[UnresolvedName]:
    """The unresolved names of a built warehouse, in name order (empty if it has no such mart)."""
    con = connect(database, read_only=True)
    try:
        rows = con.execute(UNRESOLVED_SQL).fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        con.close()
    grouped: dict[tuple[str, str], list[tuple[object, ...]]] = {}
    for row in rows:
        grouped.setdefault((str(row[0]), str(row[1])), []).append(row)
    return [
        UnresolvedName(
            kind=kind,
            name=name,
            occurrences=int(group[0][2]),  # type: ignore[call-overload]
            first_source_ref=str(group[0][3]),
            candidates=tuple(
                Candidate(str(r[4]), str(r[5]), float(r[6]))  # type: ignore[arg-type]
                for r in group
                if r[4] is not None  # a name nothing in the catalogue resembles has none
            ),
        )
        for (kind, name), group in grouped.items()
    ]


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def accept_alias(
    kind: str, name: str, code: str, *, seeds_dir: Path | None = None, note: str = ""
) -> Path:
    """Append `name -> code` to the alias seed of `kind`; returns the seed's path.

    Raises AliasError when the code is not in the catalogue seed or the name (as written,
    whitespace trimmed) already has an alias there. seeds_dir: the dbt project's seeds."""
    if kind not in ALIAS_SEEDS:
        raise AliasError(f"unknown name kind {kind!r}: expected one of {sorted(ALIAS_SEEDS)}")
    alias_file, name_column, catalogue_file, code_column = ALIAS_SEEDS[kind]
    seeds_dir = seeds_dir or dbt_project_dir() / "seeds"
    name = name.strip()
    if not name:
        raise AliasError("the name is empty")
    _, catalogue = _read(seeds_dir / catalogue_file)
    if code not in {row[code_column] for row in catalogue}:
        raise AliasError(f"{code!r} is not in {seeds_dir / catalogue_file} (column {code_column})")
    path = seeds_dir / alias_file
    columns, aliases = _read(path)
    for row in aliases:
        if (row.get(name_column) or "").strip() == name:
            raise AliasError(
                f"{name!r} already has an alias in {path}: {row.get(code_column) or row}"
            )
    row = {column: "" for column in columns}
    row.update({name_column: name, code_column: code, "note": note or "accepted by eduplan names"})
    text = path.read_text(encoding="utf-8")
    with path.open("a", encoding="utf-8", newline="") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        csv.DictWriter(fh, fieldnames=columns, lineterminator="\n").writerow(row)
    return path
