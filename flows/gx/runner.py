"""Run the validation definitions of one gate against a DuckDB file and turn GX's results into
ExpectationFailure values. Imports great_expectations (seconds), so only flows/validate.py's
functions import this module, inside their bodies (it never imports them)."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from flows.gx.engine import (
    STATE_VARIABLE,
    URL_VARIABLE,
    duckdb_url,
    patch_duckdb_persisted_connection,
)
from flows.gx.offline_docs import make_offline
from flows.gx.results import CHANGED_ROWS, SAMPLE_ROWS, WHOLE_TABLE, ExpectationFailure
from flows.warehouse.db import connect
from flows.warehouse.layout import GX_DATA_DOCS, GX_VALIDATIONS


@dataclass
class Outcome:
    evaluated: int = 0
    failures: list[ExpectationFailure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    docs_path: Path | None = None
    scopes: dict[str, str] = field(default_factory=dict)  # suite -> what its rows were
    rows: dict[str, int] = field(default_factory=dict)  # suite -> rows its batch had
    # renders tonight's Data Docs (docs=True); returns the pages still on a CDN
    render_docs: Callable[[], list[str]] | None = None
    input_digests: dict[str, str] = field(default_factory=dict)  # suite -> its inputs' digest
    standing: list[str] = field(default_factory=list)  # suites not run: inputs as they passed


def existing_tables(db_path: Path) -> set[str]:
    con = connect(db_path, read_only=True)
    try:
        rows = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
    finally:
        con.close()
    return {name for (name,) in rows}


def run_validations(
    gate: str,
    db_path: Path,
    context_root: Path,
    *,
    gx_dir: Path,
    docs: bool,
    keep_results: int,
    changed_rows: bool = False,
    table_digests: dict[str, str] | None = None,
    passed_on: dict[str, str] | None = None,
) -> Outcome:
    """Run the gate's validation definitions (read from the committed context in context_root)
    on db_path; results and Data Docs go to gx_dir (the warehouse's run state), of which the
    newest `keep_results` per suite are kept. Data Docs render only tonight's results.
    `changed_rows`: a suite that declares tonight's changed rows (its meta `changed_rows`) runs
    on those only (not a full pass); else every suite reads what its asset reads.
    `table_digests` (tonight's, by `schema.table`): each suite's inputs get a digest
    (`outcome.input_digests`), and a suite whose digest is the one in `passed_on` (what it last
    passed on) stands instead of running: the same rules on the same rows give the same verdict."""
    patch_duckdb_persisted_connection()
    present = existing_tables(db_path)
    os.environ[URL_VARIABLE] = duckdb_url(db_path)
    gx_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(
        mode="file",
        context_root_dir=context_root,
        runtime_environment={STATE_VARIABLE: str(gx_dir.resolve())},
    )
    source = context.data_sources.get("warehouse")
    outcome = Outcome()
    definitions = sorted(
        (d for d in context.validation_definitions.all() if d.name.startswith(f"{gate}.")),
        key=lambda d: d.name,
    )
    if not definitions:
        raise LookupError(f"no validation definitions for gate {gate!r} in {context_root}")
    run_id = RunIdentifier(run_name=gate, run_time=datetime.now(UTC))
    try:
        for definition in definitions:
            if table_digests is not None:
                digest = suite_input_digest(definition, table_digests)
                outcome.input_digests[definition.name] = digest
                if (passed_on or {}).get(definition.name) == digest:
                    outcome.standing.append(definition.name)
                    continue
            _run_one(definition, present, outcome, run_id, changed_rows=changed_rows)
    finally:
        _close(source)
    if docs:
        outcome.docs_path = gx_dir.resolve() / GX_DATA_DOCS / "index.html"
        outcome.render_docs = lambda: _render_docs(
            context, run_id, definitions, context_root, gx_dir, keep_results
        )
    return outcome


_TABLE_NAME = re.compile(r"\b(raw|staging|intermediate|marts)\.([a-z_][a-z0-9_]*)", re.IGNORECASE)


def suite_input_digest(definition: Any, table_digests: dict[str, str]) -> str:
    """sha256 of what a suite's verdict is a function of: its expectations and query (as
    committed: a changed rule is a new digest) and the contents of every table it reads (its
    `requires`, and any table its SQL names: a table it reads but does not declare still counts).
    A table without a digest counts as such ("unknown"), which no earlier night matches."""
    suite = definition.suite
    asset = definition.data.data_asset
    changed = suite.meta.get("changed_rows") or {}
    text = json.dumps(
        [suite.to_json_dict(), asset.query, changed.get("query")], sort_keys=True, default=str
    )
    tables = {str(name).lower() for name in suite.meta.get("requires", [])}
    tables |= {str(name).lower() for name in changed.get("requires", [])}
    tables |= {f"{schema}.{table}".lower() for schema, table in _TABLE_NAME.findall(text)}
    digest = hashlib.sha256(text.encode())
    for table in sorted(tables):
        digest.update(f"\n{table}={table_digests.get(table, 'unknown')}".encode())
    return digest.hexdigest()


def _render_docs(
    context: Any,
    run_id: RunIdentifier,
    definitions: list[Any],
    context_root: Path,
    gx_dir: Path,
    keep_results: int,
) -> list[str]:
    """Tonight's Data Docs pages, the kept results pruned, the site made offline; returns the
    pages still loading files from the network (flows/gx/offline_docs.py)."""
    prune_results(gx_dir / GX_VALIDATIONS, keep=keep_results)
    tonight = _results_of(context, run_id)
    escape_stored_values(context, tonight)
    suites = _stale_suite_pages(definitions, context_root, gx_dir / GX_DATA_DOCS)
    context.build_data_docs(resource_identifiers=[*suites, *tonight])
    return make_offline(gx_dir / GX_DATA_DOCS)


def _stale_suite_pages(
    definitions: list[Any], context_root: Path, site: Path
) -> list[ExpectationSuiteIdentifier]:
    """Suites whose Data Docs page is missing or older than the committed suite: the suites
    change with the code, not nightly, so their pages are rendered once, not every run."""
    stale = []
    for definition in definitions:
        parts = definition.suite.name.split(".")
        committed = context_root / "expectations" / Path(*parts).with_suffix(".json")
        page = site / "expectations" / Path(*parts).with_suffix(".html")
        if not page.exists() or page.stat().st_mtime < committed.stat().st_mtime:
            stale.append(ExpectationSuiteIdentifier(name=definition.suite.name))
    return stale


def _results_of(context: Any, run_id: RunIdentifier) -> list[ValidationResultIdentifier]:
    """The stored results of this run: the only validation pages Data Docs renders tonight
    (earlier nights' pages stay as rendered; the index lists the kept ones)."""
    keys = context.validation_results_store.list_keys()
    return [k for k in keys if k.run_id == run_id]


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def escape_stored_values(context: Any, keys: list[ValidationResultIdentifier]) -> None:
    """HTML-escape what the data put into tonight's stored results (each expectation's `result`:
    unexpected values and rows; `exception_info`) before Data Docs render them: GX 1.24 writes
    unexpected values into its pages as raw HTML, so a value such as `<img onerror=...>` in a
    plan or actuals file would run as script there. The in-memory results the gate reports were
    read before; the stored ones exist for the Data Docs only."""
    store = context.validation_results_store
    for key in keys:
        stored = store.get(key)
        for item in stored.results:
            item.result = _escaped(item.result or {})
            item.exception_info = _escaped(item.exception_info or {})
        store.set(key, stored)


def prune_results(folder: Path, *, keep: int) -> None:
    """Keep the newest `keep` results of each suite (<suite path>/<run name>/<run time>/); the
    Data Docs index drops the pages of pruned results, so the site stays this size too."""
    if not folder.is_dir():
        return
    runs_by_suite: dict[Path, list[Path]] = {}
    for result in folder.rglob("*.json"):
        run = result.parent
        runs_by_suite.setdefault(run.parent.parent, []).append(run)
    for runs in runs_by_suite.values():
        for run in sorted(set(runs), key=lambda r: r.name, reverse=True)[keep:]:
            shutil.rmtree(run, ignore_errors=True)


def _run_one(
    definition: Any,
    present: set[str],
    outcome: Outcome,
    run_id: RunIdentifier,
    *,
    changed_rows: bool = False,
) -> None:
    suite = definition.suite
    outcome.scopes[definition.name] = str(suite.meta.get("scope") or WHOLE_TABLE)
    changed = suite.meta.get("changed_rows") or {}
    asset = definition.data.data_asset
    whole_query = asset.query
    if changed_rows and changed and all(t in present for t in changed["requires"]):
        asset.query = changed["query"]  # tonight's rows, for this run only (restored below)
        outcome.scopes[definition.name] = CHANGED_ROWS
    try:
        _validate(definition, present, outcome, run_id)
    finally:
        asset.query = whole_query


def _validate(definition: Any, present: set[str], outcome: Outcome, run_id: RunIdentifier) -> None:
    suite = definition.suite
    table = definition.name.split(".", 1)[1]
    missing = [t for t in suite.meta.get("requires", []) if t not in present]
    if missing and suite.meta.get("optional"):
        outcome.skipped.append(definition.name)
        return
    if missing:
        outcome.evaluated += 1
        outcome.failures.append(
            ExpectationFailure(
                suite=definition.name,
                expectation="the tables this suite checks exist",
                table=table,
                column=None,
                detail=f"missing: {', '.join(missing)}",
                kind="tables_exist",
            )
        )
        return
    result = definition.run(
        run_id=run_id,
        result_format={
            "result_format": "COMPLETE",
            "partial_unexpected_count": SAMPLE_ROWS,
        },
    )
    counted = [item.result.get("element_count") for item in result.results if item.result]
    rows = next((n for n in counted if isinstance(n, int)), None)
    if rows is not None:
        outcome.rows[definition.name] = rows
    for item in result.results:
        outcome.evaluated += 1
        if not item.success:
            outcome.failures.append(_failure(definition.name, table, item))


def _failure(suite: str, table: str, item: Any) -> ExpectationFailure:
    config = item.expectation_config
    kwargs = dict(config.kwargs)
    column = kwargs.get("column") or ", ".join(
        kwargs.get("column_list")
        or [c for c in (kwargs.get("column_A"), kwargs.get("column_B")) if c]
    )
    res = item.result or {}
    error = _error(item.exception_info or {})
    if error:
        detail, samples = f"could not be evaluated: {error.splitlines()[0]}", []
    elif config.type == "unexpected_rows_expectation":
        rows = (res.get("details") or {}).get("unexpected_rows") or []
        detail, samples = f"{res.get('observed_value')} offending row(s), e.g.", rows
    elif "unexpected_count" in res:
        share = res.get("unexpected_percent")
        share_text = f" ({share:.1f}%)" if isinstance(share, int | float) else ""
        detail = (
            f"{res['unexpected_count']} of {res.get('element_count')} rows unexpected{share_text}"
            f"{_expected(kwargs)}, e.g."
        )
        samples = list(res.get("partial_unexpected_list") or [])
    elif "observed_value" in res:
        detail, samples = f"observed {res['observed_value']!r}{_expected(kwargs)}", []
    else:
        detail, samples = "no result: GX computed no metric (see flows/gx/engine.py)", []
    return ExpectationFailure(
        suite=suite,
        expectation=config.description or config.type,
        table=table,
        column=column or None,
        detail=detail,
        sample_rows=samples[:SAMPLE_ROWS],
        kind=config.type,
    )


def _error(info: dict[str, Any]) -> str | None:
    """GX reports an exception either flat or per metric ({metric id: {exception_message}})."""
    if info.get("exception_message"):
        return str(info["exception_message"])
    nested = [v.get("exception_message") for v in info.values() if isinstance(v, dict)]
    return next((str(m) for m in nested if m), None)


def _expected(kwargs: dict[str, Any]) -> str:
    bounds = [f"{k}={kwargs[k]!r}" for k in ("min_value", "max_value", "mostly") if k in kwargs]
    value_set = kwargs.get("value_set")
    if value_set is not None:
        shown = ", ".join(map(str, list(value_set)[:8]))
        more = f", ... ({len(value_set)} values)" if len(value_set) > 8 else ""
        bounds.append(f"expected one of {{{shown}{more}}}")
    return f"; {'; '.join(bounds)}" if bounds else ""


def _close(source: Any) -> None:
    """Close GX's DuckDB connection: in one process DuckDB caches an open database by path, so a
    connection left open would pin the file and keep a replaced file's old contents visible."""
    try:
        source.get_execution_engine().close()
    finally:
        source.get_engine().dispose()
