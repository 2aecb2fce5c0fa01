"""Soak: nights in a row on changing synthetic actuals (files added, changed, removed, some bad),
the first night finding the published file corrupted (a zeroed header: it rebuilds from raw/
and says so), each night's published marts equal to a full rebuild of the same raw inputs in another
warehouse, the published file's size proportional to the rebuild's, and the history holding
exactly EDUPLAN_KEEP nights once that many have passed.

`make test` runs EDUPLAN_SOAK_NIGHTS=2 (each night is two flow runs, ~2 minutes here);
`make reliability` 60. Flows run in-process under one Prefect test harness.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
from pathlib import Path

import pytest

from flows.nightly import nightly_load
from flows.warehouse.publish import history
from tests.reliability.harness import assert_published_whole, marts_hash, overwrite_header

NIGHTS = int(os.environ.get("EDUPLAN_SOAK_NIGHTS", "2"))
KEEP = 1
SIZE_FACTOR = 2.0  # the published file may carry free blocks; never more than this


pytestmark = [
    pytest.mark.usefixtures("prefect_backend"),  # tests/conftest.py: one per session
    pytest.mark.reliability,
    pytest.mark.slow,  # nights in a row, each compared with a full rebuild: ~2 min
    pytest.mark.long,  # `make test-long`, not `make test`
]


def _seed_rows(raw: Path) -> tuple[list[str], list[list[str]]]:
    with (raw / "actuals" / "published_actuals.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def change_inputs(raw: Path, night: int, rng: random.Random) -> str:
    """Tonight's change to raw/actuals: add a synthetic file, change or remove an earlier one,
    sometimes (always on the first night) drop in a bad one (GBK, or a missing column), and
    on even nights delete the bad ones. Returns what was done."""
    header, seed = _seed_rows(raw)
    folder = raw / "actuals"
    done = []
    name = folder / f"synthetic_{night:03d}.csv"
    year = header.index("year")
    value = header.index("value")
    rows = [list(r) for r in rng.sample(seed, k=min(8, len(seed)))]
    for row in rows:
        row[year] = str(2021 + rng.randrange(4))
        row[value] = f"{rng.uniform(1, 99):.1f}"
    _write(name, header, rows)
    done.append(f"added {name.name}")
    earlier = sorted(folder.glob("synthetic_*.csv"))[:-1]
    if earlier and rng.random() < 0.5:
        victim = rng.choice(earlier)
        if rng.random() < 0.5:
            victim.unlink()
            done.append(f"removed {victim.name}")
        else:
            lines = victim.read_text(encoding="utf-8").splitlines()
            _write(victim, header, [r.split(",") for r in lines[1:2]] if len(lines) > 1 else [])
            done.append(f"changed {victim.name}")
    if night % 2 == 0:  # a rejected file deleted: its quarantine row must go with it
        for bad in sorted(folder.glob("bad_*.csv")):
            bad.unlink()
            done.append(f"removed {bad.name}")
    elif night == 1 or rng.random() < 0.3:
        bad = folder / f"bad_{night:03d}.csv"
        if rng.random() < 0.5:
            bad.write_bytes(",".join(header).encode() + "\n海宁市,x,,2023,1,%,u,统计".encode("gbk"))
        else:
            bad.write_text("region,year\n海宁市,2023\n", encoding="utf-8")
        done.append(f"bad {bad.name}")
    return "; ".join(done)


def test_nights_in_a_row_equal_a_full_rebuild(
    seed_night: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_raw, seed_warehouse = seed_night
    monkeypatch.setenv("EDUPLAN_KEEP", str(KEEP))
    raw = tmp_path / "raw"
    shutil.copytree(seed_raw, raw)
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    rebuilt = tmp_path / "rebuilt" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copyfile(seed_warehouse, warehouse)
    overwrite_header(warehouse)  # the first night finds the published file corrupted
    rng = random.Random(14)
    sizes = []
    for night in range(1, NIGHTS + 1):
        what = change_inputs(raw, night, rng)
        summary = nightly_load(raw_dir=str(raw), warehouse=str(warehouse))
        assert summary.published, f"night {night} ({what}):\n{summary.format()}"
        if night == 1:  # said so, built from raw/ afresh, and the damaged file not kept
            assert any("corrupted" in w for w in summary.warnings), summary.format()
            assert "WARNING" in summary.format() and str(warehouse) in summary.format()
        shutil.rmtree(rebuilt.parent, ignore_errors=True)
        full = nightly_load(raw_dir=str(raw), warehouse=str(rebuilt), full_refresh=True)
        assert full.published, f"night {night} rebuild ({what}):\n{full.format()}"
        assert marts_hash(warehouse) == marts_hash(rebuilt), f"night {night}: {what}"
        assert_published_whole(warehouse, keep=KEEP)
        assert len(history(warehouse)) == min(night - 1, KEEP)
        ratio = warehouse.stat().st_size / rebuilt.stat().st_size
        sizes.append(ratio)
        assert ratio <= SIZE_FACTOR, f"night {night}: published file {ratio:.2f}x the rebuild"
    print(f"soak: {NIGHTS} nights, published/rebuilt size ratio max {max(sizes):.2f}")
