"""The database pool, measured: its size, its connections in use, and the requests waiting
for one.

SQLAlchemy's pool events say when a connection is checked out or in, not when a
caller starts waiting. Where that happens is in ``QueuePool._do_get``: it asks its queue
for a connection with ``block=True`` only once the pool and its overflow are all in use,
and that call waits until a connection is checked in (or ``pool_timeout`` passes). So
the pool here is SQLAlchemy's own asyncio queue pool with a queue that counts such
waits, and with its gauges set from the pool's own accounting after every checkout and
checkin. Both backends use it: SQLite files get a queue pool too (``db.create_engine``
passes a pool size), where a connection is a file handle and the waiting means the
same thing; waiting for SQLite's write lock is not a pool wait (it is in the request's
latency).
"""

import time
from typing import Any

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry
from sqlalchemy.util.queue import AsyncAdaptedQueue

from taskservice.observability import metrics


class _WaitCountingQueue(AsyncAdaptedQueue[ConnectionPoolEntry]):
    def get(self, block: bool = True, timeout: float | None = None) -> ConnectionPoolEntry:
        if not block or not self.empty():
            return super().get(block, timeout)
        metrics.DB_WAITING.inc()
        started = time.perf_counter()
        try:
            return super().get(block, timeout)
        finally:
            metrics.DB_WAITING.dec()
            metrics.DB_WAIT.observe(time.perf_counter() - started)


class MeteredPool(AsyncAdaptedQueuePool):
    """``AsyncAdaptedQueuePool``, with its size, use and waiters as metrics."""

    _queue_class = _WaitCountingQueue

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        metrics.DB_POOL_SIZE.set(self.size())
        metrics.DB_POOL_MAX_OVERFLOW.set(max(self._max_overflow, 0))
        metrics.DB_CHECKED_OUT.set(self.checkedout())

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        finally:
            metrics.DB_CHECKED_OUT.set(self.checkedout())

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        try:
            super()._do_return_conn(record)
        finally:
            metrics.DB_CHECKED_OUT.set(self.checkedout())
