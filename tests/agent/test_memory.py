"""Our Alembic-made session tables are exactly the ones the SDK's SQLAlchemySession uses,
and a turn is saved whole or not at all."""

from agents.extensions.memory import SQLAlchemySession
from sqlalchemy.ext.asyncio import create_async_engine

from taskservice.agent.memory import SDK_MESSAGES, SDK_SESSIONS, TurnBuffer, history


def _shape(table):  # type: ignore[no-untyped-def]
    return [
        (c.name, type(c.type).__name__, c.nullable, c.primary_key, bool(c.server_default))
        for c in table.columns
    ] + sorted((fk.parent.name, fk.target_fullname, fk.ondelete) for fk in table.foreign_keys)


class TestSdkTables:
    def test_mirror_matches_the_installed_sdk(self) -> None:
        engine = create_async_engine("sqlite+aiosqlite:///unused.db")
        sdk = SQLAlchemySession("x", engine=engine)

        assert _shape(SDK_SESSIONS) == _shape(sdk._sessions)
        assert _shape(SDK_MESSAGES) == _shape(sdk._messages)
        assert [i.name for i in SDK_MESSAGES.indexes] == [i.name for i in sdk._messages.indexes]


class TestTurnBuffer:
    async def test_commit_saves_and_discard_forgets(self, db_url: str) -> None:
        engine = create_async_engine(db_url)
        try:
            stored = history(engine, "s1")
            turn = TurnBuffer(engine, "s1")
            await turn.add_items([{"role": "user", "content": "one"}])
            assert await turn.get_items() == [{"role": "user", "content": "one"}]
            assert await stored.get_items() == []
            await turn.commit()
            await turn.add_items([{"role": "user", "content": "two"}])
            turn.discard()

            assert await history(engine, "s1").get_items() == [{"role": "user", "content": "one"}]
            assert await turn.get_items(limit=1) == [{"role": "user", "content": "one"}]
        finally:
            await engine.dispose()


class TestSave:
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
            turn = TurnBuffer(engine, "s2", fresh=True)
            assert await turn.get_items() == []
            await turn.add_items(items[:1])
            async with async_sessionmaker(engine)() as db, db.begin():
                await turn.save(db)
            await turn.add_items(items[1:])
            async with async_sessionmaker(engine)() as db, db.begin():
                await turn.save(db)

            assert await history(engine, "s2").get_items() == items
        finally:
            await engine.dispose()
