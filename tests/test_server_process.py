"""The real server process: `taskservice serve` on a free port, spoken to over TCP."""

import re
from pathlib import Path

import httpx
import pytest

from tests.process import serving

pytestmark = pytest.mark.slow


class TestServe:
    def test_fresh_database_is_migrated_and_admin_bootstrapped(self, tmp_path: Path) -> None:
        db_url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        log = tmp_path / "serve.log"

        with serving(db_url, log=log) as (base_url, _):
            output = log.read_text()
            keys = re.findall(r"^\s+(ts_\S+)$", output, flags=re.MULTILINE)
            assert len(keys) == 1
            auth = {"Authorization": f"Bearer {keys[0]}"}
            with httpx.Client(base_url=base_url, headers=auth, timeout=10) as client:
                assert client.get("/readyz").status_code == 200
                created = client.post("/tasks", json={"title": "over tcp", "tags": ["Net"]})
                assert created.status_code == 201
                location = created.headers["location"]
                patched = client.patch(
                    location, json={"status": "done"}, headers={"If-Match": created.headers["etag"]}
                )
                assert patched.status_code == 200
                listed = client.get("/tasks", params={"status": "done", "tag": "net"}).json()
                assert [t["title"] for t in listed["items"]] == ["over tcp"]
                assert client.delete(location).status_code == 204
                assert client.get(location).status_code == 404
                assert client.get("/tasks").status_code == 200
                assert httpx.get(f"{base_url}/tasks").status_code == 401

        # A second start with a user in the database prints no new key.
        with serving(db_url, log=log):
            assert "ts_" not in log.read_text()

    def test_two_workers_serve_the_same_database(self, db_url: str, tmp_path: Path) -> None:
        log = tmp_path / "serve.log"
        with serving(db_url, "--workers", "2", log=log) as (base_url, _):
            key = re.findall(r"^\s+(ts_\S+)$", log.read_text(), flags=re.MULTILINE)[0]
            auth = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=base_url, headers=auth, timeout=10) as client:
                ids = {
                    client.post("/tasks", json={"title": f"t{i}"}).json()["id"] for i in range(20)
                }
                assert len(ids) == 20
                assert client.get("/tasks", params={"limit": 100}).json()["total"] == 20
