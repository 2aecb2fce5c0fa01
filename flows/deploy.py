"""Scheduling `nightly-load` on a Prefect server: serving it from one process, and the server-side
automation that marks a run whose process died as Crashed (so its concurrency slot is freed and
the next night runs).

A flow run started from a deployment sends a heartbeat event every
`PREFECT_FLOWS_HEARTBEAT_FREQUENCY` seconds (Prefect's minimum is 30). A run that stops sending
them without having finished (the serving process or worker was killed, the machine rebooted)
is a zombie: it stays `Running` for good and holds the deployment's one concurrency slot, so
every later night would be cancelled. The automation below, run by the server's triggers
service, changes such a run to `Crashed` after `ZOMBIE_AFTER_HEARTBEATS` missed heartbeats.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from flows.config import DEFAULT_CRON, DEFAULT_TIMEZONE, environment

HEARTBEAT_SECONDS = 30  # PREFECT_FLOWS_HEARTBEAT_FREQUENCY for served and worker runs
ZOMBIE_AFTER_HEARTBEATS = 3  # missed heartbeats before a Running run is marked Crashed
ZOMBIE_AUTOMATION = "eduplan: crash zombie flow runs"


def zombie_after_seconds() -> float:
    """How long a run may go without a heartbeat before it is marked Crashed
    (EDUPLAN_ZOMBIE_AFTER_SECONDS, else three heartbeat periods)."""
    configured = environment().zombie_after_seconds
    return configured or heartbeat_seconds() * ZOMBIE_AFTER_HEARTBEATS


def heartbeat_seconds() -> int:
    """The heartbeat period runs use (the environment's, else eduplan's default)."""
    return int(os.environ.get("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", HEARTBEAT_SECONDS))


def ensure_zombie_automation(*, within_seconds: float | None = None) -> str:
    """Create (or update) the automation that crashes runs whose heartbeats stopped; returns its
    id. Idempotent: `eduplan serve` and `eduplan prefect-setup` call it on every start."""
    # lazy: the Prefect client (~1.6 s) only for a command that talks to a server
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    within = within_seconds or zombie_after_seconds()
    trigger = EventTrigger(
        after={"prefect.flow-run.heartbeat"},
        expect={
            "prefect.flow-run.heartbeat",
            "prefect.flow-run.Completed",
            "prefect.flow-run.Failed",
            "prefect.flow-run.Cancelled",
            "prefect.flow-run.Crashed",
        },
        match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
        for_each={"prefect.resource.id"},
        posture=Posture.Proactive,
        threshold=1,
        within=timedelta(seconds=within),
    )
    action = ChangeFlowRunState(
        state=StateType.CRASHED,
        message=f"No heartbeat for {within:.0f} s: the process running this flow died "
        "(marked Crashed by the eduplan zombie automation)",
    )
    try:
        existing = Automation.read(name=ZOMBIE_AUTOMATION)
    except ValueError:
        existing = None
    if existing is not None:
        current = existing.trigger
        if (
            existing.enabled
            and isinstance(current, EventTrigger)
            and current.within == trigger.within
            and current.expect == trigger.expect
        ):
            # unchanged: updating would reset the trigger's state and forget the runs it is
            # already watching (a run whose process died just before this restart)
            return str(existing.id)
        existing.trigger = trigger
        existing.actions = [action]
        existing.enabled = True
        existing.update()
        return str(existing.id)
    created = Automation(
        name=ZOMBIE_AUTOMATION,
        description="Marks nightly-load runs Crashed when their heartbeats stop",
        trigger=trigger,
        actions=[action],
    ).create()
    return str(created.id)


def serve(
    *,
    cron: str = DEFAULT_CRON,
    timezone: str = DEFAULT_TIMEZONE,
    interval_seconds: float | None = None,
) -> None:
    """Serve `nightly-load` on its schedule from this process; blocks until interrupted.

    The schedule's future runs live on the server while this process serves; stopping it
    pauses them (Prefect's `serve`). For a schedule that outlives any one process, deploy
    with prefect.yaml onto a work pool (README, "Scheduling").
    """
    # lazy: Prefect (~1.6 s, also what flows.nightly loads) only for `eduplan serve`
    from prefect import serve as serve_deployments

    from flows.nightly import nightly_deployment

    os.environ.setdefault("PREFECT_FLOWS_HEARTBEAT_FREQUENCY", str(HEARTBEAT_SECONDS))
    ensure_zombie_automation()
    deployment = nightly_deployment(cron=cron, timezone=timezone, interval_seconds=interval_seconds)
    serve_deployments(deployment)


WORK_POOL = "eduplan"  # the process work pool prefect.yaml deploys onto


def ensure_work_pool(name: str = WORK_POOL) -> bool:
    """Create the process work pool `name` unless it exists; True when it was created."""
    from prefect.client.orchestration import get_client  # lazy: the Prefect client, ~1.6 s
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=name, type="process"))
        except ObjectAlreadyExists:
            return False
    return True


def deploy_from_yaml(repo_root: Path) -> int:
    """`prefect deploy` of prefect.yaml's nightly-load onto the work pool, the checkout as the
    flow's working directory; returns prefect's exit code (its output goes to the terminal)."""
    env = {**os.environ, "EDUPLAN_HOME": str(repo_root)}
    command = [
        str(Path(sys.executable).with_name("prefect")),
        "--no-prompt",
        "deploy",
        "--name",
        "nightly-load",
        "--prefect-file",
        str(repo_root / "prefect.yaml"),
    ]
    return subprocess.run(command, cwd=repo_root, env=env, check=False).returncode


def set_up_server(repo_root: Path) -> int:
    """Everything the durable path needs on the server, idempotently: the work pool, the
    zombie automation, and the deployment from prefect.yaml."""
    ensure_work_pool()
    ensure_zombie_automation()
    return deploy_from_yaml(repo_root)
