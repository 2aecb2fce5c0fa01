"""`python -m benchmarks [extract|formats|actuals|night] [options]`: run the benchmarks (all by
default; `make bench` runs `night`: four nights at 1M and 10M rows, each against a floor doing
the same work in plain DuckDB; `make bench-engines` runs `engines`).

python -m benchmarks                     # all of them (about 30 minutes on 2 cores)
python -m benchmarks night --rows 1000000,10000000
python -m benchmarks extract --copies 50
python -m benchmarks formats --copies 5  # .html, .docx, .pdf readers against parse-only floors
python -m benchmarks actuals --rows 1000000
python -m benchmarks fixed               # a nothing-new night against empty flow + dbt build
python -m benchmarks engines --rows seeds,1000000  # dbt on DuckDB vs on Spark (`make spark`)
"""

from __future__ import annotations

import sys

from benchmarks import (
    bench_actuals_load,
    bench_engines,
    bench_extract,
    bench_fixed_costs,
    bench_formats,
    bench_night,
)

BENCHMARKS = {
    "extract": bench_extract.main,
    "formats": bench_formats.main,
    "actuals": bench_actuals_load.main,
    "fixed": bench_fixed_costs.main,
    "night": bench_night.main,
    "engines": bench_engines.main,
}

if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv and argv[0] in BENCHMARKS:
        sys.exit(BENCHMARKS[argv[0]](argv[1:]))
    sys.exit(max(run(argv) for run in BENCHMARKS.values()))
