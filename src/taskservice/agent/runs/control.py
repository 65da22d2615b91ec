"""The bounds of one run while it executes, and its tool calls as units of work.

Each tool call's work runs as a task of the run's own, not of the SDK's: when a run
stops, the SDK cancels its tool tasks and abandons them without waiting, and a tool
call still writing after its run had ended is how work got lost from the history.
Nor is a unit ever cancelled halfway through a statement (see
``db.run_to_completion``): that is how connections got left holding SQLite's write
lock. Here the run decides: after a stop no call starts; calls in flight finish their
statements, then commit (``after_tool_call``) or roll back (``immediate``); and the
run records its end only once every one of them has settled.
"""

import asyncio
from collections.abc import Awaitable, Callable

import anyio


class ToolBudgetExceeded(Exception):
    """A model asked for more tool calls than the run has left."""

    def __init__(self, requested: int, used: int, limit: int) -> None:
        super().__init__(f"{requested} tool calls asked, {used} of {limit} used")
        self.requested = requested
        self.used = used
        self.limit = limit


class RunControl:
    def __init__(self, *, max_tool_calls: int, max_parallel: int, used: int = 0) -> None:
        self.max_tool_calls = max_tool_calls
        self.used = used
        self.stopping = False
        self._slots = asyncio.Semaphore(max_parallel)
        self._units: set[asyncio.Task[str]] = set()

    @property
    def remaining(self) -> int:
        return self.max_tool_calls - self.used

    def check_budget(self, requested: int) -> None:
        """Before a batch of calls runs: refuse it whole if it does not fit."""
        if requested > self.remaining:
            raise ToolBudgetExceeded(requested, self.used, self.max_tool_calls)

    def admit(self) -> bool:
        """Count one more call, if the run may still start calls and has budget left."""
        if self.stopping or self.used >= self.max_tool_calls:
            return False
        self.used += 1
        return True

    async def run_unit(self, unit: Callable[[], Awaitable[str]]) -> str:
        """Run ``unit`` as the run's task, at most ``max_parallel`` at once.

        The caller (the SDK's tool task) may be cancelled; the unit is not.
        """

        async def bounded() -> str:
            async with self._slots:
                return await unit()

        task = asyncio.create_task(bounded())
        self._units.add(task)
        task.add_done_callback(self._units.discard)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Wait until no unit is in flight (each one's own cleanup is shielded)."""
        with anyio.CancelScope(shield=True):
            while self._units:
                await asyncio.wait(set(self._units))

    @property
    def in_flight(self) -> int:
        return len(self._units)
