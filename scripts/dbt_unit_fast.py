"""Run a model's dbt unit tests straight in DuckDB, in about a second instead of dbt's minute:
for `make mutate` (scripts/mutate.py), which runs them once per mutant.

    python scripts/dbt_unit_fast.py WAREHOUSE MODEL

For each unit test of MODEL in dbt/models/**/*.yml: its `given` rows are loaded into empty
copies of the input models' tables (their columns and types read from WAREHOUSE, a warehouse
built by dbt, so a fixture only names the columns it sets, as in dbt), the model's SQL is run
with the project's macros expanded (Jinja) and each `ref('x')` replaced by its fixture, and
the rows must equal the `expect` rows on the columns those name (as a multiset, numbers to
1e-9), as dbt compares them. Models whose Jinja is `ref()` and the project's own macros run
this way; exit status 1 when a test fails. `dbt build` stays the authority:
tests/transform/test_dbt_marts.py runs the same unit tests with dbt.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import yaml

REPO = Path(__file__).resolve().parent.parent
MODELS = REPO / "dbt" / "models"
_MACRO = re.compile(r"\{%-?\s*macro\b.*?\{%-?\s*endmacro\s*-?%\}", re.S)


def unit_tests(model: str, *, project: Path = REPO) -> list[dict[str, Any]]:
    """The unit tests of `model` declared in the project's models/**/*.yml."""
    tests = []
    for path in sorted((project / "dbt" / "models").rglob("*.yml")):
        for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", []):
            if test.get("model") == model:
                tests.append(test)
    return tests


def _schema_of(con: duckdb.DuckDBPyConnection, name: str) -> str:
    [(schema,)] = con.execute(
        "select table_schema from information_schema.tables where table_name = ?", [name]
    ).fetchall()
    return str(schema)


def _value(value: Any) -> Any:
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        return round(float(value), 9)
    if value is None:
        return None
    return str(value) if not isinstance(value, bool) else value


def load_fixtures(
    con: duckdb.DuckDBPyConnection, test: dict[str, Any], *, prefix: str = "fixture"
) -> dict[str, str]:
    """The test's `given` rows as temp tables (input model -> table), named `prefix_n`."""
    fixtures: dict[str, str] = {}
    for n, given in enumerate(test["given"]):
        ref = re.fullmatch(r"ref\('(\w+)'\)", given["input"].strip())
        assert ref, f"only ref() inputs: {given['input']}"
        name, fixture = ref.group(1), f"{prefix}_{n}"
        con.execute(
            f"create or replace temp table {fixture} as "
            f"select * from {_schema_of(con, name)}.{name} limit 0"
        )
        for row in given.get("rows") or []:
            columns = ", ".join(f'"{c}"' for c in row)
            marks = ", ".join("?" for _ in row)
            values = [v if not isinstance(v, dict | list) else str(v) for v in row.values()]
            con.execute(f"insert into {fixture} ({columns}) values ({marks})", values)
        fixtures[name] = fixture
    return fixtures


def run_test(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    test: dict[str, Any],
    fixtures: dict[str, str] | None = None,
) -> str | None:
    """None when the test passes, else what differs. `fixtures`: its given rows loaded before
    (load_fixtures), as scripts/mutate.py does once for many versions of the model."""
    fixtures = load_fixtures(con, test) if fixtures is None else fixtures
    query = re.sub(r"__ref__(\w+)__", lambda m: fixtures[m.group(1)], sql)
    expected_rows = test["expect"]["rows"]
    columns = list(dict.fromkeys(c for row in expected_rows for c in row))
    cursor = con.execute(f"select {', '.join(columns)} from ({query}) as model")
    actual = Counter(tuple(_value(v) for v in row) for row in cursor.fetchall())
    expected = Counter(tuple(_value(row.get(c)) for c in columns) for row in expected_rows)
    if actual == expected:
        return None
    missing, unexpected = list(expected - actual)[:3], list(actual - expected)[:3]
    return f"{test['name']}: missing {missing}, unexpected {unexpected}"


def macro_sources(project: Path = REPO) -> dict[Path, str]:
    """The project's macro files (path -> text), in the order render() reads them."""
    folder = project / "dbt" / "macros"
    return {p: p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.sql"))}


def render(model_sql: str, macros: dict[Path, str] | None = None) -> str:
    """The model's SQL with the project's macros expanded and each ref('x') as __ref__x__.
    `macros`: the macro files to use (macro_sources(), one of them mutated by scripts/mutate.py)."""
    import jinja2

    sources = macro_sources() if macros is None else macros
    macros_sql = "".join(  # the {% macro %} blocks only (not dbt's {% test %} blocks)
        block for text in sources.values() for block in _MACRO.findall(text)
    )
    env = jinja2.Environment(extensions=["jinja2.ext.do"])  # dbt enables `do`
    template = env.from_string(macros_sql + model_sql)
    return template.render(ref=lambda name: f"__ref__{name}__")


def failed_tests(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    tests: list[dict[str, Any]],
    *,
    first_only: bool = False,
    fixtures: list[dict[str, str]] | None = None,
) -> list[str]:
    """What each failing unit test found (empty: all pass); `first_only` stops at the first.
    `fixtures`: each test's given rows, loaded before (load_fixtures)."""
    failures = []
    for n, test in enumerate(tests):
        try:
            problem = run_test(con, sql, test, fixtures[n] if fixtures else None)
        except duckdb.Error as error:
            problem = f"{test['name']}: {error}"
        if problem:
            failures.append(problem)
            if first_only:
                break
    return failures


def main(argv: list[str]) -> int:
    warehouse, model = Path(argv[0]), argv[1]
    path = next(MODELS.rglob(f"{model}.sql"))
    sql = render(path.read_text(encoding="utf-8"))
    tests = unit_tests(model)
    if not tests:
        print(f"no unit tests of {model}")
        return 1
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        failures = failed_tests(con, sql, tests)
    finally:
        con.close()
    print(f"{model}: {len(tests) - len(failures)} of {len(tests)} unit tests passed")
    for failure in failures:
        print("  FAILED " + failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
