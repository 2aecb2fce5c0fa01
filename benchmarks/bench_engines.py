"""dbt on DuckDB against dbt on Spark (local mode, 2 cores, 1 GB driver): the same project, the
same raw data, at the seeds and at N synthetic actuals rows.

    python -m benchmarks engines --rows seeds,1000000

For each size the raw tables are loaded once into DuckDB (the real plans plus `eduplan synth`
rows) and written as Parquet (flows/load/raw_parquet.py); then `dbt build` (the nightly build,
unit tests aside) runs on DuckDB from the file and on Spark from the Parquet, each in a child
process whose whole tree (dbt, and Spark's JVM) is sampled for its peak resident memory. The
DuckDB build is the floor: the table prints Spark's time and memory as multiples of it, and
whether the marts are equal (flows/marts_parity.py). Needs `make spark`. Writes
benchmarks/results/engines.csv (ignored by git).
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.bench_night import SERIES, YEARS, _tree_rss, write_csv  # noqa: E402


def _measured(args: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[float, float]:
    """Run a command; its wall seconds and the peak MiB resident in its process tree."""
    started = time.perf_counter()
    child = subprocess.Popen(
        args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(child.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    child.wait()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{args[0]} {args[1]} failed with exit code {child.returncode}")
    return time.perf_counter() - started, peak / 2**20


def _raw(work: Path, size: str) -> tuple[Path, int]:
    """The warehouse file with its raw tables loaded: the repo's raw/ (`seeds`) or the real
    plans plus about `size` synthetic rows."""
    from flows.demo.synth import write_synthetic_actuals
    from flows.extract import extract_document
    from flows.load.actuals import load_actuals
    from flows.load.plans import load_plans, plan_source
    from flows.warehouse.db import open_warehouse

    raw = work / "raw"
    shutil.copytree(REPO_ROOT / "raw" / "plans", raw / "plans")
    if size == "seeds":
        shutil.copytree(REPO_ROOT / "raw" / "actuals", raw / "actuals")
    else:
        regions = max(1, math.ceil(int(size) / (SERIES * (YEARS[1] - YEARS[0] + 1))))
        write_synthetic_actuals(raw / "actuals", regions=regions, indicators=SERIES, years=YEARS)
    database = work / "warehouse.duckdb"
    paths = sorted((raw / "plans").glob("*.txt"))
    with open_warehouse(database) as con:
        load_plans(
            con, [extract_document(p) for p in paths], {p.name: plan_source(p) for p in paths}
        )
        load_actuals(con, raw / "actuals")
        rows = con.execute("select count(*) from raw.actuals").fetchall()[0][0]
    return database, int(rows)


def bench_size(work: Path, size: str) -> dict[str, object]:
    from flows.load.raw_parquet import write_raw_parquet
    from flows.marts_parity import compare_marts
    from flows.spark import BUILD, SparkLayout, dbt_spark_invocation
    from flows.transform import dbt_invocation

    database, rows = _raw(work, size)
    layout = SparkLayout(work / "spark")
    started = time.perf_counter()
    write_raw_parquet(database, layout.raw)
    parquet = time.perf_counter() - started
    duck_args, duck_env = dbt_invocation(BUILD, database, artifacts_dir=work / "dbt")
    duck_s, duck_mib = _measured(duck_args, duck_env)
    spark_args, spark_env = dbt_spark_invocation(BUILD, layout)
    spark_s, spark_mib = _measured(spark_args, spark_env, cwd=layout.root)
    parity = compare_marts(database, layout)
    return {
        "size": size,
        "actuals_rows": rows,
        "raw_to_parquet_s": round(parquet, 1),
        "duckdb_s": round(duck_s, 1),
        "duckdb_peak_mib": round(duck_mib),
        "spark_s": round(spark_s, 1),
        "spark_peak_mib": round(spark_mib),
        "time_ratio": round(spark_s / duck_s, 1),
        "memory_ratio": round(spark_mib / duck_mib, 1),
        "marts_equal": f"{sum(p.equal for p in parity)}/{len(parity)}",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="seeds,1000000", help="sizes: seeds and/or row counts")
    parser.add_argument("--workdir", type=Path, help="keep files here (default: a temp dir)")
    args = parser.parse_args(argv)
    from flows.spark import spark_dbt

    spark_dbt()  # SparkNotInstalled, before any work, when `make spark` has not run
    results = []
    for size in args.rows.split(","):
        with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
            print(f"[{size}] loading, then dbt build on DuckDB and on Spark ...", flush=True)
            results.append(bench_size(Path(tmp), size.strip()))
    print(
        f"{'size':>9} {'rows':>10} {'DuckDB s':>9} {'MiB':>6} {'Spark s':>8} {'MiB':>6} "
        f"{'time x':>7} {'mem x':>6} {'marts equal':>11}"
    )
    for r in results:
        print(
            f"{r['size']:>9} {r['actuals_rows']:>10,} {r['duckdb_s']:>9} "
            f"{r['duckdb_peak_mib']:>6} {r['spark_s']:>8} {r['spark_peak_mib']:>6} "
            f"{r['time_ratio']:>7} {r['memory_ratio']:>6} {r['marts_equal']:>11}"
        )
    print(f"written to {write_csv('engines.csv', results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
