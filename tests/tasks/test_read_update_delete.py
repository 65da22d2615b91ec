"""GET, PUT, PATCH and DELETE /tasks/{id}: ETags, preconditions and merge-patch."""

from typing import Any

import pytest

from tests.conftest import ApiUser


async def create(user: ApiUser, **fields: Any) -> dict[str, Any]:
    response = await user.client.post("/tasks", json={"title": "A task", **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class TestGetTask:
    async def test_returns_the_task_with_its_etag(self, alice: ApiUser) -> None:
        task = await create(alice, priority="high")

        response = await alice.client.get(f"/tasks/{task['id']}")

        assert response.status_code == 200
        assert response.json() == task
        assert response.headers["etag"] == f'"{task["id"]}.1"'

    async def test_if_none_match_with_current_etag_is_304(self, alice: ApiUser) -> None:
        task = await create(alice)
        etag = f'"{task["id"]}.1"'

        response = await alice.client.get(f"/tasks/{task['id']}", headers={"If-None-Match": etag})

        assert response.status_code == 304
        assert response.content == b""
        assert response.headers["etag"] == etag

    async def test_if_none_match_accepts_weak_and_lists(self, alice: ApiUser) -> None:
        task = await create(alice)
        header = f'"other", W/"{task["id"]}.1"'

        response = await alice.client.get(f"/tasks/{task['id']}", headers={"If-None-Match": header})

        assert response.status_code == 304

    async def test_if_none_match_with_stale_etag_is_200(self, alice: ApiUser) -> None:
        task = await create(alice)
        await alice.client.patch(f"/tasks/{task['id']}", json={"title": "changed"})

        response = await alice.client.get(
            f"/tasks/{task['id']}", headers={"If-None-Match": f'"{task["id"]}.1"'}
        )

        assert response.status_code == 200
        assert response.json()["title"] == "changed"
        assert response.headers["etag"] == f'"{task["id"]}.2"'

    async def test_missing_task_is_404(self, alice: ApiUser) -> None:
        response = await alice.client.get("/tasks/999")

        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json() == {
            "type": "urn:taskservice:problem:task-not-found",
            "title": "Not Found",
            "status": 404,
            "detail": "Task 999 does not exist.",
            "instance": "/tasks/999",
            "request_id": response.headers["x-request-id"],
        }

    @pytest.mark.parametrize("task_id", ["abc", "0", "-1", "2147483648", "1.5"])
    async def test_invalid_id_is_422(self, alice: ApiUser, task_id: str) -> None:
        response = await alice.client.get(f"/tasks/{task_id}")

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "path.task_id"


class TestReplaceTask:
    async def test_replaces_every_field_and_resets_omitted_ones(self, alice: ApiUser) -> None:
        task = await create(
            alice,
            description="old",
            status="blocked",
            priority="urgent",
            due_date="2026-12-01",
            tags=["a"],
        )

        response = await alice.client.put(f"/tasks/{task['id']}", json={"title": "New"})

        assert response.status_code == 200
        body = response.json()
        assert body["title"] == "New"
        assert body["description"] is None
        assert body["status"] == "todo"
        assert body["priority"] == "medium"
        assert body["due_date"] is None
        assert body["tags"] == []
        assert body["version"] == 2
        assert body["created_at"] == task["created_at"]
        assert body["updated_at"] > task["updated_at"]
        assert response.headers["etag"] == f'"{task["id"]}.2"'

    async def test_title_is_required(self, alice: ApiUser) -> None:
        task = await create(alice)

        response = await alice.client.put(f"/tasks/{task['id']}", json={"priority": "low"})

        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["body.title"]
        assert (await alice.client.get(f"/tasks/{task['id']}")).json() == task

    async def test_identical_replacement_changes_nothing(self, alice: ApiUser) -> None:
        task = await create(alice, tags=["x"])

        response = await alice.client.put(
            f"/tasks/{task['id']}", json={"title": "A task", "tags": ["x"]}
        )

        assert response.status_code == 200
        assert response.json() == task

    async def test_missing_task_is_404(self, alice: ApiUser) -> None:
        response = await alice.client.put("/tasks/999", json={"title": "x"})
        assert response.status_code == 404


class TestUpdateTask:
    async def test_changes_only_the_given_fields(self, alice: ApiUser) -> None:
        task = await create(alice, description="keep", tags=["a"])

        response = await alice.client.patch(
            f"/tasks/{task['id']}", json={"priority": "high", "tags": ["B", "c"]}
        )

        assert response.status_code == 200
        body = response.json()
        assert body["priority"] == "high"
        assert body["tags"] == ["b", "c"]
        assert body["description"] == "keep"
        assert body["title"] == "A task"
        assert body["version"] == 2

    async def test_null_clears_nullable_fields(self, alice: ApiUser) -> None:
        task = await create(alice, description="d", due_date="2026-12-01")

        response = await alice.client.patch(
            f"/tasks/{task['id']}", json={"description": None, "due_date": None}
        )

        assert response.status_code == 200
        assert response.json()["description"] is None
        assert response.json()["due_date"] is None

    @pytest.mark.parametrize("field", ["title", "status", "priority", "tags"])
    async def test_null_for_a_required_field_is_422(self, alice: ApiUser, field: str) -> None:
        task = await create(alice)

        response = await alice.client.patch(f"/tasks/{task['id']}", json={field: None})

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == f"body.{field}"
        assert (await alice.client.get(f"/tasks/{task['id']}")).json()["version"] == 1

    async def test_empty_body_changes_nothing(self, alice: ApiUser) -> None:
        task = await create(alice)

        response = await alice.client.patch(f"/tasks/{task['id']}", json={})

        assert response.status_code == 200
        assert response.json() == task

    async def test_merge_patch_media_type_is_accepted(self, alice: ApiUser) -> None:
        task = await create(alice)

        response = await alice.client.patch(
            f"/tasks/{task['id']}",
            content=b'{"status": "in_progress"}',
            headers={"Content-Type": "application/merge-patch+json"},
        )

        assert response.status_code == 200
        assert response.json()["status"] == "in_progress"

    async def test_done_sets_completed_at_and_leaving_done_clears_it(self, alice: ApiUser) -> None:
        task = await create(alice)

        done = (await alice.client.patch(f"/tasks/{task['id']}", json={"status": "done"})).json()
        still_done = (
            await alice.client.patch(f"/tasks/{task['id']}", json={"title": "renamed"})
        ).json()
        reopened = (
            await alice.client.patch(f"/tasks/{task['id']}", json={"status": "todo"})
        ).json()

        assert done["completed_at"] == done["updated_at"]
        assert still_done["completed_at"] == done["completed_at"]
        assert reopened["completed_at"] is None
        assert [done["version"], still_done["version"], reopened["version"]] == [2, 3, 4]

    async def test_unknown_field_is_422(self, alice: ApiUser) -> None:
        task = await create(alice)

        response = await alice.client.patch(f"/tasks/{task['id']}", json={"stauts": "done"})

        assert response.status_code == 422
        assert response.json()["errors"][0]["type"] == "extra_forbidden"

    async def test_malformed_json_is_400(self, alice: ApiUser) -> None:
        task = await create(alice)

        response = await alice.client.patch(
            f"/tasks/{task['id']}",
            content=b'{"status": ',
            headers={"Content-Type": "application/json"},
        )

        assert response.status_code == 400
        assert (await alice.client.get(f"/tasks/{task['id']}")).json() == task


class TestPreconditions:
    @pytest.mark.parametrize("method", ["put", "patch"])
    async def test_current_etag_writes(self, alice: ApiUser, method: str) -> None:
        task = await create(alice)

        response = await alice.client.request(
            method.upper(),
            f"/tasks/{task['id']}",
            json={"title": "ok"},
            headers={"If-Match": f'"{task["id"]}.1"'},
        )

        assert response.status_code == 200
        assert response.json()["title"] == "ok"

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    @pytest.mark.parametrize(
        "if_match",
        ['"{id}.1"', 'W/"{id}.2"', '"{id}.3"', "garbage", '"999.2"'],
    )
    async def test_stale_or_bad_etag_is_412_and_writes_nothing(
        self, alice: ApiUser, method: str, if_match: str
    ) -> None:
        task = await create(alice)
        current = (await alice.client.patch(f"/tasks/{task['id']}", json={"title": "v2"})).json()

        response = await alice.client.request(
            method.upper(),
            f"/tasks/{task['id']}",
            json=None if method == "delete" else {"title": "lost update"},
            headers={"If-Match": if_match.format(id=task["id"])},
        )

        assert response.status_code == 412
        assert response.json()["type"] == "urn:taskservice:problem:version-mismatch"
        assert (await alice.client.get(f"/tasks/{task['id']}")).json() == current

    async def test_star_matches_any_version(self, alice: ApiUser) -> None:
        task = await create(alice)

        response = await alice.client.patch(
            f"/tasks/{task['id']}", json={"title": "x"}, headers={"If-Match": "*"}
        )

        assert response.status_code == 200

    async def test_list_of_etags_matches_if_one_is_current(self, alice: ApiUser) -> None:
        task = await create(alice)

        response = await alice.client.patch(
            f"/tasks/{task['id']}",
            json={"title": "x"},
            headers={"If-Match": f'"{task["id"]}.7", "{task["id"]}.1"'},
        )

        assert response.status_code == 200

    async def test_if_match_on_missing_task_is_404(self, alice: ApiUser) -> None:
        response = await alice.client.patch(
            "/tasks/999", json={"title": "x"}, headers={"If-Match": '"999.1"'}
        )
        assert response.status_code == 404


class TestDeleteTask:
    async def test_deletes_then_404(self, alice: ApiUser) -> None:
        task = await create(alice, tags=["x"])

        first = await alice.client.delete(f"/tasks/{task['id']}")
        second = await alice.client.delete(f"/tasks/{task['id']}")

        assert first.status_code == 204
        assert first.content == b""
        assert second.status_code == 404
        assert (await alice.client.get(f"/tasks/{task['id']}")).status_code == 404
        assert (await alice.client.get("/tasks", params={"tag": "x"})).json()["total"] == 0

    async def test_with_current_etag(self, alice: ApiUser) -> None:
        task = await create(alice)

        response = await alice.client.delete(
            f"/tasks/{task['id']}", headers={"If-Match": f'"{task["id"]}.1"'}
        )

        assert response.status_code == 204

    async def test_ids_are_never_reused(self, alice: ApiUser) -> None:
        first = await create(alice)
        await alice.client.delete(f"/tasks/{first['id']}")

        second = await create(alice)

        assert second["id"] == first["id"] + 1
