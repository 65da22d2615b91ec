"""Calling the agent the two ways a client can: one reply, or a stream of events."""

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.agent.conftest import parse_sse
from tests.conftest import ApiUser

TODAY = datetime.now(UTC).date()


def day(offset: int) -> str:
    return (TODAY + timedelta(days=offset)).isoformat()


# Nine tasks with known ids 1..9 (each test starts from an empty database).
SEED: list[dict[str, Any]] = [
    {"title": "buy milk", "tags": ["home"]},
    {"title": "write report", "priority": "high", "tags": ["work"], "due_date": day(2)},
    {"title": "pay invoice", "priority": "urgent", "due_date": day(-1), "description": "inv 42"},
    {"title": "call mom", "status": "in_progress"},
    {"title": "renew passport", "status": "done"},
    {"title": "fix bike", "status": "blocked"},
    {"title": "book flights", "due_date": day(30)},
    {"title": "clean garage"},
    {"title": "old stuff"},
]


async def seed(user: ApiUser) -> None:
    for index, task in enumerate(SEED, start=1):
        response = await user.client.post("/tasks", json=task)
        assert response.json()["id"] == index


async def stream(user: ApiUser, payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    response = await user.client.post("/agent/stream", json=payload)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_sse(response.text)


async def ask(
    user: ApiUser,
    message: str,
    *,
    via: str = "post",
    session_id: str | None = None,
    task_id: int | None = None,
) -> dict[str, Any]:
    """The agent's reply object, through POST /agent or as the `done` event of the stream."""
    payload: dict[str, Any] = {"message": message, "session_id": session_id}
    if task_id is not None:
        payload["task_id"] = task_id
    if via == "post":
        response = await user.client.post("/agent", json=payload)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body
    events = await stream(user, payload)
    names = [name for name, _ in events]
    assert names.count("done") == 1, names
    assert names[-1] == "done", names
    assert "error" not in names
    return events[-1][1]


def calls(reply: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(c["name"], c["arguments"]) for c in reply["tool_calls"]]


async def task(user: ApiUser, task_id: int) -> dict[str, Any]:
    response = await user.client.get(f"/tasks/{task_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def decide(user: ApiUser, reply: dict[str, Any], *, approve: bool) -> dict[str, Any]:
    """Approve (or reject) every approval ``reply`` waits for; the resumed run's reply."""
    decisions = [{"id": p["id"], "approve": approve} for p in reply["pending_approvals"]]
    response = await user.client.post(
        f"/agent/sessions/{reply['session_id']}/approvals", json={"decisions": decisions}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def pending(reply: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(p["tool"], p["arguments"]) for p in reply["pending_approvals"]]


async def all_tasks(user: ApiUser) -> dict[int, dict[str, Any]]:
    """Every task of ``user`` by id."""
    response = await user.client.get("/tasks", params={"limit": 100})
    assert response.status_code == 200
    return {t["id"]: t for t in response.json()["items"]}
