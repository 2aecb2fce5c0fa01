"""Is there anything new tonight? A night whose inputs (flows/warehouse/night_inputs.py: every
raw file, the code, the packages, the dbt project, the suites, the raw schema) are those the
published warehouse was built from would extract, load, gate, build and report exactly what is
published: it stops after this check, says so, and the published file stands untouched.

A night still runs in full when:
- `--full-refresh` asks for it, or no warehouse is published yet;
- the published file is not the one the last published night left: missing, held open by a
  writer, damaged at a glance (flows/warehouse/health.py `quick_problem`), changed on disk since
  it was published (its identity differs from the one its record keeps: a rollback, a write by
  another program), or without a record saying what it was built from;
- any input differs from those the published file was built from (the record's and the file's
  own stamp must both agree), which also covers a night that failed: its inputs were not
  published, so the next night with them runs (and fails) again;
- the published night's report was not written;
- the full pass of the tests is due (EDUPLAN_FULL_TESTS_EVERY_DAYS, weekly by default): that
  night also hashes every raw file afresh and reads the published file whole before trusting it.

Nothing here reads the data: identities on disk, a few stamps, the record beside the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

import duckdb

from flows.config import Settings, environment
from flows.load.file_hashes import FileHashes, FileIdentity
from flows.report.status import read_record
from flows.summary import RunRecord
from flows.transform import full_tests_due
from flows.warehouse.db import open_warehouse
from flows.warehouse.health import lock_holder, quick_problem
from flows.warehouse.night_inputs import changed_parts, night_inputs, stamped_inputs


@dataclass(frozen=True)
class NightCheck:
    """What the check found: tonight's input parts and file hashes (the load reuses them), and
    either why a night runs or, when nothing is new, the sentence that says so."""

    parts: dict[str, str]
    hashes: FileHashes
    why: str = ""  # why tonight runs in full ("" when nothing is new)
    nothing_new: str = ""  # "nothing new: the published warehouse stands, built from ..."
    # the published file is the very one the last published night left (its identity on disk
    # unchanged): a copy of it needs no full read before tonight's build starts from it
    published_intact: bool = False
    full_pass: bool = False  # the weekly full pass is due: verify everything
    published: RunRecord | None = field(default=None, repr=False)


def check_night(config: Settings, *, full_refresh: bool, engine: str = "duckdb") -> NightCheck:
    """Tonight's inputs against the published warehouse's (see the module docstring)."""
    warehouse = config.warehouse
    record = read_record(config.layout.published_record) if warehouse.exists() else None
    why, full_pass, hashes = _published_file_problem(config, record), False, FileHashes()
    intact = not why
    if intact:
        try:
            with open_warehouse(warehouse, read_only=True) as con:
                hashes = FileHashes.read(con)
        except duckdb.Error as error:  # (opened by a writer since the glance)
            why, intact = f"the published file cannot be opened ({error})", False
    if intact:
        full_pass = full_tests_due(warehouse)
    hashes.verify = full_refresh or full_pass
    parts = night_inputs(config, hashes, engine=engine)
    if full_refresh:
        why = "--full-refresh"
    elif not why and full_pass:
        every = environment().full_tests_every_days
        why = f"the full pass of the tests is due (every {every:g} days)"
    elif not why:
        why = _inputs_changed(parts, record, stamped_inputs(warehouse))  # type: ignore[arg-type]
    if not why and record is not None and (record.report_error or not _report_exists(record)):
        why = "the published night's report was not written"
    check = NightCheck(parts, hashes, published_intact=intact, full_pass=full_pass,
                       published=record)  # fmt: skip
    if why or record is None:
        return replace(check, why=why or "no record of the published night")
    return replace(
        check,
        nothing_new="nothing new: the published warehouse stands, built from the same inputs "
        f"on {_when(record.finished_at)}",
    )


_early: dict[tuple[str, ...], NightCheck] = {}


def check_early(config: Settings, *, full_refresh: bool, engine: str = "duckdb") -> NightCheck:
    """check_night made before the flow starts (`eduplan run`, while Prefect starts up: it decides
    whether the build's copy starts at once, flows/warehouse/early_copy.py), kept for the flow's
    own check of the same night, which takes it instead of checking again (`taken_early`)."""
    check = check_night(config, full_refresh=full_refresh, engine=engine)
    _early[_night_key(config, full_refresh, engine)] = check
    return check


def taken_early(
    config: Settings, *, full_refresh: bool, engine: str = "duckdb"
) -> NightCheck | None:
    """The check `check_early` made of this very night (same warehouse, inputs and options),
    once; None when there is none (a scheduled run, a test)."""
    return _early.pop(_night_key(config, full_refresh, engine), None)


def _night_key(config: Settings, full_refresh: bool, engine: str) -> tuple[str, ...]:
    return (str(config.warehouse.resolve()), str(config.raw_dir.resolve()), str(full_refresh),
            engine)  # fmt: skip


def _published_file_problem(config: Settings, record: RunRecord | None) -> str:
    """Why the published file is not the one the last published night left ("" when it is)."""
    warehouse = config.warehouse
    if not warehouse.exists():
        return "no warehouse is published yet"
    holder = lock_holder(warehouse)
    if holder is not None:
        return f"the published file is held open for writing by {holder}"
    problem = quick_problem(warehouse)
    if problem is not None:
        return f"the published file looks damaged ({problem})"
    if record is None or not record.published or not record.published_file:
        return "no record says what the published file was built from"
    if record.published_file != str(FileIdentity.of(warehouse)):
        return "the published file changed on disk since it was published (a rollback? a writer?)"
    return ""


def _inputs_changed(
    parts: dict[str, str], record: RunRecord, stamped: dict[str, str] | None
) -> str:
    changed = changed_parts(parts, record.inputs) or changed_parts(parts, stamped)
    return f"changed since the published night: {', '.join(changed)}" if changed else ""


def _report_exists(record: RunRecord) -> bool:
    return record.report is not None and record.report.exists()


def _when(finished_at: str) -> str:
    """`2026-12-03T13:14:15+00:00` as `2026-12-03 13:14 UTC`."""
    try:
        return datetime.fromisoformat(finished_at).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return finished_at or "an earlier night"
