"""Five nights at each size, each against a floor that does the same work in plain DuckDB.

    python -m benchmarks night [--rows 1000000,10000000] [--workdir DIR]

For each size, on the same files (the real plans plus `eduplan synth` rows of catalogued indicators
for real regions, 200 series x 2009-2025), five nights in a row on one warehouse: a full night, one
new year's file (the next year for every region and series), that file corrected (every value
changed), nothing new, then a file of one new row (what a night that changes anything costs before
the rows it changes: every stage runs). Each night runs twice, in a child process each: the floor
(benchmarks/night_floor.py: plain DuckDB SQL in one process, the same work: load with file and line,
the same checks, duplicates, latest value, status; incrementally on its own database after the first
night) and `eduplan run` end to end (the Prefect flow: extract, load, gates, dbt build, publish,
report), with each stage's time from the flow's own timings (RunRecord.stage_seconds; start-up and
imports = the process's wall time minus the flow's). Peak RSS is the sum over the whole process tree
(the flow and its dbt child), sampled from /proc every 0.2 s. After each night the floor's statuses
and latest values are compared with eduplan's mart_indicator_progress (a benchmark whose two sides
disagree measures nothing: exit 1). Before the sizes, two nights on the repo's own raw/ (the seeds):
the second is the seeds' nothing-new night, the yardstick of issue 25's "nothing new at 10M <= 1.25x
the seeds'". Then the README's queries (docs/queries/) against the largest warehouse and from the
raw rows.
Prints one table, the stages, the issue's done-when checks (yes/no), and writes
benchmarks/results/night.csv (ignored by git)."""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import resource
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


def run_child(
    args: list[str], env: dict[str, str] | None = None, log: Path | None = None
) -> tuple[dict, float, float]:
    """Run `python bench_night.py --child ...`; returns its JSON, wall seconds, peak tree MiB.
    The JSON gets `timeline`: (seconds since start, tree MiB) samples, for peaks per stage, and
    `cpu_seconds`: user + system CPU of the child and the descendants it waited for (dbt), less
    sensitive than wall time to other work on the machine. The child's stderr (the night's
    summary) goes to `log` when given, shown if the child fails."""
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    errors = log.open("a", encoding="utf-8") if log else None
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", *args],
        stdout=subprocess.PIPE,
        stderr=errors,
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
    if errors:
        errors.close()
    if child.returncode != 0:
        if log:
            print(log.read_text(encoding="utf-8")[-5000:], file=sys.stderr)
        raise SystemExit(f"{args[0]} failed with exit code {child.returncode}")
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = json.loads(output.strip().splitlines()[-1])
    out["timeline"] = timeline
    out["cpu_seconds"] = (cpu_after.ru_utime + cpu_after.ru_stime) - (
        cpu_before.ru_utime + cpu_before.ru_stime
    )
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
        from benchmarks.night_floor import floor_night

        out: dict = floor_night(Path(argv[1]), Path(argv[2]), Path(argv[3]))
    else:  # eduplan run, as the CLI runs it (flows/cli: its Prefect server started while the
        # flow is imported), keeping the flow's own timings
        from flows.cli.common import prefect_environment, prefect_startup_timeout

        prefect_environment()
        from flows.cli.prefect_server import forget, start_server, wait_for

        server = start_server()
        from flows.nightly import nightly_load

        wait_for(server, timeout=prefect_startup_timeout())
        summary = nightly_load(raw_dir=argv[1], warehouse=argv[2])
        if server is not None:  # stopped as the CLI stops it: its queued logs sent first
            forget(server)
        print(summary.format(), file=sys.stderr)
        out = {
            "published": summary.succeeded,  # published, or nothing new: the file stands
            "nothing_new": bool(summary.nothing_new),
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

    raw = work / "raw"
    shutil.copytree(REPO_ROOT / "raw" / "plans", raw / "plans")
    synth = write_synthetic_actuals(
        raw / "actuals", regions=_regions(rows), indicators=SERIES, years=YEARS
    )
    return raw, plans_csv(raw, work / "plans_csv"), synth.rows


def plans_csv(raw: Path, out: Path) -> Path:
    """The extractor's CSVs of raw/plans, which the floor reads (written before any timing)."""
    from flows.extract import extract_document
    from flows.extract.output import write_csvs

    write_csvs([extract_document(p) for p in sorted((raw / "plans").glob("*.txt"))], out)
    return out


def _regions(rows: int) -> int:
    return max(1, math.ceil(rows / (SERIES * (YEARS[1] - YEARS[0] + 1))))


def eduplan_row(night: str, rows: int, out: dict, wall: float, rss: float) -> dict:
    stages = {k: round(v, 1) for k, v in out["stages"].items()}
    return {
        "night": night,
        "rows": rows,
        "seconds": round(wall, 1),
        "cpu_seconds": round(out["cpu_seconds"], 1),
        "startup_imports": round(wall - out["flow_seconds"], 1),
        **{f"stage_{k.replace(' ', '_')}": v for k, v in stages.items()},
        "peak_rss_mib": round(rss),
        **stage_peaks(out, wall),
        "dbt": out["dbt"].splitlines()[0] if out["dbt"] else "",
    }


def disagreements(warehouse: Path, floor_db: Path) -> list[tuple]:
    """Targets whose status, latest value or baseline differ between eduplan's
    mart_indicator_progress and the floor's progress (matched on plan file, line, year, role)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        con.execute(f"attach '{floor_db}' as fl (read_only)")
        return con.execute(
            """
            with

            eduplan as (
                select
                    parse_filename(source_file) as doc, source_line as line, year, role,
                    status, latest_value, baseline_value
                from wh.marts.mart_indicator_progress
            ),

            floor as (
                select doc, line, year, role, status, latest_value, baseline_value
                from fl.progress
            )

            select
                coalesce(eduplan.doc, floor.doc), coalesce(eduplan.line, floor.line),
                coalesce(eduplan.year, floor.year), coalesce(eduplan.role, floor.role),
                eduplan.status, floor.status
            from eduplan
            full outer join floor using (doc, line, year, role)
            where eduplan.status is distinct from floor.status
                or eduplan.latest_value is distinct from floor.latest_value
                or eduplan.baseline_value is distinct from floor.baseline_value
            order by all
            """
        ).fetchall()
    finally:
        con.close()


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


NIGHTS = ("full", "new file", "corrected file", "nothing new", "one new row")


def _settle() -> None:
    """Wait until the files just written are older than the "racy clean" window: a hash is only
    remembered for a file older than that (flows/load/file_hashes.py), so without the wait the
    floor, which runs first, would hash again the next night what eduplan, run seconds later,
    remembers."""
    from flows.load.file_hashes import RACY_SECONDS

    time.sleep(RACY_SECONDS + 0.1)


def bench_size(work: Path, rows: int) -> tuple[list[dict], Path]:
    """The five nights at one size, each floor then eduplan; returns their rows."""
    from flows.demo.synth import write_synthetic_actuals

    raw, plans, n = prepare(work, rows)
    size = f"{n / 1e6:g}M"
    print(f"[{size}] {n:,} synthetic rows in {raw}/actuals", flush=True)
    warehouse = work / "warehouse" / "warehouse.duckdb"
    floor_db = work / "floor.duckdb"
    env = {"EDUPLAN_KEEP": "1"}
    year = YEARS[1] + 1
    results: list[dict] = []
    new_rows = 0
    for night in NIGHTS:
        if night == "new file":  # the next year for every region and series
            new = write_synthetic_actuals(
                raw / "actuals", regions=_regions(rows), indicators=SERIES, years=(year, year),
                seed=1,
            )  # fmt: skip
            new_path, new_rows = new.path, new.rows
        elif night == "corrected file":  # the same file, every value different (another seed)
            again = write_synthetic_actuals(
                work / "corrected", regions=_regions(rows), indicators=SERIES,
                years=(year, year), seed=2,
            )  # fmt: skip
            shutil.move(again.path, new_path)
        elif night == "one new row":  # a file of one row, a figure of the year before the
            # others (a later one would be past the plans' years): what a night that changes
            # anything costs before its rows (every stage runs, on one row)
            earlier = YEARS[0] - 1
            new_rows = write_synthetic_actuals(
                raw / "actuals", regions=1, indicators=1, years=(earlier, earlier), seed=3
            ).rows
        _settle()
        log = work / "nights.log"
        floor, floor_wall, floor_rss = run_child(
            ["floor", str(raw / "actuals"), str(plans), str(floor_db)], log=log
        )
        floor.pop("timeline")
        out, wall, rss = run_child(["eduplan", str(raw), str(warehouse)], env, log)
        if not out["published"]:
            raise SystemExit(f"[{size}] {night}: eduplan run did not publish: {out}")
        changed = {"full": n, "nothing new": 0}.get(night, new_rows)
        row = eduplan_row(f"{night} {size}", changed, out, wall, rss)
        row |= {
            "size": n,
            "floor_seconds": round(floor_wall, 1),
            "floor_cpu_seconds": round(floor["cpu_seconds"], 1),
            "ratio_to_floor": round(wall / floor_wall, 2),
            "floor_peak_rss_mib": round(floor_rss),
            **{k: v for k, v in floor.items() if k.startswith("floor_")},
            "floor_facts": floor.get("facts"),
            "facts": out["mart_rows"].get("fct_indicator_actual"),
            "progress_rows": out["mart_rows"].get("mart_indicator_progress"),
        }
        row["share_of_full"] = round(wall / results[0]["seconds"], 3) if results else 1.0
        row["floor_share_of_full"] = (
            round(floor_wall / results[0]["floor_seconds"], 3) if results else 1.0
        )
        differ = disagreements(warehouse, floor_db)
        row["targets_differing_from_floor"] = len(differ)
        if differ:
            print(f"[{size}] {night}: floor and eduplan differ on {len(differ)} targets, "
                  f"e.g. {differ[:3]}", flush=True)  # fmt: skip
        print(f"[{size}] {night}: floor {floor_wall:.1f} s, eduplan {wall:.1f} s "
              f"({row['ratio_to_floor']}x the floor, {row['share_of_full']:.0%} of the full "
              f"night), peak {rss:,.0f} MiB", flush=True)  # fmt: skip
        results.append(row)
    return results, warehouse


def seeds_nights(work: Path) -> list[dict]:
    """Two eduplan nights on a copy of the repo's raw/ (the seeds): full, then nothing new."""
    raw = work / "raw"
    shutil.copytree(REPO_ROOT / "raw", raw)
    warehouse = work / "warehouse" / "warehouse.duckdb"
    rows = []
    for night in ("full seeds", "nothing new seeds"):
        out, wall, rss = run_child(
            ["eduplan", str(raw), str(warehouse)], {"EDUPLAN_KEEP": "1"}, work / "nights.log"
        )
        if not out["published"]:
            raise SystemExit(f"{night}: eduplan run did not publish: {out}")
        rows.append(eduplan_row(night, 0, out, wall, rss))
        print(f"[seeds] {night}: {wall:.1f} s", flush=True)
    return rows


def done_when(rows: list[dict], seeds: list[dict]) -> list[tuple[str, str, bool]]:
    """Issue 25's done-when checks on the largest size: (check, measured, met)."""
    largest = max(r["size"] for r in rows)
    at = {r["night"].rsplit(" ", 1)[0]: r for r in rows if r["size"] == largest}
    size = f"{largest / 1e6:g}M"
    full, new, nothing = at["full"], at["new file"], at["nothing new"]
    peak = max(r["peak_rss_mib"] for r in at.values())
    seeds_nothing = seeds[-1]["seconds"]
    share, ratio = new["seconds"] / full["seconds"], full["seconds"] / full["floor_seconds"]
    one = at.get("one new row")
    one_row = (
        f"; a night of one new row: {one['seconds']} s, {one['seconds'] / full['seconds']:.1%}"
        if one is not None
        else ""
    )
    return [
        (f"{size} one new file <= 10% of the full night",
         f"{share:.1%} ({new['seconds']} s of {full['seconds']} s; the same-work floor's own: "
         f"{new['floor_share_of_full']:.1%}{one_row})", share <= 0.10),
        (f"{size} full night <= 5x the same-work floor",
         f"{ratio:.2f}x ({full['seconds']} s / {full['floor_seconds']} s)", ratio <= 5),
        (f"{size} peak of the process tree < 2 GB (every night)", f"{peak:,} MiB",
         peak < 2048),
        (f"{size} nothing new <= 1.25x nothing new on the seeds",
         f"{nothing['seconds'] / seeds_nothing:.2f}x ({nothing['seconds']} s / "
         f"{seeds_nothing} s)", nothing["seconds"] <= 1.25 * seeds_nothing),
        ("floor and eduplan agree on every target, every night",
         f"{sum(r['targets_differing_from_floor'] for r in rows)} differing",
         all(r["targets_differing_from_floor"] == 0 for r in rows)),
    ]  # fmt: skip


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
    started = time.perf_counter()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} at start")
    rows: list[dict] = []
    queries: list[dict] = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        seeds = seeds_nights(Path(tmp) / "seeds")
        shutil.rmtree(Path(tmp) / "seeds")
        for i, size in enumerate(sizes):
            results, warehouse = bench_size(Path(tmp) / f"n{size}", size)
            rows += results
            if i == len(sizes) - 1:
                queries = analyst_queries(warehouse)
            else:  # free the disk before the next size
                shutil.rmtree(Path(tmp) / f"n{size}")
    fulls = [r for r in rows if r["night"].startswith("full")]
    if len(fulls) >= 2:
        scaling = fulls[-1]["seconds"] / fulls[0]["seconds"]
        size_ratio = fulls[-1]["rows"] / fulls[0]["rows"]
        print(f"scaling: {scaling:.2f}x the time for {size_ratio:.1f}x the rows")
        fulls[-1]["scaling_vs_smallest"] = round(scaling, 2)
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f}")
    checks = done_when(rows, seeds)
    print_table(rows, seeds, queries, checks)
    path = write_csv("night.csv", seeds + rows)
    write_csv("night_queries.csv", queries)
    print(f"written {path} and {path.with_name('night_queries.csv')}")
    print(f"benchmark took {(time.perf_counter() - started) / 60:.1f} min")
    return 0 if checks[-1][2] else 1


def print_table(
    rows: list[dict], seeds: list[dict], queries: list[dict], checks: list[tuple[str, str, bool]]
) -> None:
    print()
    print(f"{'night':<22} {'rows':>11} {'floor s':>8} {'eduplan s':>9} {'x floor':>7} "
          f"{'share':>6} {'eduplan MiB':>11} {'floor MiB':>9} {'CPU s floor':>11} "
          f"{'eduplan':>7}")  # fmt: skip
    for r in seeds + rows:
        print(
            f"{r['night']:<22} {r['rows']:>11,} {r.get('floor_seconds', ''):>8} "
            f"{r['seconds']:>9} {r.get('ratio_to_floor', ''):>7} {r.get('share_of_full', ''):>6} "
            f"{r['peak_rss_mib']:>11,} {r.get('floor_peak_rss_mib', ''):>9} "
            f"{r.get('floor_cpu_seconds', ''):>11} {r['cpu_seconds']:>7}"
        )
    print()
    print("eduplan's stages (s):")
    stages = [k for r in rows for k in r if k.startswith("stage_") or k == "startup_imports"]
    stages = list(dict.fromkeys(stages))
    print(f"{'night':<22} " + " ".join(f"{s.removeprefix('stage_'):>13}" for s in stages))
    for r in seeds + rows:
        print(f"{r['night']:<22} " + " ".join(f"{r.get(s, ''):>13}" for s in stages))
    print("peak MiB of eduplan's process tree in each stage:")
    for r in seeds + rows:
        peaks = [f"peak_{s.removeprefix('stage_')}" for s in stages]
        print(f"{r['night']:<22} " + " ".join(f"{r.get(p, ''):>13}" for p in peaks))
    floor_stages = [k for r in rows for k in r if k.startswith("floor_") and k.endswith("_s")]
    floor_stages = list(dict.fromkeys(floor_stages))
    print("the floor's steps (s):")
    print(f"{'night':<22} " + " ".join(f"{s[6:-2]:>9}" for s in floor_stages))
    for r in rows:
        print(f"{r['night']:<22} " + " ".join(f"{r.get(s, ''):>9}" for s in floor_stages))
    if queries:
        print()
        print(f"{'analyst query':<32} {'marts ms':>9} {'rows':>5} {'raw rows ms':>12} {'rows':>5}")
        for q in queries:
            print(
                f"{q['query']:<32} {q['marts_ms']:>9} {q['marts_rows']:>5} "
                f"{q['raw_ms']:>12} {q['raw_rows']:>5}"
            )
    print()
    print("issue 25, done when:")
    for check, measured, met in checks:
        print(f"  {'yes' if met else 'no ':<4} {check}: {measured}")


if __name__ == "__main__":
    sys.exit(main())
