"""Our Alembic-made history tables are exactly the ones the SDK's SQLAlchemySession uses,
and a run's items are stored only when its end is recorded."""

from typing import Any

from agents.extensions.memory import SQLAlchemySession
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import create_async_engine

from taskservice.agent.history import SDK_HISTORY, SDK_ITEMS, TurnHistory, append, stored_history


def _shape(table: Table) -> list[tuple[Any, ...]]:
    return [
        (c.name, type(c.type).__name__, c.nullable, c.primary_key, bool(c.server_default))
        for c in table.columns
    ] + sorted((fk.parent.name, fk.target_fullname, fk.ondelete) for fk in table.foreign_keys)


class TestSdkTables:
    def test_mirror_matches_the_installed_sdk(self) -> None:
        engine = create_async_engine("sqlite+aiosqlite:///unused.db")
        sdk = SQLAlchemySession(
            "x",
            engine=engine,
            sessions_table="agent_history",
            messages_table="agent_history_items",
        )

        assert _shape(SDK_HISTORY) == _shape(sdk._sessions)
        assert _shape(SDK_ITEMS) == _shape(sdk._messages)
        assert [i.name for i in SDK_ITEMS.indexes] == [i.name for i in sdk._messages.indexes]


class TestTurnHistory:
    async def test_new_items_are_read_back_but_stored_only_by_append(self, db_url: str) -> None:
        from sqlalchemy.ext.asyncio import async_sessionmaker

        engine = create_async_engine(db_url)
        try:
            turn = TurnHistory(engine, "s1")
            await turn.add_items([{"role": "user", "content": "one"}])
            assert await turn.get_items() == [{"role": "user", "content": "one"}]
            assert await stored_history(engine, "s1").get_items() == []
            async with async_sessionmaker(engine)() as db, db.begin():
                await append(db, "s1", turn.take_new_items())
            await turn.add_items([{"role": "user", "content": "two"}])
            assert turn.take_new_items() == [{"role": "user", "content": "two"}]

            assert await stored_history(engine, "s1").get_items() == [
                {"role": "user", "content": "one"}
            ]
            assert await turn.get_items(limit=1) == [{"role": "user", "content": "one"}]
        finally:
            await engine.dispose()


class TestAppend:
    async def test_rows_written_in_our_transaction_read_back_through_the_sdk(
        self, db_url: str
    ) -> None:
        from sqlalchemy.ext.asyncio import async_sessionmaker

        items = [
            {"role": "user", "content": 'Ünïcode and "quotes"'},
            {"type": "function_call", "call_id": "c1", "name": "show_task", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": '{"task": 1}'},
        ]
        engine = create_async_engine(db_url)
        try:
            turn = TurnHistory(engine, "s2", fresh=True)
            assert await turn.get_items() == []
            async with async_sessionmaker(engine)() as db, db.begin():
                await append(db, "s2", items[:1])
            async with async_sessionmaker(engine)() as db, db.begin():
                await append(db, "s2", items[1:])

            assert await stored_history(engine, "s2").get_items() == items
        finally:
            await engine.dispose()
