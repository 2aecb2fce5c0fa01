"""A full disk: the warehouse on a small tmpfs, filled up; `eduplan run` exits 1 saying the disk
is full and where, the published file stays byte-identical, nothing half-written is left, and
the next night with room publishes and prunes history to EDUPLAN_KEEP.

Needs root (mount); `make test` fills the disk so that tonight's copy of the published file
fails; EDUPLAN_RELIABILITY_FULL=1 (`make reliability`) also leaves room for the copy, so the disk
fills later, while dbt builds.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.warehouse.layout import WarehouseLayout, wal_of
from flows.warehouse.publish import history
from tests.prefect_server import BIN, PrefectServer
from tests.reliability.harness import assert_published_whole, marts_hash

pytestmark = pytest.mark.reliability

KEEP = 2
MB = 1 << 20
ROOM_LEFT = {"copy": 3 * MB, "dbt": 12 * MB}  # free bytes left: the copy fails / dbt fails
CASES = ["copy", "dbt"] if os.environ.get("EDUPLAN_RELIABILITY_FULL") else ["copy"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MB tmpfs (room for the warehouse, its history links and one build)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 and os.geteuid() != 0:  # a developer's own machine, not CI (root)
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    assert done.returncode == 0, f"root cannot mount a tmpfs: {done.stderr.strip()}"
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(server: PrefectServer, warehouse: Path, raw: Path) -> subprocess.CompletedProcess[str]:
    env = server.env(EDUPLAN_WAREHOUSE=str(warehouse), EDUPLAN_RAW_DIR=str(raw))
    env["EDUPLAN_KEEP"] = str(KEEP)
    return subprocess.run(
        [str(BIN / "eduplan"), "run"], env=env, capture_output=True, text=True, timeout=900
    )


@pytest.mark.parametrize("fails_in", CASES)
def test_a_full_disk_stops_the_night_cleanly_and_the_next_night_succeeds(
    fails_in: str,
    small_disk: Path,
    seed_night: tuple[Path, Path],
    prefect_server: PrefectServer,
) -> None:
    raw, seed = seed_night
    warehouse = small_disk / "wh" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(seed, warehouse)
    folder = WarehouseLayout(warehouse).history_dir  # four earlier nights (hard links: no room)
    folder.mkdir()
    for day in range(1, 5):
        os.link(warehouse, folder / f"warehouse-2026010{day}T000000000000Z.duckdb")
    before, kept = _sha(warehouse), [e.path.name for e in history(warehouse)]
    filler = small_disk / "filler"
    with filler.open("wb") as handle:
        handle.write(b"\0" * (shutil.disk_usage(small_disk).free - ROOM_LEFT[fails_in]))

    night = _run(prefect_server, warehouse, raw)
    output = night.stdout + night.stderr
    assert night.returncode == 1, output[-3000:]
    assert "the disk is full" in output and str(small_disk) in output, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert _sha(warehouse) == before
    assert not wal_of(warehouse).exists()
    assert [e.path.name for e in history(warehouse)] == kept  # no half-written entry
    build = warehouse.parent / ".build"
    assert sorted(p.name for p in build.iterdir()) == [".lock"], "build leftovers not removed"
    assert not list(warehouse.parent.glob(".*.publishing"))

    filler.unlink()
    night = _run(prefect_server, warehouse, raw)
    assert night.returncode == 0, (night.stdout + night.stderr)[-3000:]
    assert_published_whole(warehouse, keep=KEEP)
    assert len(history(warehouse)) == KEEP
    assert marts_hash(warehouse) == marts_hash(seed)
    assert warehouse.name not in {p.name for p in build.iterdir()}
