"""The GX route is real: through the SQL datasource on a DuckDB file, a bad row fails the
expectation and a clean table passes. Without the fix in flows/gx/engine.py, GX reports every
expectation as failed with no observed value, whatever the data (the known pitfall)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows.gx import engine


def _table(path: Path, *, null_at: int | None) -> Path:
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE t AS SELECT i AS id, CASE WHEN i = ? THEN NULL ELSE i END AS v "
        "FROM range(100) r(i)",
        [-1 if null_at is None else null_at],
    )
    con.close()
    return path


def _validate(path: Path) -> list:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_sql(
        "t", connection_string=engine.duckdb_url(path), kwargs={"connect_args": {"read_only": True}}
    )
    batch = source.add_query_asset("t", query="SELECT * FROM t").add_batch_definition_whole_table(
        "all"
    )
    suite = gx.ExpectationSuite("s")
    suite.add_expectation(gx.expectations.ExpectColumnValuesToNotBeNull(column="v"))
    try:
        result = batch.get_batch().validate(suite)
        return [(r.success, dict(r.result)) for r in result.results]
    finally:
        source.get_execution_engine().close()
        source.get_engine().dispose()


@pytest.fixture
def patched():
    engine.patch_duckdb_persisted_connection()
    yield
    engine.patch_duckdb_persisted_connection()  # the gates rely on it: leave it on


def test_a_null_fails_not_null_with_one_unexpected_row(tmp_path: Path, patched: None) -> None:
    [(success, result)] = _validate(_table(tmp_path / "bad.duckdb", null_at=50))
    assert success is False
    assert result["element_count"] == 100
    assert result["unexpected_count"] == 1


def test_a_clean_table_passes(tmp_path: Path, patched: None) -> None:
    [(success, result)] = _validate(_table(tmp_path / "clean.duckdb", null_at=None))
    assert success is True
    assert result["unexpected_count"] == 0


def _unpatch_duckdb_persisted_connection() -> None:
    """Undo flows/gx/engine.py's patch, to show the pitfall it fixes."""
    from great_expectations.execution_engine import sqlalchemy_execution_engine as gx_engine

    gx_engine._PERSISTED_CONNECTION_DIALECTS = tuple(
        d for d in gx_engine._PERSISTED_CONNECTION_DIALECTS if d is not engine.DUCKDB
    )


def test_without_the_fix_gx_returns_empty_metrics(tmp_path: Path) -> None:
    _unpatch_duckdb_persisted_connection()
    try:
        [(success, result)] = _validate(_table(tmp_path / "clean.duckdb", null_at=None))
    finally:
        engine.patch_duckdb_persisted_connection()
    assert success is False  # a clean table "fails"...
    assert result == {}  # ...with no metric at all: this is what the fix is for


def test_the_gates_duckdb_is_capped_like_the_nights_others(tmp_path: Path) -> None:
    """The gates' connection (its URL) gets duckdb_memory_limit(): at 10 million rows the raw gate
    was the night's memory peak (2.3 GB for the process tree) with DuckDB's default limit."""
    import sqlalchemy

    from flows.config import duckdb_memory_limit

    path = _table(tmp_path / "w.duckdb", null_at=None)
    with duckdb.connect(config={"memory_limit": duckdb_memory_limit()}) as reference:
        [(capped,)] = reference.execute("select current_setting('memory_limit')").fetchall()
    gx_engine = sqlalchemy.create_engine(engine.duckdb_url(path))
    with gx_engine.connect() as con:
        [(limit,)] = con.execute(
            sqlalchemy.text("select current_setting('memory_limit')")
        ).fetchall()
    gx_engine.dispose()
    assert limit == capped
