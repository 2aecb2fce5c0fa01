"""Everything a night is made from, as one digest per part: the raw inputs (every file under
raw/plans and raw/actuals), the code that reads and checks them (flows/, the installed
packages), the dbt project, the Great Expectations suites, the raw schema and the engine.

A night that publishes stamps its build with these parts (`eduplan.night_inputs`), and its
record keeps them. When tonight's parts equal the published file's, everything the night would
do (extract, load, gates, dbt, report) would give what is published already: flows/nothing_new.py
decides whether the night may stop there. The parts are computed without reading the data: raw
files are hashed only when their identity on disk changed (flows/load/file_hashes.py), the
rest is a few hundred small files and a directory listing.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

from flows.config import EXPECTATIONS_DIR, REPO_ROOT, Settings, dbt_project_dir, environment
from flows.load.file_hashes import FileHashes
from flows.warehouse.build_digest import NOT_INPUTS
from flows.warehouse.build_info import raw_schema_fingerprint
from flows.warehouse.db import STORAGE_VERSION, read_stamp, write_stamp

STAMP = "night_inputs"  # eduplan.<this>(inputs): the parts a published build was made from
CODE_DIR = REPO_ROOT / "flows"


def _file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digest(
    root: Path, *, sha: Callable[[Path], str] = _file_sha, skip: frozenset[str] = frozenset()
) -> str:
    """sha256 of a folder: every entry's relative path and what it is (a file's sha256, a
    link's target and, when it leads to a file, that file's sha256; a FIFO or device by kind:
    never opened). Names in `skip` (run state) are left out wherever they occur."""
    root = Path(root)
    if not root.is_dir():
        return "absent"
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in sorted(files + [d for d in dirs if Path(folder, d).is_symlink()]):
            if name in skip:
                continue
            path = Path(folder, name)
            relative = os.fsencode(path.relative_to(root))
            digest.update(relative + b"\0" + _entry(path, sha).encode() + b"\n")
    return digest.hexdigest()


def _entry(path: Path, sha: Callable[[Path], str]) -> str:
    link = f"link to {os.readlink(path)}: " if path.is_symlink() else ""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return link + "dangling"
    if not stat.S_ISREG(mode):
        return link + f"not a regular file ({stat.filemode(mode)})"
    return link + sha(path)


def installed_packages() -> str:
    """The installed distributions and their versions, from the names of their metadata
    folders (`duckdb-1.4.0.dist-info`) in the site-packages folders on the path: a listing, no
    file read. (Other path entries differ between a console script and pytest: the checkout
    itself, whose code is a part of its own.)"""
    names = set()
    for entry in sys.path:
        if Path(entry).name not in {"site-packages", "dist-packages"}:
            continue
        try:
            listed = os.listdir(entry)
        except OSError:
            continue
        names |= {n for n in listed if n.endswith((".dist-info", ".egg-info"))}
    return hashlib.sha256("\n".join([sys.version, *sorted(names)]).encode()).hexdigest()


def night_inputs(config: Settings, hashes: FileHashes, *, engine: str = "duckdb") -> dict[str, str]:
    """Tonight's parts, by name (what changed is named when a night runs)."""
    vocabulary = environment().vocabulary
    return {  # (a raw folder's place too: the plans' rows name their files by path)
        "raw/plans": f"{config.plans_dir} {tree_digest(config.plans_dir, sha=hashes.sha256)}",
        "raw/actuals": f"{config.actuals_dir} {tree_digest(config.actuals_dir, sha=hashes.sha256)}",
        "code (flows/)": tree_digest(CODE_DIR, skip=frozenset({"__pycache__"})),
        "installed packages": installed_packages(),
        "dbt project": tree_digest(dbt_project_dir(), skip=NOT_INPUTS | {"__pycache__"}),
        "expectations": tree_digest(EXPECTATIONS_DIR, skip=frozenset({"__pycache__"})),
        "raw schema": f"{raw_schema_fingerprint()} {STORAGE_VERSION}",
        "vocabulary": _file_sha(vocabulary) if vocabulary and vocabulary.is_file() else "built in",
        "engine": engine,
    }


def changed_parts(tonight: dict[str, str], before: dict[str, str] | None) -> list[str]:
    """The parts that differ (every part when nothing was recorded)."""
    before = before or {}
    return [part for part, value in tonight.items() if before.get(part) != value]


def stamp_inputs(con: duckdb.DuckDBPyConnection, parts: dict[str, str]) -> None:
    """Record in a build what it was made from (before it is published)."""
    write_stamp(con, STAMP, "inputs", json.dumps(parts, sort_keys=True))


def stamped_inputs(database: Path) -> dict[str, str] | None:
    """What a warehouse file was made from (None: not recorded, or not readable)."""
    try:
        text = read_stamp(database, STAMP, "inputs")
    except duckdb.Error:
        return None
    return json.loads(text) if text else None
