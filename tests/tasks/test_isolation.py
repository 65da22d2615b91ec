"""A user never sees, changes or learns of another user's tasks."""

from typing import Any

from tests.conftest import ApiUser


async def bobs_task(bob: ApiUser) -> dict[str, Any]:
    response = await bob.client.post(
        "/tasks", json={"title": "Bob's secret", "tags": ["private"], "description": "pin 1234"}
    )
    body: dict[str, Any] = response.json()
    return body


def _shape(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k not in ("detail", "instance", "request_id")}


class TestIsolation:
    async def test_other_users_task_is_exactly_like_a_missing_one(
        self, alice: ApiUser, bob: ApiUser
    ) -> None:
        task = await bobs_task(bob)
        missing_id = task["id"] + 1000

        for method, body in (
            ("GET", None),
            ("PUT", {"title": "mine now"}),
            ("PATCH", {"status": "done"}),
            ("DELETE", None),
        ):
            theirs = await alice.client.request(method, f"/tasks/{task['id']}", json=body)
            missing = await alice.client.request(method, f"/tasks/{missing_id}", json=body)

            assert theirs.status_code == missing.status_code == 404
            assert theirs.json()["detail"] == f"Task {task['id']} does not exist."
            assert {
                k: v
                for k, v in theirs.json().items()
                if k not in ("detail", "instance", "request_id")
            } == {
                k: v
                for k, v in missing.json().items()
                if k not in ("detail", "instance", "request_id")
            }

        after = await bob.client.get(f"/tasks/{task['id']}")
        assert after.json() == task

    async def test_preconditions_do_not_leak_versions(self, alice: ApiUser, bob: ApiUser) -> None:
        task = await bobs_task(bob)

        response = await alice.client.patch(
            f"/tasks/{task['id']}", json={"title": "x"}, headers={"If-Match": '"0.0"'}
        )

        assert response.status_code == 404

    async def test_if_none_match_does_not_leak(self, alice: ApiUser, bob: ApiUser) -> None:
        task = await bobs_task(bob)

        response = await alice.client.get(
            f"/tasks/{task['id']}", headers={"If-None-Match": f'"{task["id"]}.1"'}
        )

        assert response.status_code == 404

    async def test_list_search_and_counts_are_per_user(self, alice: ApiUser, bob: ApiUser) -> None:
        await bobs_task(bob)
        await alice.client.post("/tasks", json={"title": "Alice's"})

        for params in ({}, {"tag": "private"}, {"q": "secret"}, {"q": "1234"}, {"status": "todo"}):
            body = (await alice.client.get("/tasks", params=params)).json()
            assert all(item["title"] == "Alice's" for item in body["items"])
            assert body["total"] == (1 if params in ({}, {"status": "todo"}) else 0)

    async def test_cursor_cannot_reach_another_users_rows(
        self, alice: ApiUser, bob: ApiUser
    ) -> None:
        for i in range(3):
            await bob.client.post("/tasks", json={"title": f"b{i}"})
        cursor = (await bob.client.get("/tasks", params={"limit": 1})).json()["next_cursor"]

        response = await alice.client.get("/tasks", params={"limit": 1, "cursor": cursor})

        # A cursor is signed for the user it was issued to: to anyone else it is invalid.
        assert response.status_code == 400
        assert response.json()["type"] == "urn:taskservice:problem:invalid-cursor"
