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
        assert {k: v for k, v in ids.items() if k[1].startswith("/tasks")} == {
            ("POST", "/tasks"): "create_task",
            ("GET", "/tasks"): "list_tasks",
            ("GET", "/tasks/{task_id}"): "get_task",
            ("PUT", "/tasks/{task_id}"): "replace_task",
            ("PATCH", "/tasks/{task_id}"): "update_task",
            ("DELETE", "/tasks/{task_id}"): "delete_task",
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
