"""The OpenAPI document is a product: clean ids, security, problem schemas."""

from typing import Any

import httpx


async def schema(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


class TestOpenApi:
    async def test_operation_ids_are_function_names(self, client: httpx.AsyncClient) -> None:
        document = await schema(client)
        ids = {
            (method.upper(), path): op["operationId"]
            for path, item in document["paths"].items()
            for method, op in item.items()
        }
        assert ids == {
            ("GET", "/healthz"): "healthz",
            ("GET", "/readyz"): "readyz",
            ("POST", "/tasks"): "create_task",
            ("GET", "/tasks"): "list_tasks",
            ("GET", "/tasks/{task_id}"): "get_task",
            ("PUT", "/tasks/{task_id}"): "replace_task",
            ("PATCH", "/tasks/{task_id}"): "update_task",
            ("DELETE", "/tasks/{task_id}"): "delete_task",
            ("GET", "/tasks/{task_id}/history"): "get_task_history",
            ("POST", "/agent"): "ask_agent",
            ("POST", "/agent/stream"): "stream_agent",
            ("POST", "/agent/sessions/{session_id}/approvals"): "decide_approvals",
            ("GET", "/agent/runs/{run_id}"): "get_run",
            ("GET", "/agent/runs/{run_id}/trace"): "get_run_trace",
            ("POST", "/agent/runs/{run_id}/cancel"): "cancel_run",
            ("GET", "/agents"): "list_agents",
            ("GET", "/agent/sessions"): "list_sessions",
            ("GET", "/agent/sessions/{session_id}"): "get_session",
            ("DELETE", "/agent/sessions/{session_id}"): "delete_session",
        }

    async def test_bearer_scheme_on_every_protected_operation(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await schema(client)

        assert document["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
        for path, item in document["paths"].items():
            for op in item.values():
                public = path in ("/healthz", "/readyz")
                assert (op.get("security") is None) == public, path
                if not public:
                    assert "401" in op["responses"], path

    async def test_every_error_response_is_a_problem(self, client: httpx.AsyncClient) -> None:
        document = await schema(client)

        for item in document["paths"].values():
            for op in item.values():
                assert "500" in op["responses"]
                for status, response in op["responses"].items():
                    if status[0] in "45":
                        assert list(response["content"]) == ["application/problem+json"]
                        ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                        expected = "ValidationProblem" if status == "422" else "Problem"
                        assert ref == f"#/components/schemas/{expected}"
        assert "HTTPValidationError" not in document["components"]["schemas"]

    async def test_request_bodies_have_examples(self, client: httpx.AsyncClient) -> None:
        schemas = (await schema(client))["components"]["schemas"]

        assert schemas["TaskCreate"]["examples"][0]["title"] == "Write the quarterly report"
        assert schemas["TaskPatch"]["examples"][0] == {"status": "done"}
        assert schemas["TaskCreate"]["additionalProperties"] is False

    async def test_examples_keep_their_nulls(self, client: httpx.AsyncClient) -> None:
        schemas = (await schema(client))["components"]["schemas"]

        assert schemas["TaskPatch"]["examples"][1] == {"due_date": None, "tags": ["home"]}

    async def test_every_request_body_has_an_example(self, client: httpx.AsyncClient) -> None:
        document = await schema(client)
        components = document["components"]["schemas"]

        for path, item in document["paths"].items():
            for method, op in item.items():
                for media in op.get("requestBody", {}).get("content", {}).values():
                    body = media["schema"]
                    if "$ref" in body:
                        body = components[body["$ref"].rsplit("/", 1)[1]]
                    assert body.get("examples") or media.get("examples"), (method, path)

    async def test_every_parameter_is_described_and_never_null(
        self, client: httpx.AsyncClient
    ) -> None:
        document = await schema(client)

        for path, item in document["paths"].items():
            for method, op in item.items():
                for parameter in op.get("parameters", []):
                    where = (method, path, parameter["name"])
                    assert parameter.get("description"), where
                    assert {"type": "null"} not in parameter["schema"].get("anyOf", []), where

    async def test_every_response_declares_its_request_id(self, client: httpx.AsyncClient) -> None:
        document = await schema(client)

        for item in document["paths"].values():
            for op in item.values():
                for response in op["responses"].values():
                    assert response["headers"]["X-Request-ID"]["required"] is True

    async def test_a_returned_task_links_to_the_operations_on_it(
        self, client: httpx.AsyncClient
    ) -> None:
        paths = (await schema(client))["paths"]
        created = paths["/tasks"]["post"]["responses"]["201"]

        assert sorted(created["links"]) == [
            "delete_task",
            "get_task",
            "replace_task",
            "update_task",
        ]
        assert created["links"]["update_task"] == {
            "operationId": "update_task",
            "parameters": {
                "path.task_id": "$response.body#/id",
                "header.If-Match": "$response.header.ETag",
            },
            "description": "Change fields of this task, unless it changed since this response.",
        }
        assert created["links"]["get_task"]["parameters"] == {"path.task_id": "$response.body#/id"}
        for method in ("get", "put", "patch"):
            links = paths["/tasks/{task_id}"][method]["responses"]["200"]["links"]
            assert sorted(links) == ["delete_task", "get_task", "replace_task", "update_task"]
        assert "links" not in paths["/tasks"]["get"]["responses"]["200"]

    async def test_problems_always_carry_instance_and_request_id(
        self, client: httpx.AsyncClient
    ) -> None:
        schemas = (await schema(client))["components"]["schemas"]

        assert schemas["Problem"]["required"] == [
            "type",
            "title",
            "status",
            "detail",
            "instance",
            "request_id",
        ]
        assert schemas["ValidationProblem"]["required"][-1] == "errors"
