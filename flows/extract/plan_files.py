"""How the files of one plan are named in raw/plans/: the one owner of those names.

A plan is a document (`NAME.txt`, `.md`, `.html`, `.docx`, `.pdf`, `.xlsx`, `.csv`) or a table
keyed by hand in the columns `eduplan extract --out` writes (`NAME.cells.csv`), with its document
facts in `NAME.toml` beside it. Its plan id is NAME. When both `NAME.cells.csv` and a document
`NAME.*` are there, the hand-keyed cells stand for the document (someone keyed them because no
reader gets that document right): the document is not read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

KEYED_SUFFIX = ".cells.csv"


def is_keyed(path: Path) -> bool:
    """A hand-keyed cells file (`NAME.cells.csv`)."""
    return path.name.lower().endswith(KEYED_SUFFIX)


def plan_stem(path: Path) -> str:
    """The plan id a file gives its rows: NAME of `NAME.pdf` and of `NAME.cells.csv`."""
    if is_keyed(path):
        return path.name[: -len(KEYED_SUFFIX)]
    return path.stem


def metadata_path(path: Path) -> Path:
    """The document facts beside a plan file: `NAME.toml`."""
    return path.parent / f"{plan_stem(path)}.toml"


def plan_files(paths: Iterable[Path], suffixes: Iterable[str]) -> tuple[list[Path], list[Path]]:
    """The plan files to read among `paths` (documents with a known suffix and hand-keyed
    cells), sorted, and the documents set aside because hand-keyed cells stand for them."""
    known = {suffix.lower() for suffix in suffixes} | {".csv"}
    candidates = sorted(p for p in paths if p.suffix.lower() in known)
    keyed = {plan_stem(p) for p in candidates if is_keyed(p)}
    read = [p for p in candidates if is_keyed(p) or plan_stem(p) not in keyed]
    return read, [p for p in candidates if p not in read]
