"""The sha256 of every input file, remembered by the file's identity on disk, so that a night
reads again only the files that changed: a 10-million-row actuals file that did not change is
not hashed every night (it cost ~1.5 s of a night that loads nothing new from it).

A file's identity is its size, modification and change times (nanoseconds), inode and device.
Any write to a file moves its mtime and ctime, and nothing but the kernel sets ctime (`touch -d`
or `cp -p` set mtime, not ctime), so a file whose identity is unchanged has unchanged bytes. A
hash is only remembered when the file held still while it was read (the same identity before
and after) and its last change is older than RACY_SECONDS (git's "racy clean" rule: a write in
the same clock tick as the hash would not move the timestamps). A night that verifies (the
weekly full pass, a full refresh) hashes every file afresh whatever is remembered.

The hashes live in the warehouse they describe (`eduplan.file_hashes`): a night reads them from
the published file, and its build, once published, carries the new ones.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from flows.load.actuals_contract import file_sha256

TABLE = "eduplan.file_hashes"
RACY_SECONDS = 2.0


@dataclass(frozen=True)
class FileIdentity:
    """What the file system says about a file; equal identities mean equal bytes."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        """The identity of the file `path` leads to (links followed)."""
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)

    def __str__(self) -> str:
        return f"{self.inode}:{self.device}:{self.size}:{self.mtime_ns}:{self.ctime_ns}"

    def settled_before(self, moment: float) -> bool:
        """True when the file's last change is more than RACY_SECONDS before `moment` (a
        time.time()): a hash read after `moment` may be remembered by this identity."""
        return self.ctime_ns / 1e9 < moment - RACY_SECONDS


@dataclass
class FileHashes:
    """Known hashes by resolved path and identity; `verify` hashes every file afresh.
    `read` counts the bytes hashed (what the remembered hashes saved shows in the log)."""

    known: dict[str, tuple[FileIdentity, str]] = field(default_factory=dict)
    verify: bool = False
    hashed_bytes: int = 0
    mismatches: list[str] = field(default_factory=list)  # remembered hashes that were wrong
    seen: set[str] = field(default_factory=set)  # the files asked about: those written back

    def sha256(self, path: Path) -> str:
        """The sha256 of `path`: remembered when its identity is unchanged, else read."""
        key = str(Path(path).resolve())
        self.seen.add(key)
        before = FileIdentity.of(path)
        remembered = self.known.get(key)
        if remembered is not None and remembered[0] == before and not self.verify:
            return remembered[1]
        started = time.time()
        sha = file_sha256(path)
        self.hashed_bytes += before.size
        after = FileIdentity.of(path)
        if remembered is not None and remembered[0] == before and remembered[1] != sha:
            self.mismatches.append(f"{path}: its bytes changed while its size and times did not")
        if before == after and after.settled_before(started):
            self.known[key] = (after, sha)
        else:  # changing while read, or changed a moment ago: hashed again next time
            self.known.pop(key, None)
        return sha

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, *, verify: bool = False) -> FileHashes:
        """The hashes a warehouse remembers (none when it has no table of them)."""
        try:
            rows = con.execute(
                f"select path, size, mtime_ns, ctime_ns, inode, device, sha256 from {TABLE}"
            ).fetchall()
        except duckdb.CatalogException:
            rows = []
        known = {str(p): (FileIdentity(*map(int, ids)), str(sha)) for p, *ids, sha in rows}
        return cls(known, verify=verify)

    def write(self, con: duckdb.DuckDBPyConnection) -> None:
        """Replace the warehouse's remembered hashes with those of the files asked about (a
        file gone from raw/ is forgotten)."""
        con.execute(
            f"create schema if not exists eduplan; create or replace table {TABLE} "
            "(path varchar not null, size bigint, mtime_ns bigint, ctime_ns bigint, "
            "inode ubigint, device ubigint, sha256 varchar not null)"
        )
        rows = [
            (p, i.size, i.mtime_ns, i.ctime_ns, i.inode, i.device, sha)
            for p, (i, sha) in sorted(self.known.items())
            if p in self.seen
        ]
        if rows:
            con.executemany(f"insert into {TABLE} values (?, ?, ?, ?, ?, ?, ?)", rows)
