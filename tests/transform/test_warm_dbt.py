"""dbt's warm process (flows/warm_dbt.py, flows/dbt_worker.py): a night's build in a process
that imported dbt and parsed the project while the night's earlier stages ran gives what a
`dbt` command gives (the marts, the run's results, the manifest, the summary), a full pass of
the tests included; a worker that dies or does not answer fails the build saying so, within
its timeout; one the night does not use is stopped, leaving dbt's parse state usable."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from flows import warm_dbt
from flows.transform import BUILD, DbtResult, run_dbt, run_dbt_build, warm_up_build
from tests.transform.test_actuals_incremental import NIGHT_1, NIGHT_2, every_mart, load, write_files


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A first night built (every model, every test), and the next night's files beside it."""
    root = tmp_path_factory.mktemp("warm")
    write_files(root / "actuals", NIGHT_1)
    load(root / "w.duckdb", root / "actuals")
    first = run_dbt_build(root / "w.duckdb", artifacts_dir=root / "dbt")
    assert first.success, first.format()
    write_files(root / "actuals", NIGHT_2)
    return root


def _night(published: Path, night: Path, *, warm: bool) -> dict[str, Any]:
    """The next night in `night` (the same paths for each way of running it, as on a real
    warehouse): the first night's file and dbt artifacts restored, tonight's files loaded,
    dbt's build run cold or warm; what it gave."""
    shutil.rmtree(night, ignore_errors=True)
    night.mkdir()
    shutil.copyfile(published / "w.duckdb", night / "w.duckdb")
    shutil.copytree(published / "dbt", night / "dbt")
    if warm:  # started before the load, as the flow starts it
        warm_up_build(night / "w.duckdb", artifacts_dir=night / "dbt")
    load(night / "w.duckdb", published / "actuals")
    result = run_dbt_build(night / "w.duckdb", artifacts_dir=night / "dbt")
    target = night / "dbt" / "target"
    results = json.loads((target / "run_results.json").read_text())
    invocation = results["metadata"]["invocation_id"]  # (int_actuals_judged writes it)
    run = json.loads(
        json.dumps(results["results"]).replace(invocation, "<this build>")
    )  # fmt: skip
    manifest = json.loads(
        (target / "manifest.json").read_text().replace(invocation, "<this build>")
    )["nodes"]
    return {
        "result": {**vars(result), "seconds": None, "node_seconds": sorted(result.node_seconds)},
        "run": {
            node["unique_id"]: (node["status"], node["failures"], node.get("compiled_code"))
            for node in run
        },
        "manifest": {
            uid: (node["checksum"], node.get("compiled_code")) for uid, node in manifest.items()
        },
        "marts": every_mart(night / "w.duckdb"),
    }


@pytest.mark.long  # ~1 min here: three builds (make test-long)
@pytest.mark.parametrize("full_pass", [False, True], ids=["tonights-rows", "full-pass"])
def test_a_warm_build_gives_what_a_dbt_command_gives(
    published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, full_pass: bool
) -> None:
    if full_pass:  # decided after the worker started: the variable reaches it with its command
        monkeypatch.setenv("EDUPLAN_FULL_TESTS_EVERY_DAYS", "0")
    cold = _night(published, tmp_path / "night", warm=False)
    warm = _night(published, tmp_path / "night", warm=True)
    assert warm["result"]["success"] and warm["result"]["full_tests"] is full_pass
    assert bool(warm["result"]["tonights_rows_tests"]) is not full_pass
    assert bool(warm["result"]["reached_from"]) is not full_pass  # a selection, or every node
    for part in ("result", "run", "manifest", "marts"):
        assert warm[part] == cold[part], part


def _worker(tmp_path: Path) -> warm_dbt.WarmDbt:
    warm_up_build(tmp_path / "w.duckdb", artifacts_dir=tmp_path / "dbt")
    worker = warm_dbt._pending.waiting
    assert worker is not None
    return worker


def _build(tmp_path: Path, worker: warm_dbt.WarmDbt) -> DbtResult:
    return run_dbt(BUILD, tmp_path / "w.duckdb", artifacts_dir=tmp_path / "dbt", worker=worker)


def test_a_worker_that_dies_fails_the_build_saying_so(tmp_path: Path) -> None:
    worker = _worker(tmp_path)
    worker.process.kill()
    result = _build(tmp_path, worker)
    assert not result.success
    (failure,) = result.failures
    assert f"dbt's warm process (pid {worker.process.pid}) killed by SIGKILL" in failure
    assert "before it ran `dbt build`" in failure


def test_a_worker_that_does_not_answer_fails_the_build_within_its_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warm_dbt, "PARSE_TIMEOUT", 1.0)
    worker = _worker(tmp_path)
    os.kill(worker.process.pid, signal.SIGSTOP)  # hung (before it could parse)
    started = time.monotonic()
    result = _build(tmp_path, worker)
    assert time.monotonic() - started < 10
    assert not result.success
    assert "had not parsed the dbt project 1 s after `dbt build` was due" in result.failures[0]
    assert worker.process.returncode == -signal.SIGKILL  # stopped: nothing left running


def test_a_worker_no_build_takes_is_stopped_and_leaves_the_parse_state_whole(
    tmp_path: Path,
) -> None:
    worker = _worker(tmp_path)
    warm_dbt.stop()  # the night ended before dbt
    assert worker.process.returncode == 0 and warm_dbt._pending.waiting is None
    log = tmp_path / "dbt" / "logs" / "dbt.log"
    log.unlink()
    assert run_dbt("parse", tmp_path / "w.duckdb", artifacts_dir=tmp_path / "dbt").success
    assert "Nothing changed, skipping partial parsing" in log.read_text(encoding="utf-8")


def test_a_worker_that_parsed_for_another_build_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker started for another database, or with another memory limit (a variable eduplan
    gives dbt), is stopped instead of building: the build runs as a `dbt` command."""
    from flows.transform import _warm_worker

    worker = _worker(tmp_path)
    assert _warm_worker(tmp_path / "other.duckdb", tmp_path / "dbt") is None
    assert worker.process.wait(timeout=60) is not None and warm_dbt._pending.waiting is None

    worker = _worker(tmp_path)
    monkeypatch.setenv("EDUPLAN_DUCKDB_MEMORY_LIMIT", "2GB")
    assert _warm_worker(tmp_path / "w.duckdb", tmp_path / "dbt") is None
    assert worker.process.wait(timeout=60) is not None
    monkeypatch.delenv("EDUPLAN_DUCKDB_MEMORY_LIMIT")

    worker = _worker(tmp_path)  # the same build: taken
    assert _warm_worker(tmp_path / "w.duckdb", tmp_path / "dbt") is worker
    worker.stop()


def test_a_worker_dies_with_the_thread_that_started_it(tmp_path: Path) -> None:
    """The flow's thread ended (the night is over, however it ended): the worker goes too."""
    started: list[warm_dbt.WarmDbt] = []

    def night() -> None:
        started.append(_worker(tmp_path))
        assert started[0]._parsed_line(120.0)  # (its parse, and the death signal, are set)

    thread = threading.Thread(target=night)
    thread.start()
    thread.join()
    assert started[0].process.wait(timeout=30) == -signal.SIGKILL
    warm_dbt.stop()


@pytest.fixture(autouse=True)
def _no_worker_left() -> Any:
    yield
    warm_dbt.stop()
