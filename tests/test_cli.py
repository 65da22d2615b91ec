"""The ``taskservice`` command line, run as a real process."""

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import BACKENDS
from tests.process import run_cli

pytestmark = pytest.mark.slow


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


class TestUsersCommands:
    def test_create_list_rotate_revoke(self, db_url: str) -> None:
        created = run_cli(db_url, "users", "create", "carol")
        assert created.returncode == 0, created.stderr
        key = last_line(created.stdout)
        assert key.startswith("ts_")
        assert len(key) >= 40

        listed = run_cli(db_url, "users", "list")
        assert listed.returncode == 0
        assert listed.stdout.startswith("carol\t")
        assert f"{key[:8]}..." in listed.stdout
        assert key not in listed.stdout

        duplicate = run_cli(db_url, "users", "create", "carol")
        assert duplicate.returncode == 1
        assert duplicate.stderr.strip() == "error: User 'carol' already exists."

        rotated = run_cli(db_url, "users", "rotate", "carol")
        new_key = last_line(rotated.stdout)
        assert rotated.returncode == 0
        assert new_key != key

        revoked = run_cli(db_url, "users", "revoke", "carol")
        assert revoked.returncode == 0
        assert revoked.stdout.strip() == "Revoked 1 key(s) of 'carol'."
        assert "(revoked)" in run_cli(db_url, "users", "list").stdout

        missing = run_cli(db_url, "users", "revoke", "nobody")
        assert missing.returncode == 1
        assert missing.stderr.strip() == "error: User 'nobody' does not exist."

    def test_invalid_name_is_refused(self, db_url: str) -> None:
        result = run_cli(db_url, "users", "create", "no spaces please")
        assert result.returncode == 1
        assert "1-64 characters" in result.stderr

    def test_time_zones(self, db_url: str) -> None:
        tokyo = run_cli(db_url, "users", "create", "erin", "--timezone", "Asia/Tokyo")
        utc = run_cli(db_url, "users", "create", "frank")

        assert tokyo.returncode == utc.returncode == 0, tokyo.stderr + utc.stderr
        assert tokyo.stdout.splitlines()[0] == (
            "Created user 'erin' (time zone Asia/Tokyo). Its API key is shown only once:"
        )
        listed = run_cli(db_url, "users", "list").stdout.splitlines()
        assert [line.split("\t")[:2] for line in listed] == [
            ["erin", "Asia/Tokyo"],
            ["frank", "UTC"],
        ]

        moved = run_cli(db_url, "users", "set-timezone", "frank", "America/Los_Angeles")
        assert (moved.returncode, moved.stdout.strip()) == (
            0,
            "The time zone of 'frank' is now America/Los_Angeles.",
        )
        listed = run_cli(db_url, "users", "list").stdout.splitlines()
        assert listed[1].split("\t")[:2] == ["frank", "America/Los_Angeles"]

    @pytest.mark.parametrize(
        "command",
        [
            ["users", "create", "gina", "--timezone", "Mars/Olympus_Mons"],
            ["users", "set-timezone", "gina", "Mars/Olympus_Mons"],
        ],
    )
    def test_an_unknown_time_zone_is_one_line_and_changes_nothing(
        self, db_url: str, command: list[str]
    ) -> None:
        result = run_cli(db_url, *command)

        assert one_line_error(result) == (
            "Unknown time zone 'Mars/Olympus_Mons': use an IANA name such as "
            "Europe/Paris, America/New_York or UTC."
        )
        assert run_cli(db_url, "users", "list").stdout == ""

    def test_migrate_reports_the_head(self, db_url: str) -> None:
        from taskservice.migrations import head_revisions

        result = run_cli(db_url, "migrate")

        assert result.returncode == 0
        assert result.stdout.strip() == f"database is at {next(iter(head_revisions()))}"

    def test_key_from_the_cli_works_over_http(self, db_url: str) -> None:
        from tests.process import serving

        key = last_line(run_cli(db_url, "users", "create", "dave").stdout)
        with serving(db_url) as (base_url, _):
            ok = httpx.get(f"{base_url}/tasks", headers={"Authorization": f"Bearer {key}"})
            assert ok.status_code == 200


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a configuration mistake prints: no traceback."""
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


class TestConfigurationMistakes:
    @pytest.mark.parametrize("command", [["migrate"], ["serve"], ["users", "list"]])
    @pytest.mark.parametrize(
        ("url", "message"),
        [
            (
                "mysql://u@h/d",
                "TASKSERVICE_DATABASE_URL: unsupported database 'mysql'; use "
                "sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host:5432/db",
            ),
            (
                "postgresql+psycopg://u@h/d",
                "TASKSERVICE_DATABASE_URL: unsupported driver 'psycopg' for postgresql; "
                "use postgresql+asyncpg",
            ),
            (
                "postgresql://postgres@127.0.0.1:1/test",
                "cannot reach the database at 127.0.0.1:1/test: connection refused; is it running?",
            ),
            (
                "sqlite+aiosqlite:////nonexistent/folder/x.db",
                "cannot open the SQLite database /nonexistent/folder/x.db: does its folder "
                "exist, and may this user write there?",
            ),
        ],
    )
    def test_is_one_line(self, url: str, message: str, command: list[str]) -> None:
        assert one_line_error(run_cli(url, *command)) == message

    @pytest.mark.parametrize("command", [["migrate"], ["serve"], ["serve", "--no-migrate"]])
    def test_a_missing_postgresql_database_is_one_line(self, command: list[str]) -> None:
        url = "postgres://postgres@127.0.0.1:5432/no_such_database_here"

        assert one_line_error(run_cli(url, *command)) == (
            "database 'no_such_database_here' does not exist at "
            "127.0.0.1:5432/no_such_database_here: create it (`createdb "
            "no_such_database_here`) or correct TASKSERVICE_DATABASE_URL"
        )

    def test_an_unmigrated_database_with_no_migrate_is_one_line(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'empty.db'}"

        assert one_line_error(run_cli(url, "serve", "--no-migrate")) == (
            f"the SQLite database {tmp_path / 'empty.db'} has no tables yet: run "
            "`taskservice migrate` (or `serve` without --no-migrate)"
        )

    @pytest.mark.parametrize(
        "db_backend", [b for b in BACKENDS if b == "postgresql"], indirect=True
    )
    def test_postgresql_url_without_a_driver_is_accepted(self, db_url: str) -> None:
        result = run_cli(db_url.replace("postgresql+asyncpg://", "postgres://"), "migrate")

        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("database is at ")
