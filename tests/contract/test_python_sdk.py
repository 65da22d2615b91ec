"""The Python SDK a user generates from the running server's ``/openapi.json``
(openapi-python-client) works against that server, with no hand-written HTTP.

The client is generated once per session. Each backend gets one real server for this
module; every test uses its own tag, so that its lists hold only its own tasks. A new
operation gets a test of its own here, calling ``sdk.operation("<tag>.<operation_id>")``.
"""

import asyncio
import datetime
import importlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import BACKENDS, _asyncpg_url, _truncate_postgres
from tests.contract.sdk import PACKAGE, generate_python_client, write_document
from tests.process import serving

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Sdk:
    package: ModuleType
    models: ModuleType

    def operation(self, name: str) -> Any:
        """The module of one operation, e.g. ``tasks.create_task`` (tag, operation id)."""
        return importlib.import_module(f"{PACKAGE}.api.{name}")


@pytest.fixture(scope="session")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sdk]:
    workdir = tmp_path_factory.mktemp("python-sdk")
    with serving(f"sqlite+aiosqlite:///{workdir / 'schema.db'}") as (base_url, _):
        document = httpx.get(f"{base_url}/openapi.json", timeout=10).json()
    generate_python_client(write_document(document, workdir / "openapi.json"), workdir)
    sys.path.insert(0, str(workdir))
    try:
        yield Sdk(importlib.import_module(PACKAGE), importlib.import_module(f"{PACKAGE}.models"))
    finally:
        sys.path.remove(str(workdir))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@dataclass(frozen=True)
class Server:
    base_url: str
    key: str


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``taskservice serve`` on an empty database; its bootstrap prints the admin key."""
    workdir = tmp_path_factory.mktemp(f"sdk-{request.param}")
    if request.param == "sqlite":
        db_url = f"sqlite+aiosqlite:///{workdir / 'sdk.db'}"
    else:
        database = request.getfixturevalue("postgres_database")
        asyncio.run(_truncate_postgres(database))
        db_url = _asyncpg_url(database).replace("postgresql://", "postgresql+asyncpg://")
    log = workdir / "serve.log"
    with serving(db_url, log=log) as (base_url, _):
        keys = re.findall(r"^\s+(ts_\S+)$", log.read_text(), flags=re.MULTILINE)
        assert len(keys) == 1
        yield Server(base_url, keys[0])


@pytest.fixture
def client(sdk: Sdk, server: Server) -> Iterator[Any]:
    with sdk.package.AuthenticatedClient(
        base_url=server.base_url, token=server.key, timeout=httpx.Timeout(10.0)
    ) as authenticated:
        yield authenticated


def _day(offset: int) -> datetime.date:
    return datetime.date(2030, 1, 15) + datetime.timedelta(days=offset)


class TestGeneratedPythonClient:
    def test_create_list_page_patch_and_delete(self, sdk: Sdk, client: Any) -> None:
        create_task = sdk.operation("tasks.create_task")
        list_tasks = sdk.operation("tasks.list_tasks")
        update_task = sdk.operation("tasks.update_task")
        delete_task = sdk.operation("tasks.delete_task")
        get_task = sdk.operation("tasks.get_task")
        m = sdk.models

        created = [
            create_task.sync_detailed(
                client=client,
                body=m.TaskCreate(
                    title=title, priority=priority, due_date=_day(offset), tags=["SDK-Flow"]
                ),
                idempotency_key=f"sdk-flow-{offset}",
            )
            for title, priority, offset in [
                ("  Draft the plan ", m.Priority.HIGH, 2),
                ("Book the room", m.Priority.LOW, 1),
                ("Send the invites", m.Priority.HIGH, 3),
            ]
        ]
        assert [r.status_code for r in created] == [201, 201, 201]
        plan, room, invites = (r.parsed for r in created)
        assert isinstance(plan, m.TaskRead)
        assert (plan.title, plan.status, plan.priority, plan.tags, plan.version) == (
            "Draft the plan",
            m.Status.TODO,
            m.Priority.HIGH,
            ["sdk-flow"],
            1,
        )
        assert plan.due_date == _day(2)
        assert created[0].headers["etag"] == f'"{plan.id}.1"'
        assert created[0].headers["location"] == f"/tasks/{plan.id}"

        first = list_tasks.sync_detailed(
            client=client,
            status=[m.Status.TODO],
            priority=[m.Priority.HIGH],
            tag="sdk-flow",
            due_after=_day(0),
            sort="due_date",
            limit=1,
        )
        assert first.status_code == 200
        assert [t.id for t in first.parsed.items] == [plan.id]
        assert first.parsed.total == 2
        assert isinstance(first.parsed.next_cursor, str)
        second = list_tasks.sync_detailed(
            client=client,
            status=[m.Status.TODO],
            priority=[m.Priority.HIGH],
            tag="sdk-flow",
            due_after=_day(0),
            sort="due_date",
            limit=1,
            cursor=first.parsed.next_cursor,
        )
        assert [t.id for t in second.parsed.items] == [invites.id]
        assert second.parsed.next_cursor is None

        etag = created[0].headers["etag"]
        patched = update_task.sync_detailed(
            plan.id,
            client=client,
            body=m.TaskPatch(status=m.Status.DONE, due_date=None),
            if_match=etag,
        )
        assert patched.status_code == 200
        assert (patched.parsed.status, patched.parsed.due_date, patched.parsed.version) == (
            m.Status.DONE,
            None,
            2,
        )
        assert isinstance(patched.parsed.completed_at, datetime.datetime)
        assert patched.headers["etag"] == f'"{plan.id}.2"'
        stale = update_task.sync_detailed(
            plan.id, client=client, body=m.TaskPatch(title="Too late"), if_match=etag
        )
        assert stale.status_code == 412
        assert isinstance(stale.parsed, m.Problem)
        assert stale.parsed.type_ == "urn:taskservice:problem:version-mismatch"

        deleted = delete_task.sync_detailed(room.id, client=client)
        assert deleted.status_code == 204
        assert get_task.sync_detailed(room.id, client=client).status_code == 404
        remaining = list_tasks.sync_detailed(client=client, tag="sdk-flow", sort="title")
        assert [t.title for t in remaining.parsed.items] == ["Draft the plan", "Send the invites"]

    def test_a_missing_task_is_a_404_problem(self, sdk: Sdk, client: Any) -> None:
        response = sdk.operation("tasks.get_task").sync_detailed(2**31 - 1, client=client)

        assert response.status_code == 404
        problem = response.parsed
        assert isinstance(problem, sdk.models.Problem)
        assert (problem.type_, problem.status, problem.detail, problem.instance) == (
            "urn:taskservice:problem:task-not-found",
            404,
            f"Task {2**31 - 1} does not exist.",
            f"/tasks/{2**31 - 1}",
        )
        assert problem.request_id == response.headers["x-request-id"]

    def test_an_invalid_task_is_a_422_whose_fields_the_client_reads(
        self, sdk: Sdk, client: Any
    ) -> None:
        m = sdk.models
        response = sdk.operation("tasks.create_task").sync_detailed(
            client=client, body=m.TaskCreate(title="   ", tags=["ok", "two words"])
        )

        assert response.status_code == 422
        problem = response.parsed
        assert isinstance(problem, m.ValidationProblem)
        assert problem.type_ == "urn:taskservice:problem:validation-failed"
        assert [(e.field, e.type_) for e in problem.errors] == [
            ("body.title", "value_error"),
            ("body.tags.1", "string_pattern_mismatch"),
        ]
        listed = sdk.operation("tasks.list_tasks").sync_detailed(client=client, tag="ok")
        assert listed.parsed.total == 0

    def test_one_agent_round_then_an_approval(self, sdk: Sdk, client: Any) -> None:
        m = sdk.models
        ask_agent = sdk.operation("agent.ask_agent")
        decide_approvals = sdk.operation("agent.decide_approvals")

        created = ask_agent.sync_detailed(
            client=client, body=m.AgentRequest(message="add a task to try the SDK #sdk-agent")
        )
        assert created.status_code == 200
        answer = created.parsed
        assert isinstance(answer, m.AgentReply)
        assert (answer.agent, [(h.from_, h.to) for h in answer.handoffs]) == (
            "planner",
            [("triage", "planner")],
        )
        assert [c.name for c in answer.tool_calls] == ["create_task"]
        task_id = answer.tool_calls[0].output["created"]["id"]
        assert answer.reply == (
            f"Created task #{task_id} 'try the SDK' (to do, medium priority, #sdk-agent)."
        )

        asked = ask_agent.sync_detailed(
            client=client,
            body=m.AgentRequest(message=f"delete task {task_id}", session_id=answer.session_id),
        ).parsed
        assert [(p.tool, p.arguments["task_id"]) for p in asked.pending_approvals] == [
            ("delete_task", task_id)
        ]
        decided = decide_approvals.sync_detailed(
            answer.session_id,
            client=client,
            body=m.ApprovalRequest(
                decisions=[m.Decision(id=asked.pending_approvals[0].id, approve=True)]
            ),
        )
        assert decided.status_code == 200
        assert decided.parsed.reply == f"Deleted task #{task_id} 'try the SDK'."
        gone = sdk.operation("tasks.get_task").sync_detailed(task_id, client=client)
        assert gone.status_code == 404
