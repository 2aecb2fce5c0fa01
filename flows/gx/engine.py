"""The one place that touches a private name of great_expectations (pinned to 1.24.1).

GX's SQL execution engine opens a fresh connection for each query and closes it before the
metrics are fetched, unless the dialect is in `_PERSISTED_CONNECTION_DIALECTS`. With duckdb-engine
that turns every metric into an error that GX swallows: each expectation "fails" with no observed
value, whatever the data (tests/validate/test_validate_engine.py shows both sides). Listing
duckdb there makes GX keep one connection per engine, and the expectations see the data.
"""

from __future__ import annotations

from flows.warehouse.db import gx_url

URL_VARIABLE = "EDUPLAN_GX_URL"  # the datasource's connection string, `${EDUPLAN_GX_URL}`
# the run-state folder (Settings.gx_dir) in the stores' paths, `${EDUPLAN_GX_STATE}/validations/`
STATE_VARIABLE = "EDUPLAN_GX_STATE"


class _Dialect(str):
    """A dialect name as GX compares them: equal to its name, with a `.value`."""

    @property
    def value(self) -> str:
        return str(self)


DUCKDB = _Dialect("duckdb")


def patch_duckdb_persisted_connection() -> None:
    """Make GX keep its DuckDB connection open (idempotent)."""
    # lazy: great_expectations costs ~4.5 s, paid only by a night that runs a gate
    from great_expectations.execution_engine import sqlalchemy_execution_engine as engine

    if DUCKDB not in engine._PERSISTED_CONNECTION_DIALECTS:
        engine._PERSISTED_CONNECTION_DIALECTS = (*engine._PERSISTED_CONNECTION_DIALECTS, DUCKDB)


# GX's connection string for a warehouse file, capped like every other DuckDB of a night
duckdb_url = gx_url
