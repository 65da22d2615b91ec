"""The agent round with nothing around it: ``Runner.run`` in a bare loop.

No HTTP, no auth, no session store, no run admission: the same triage agent, the
built-in offline model and a real ``AgentContext`` on the same database (the tools
need it). Turns run one after another; each run prints its milliseconds per turn.

    python -m bench.agent_loop --database-url URL --user-id 3 --runs 3 --seconds 3

With ``--on-request`` it runs when told (a line on stdin), so that the benchmark can
alternate its runs with the HTTP runs it is compared with.
"""

import argparse
import asyncio
import json
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import Any

from agents import RunConfig, Runner, ToolCallOutputItem, set_tracing_disabled
from agents.tool_context import ToolContext

import taskservice.models  # noqa: F401  every table, as in the app (foreign keys resolve)
from taskservice.agent.context import AgentContext, Work
from taskservice.agent.guardrails import own_titles, task_guardrail
from taskservice.agent.offline.model import OfflineModel
from taskservice.agent.tools.common import to_json
from taskservice.agent.triage import triage
from taskservice.config import Settings
from taskservice.db import create_db_sessionmaker, create_engine
from taskservice.tasks.events import Actor
from taskservice.tasks.repository import TaskRepository

MAX_TURNS = 12  # the service's TASKSERVICE_AGENT_MAX_TURNS default


async def main(args: argparse.Namespace) -> None:
    set_tracing_disabled(True)
    engine = create_engine(Settings(database_url=args.database_url))
    db_sessions = create_db_sessionmaker(engine)
    # The same input guardrail as the service's runs (the pre-filter: the offline model
    # has no model guardrail).
    run_config = RunConfig(
        model=OfflineModel(),
        tracing_disabled=True,
        input_guardrails=[task_guardrail(None, own_titles(db_sessions))],
    )

    class DirectToolCalls:
        """Each tool call one transaction on the repository, and nothing more (the
        service's run adds its record, a check that the run still runs, bounds)."""

        def __init__(self, session_id: str) -> None:
            self.session_id = session_id

        async def execute(self, tool: ToolContext[Any], work: Work) -> str:
            agent = tool.agent.name if tool.agent is not None else "agent"
            actor = Actor(agent=agent, session_id=self.session_id)
            async with db_sessions() as db, db.begin():
                return to_json(await work(TaskRepository(db, args.user_id, actor)))

        async def read(self, work: Work) -> Any:
            actor = Actor(session_id=self.session_id)
            async with db_sessions() as db, db.begin():
                return await work(TaskRepository(db, args.user_id, actor))

    async def turn() -> None:
        session_id = secrets.token_hex(16)
        context = AgentContext(
            user_id=args.user_id,
            session_id=session_id,
            run_id=secrets.token_hex(16),
            today=datetime.now(UTC).date(),
            tool_calls=DirectToolCalls(session_id),
        )
        result = await Runner.run(
            triage, args.message, context=context, run_config=run_config, max_turns=MAX_TURNS
        )
        outputs = [i.output for i in result.new_items if isinstance(i, ToolCallOutputItem)]
        tool_outputs = [o for o in outputs if not str(o).startswith('{"assistant"')]
        if not result.final_output or not tool_outputs or '"error"' in str(tool_outputs):
            raise RuntimeError(f"the round did not complete: {outputs} {result.final_output!r}")

    async def timed(seconds: float) -> tuple[int, float, float]:
        count, start, cpu = 0, time.perf_counter(), time.process_time()
        while (spent := time.perf_counter() - start) < seconds:
            await turn()
            count += 1
        return count, spent, time.process_time() - cpu

    async def one_run(seconds: float) -> dict[str, float]:
        count, spent, cpu = await timed(seconds)
        return {
            "turns": count,
            "seconds": spent,
            "ms_per_turn": 1000 * spent / count,
            "cpu_ms_per_turn": 1000 * cpu / count,
        }

    try:
        await timed(args.warmup)
        print("WARM", flush=True)  # a profiler may attach now
        if args.on_request:  # one run per line read ("<seconds>"), until stdin closes
            loop = asyncio.get_running_loop()
            while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
                print("BENCH_JSON " + json.dumps(await one_run(float(line))), flush=True)
            return
        runs = [await one_run(args.seconds) for _ in range(args.runs)]
        print("BENCH_JSON " + json.dumps({"runs": runs}), flush=True)
    finally:
        await engine.dispose()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--user-id", type=int, required=True)
    parser.add_argument("--message", default="add a task to buy milk")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument(
        "--on-request",
        action="store_true",
        help="after the warm-up, run once per line read from stdin (the line: seconds)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
