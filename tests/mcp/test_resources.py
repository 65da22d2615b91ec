"""Tasks as resources: the task://{id} template, reading one, and the list of recent ones."""

import json

import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS

from tests.conftest import ApiUser
from tests.mcp.conftest import Connect


class TestTaskResources:
    async def test_the_template(self, connect: Connect, alice: ApiUser) -> None:
        async with connect(alice.key) as client:
            templates = (await client.list_resource_templates()).resource_templates
        assert [(t.name, t.title, t.uri_template, t.mime_type) for t in templates] == [
            ("task", "Task", "task://{id}", "application/json")
        ]

    async def test_reading_a_task_gives_its_rest_representation(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        created = await alice.client.post("/tasks", json={"title": "Attach me", "tags": ["x"]})
        task_id = created.json()["id"]
        async with connect(alice.key, mode="legacy") as client:
            (contents,) = (await client.read_resource(f"task://{task_id}")).contents
        assert (contents.uri, contents.mime_type) == (f"task://{task_id}", "application/json")
        assert json.loads(getattr(contents, "text", "")) == created.json()

    async def test_the_list_names_the_most_recently_updated_tasks(
        self, connect: Connect, alice: ApiUser
    ) -> None:
        for title in ("first", "second", "third"):
            await alice.client.post("/tasks", json={"title": title, "due_date": "2026-12-04"})
        await alice.client.patch("/tasks/1", json={"status": "done", "priority": "low"})
        async with connect(alice.key) as client:
            resources = (await client.list_resources()).resources
        assert {r.mime_type for r in resources} == {"application/json"}
        assert [(r.uri, r.name, r.title, r.description) for r in resources] == [
            ("task://1", "task-1", "first", "done, low priority, due 2026-12-04"),
            ("task://3", "task-3", "third", "todo, medium priority, due 2026-12-04"),
            ("task://2", "task-2", "second", "todo, medium priority, due 2026-12-04"),
        ]

    @pytest.mark.parametrize("raw_id", ["999", "0", "abc", "-1", "1.0", "99999999999", "\uff11"])
    async def test_an_unknown_task_is_an_invalid_params_error(
        self, connect: Connect, alice: ApiUser, raw_id: str
    ) -> None:
        await alice.client.post("/tasks", json={"title": "the only one"})
        async with connect(alice.key) as client:
            with pytest.raises(MCPError) as raised:
                await client.read_resource(f"task://{raw_id}")
        assert raised.value.error.code == INVALID_PARAMS
        assert raised.value.error.message == f"Unknown resource: task://{raw_id}"
