"""Settings: the database URL is checked and given its async driver."""

import pytest
from pydantic import ValidationError

from taskservice.config import Settings, async_database_url


class TestDatabaseUrl:
    @pytest.mark.parametrize(
        ("given", "used"),
        [
            ("postgresql://u@h:5433/d", "postgresql+asyncpg://u@h:5433/d"),
            (
                "postgres://u:p%40ss@h/d?ssl=require",
                "postgresql+asyncpg://u:p%40ss@h/d?ssl=require",
            ),
            ("postgresql+asyncpg://u@h/d", "postgresql+asyncpg://u@h/d"),
            ("sqlite:///./x.db", "sqlite+aiosqlite:///./x.db"),
            ("sqlite+aiosqlite:////tmp/x.db", "sqlite+aiosqlite:////tmp/x.db"),
        ],
    )
    def test_gets_the_async_driver(self, given: str, used: str) -> None:
        assert async_database_url(given) == used
        assert Settings(database_url=given).database_url == used

    @pytest.mark.parametrize(
        ("given", "message"),
        [
            ("mysql://u@h/d", "unsupported database 'mysql'"),
            ("postgresql+psycopg://u@h/d", "unsupported driver 'psycopg' for postgresql"),
            ("sqlite+pysqlite:///x.db", "unsupported driver 'pysqlite' for sqlite"),
            ("postgresql//u:secret@h/d", "not a database URL"),
        ],
    )
    def test_refuses_what_the_service_cannot_use(self, given: str, message: str) -> None:
        with pytest.raises(ValidationError) as raised:
            Settings(database_url=given)

        [error] = raised.value.errors()
        assert error["loc"] == ("database_url",)
        assert str(error["msg"]).startswith(f"Value error, {message}")
        assert "secret" not in str(error["msg"])
