"""Crash anywhere: `eduplan run` and `eduplan rollback` killed with SIGKILL at random moments.

After every kill the published warehouse opens and reads whole, its marts equal the previous
or the new complete state (a content hash of every mart, rows sorted), no `.wal` lies beside
it, every history entry reads whole and there are at most EDUPLAN_KEEP of them; and the next
run succeeds. Nights alternate between two raw inputs (A: the repo's, B: A plus a new actuals
file), so every night changes the marts and both complete states are known.

`make test` kills a few times (EDUPLAN_CRASH_KILLS, default 2 runs and 2 rollbacks: a run
takes 1-2 minutes here);
`make reliability` 20 each. The kill moments come from EDUPLAN_CRASH_SEED (printed on failure).
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from flows.warehouse.publish import history
from tests.prefect_server import BIN, PrefectServer, kill_group
from tests.reliability.harness import assert_published_whole, marts_hash

# nights killed with kill -9 (~2 min): `make test-long`, not `make test`
pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.long]

KILLS = int(os.environ.get("EDUPLAN_CRASH_KILLS", "2"))
SEED = int(os.environ.get("EDUPLAN_CRASH_SEED", str(int(time.time()))))
KEEP = 3
NEW_ACTUALS = (
    "region,indicator,breakdown,year,value,unit,source_url,source_title\n"
    "海宁市,普惠性幼儿园儿童覆盖面,,2023,85.1,%,https://example.org/hn,海宁2023教育统计\n"
    "330481,学生近视人数比例,,2023,57.1,%,https://example.org/hn,海宁2023教育统计\n"
)


class Nights:
    """A warehouse in a tmp folder, two raw inputs, and `eduplan` run against them."""

    def __init__(self, root: Path, seed_raw: Path, seed_warehouse: Path, server: PrefectServer):
        self.server = server
        self.warehouse = root / "wh" / "warehouse.duckdb"
        self.warehouse.parent.mkdir(parents=True)
        shutil.copyfile(seed_warehouse, self.warehouse)
        # A is the seed night's own raw dir (marts record source paths), B a changed copy
        self.raws = {"A": seed_raw, "B": root / "raw-b"}
        shutil.copytree(seed_raw, self.raws["B"])
        (self.raws["B"] / "actuals" / "haining_2023.csv").write_text(NEW_ACTUALS, "utf-8")
        self.states = {"A": marts_hash(self.warehouse)}  # complete state of each raw input
        self.log = root / "runs.log"

    def start(self, *args: str, raw: str = "A") -> subprocess.Popen[bytes]:
        env = self.server.env(
            EDUPLAN_WAREHOUSE=str(self.warehouse),
            EDUPLAN_RAW_DIR=str(self.raws[raw]),
            EDUPLAN_KEEP=str(KEEP),
        )
        with self.log.open("ab") as log:
            log.write(f"\n=== eduplan {' '.join(args)} (raw {raw})\n".encode())
            return subprocess.Popen(
                [str(BIN / "eduplan"), *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def complete(self, *args: str, raw: str = "A") -> float:
        started = time.monotonic()
        process = self.start(*args, raw=raw)
        code = process.wait(timeout=900)
        assert code == 0, f"eduplan {' '.join(args)} exited {code}: {self.log.read_text()[-4000:]}"
        return time.monotonic() - started

    def kill_at(self, seconds: float, *args: str, raw: str = "A") -> float | None:
        """Run and SIGKILL it (and its children) after `seconds`: None if it was still running,
        else how long it took to finish first."""
        started = time.monotonic()
        process = self.start(*args, raw=raw)
        try:
            process.wait(timeout=seconds)
            return time.monotonic() - started
        except subprocess.TimeoutExpired:
            kill_group(process)
            return None


@pytest.fixture(scope="module")
def nights(
    seed_night: tuple[Path, Path],
    prefect_server: PrefectServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Nights:
    nights = Nights(tmp_path_factory.mktemp("crash"), *seed_night, prefect_server)
    return nights


def test_kill_9_during_a_run_leaves_a_whole_warehouse(nights: Nights) -> None:
    rng = random.Random(SEED)
    seconds = nights.complete("run", raw="B")  # A -> B, complete: B's state, and a run's length
    nights.states["B"] = marts_hash(nights.warehouse)
    assert nights.states["B"] != nights.states["A"], "the two raw inputs must differ in the marts"
    current = "B"
    killed = kill = 0
    # KILLS moments, and more (a few) until one run was killed mid-way: a night shorter than
    # the first finishes before a late moment, and the next moments are drawn within its length
    while kill < KILLS or (not killed and kill < KILLS + 3):
        kill += 1
        target = "A" if current == "B" else "B"
        before = marts_hash(nights.warehouse)
        moment = rng.uniform(0.5, seconds * 0.95)
        finished_in = nights.kill_at(moment, "run", raw=target)
        killed += finished_in is None
        seconds = min(seconds, finished_in or seconds)
        where = f"kill {kill} at {moment:.1f} s of ~{seconds:.0f} s (EDUPLAN_CRASH_SEED={SEED})"
        assert_published_whole(nights.warehouse, keep=KEEP)
        after = marts_hash(nights.warehouse)
        assert after in {before, nights.states[target]}, where
        current = target if after == nights.states[target] else current
    assert killed, "no run was killed mid-way: the kill moments are wrong"
    target = "A" if current == "B" else "B"
    nights.complete("run", raw=target)  # the next night succeeds, with the new complete state
    assert marts_hash(nights.warehouse) == nights.states[target]
    assert_published_whole(nights.warehouse, keep=KEEP)
    leftovers = {p.name for p in (nights.warehouse.parent / ".build").iterdir()}
    assert nights.warehouse.name not in leftovers, "a published night left its build file"


def test_kill_9_during_a_rollback_leaves_a_whole_warehouse(nights: Nights) -> None:
    rng = random.Random(SEED + 1)
    known = set(nights.states.values())
    seconds = nights.complete("rollback")
    for kill in range(KILLS):
        before = marts_hash(nights.warehouse)
        entry = marts_hash(history(nights.warehouse)[0].path)
        moment = rng.uniform(0.05, seconds * 1.1)
        nights.kill_at(moment, "rollback", "--to", "1")
        where = f"kill {kill + 1} at {moment:.2f} s of ~{seconds:.1f} s (EDUPLAN_CRASH_SEED={SEED})"
        assert_published_whole(nights.warehouse, keep=KEEP)
        assert marts_hash(nights.warehouse) in {before, entry}, where
        assert marts_hash(nights.warehouse) in known, where
    nights.complete("rollback")
    assert_published_whole(nights.warehouse, keep=KEEP)
