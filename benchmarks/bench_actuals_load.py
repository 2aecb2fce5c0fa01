"""Load N synthetic actuals rows and report time and peak memory against a floor.

    python benchmarks/bench_actuals_load.py --rows 10000000
    python -m benchmarks --rows 1000000

Each step runs in its own child process; its peak RSS is the child's ru_maxrss from os.wait4
(so one step's peak never hides another's). The floor is DuckDB's plain read_csv of the same file
into a table (all VARCHAR, no checks) in a fresh database; the load is flows.load.actuals with
lookups that know every synthetic region and indicator, so every row is checked and loaded."""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

INDICATORS = 200
YEARS = (2009, 2025)  # 17 years: 3,000 regions x 200 indicators x 17 years = 10.2 million rows


def _floor(csv_path: Path, db: Path) -> dict[str, object]:
    import duckdb

    con = duckdb.connect(str(db))
    con.execute(
        "CREATE TABLE floor AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
        [str(csv_path)],
    )
    rows = con.execute("SELECT count(*) FROM floor").fetchall()[0][0]
    con.close()
    return {"rows": rows}


def _load(csv_path: Path, db: Path, regions: int, indicators: int) -> dict[str, object]:
    import duckdb

    from flows.load.actuals import load_actuals
    from flows.synth import SynthResult, region_codes

    names = tuple(f"SYNTHETIC_INDICATOR_{i:04d}" for i in range(1, indicators + 1))
    synth = SynthResult(csv_path, 0, tuple(region_codes(regions)), names, YEARS)
    con = duckdb.connect(str(db))
    result = load_actuals(
        con,
        csv_path.parent,
        regions=synth.regions_lookup(),
        indicators=synth.indicators_lookup(),
    )
    second = load_actuals(
        con,
        csv_path.parent,
        regions=synth.regions_lookup(),
        indicators=synth.indicators_lookup(),
    )
    con.close()
    return {"first": result.as_dict(), "second": second.as_dict()}


def _child(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.child == "floor":
        out = _floor(args.csv, args.db)
    else:
        out = _load(args.csv, args.db, args.regions, args.indicators)
    out["seconds"] = time.perf_counter() - started
    print(json.dumps(out))
    return 0


def _run(step: str, csv_path: Path, db: Path, regions: int) -> tuple[dict, float]:
    """Run one step in a child process; returns its JSON output and peak RSS in MiB."""
    command = [
        sys.executable, __file__, "--child", step, "--csv", str(csv_path), "--db", str(db),
        "--regions", str(regions), "--indicators", str(INDICATORS),
    ]  # fmt: skip
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{step} failed with exit code {child.returncode}")
    return json.loads(output.strip().splitlines()[-1]), usage.ru_maxrss / 1024  # KiB -> MiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="about this many rows")
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temp dir)")
    parser.add_argument("--child", choices=["floor", "load"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--regions", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--indicators", type=int, default=INDICATORS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)

    from flows.synth import write_synthetic_actuals

    per_region = INDICATORS * (YEARS[1] - YEARS[0] + 1)
    regions = max(1, math.ceil(args.rows / per_region))
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        synth = write_synthetic_actuals(
            work / "actuals", regions=regions, indicators=INDICATORS, years=YEARS
        )
        generate = time.perf_counter() - started
        size = synth.path.stat().st_size / 2**20
        print(f"generated {synth.rows:,} rows ({size:,.0f} MiB) in {generate:.1f} s")
        floor, floor_rss = _run("floor", synth.path, work / "floor.duckdb", regions)
        load, load_rss = _run("load", synth.path, work / "load.duckdb", regions)
    first = load["first"]
    assert first["rows_loaded"] == synth.rows, first
    assert load["second"]["files_skipped"] == 1 and load["second"]["rows_loaded"] == 0
    for name, step, rss in (
        ("floor (DuckDB read_csv, no checks)", floor, floor_rss),
        ("load  (load_actuals, every check) ", load, load_rss),
    ):
        print(f"{name}: {step['seconds']:7.1f} s  peak RSS {rss:7.0f} MiB")
    print(
        f"ratio load/floor: time {load['seconds'] / floor['seconds']:.2f}x, "
        f"peak memory {load_rss / floor_rss:.2f}x; rows loaded {first['rows_loaded']:,}, "
        f"quarantined {first['rows_quarantined']:,}; second run skipped the file"
    )
    verdict = "under" if load_rss < 2048 else "OVER"
    print(f"peak memory {load_rss:.0f} MiB is {verdict} the 2 GiB budget")
    return 0 if load_rss < 2048 else 1


if __name__ == "__main__":
    sys.exit(main())
