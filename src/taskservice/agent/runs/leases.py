"""Leases: a running run's worker renews its run's lease; a run whose lease ran out
belongs to a worker that died, and anyone ends it as ``lost``, noting in its session what
it had done (its recorded tool calls)."""

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from taskservice.agent.history import append
from taskservice.agent.runs import records
from taskservice.agent.runs.records import Outcome, RunStatus, StopMode
from taskservice.agent.runs.run import history_of_incomplete_run
from taskservice.agent.sessions import set_pending
from taskservice.db import DbSessionMaker, run_to_completion

if TYPE_CHECKING:
    from taskservice.agent.runs.run import Run

logger = logging.getLogger("taskservice.agent")

WORKER = f"{socket.gethostname()}:{os.getpid()}"[:80]
CANCELLED = "The run was cancelled at your request."


async def watch(run: "Run", db_sessions: DbSessionMaker, lease: timedelta, interval: float) -> None:
    """While ``run`` runs: renew its lease, and notice a stop asked for on another worker
    (or the run ended as lost by another, if this worker stalled past its lease)."""

    async def renew() -> tuple[str, str | None] | None:
        async with db_sessions() as db, db.begin():
            return await records.renew(db, run.id, lease)

    while True:
        await asyncio.sleep(interval)
        try:
            seen = await run_to_completion(renew())
        except Exception as exc:
            logger.warning("run %s: renewing its lease failed: %s", run.id, exc)
            continue
        if seen is None or seen[0] != RunStatus.running:
            run.request_stop(StopMode.immediate, Outcome.lost, "The run was ended elsewhere.")
        elif seen[1] is not None:
            run.request_stop(StopMode(seen[1]), Outcome.cancelled, CANCELLED, requested=True)


async def reap_forever(
    db_sessions: DbSessionMaker, interval: float, on_reaped: Callable[[int], None]
) -> None:
    """Every ``interval``: end the runs whose lease ran out (and tell ``on_reaped``)."""

    async def reap() -> int:
        async with db_sessions() as db, db.begin():
            return await reap_lost(db)

    while True:
        await asyncio.sleep(interval)
        try:
            reaped = await run_to_completion(reap())
            if reaped:
                logger.warning("ended %d lost agent run(s) of a worker that died", reaped)
                on_reaped(reaped)
        except Exception as exc:
            logger.warning("reaping lost agent runs failed: %s", exc)


async def reap_lost(db: AsyncSession, *, owner_id: int | None = None) -> int:
    """End the runs whose worker died (their lease ran out) as ``lost``, noting in their
    sessions what they had done. Runs in the caller's transaction."""
    lost = await records.expired_runs(db, owner_id=owner_id)
    for run in lost:
        await records.record_end(
            db, run.id, Outcome.lost, "The server running it stopped before it finished."
        )
        calls = await records.tool_calls_of(db, run.id)
        unsaved = calls[run.calls_in_history :]
        await append(
            db, run.session_id, history_of_incomplete_run(run.message, unsaved, Outcome.lost)
        )
        await set_pending(db, run.session_id)
    return len(lost)
