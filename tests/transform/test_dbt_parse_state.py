"""dbt's parse state is kept between nights: a night's dbt parses only what changed in the
project since the last one (partial parsing), whether or not the night before was a full pass
of the tests (flows/transform.py FULL_TESTS_ENV: a full pass changes no var dbt parses with)."""

from __future__ import annotations

from pathlib import Path

from flows.transform import run_dbt

FULL_PARSE = "Unable to do partial parsing"  # what dbt logs when it parses everything again


def _parse(database: Path, artifacts: Path, *, full_tests: bool) -> str:
    """dbt parse as a night's build would run it; the lines it logged."""
    log = artifacts / "logs" / "dbt.log"
    log.unlink(missing_ok=True)
    assert run_dbt("parse", database, artifacts_dir=artifacts, full_tests=full_tests).success
    return log.read_text(encoding="utf-8")


def test_a_full_pass_keeps_the_parse_state_of_the_next_night(tmp_path: Path) -> None:
    database, artifacts = tmp_path / "w.duckdb", tmp_path / "dbt"
    first = _parse(database, artifacts, full_tests=False)
    assert FULL_PARSE in first or "Starting full parse" in first  # nothing saved yet
    full_pass = _parse(database, artifacts, full_tests=True)
    assert FULL_PARSE not in full_pass, full_pass[-2000:]
    next_night = _parse(database, artifacts, full_tests=False)
    assert FULL_PARSE not in next_night, next_night[-2000:]
    assert "Nothing changed, skipping partial parsing" in next_night
