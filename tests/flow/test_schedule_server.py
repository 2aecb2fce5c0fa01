"""The schedule really fires: a real Prefect server, `eduplan serve` on an interval schedule, and
scheduled runs of the real nightly flow observed through the server's REST API (states, task runs,
logs, artifacts). Also: a run that comes due while one is running is cancelled, never published;
a serving process killed mid-run leaves a run that the zombie automation marks Crashed, and the
next scheduled run completes.

Fails on a dependency set whose server cannot schedule (Prefect 3.8.8 with SQLAlchemy 2.1: the
scheduler raises every loop and no scheduled run is ever created).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.config import deployed_schedule
from tests.prefect_server import (
    BIN,
    PrefectServer,
    kill_group,
    start_serve,
    start_server,
    wait_for,
)

pytestmark = [pytest.mark.server, pytest.mark.slow]  # a real Prefect server and a worker: ~4 min

REPO_ROOT = Path(__file__).resolve().parents[2]
# one new figure, for the nights after the first (a year no other file gives)
NEW_ACTUALS = (
    "region,indicator,breakdown,year,value,unit,source_url,source_title\n"
    "海宁市,学校数,,2011,10,所,https://example.gov.cn/a.html,某某公报\n"
)
TASKS = {
    "check-inputs",
    "extract-plans",
    "prepare-build",
    "load-raw",
    "validate-raw",
    "dbt-build",
    "validate-marts",
    "publish",
    "report",
}
# seconds without a heartbeat (heartbeats every 30 s) before Crashed: one late heartbeat on a
# loaded machine (the server's SQLite busy, measured) must not crash a live run
ZOMBIE_AFTER = 75


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    started = start_server(tmp_path_factory.mktemp("prefect-home"))
    try:
        yield started
    finally:
        kill_group(started.process)


def _state(run: dict[str, Any]) -> str:
    return str(run["state_type"])


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _scheduled(server: PrefectServer) -> list[dict[str, Any]]:
    return [run for run in server.flow_runs() if run["auto_scheduled"]]


def _summary_logs(server: PrefectServer, run: dict[str, Any], serve_log: Path) -> str:
    """A completed run's logs once they include the run summary (the last line it logs)."""
    try:
        return wait_for(
            lambda: (
                (text := "\n".join(server.logs(run["id"])))
                and "eduplan nightly-load: PUBLISHED" in text
                and text
            ),
            timeout=180,  # batched: on a loaded machine a run's last lines arrive late
            what="the run summary in the run's logs",
        )
    except AssertionError as missing:
        lines = server.logs(run["id"])
        tail = "\n".join(lines[-25:])
        raise AssertionError(
            f"{missing}: run {run['name']} ({run['id']}) has {len(lines)} log lines, the "
            f"last:\n{tail}\nserve log: {serve_log}"
        ) from None


@pytest.mark.long  # ~2.5 min of waiting for schedules and heartbeats: `make test-long` (CI)
def test_scheduled_runs_fire_log_publish_and_survive_a_killed_server_process(
    server: PrefectServer, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(REPO_ROOT / "raw", raw)
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    serve_log = tmp_path / "serve.log"
    serve_env = {
        "EDUPLAN_RAW_DIR": str(raw),
        "EDUPLAN_WAREHOUSE": str(warehouse),
        "EDUPLAN_ZOMBIE_AFTER_SECONDS": str(ZOMBIE_AFTER),
        "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": "30",
    }
    serving = start_serve(server, serve_log, "--interval", "10", **serve_env)
    try:
        # 1. The server's scheduler creates runs and the served process runs the first one.
        first = wait_for(
            lambda: next((r for r in _scheduled(server) if _state(r) == "RUNNING"), None),
            timeout=180,
            what=f"a scheduled run to start ({server.log}, {serve_log})",
        )
        # 2. A run asked for while it runs is cancelled (deployment concurrency 1, CANCEL_NEW).
        deployment = server.post("/deployments/filter")[0]
        assert deployment["global_concurrency_limit"]["limit"] == 1
        assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
        extra = server.post(f"/deployments/{deployment['id']}/create_flow_run", {})
        colliding = wait_for(
            lambda: (
                (r := server.get(f"/flow_runs/{extra['id']}"))["state_type"]
                in {"CANCELLED", "COMPLETED", "FAILED", "CRASHED"}
                and r
            ),
            timeout=120,
            what="the colliding run to end",
        )
        first_now = server.get(f"/flow_runs/{first['id']}")
        assert colliding["state_type"] == "CANCELLED", colliding["state"]
        assert first_now["state_type"] in {"RUNNING", "COMPLETED"}
        first = wait_for(
            lambda: (r := server.get(f"/flow_runs/{first['id']}"))["state_type"] != "RUNNING" and r,
            timeout=300,
            what="the first scheduled run to finish",
        )
        assert _state(first) == "COMPLETED", first["state"]

        # 3. Kill the serving process (and its flow) in the middle of a later run. A night whose
        # inputs are those of the published file stops after its check (flows/nothing_new.py):
        # a new actuals file gives the next nights work; the victim is the first to load it.
        (raw / "actuals" / "night_two.csv").write_text(NEW_ACTUALS, encoding="utf-8")
        victim = wait_for(
            lambda: next(
                (
                    r
                    for r in _scheduled(server)
                    if _state(r) == "RUNNING"
                    and r["id"] != first["id"]
                    and any("load: started" in m for m in server.logs(r["id"]))
                ),
                None,
            ),
            timeout=240,
            what="a later scheduled run to reach its load stage",
        )
        kill_group(serving)
        killed_at = time.time()
        serving = start_serve(server, serve_log, "--interval", "10", **serve_env)

        # 4. The zombie is marked Crashed once its heartbeats stop; the next run completes.
        crashed = wait_for(
            lambda: (
                (r := server.get(f"/flow_runs/{victim['id']}"))["state_type"] == "CRASHED" and r
            ),
            timeout=ZOMBIE_AFTER + 120,
            what="the killed run to be marked Crashed",
        )
        assert "heartbeat" in (crashed["state"]["message"] or "")
        assert time.time() - killed_at >= ZOMBIE_AFTER - 35  # not before heartbeats could stop
        second = wait_for(
            lambda: next(
                (
                    r
                    for r in _scheduled(server)
                    if _state(r) == "COMPLETED"
                    and _time(r["expected_start_time"]) > _time(victim["expected_start_time"])
                ),
                None,
            ),
            timeout=300,
            what="a scheduled run after the crash to complete",
        )
        # the served process sends a run's last log lines a moment after the run completes:
        # read them before it is stopped (killed, it would take them with it)
        logs_of = {run["id"]: _summary_logs(server, run, serve_log) for run in (first, second)}
    finally:
        kill_group(serving)

    # 5. Each completed run: every task completed, the summary in its logs, its artifact.
    for run in (first, second):
        tasks = {t["name"].rsplit("-", 1)[0]: t["state_type"] for t in server.task_runs(run["id"])}
        assert set(tasks) == TASKS and set(tasks.values()) == {"COMPLETED"}, tasks
        logs = logs_of[run["id"]]
        for stage in ("extract", "load", "raw gate", "dbt build", "marts gate", "publish"):
            assert f"{stage}: started" in logs
        assert "gate raw_inputs passed" in logs
        assert "dbt build: passed" in logs, logs  # the night after the crash: the new file
        artifacts = server.artifacts(run["id"])
        assert [a["key"] for a in artifacts] == ["nightly-load-summary"]
        markdown = artifacts[0]["data"]
        assert markdown.startswith("# nightly-load: published")
        assert "published_actuals.csv" in markdown and "| 330481 |" in markdown

    # 6. Never two runs at once: completed runs do not overlap, none failed; the warehouse opens.
    runs = server.flow_runs()
    assert not [r for r in runs if _state(r) == "FAILED"]
    cancelled = [r for r in runs if _state(r) == "CANCELLED" and r["auto_scheduled"]]
    delays = [
        (_time(r["state"]["timestamp"]) - _time(r["expected_start_time"])).total_seconds()
        for r in cancelled
    ]
    print(
        f"{len(cancelled)} colliding scheduled runs cancelled, {max(delays, default=0):.1f} s "
        "after they were due at most"
    )
    done = sorted(
        (_time(r["start_time"]), _time(r["end_time"])) for r in runs if _state(r) == "COMPLETED"
    )
    assert len(done) >= 2
    assert all(end <= next_start for (_, end), (next_start, _) in zip(done, done[1:], strict=False))
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("select count(*) from marts.fct_indicator_target").fetchall()[0][0] > 0
    finally:
        con.close()


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A server of its own: the served test's last run, orphaned when its serve process was
    killed, would hold the deployment's one slot and get this test's run cancelled."""
    started = start_server(tmp_path_factory.mktemp("prefect-home-deploy"))
    try:
        yield started
    finally:
        kill_group(started.process)


def test_deploy_from_prefect_yaml_and_a_worker_runs_it(
    own_server: PrefectServer, tmp_path: Path
) -> None:
    """The durable path: `eduplan deploy` puts prefect.yaml's deployment (cron, time zone, one at
    a time, the checkout as working directory) on a process work pool; a worker runs it."""
    env = own_server.env(
        EDUPLAN_RAW_DIR=str(REPO_ROOT / "raw"),
        EDUPLAN_WAREHOUSE=str(tmp_path / "warehouse" / "warehouse.duckdb"),
    )
    deployed = subprocess.run(
        [str(BIN / "eduplan"), "deploy"], env=env, capture_output=True, text=True, timeout=300
    )
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    deployment = next(
        d for d in own_server.post("/deployments/filter") if d["work_pool_name"] == "eduplan"
    )
    schedule = deployment["schedules"][0]["schedule"]
    assert (schedule["cron"], schedule["timezone"]) == deployed_schedule()  # prefect.yaml's
    assert deployment["global_concurrency_limit"]["limit"] == 1
    assert deployment["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO_ROOT)}}
    ]
    automations = own_server.post("/automations/filter")
    assert [a["name"] for a in automations] == ["eduplan: crash zombie flow runs"]

    worker = subprocess.Popen(
        [str(BIN / "prefect"), "worker", "start", "--pool", "eduplan"],
        env={**env, "PREFECT_WORKER_QUERY_SECONDS": "1"},
        stdout=(tmp_path / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        run = own_server.post(f"/deployments/{deployment['id']}/create_flow_run", {})
        done = wait_for(
            lambda: (
                (r := own_server.get(f"/flow_runs/{run['id']}"))["state_type"]
                in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
                and r
            ),
            timeout=300,
            what=f"the worker's run to finish ({tmp_path / 'worker.log'})",
        )
    finally:
        kill_group(worker)
    assert done["state_type"] == "COMPLETED", done["state"]
    wait_for(
        lambda: "eduplan nightly-load: PUBLISHED" in "\n".join(own_server.logs(run["id"])),
        timeout=60,
        what="the run summary in the worker run's logs",
    )
