"""`python -m benchmarks`: run every benchmark (today: the actuals load)."""

from __future__ import annotations

import sys

from benchmarks.bench_actuals_load import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
