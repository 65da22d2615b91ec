"""The ``taskservice`` command line, run as a real process."""

import httpx
import pytest

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
