"""Load N synthetic actuals rows, then give them meaning with dbt, and report time and peak
memory of each step against a floor.

    python benchmarks/bench_actuals_load.py --rows 10000000
    python -m benchmarks actuals --rows 1000000 [--no-dbt]

Each step runs in its own child process; its peak RSS is the larger of the child's ru_maxrss
(os.wait4) and that of the processes it waited for (dbt runs in a grandchild), so one step's peak
never hides another's. The floor is DuckDB's plain read_csv of the same file into a table (all
VARCHAR, no checks) in a fresh database. The load is flows.load.actuals (file checks, every row
landed as written) with the real plans; the dbt step is `dbt build` on that warehouse the way the
flow runs it (flows.transform.run_dbt): region and indicator resolution, unit conversion, range
and duplicate checks, the quarantine and every mart, on all N rows."""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
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


def _load(csv_path: Path, db: Path) -> dict[str, object]:
    import duckdb

    from flows.extract import extract_document
    from flows.load.actuals import load_actuals
    from flows.load.plans import load_plans, plan_source

    plans = sorted((REPO_ROOT / "raw" / "plans").glob("*.txt"))
    con = duckdb.connect(str(db))
    load_plans(con, [extract_document(p) for p in plans], {p.name: plan_source(p) for p in plans})
    result = load_actuals(con, csv_path.parent)
    second = load_actuals(con, csv_path.parent)
    con.close()
    return {"first": result.as_dict(), "second": second.as_dict()}


def _dbt(db: Path) -> dict[str, object]:
    import duckdb

    from flows.transform import run_dbt

    result = run_dbt("build", db, artifacts_dir=db.parent / "dbt")
    if not result.success:
        raise SystemExit(result.format())
    con = duckdb.connect(str(db), read_only=True)
    counts = con.execute(
        "select (select count(*) from marts.fct_indicator_actual where source_kind <> "
        "'plan_baseline'), (select count(distinct source_ref) from marts.mart_actuals_quarantine)"
    ).fetchall()[0]
    con.close()
    slowest = [(name, round(seconds, 1)) for name, seconds in result.slowest()]
    return {"figures": counts[0], "held_back": counts[1], "slowest": slowest}


def _child(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.child == "floor":
        out = _floor(args.csv, args.db)
    elif args.child == "load":
        out = _load(args.csv, args.db)
    else:
        out = _dbt(args.db)
    out["seconds"] = time.perf_counter() - started
    out["children_rss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
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
    out = json.loads(output.strip().splitlines()[-1])
    return out, max(usage.ru_maxrss, out["children_rss_kib"]) / 1024  # KiB -> MiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="about this many rows")
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temp dir)")
    parser.add_argument("--no-dbt", action="store_true", help="load only, no dbt build")
    parser.add_argument("--child", choices=["floor", "load", "dbt"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--regions", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--indicators", type=int, default=INDICATORS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)

    from flows.demo.synth import write_synthetic_actuals

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
        steps = [
            ("floor (DuckDB read_csv, no checks)", floor, floor_rss),
            ("load  (load_actuals, file checks)  ", load, load_rss),
        ]
        if not args.no_dbt:
            dbt, dbt_rss = _run("dbt", synth.path, work / "load.duckdb", regions)
            steps.append(("dbt   (dbt build, every check)    ", dbt, dbt_rss))
    first = load["first"]
    assert first["rows_landed"] == synth.rows, first
    assert load["second"]["files_skipped"] == 1 and load["second"]["rows_landed"] == 0
    for name, step, rss in steps:
        print(f"{name}: {step['seconds']:7.1f} s  peak RSS {rss:7.0f} MiB")
    print(
        f"ratio load/floor: time {load['seconds'] / floor['seconds']:.2f}x, "
        f"peak memory {load_rss / floor_rss:.2f}x; rows landed {first['rows_landed']:,}; "
        "second run skipped the file"
    )
    if not args.no_dbt:
        print("slowest dbt nodes: " + ", ".join(f"{n} {t} s" for n, t in dbt["slowest"]))
        print(
            f"load + dbt: {load['seconds'] + dbt['seconds']:.1f} s; figures {dbt['figures']:,}, "
            f"held back {dbt['held_back']:,}"
        )
    peak = max(rss for _, _, rss in steps[1:])
    verdict = "under" if peak < 2048 else "OVER"
    print(f"peak memory {peak:.0f} MiB is {verdict} the 2 GiB budget")
    return 0 if peak < 2048 else 1


if __name__ == "__main__":
    sys.exit(main())
