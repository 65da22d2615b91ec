"""The database pool's gauges: its size, its connections in use, the requests waiting."""

import asyncio

from sqlalchemy import text

from taskservice.config import Settings
from taskservice.db import create_engine
from taskservice.observability.pool import MeteredPool
from tests.agent.conftest import wait_until
from tests.observability.helpers import Snapshot, value

CHECKED_OUT = "taskservice_db_connections_checked_out"
WAITING = "taskservice_db_connections_waiting"


class TestPoolMetrics:
    async def test_size_use_and_a_request_waiting_for_a_connection(self, db_url: str) -> None:
        settings = Settings(database_url=db_url, db_pool_size=2, db_max_overflow=1)
        engine = create_engine(settings, poolclass=MeteredPool)
        before = Snapshot()
        try:
            assert value("taskservice_db_pool_size") == 2
            assert value("taskservice_db_pool_max_overflow") == 1
            held = [await engine.connect() for _ in range(3)]  # the pool and its overflow
            assert value(CHECKED_OUT) == 3
            assert value(WAITING) == 0

            async def one_more() -> int:
                async with engine.connect() as connection:
                    return int(await connection.scalar(text("SELECT 7")))

            waiter = asyncio.create_task(one_more())
            await wait_until(lambda: _equals(WAITING, 1))
            assert value(CHECKED_OUT) == 3
            await held.pop().close()

            assert await waiter == 7
            assert value(WAITING) == 0
            assert before.delta("taskservice_db_connection_wait_seconds_count") == 1
            assert value(CHECKED_OUT) == 2
            for connection in held:
                await connection.close()
            assert value(CHECKED_OUT) == 0
        finally:
            await engine.dispose()

    async def test_a_free_connection_is_no_wait(self, db_url: str) -> None:
        engine = create_engine(Settings(database_url=db_url), poolclass=MeteredPool)
        before = Snapshot()
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                assert value(CHECKED_OUT) == 1
        finally:
            await engine.dispose()

        assert before.delta("taskservice_db_connection_wait_seconds_count") == 0
        assert value(CHECKED_OUT) == 0


async def _equals(name: str, expected: float) -> bool:
    return value(name) == expected
