"""The whole night against a pure-DuckDB floor, incremental nights, scaling and analyst queries.

    python -m benchmarks night [--rows 1000000,10000000] [--workdir DIR]

For each size, on the same files (the real plans plus `eduplan synth` rows of catalogued
indicators for real regions, 200 series x 2009-2025): the floor (benchmarks/night_floor.py,
plain DuckDB SQL in one process) and `eduplan run` end to end (the Prefect flow: extract, load,
gates, dbt build, publish, report) with each stage's time from the flow's own timings
(RunRecord.stage_seconds; start-up and imports = the process's wall time minus the flow's).
Each runs in a child process; peak RSS is the sum over the whole process tree (the flow and
its dbt child), sampled from /proc every 0.2 s. On the largest size, three more nights: one new
year's file (the next year for every region and series), that file corrected (every value
changed), then nothing new; then the README's
queries (docs/queries/) against that warehouse and the same questions from the raw rows.
Prints a table and writes it as CSV to benchmarks/results/night.csv (ignored by git)."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

RESULTS = REPO_ROOT / "benchmarks" / "results"
SERIES, YEARS = 200, (2009, 2025)
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants now."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except OSError:
            pass
        todo += children.get(pid, [])
    return total


def run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[dict, float, float]:
    """Run `python bench_night.py --child ...`; returns its JSON, wall seconds, peak tree MiB.
    The JSON gets `timeline`: (seconds since start, tree MiB) samples, for peaks per stage."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    peak = 0
    timeline: list[tuple[float, float]] = []
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            rss = _tree_rss(child.pid)
            peak = max(peak, rss)
            timeline.append((time.perf_counter() - started, rss / 2**20))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert child.stdout is not None
    output = child.stdout.read()
    child.wait()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{args[0]} failed with exit code {child.returncode}")
    out = json.loads(output.strip().splitlines()[-1])
    out["timeline"] = timeline
    return out, wall, peak / 2**20


def stage_peaks(out: dict, wall: float) -> dict[str, int]:
    """Peak tree MiB in each stage: the flow's stages end where the child's wall time ends
    (the report is last), start-up and imports before them."""
    windows, end = [], wall
    for stage, seconds in reversed(list(out["stages"].items())):
        windows.append((stage, end - seconds, end))
        end -= seconds
    windows.append(("startup_imports", 0.0, end))
    return {
        f"peak_{stage.replace(' ', '_')}": round(
            max((rss for t, rss in out["timeline"] if start <= t <= stop), default=0)
        )
        for stage, start, stop in reversed(windows)
    }


def _child(argv: list[str]) -> int:
    kind = argv[0]
    started = time.perf_counter()
    if kind == "floor":
        from benchmarks.night_floor import run_floor

        csvs = sorted(Path(argv[1]).glob("*.csv"))
        out: dict = run_floor(csvs, Path(argv[2]), Path(argv[3]))
    else:  # eduplan run, as the CLI runs it, keeping the flow's own timings
        from flows.cli.common import prefect_environment

        prefect_environment()
        from flows.nightly import nightly_load

        summary = nightly_load(raw_dir=argv[1], warehouse=argv[2])
        print(summary.format(), file=sys.stderr)
        out = {
            "published": summary.published,
            "flow_seconds": summary.seconds,
            "stages": summary.stage_seconds,
            "dbt": summary.dbt,
            "mart_rows": summary.mart_rows,
        }
    out["seconds"] = time.perf_counter() - started
    print(json.dumps(out))
    return 0


def prepare(work: Path, rows: int) -> tuple[Path, Path, int]:
    """raw/ for eduplan (real plans + synthetic actuals) and the plans' CSVs for the floor."""
    from flows.demo.synth import write_synthetic_actuals
    from flows.extract import extract_document
    from flows.extract.output import write_csvs

    raw = work / "raw"
    shutil.copytree(REPO_ROOT / "raw" / "plans", raw / "plans")
    regions = max(1, math.ceil(rows / (SERIES * (YEARS[1] - YEARS[0] + 1))))
    synth = write_synthetic_actuals(
        raw / "actuals", regions=regions, indicators=SERIES, years=YEARS
    )
    plans_csv = work / "plans_csv"
    docs = [extract_document(p) for p in sorted((raw / "plans").glob("*.txt"))]
    write_csvs(docs, plans_csv)
    return raw, plans_csv, synth.rows


def eduplan_row(size: str, rows: int, out: dict, wall: float, rss: float) -> dict:
    stages = {k: round(v, 1) for k, v in out["stages"].items()}
    return {
        "night": size,
        "rows": rows,
        "seconds": round(wall, 1),
        "startup_imports": round(wall - out["flow_seconds"], 1),
        **{f"stage_{k.replace(' ', '_')}": v for k, v in stages.items()},
        "peak_rss_mib": round(rss),
        "rows_per_s": round(rows / wall),
        **stage_peaks(out, wall),
        "dbt": out["dbt"].splitlines()[0] if out["dbt"] else "",
    }


def analyst_queries(warehouse: Path) -> list[dict]:
    """Each README query against the marts, and the same question from the raw rows."""
    import duckdb

    from benchmarks.night_queries import RAW_QUESTIONS

    con = duckdb.connect(str(warehouse), read_only=True)
    results = []
    try:
        for name, raw_sql in RAW_QUESTIONS.items():
            mart_sql = (REPO_ROOT / "docs" / "queries" / f"{name}.sql").read_text()
            timings = {}
            for label, sql in (("marts", mart_sql), ("raw", raw_sql)):
                runs = []
                for _ in range(3):
                    started = time.perf_counter()
                    found = con.execute(sql).fetchall()
                    runs.append(time.perf_counter() - started)
                timings[label] = (statistics.median(runs), len(found))
            results.append(
                {
                    "query": name,
                    "marts_ms": round(timings["marts"][0] * 1000, 1),
                    "marts_rows": timings["marts"][1],
                    "raw_ms": round(timings["raw"][0] * 1000, 1),
                    "raw_rows": timings["raw"][1],
                }
            )
    finally:
        con.close()
    return results


def write_csv(name: str, rows: list[dict]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    fields: list[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def bench_size(work: Path, rows: int, *, incremental: bool) -> tuple[list[dict], Path]:
    raw, plans_csv, n = prepare(work, rows)
    size = f"{n / 1e6:g}M"
    print(f"[{size}] {n:,} synthetic rows in {raw}/actuals", flush=True)
    floor, floor_wall, floor_rss = run_child(
        ["floor", str(raw / "actuals"), str(plans_csv), str(work / "floor.duckdb")]
    )
    floor.pop("timeline")
    print(f"[{size}] floor {floor_wall:.1f} s, {floor}", flush=True)
    warehouse = work / "warehouse" / "warehouse.duckdb"
    env = {"EDUPLAN_KEEP": "1"}
    out, wall, rss = run_child(["eduplan", str(raw), str(warehouse)], env)
    if not out["published"]:
        raise SystemExit(f"[{size}] eduplan run did not publish: {out}")
    full = eduplan_row(f"full {size}", n, out, wall, rss)
    full |= {
        "floor_seconds": round(floor_wall, 1),
        "floor_peak_rss_mib": round(floor_rss),
        "ratio": round(wall / floor_wall, 2),
        "progress_rows": out["mart_rows"].get("mart_indicator_progress"),
        "facts": out["mart_rows"].get("fct_indicator_actual"),
        "floor_facts": floor["facts"],
    }
    print(f"[{size}] eduplan {wall:.1f} s: {full}", flush=True)
    results = [full]
    if incremental:
        from flows.demo.synth import write_synthetic_actuals

        regions = math.ceil(rows / (SERIES * (YEARS[1] - YEARS[0] + 1)))
        year = YEARS[1] + 1
        new = write_synthetic_actuals(
            raw / "actuals", regions=regions, indicators=SERIES, years=(year, year), seed=1
        )
        corrected = f"that file corrected ({new.rows:,} rows)"
        for label in (f"+1 year file ({new.rows:,} rows)", corrected, "nothing new"):
            if label == corrected:  # the same file, every value different (another seed)
                again = write_synthetic_actuals(
                    work / "corrected",
                    regions=regions,
                    indicators=SERIES,
                    years=(year, year),
                    seed=2,
                )
                shutil.move(again.path, new.path)
            out, wall, rss = run_child(["eduplan", str(raw), str(warehouse)], env)
            row = eduplan_row(label, 0 if label == "nothing new" else new.rows, out, wall, rss)
            row["share_of_full"] = round(wall / full["seconds"], 3)
            print(f"[{size}] {label}: {wall:.1f} s: {row}", flush=True)
            results.append(row)
    return results, warehouse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", default="1000000,10000000", help="comma-separated sizes (default 1M,10M)"
    )
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temp dir)")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child)
    sizes = [int(float(s)) for s in args.rows.split(",")]
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} at start")
    rows: list[dict] = []
    queries: list[dict] = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for i, size in enumerate(sizes):
            last = i == len(sizes) - 1
            results, warehouse = bench_size(Path(tmp) / f"n{size}", size, incremental=last)
            rows += results
            if last:
                queries = analyst_queries(warehouse)
            if not last:  # free the disk before the next size
                shutil.rmtree(Path(tmp) / f"n{size}")
    fulls = [r for r in rows if r["night"].startswith("full")]
    if len(fulls) >= 2:
        scaling = fulls[-1]["seconds"] / fulls[0]["seconds"]
        size_ratio = fulls[-1]["rows"] / fulls[0]["rows"]
        print(f"scaling: {scaling:.2f}x the time for {size_ratio:.1f}x the rows")
        fulls[-1]["scaling_vs_smallest"] = round(scaling, 2)
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f}")
    print_table(rows, queries)
    path = write_csv("night.csv", rows)
    write_csv("night_queries.csv", queries)
    print(f"written {path} and {path.with_name('night_queries.csv')}")
    peak = max(r["peak_rss_mib"] for r in rows)
    return 0 if peak < 2048 else 1


def print_table(rows: list[dict], queries: list[dict]) -> None:
    print()
    print(f"{'night':<30} {'rows':>11} {'floor s':>8} {'eduplan s':>9} {'ratio':>6} "
          f"{'share':>6} {'peak MiB':>9} {'rows/s':>9}")  # fmt: skip
    for r in rows:
        print(
            f"{r['night']:<30} {r['rows']:>11,} {r.get('floor_seconds', ''):>8} "
            f"{r['seconds']:>9} {r.get('ratio', ''):>6} {r.get('share_of_full', ''):>6} "
            f"{r['peak_rss_mib']:>9,} {r['rows_per_s']:>9,}"
        )
    print()
    stages = [k for r in rows for k in r if k.startswith("stage_") or k == "startup_imports"]
    stages = list(dict.fromkeys(stages))
    print(f"{'night':<30} " + " ".join(f"{s.removeprefix('stage_'):>13}" for s in stages))
    for r in rows:
        print(f"{r['night']:<30} " + " ".join(f"{r.get(s, ''):>13}" for s in stages))
    print("peak MiB of the process tree in each stage:")
    for r in rows:
        peaks = [f"peak_{s.removeprefix('stage_')}" for s in stages]
        print(f"{r['night']:<30} " + " ".join(f"{r.get(p, ''):>13}" for p in peaks))
    if queries:
        print()
        print(f"{'analyst query':<32} {'marts ms':>9} {'rows':>5} {'raw rows ms':>12} {'rows':>5}")
        for q in queries:
            print(
                f"{q['query']:<32} {q['marts_ms']:>9} {q['marts_rows']:>5} "
                f"{q['raw_ms']:>12} {q['raw_rows']:>5}"
            )


if __name__ == "__main__":
    sys.exit(main())
