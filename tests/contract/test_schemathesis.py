"""Schemathesis against the in-process app: every operation in the schema, every check.

The operations come from the app's own schema, so one added later is tested without
touching this file (one test per operation, named after it). Generation is bounded and
seeded, so a CI run is reproducible; a failure prints the request that reproduces it.

Three answers depend on server state that no schema can describe, and schemathesis is
told so, narrowly: 412 is a legitimate answer to schema-valid data for the conditional
writes (an `If-Match` ETag must have been issued by the server), and 400 for `list_tasks`
(so must a `cursor`). One rule JSON Schema cannot state: approval decisions name each id
once (`uniqueItems` compares whole items, not their `id`), so a 422 is a legitimate answer
to schema-valid decisions. And a task's history outlives the task on purpose (its owner
reads it after the delete, ending with the `deleted` event), so the stateful "deleted
resource still available" check does not apply to `get_task_history`. A schema-valid
request gets a fresh `Idempotency-Key`, as from a real client: the same key with another
body is a documented 422.
"""

import asyncio
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.python import asgi
from starlette.types import Receive, Scope, Send

from taskservice.app import create_app
from taskservice.auth import repository as auth_repository
from taskservice.auth.keys import generate_key
from taskservice.config import Settings
from taskservice.db import create_db_sessionmaker, create_engine

pytestmark = pytest.mark.slow

SEED = 20261122
MAX_EXAMPLES = 40
STATEFUL_MAX_EXAMPLES = 60
STATEFUL_MAX_STEPS = 8
API_KEY = generate_key()
# Schemathesis' defaults for positive_data_acceptance, to which one answer is added below.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]


class AppUnderTest:
    """The ASGI app schemathesis calls. The schema must be known when this module is
    collected, the database only once the `api` fixture has made it, so the fixture
    plugs the real app in here."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            raise RuntimeError("the `api` fixture has not set up the app yet")
        await self.app(scope, receive, send)


APP = AppUnderTest()
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "auth": {"openapi": {"ApiKey": {"bearer": API_KEY}}},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"max-steps": STATEFUL_MAX_STEPS}},
        "operations": [
            {
                "include-operation-id": ["replace_task", "update_task", "delete_task"],
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "412"]}},
            },
            {
                "include-operation-id": "list_tasks",
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400"]}},
            },
            {
                "include-operation-id": "get_task_history",
                "checks": {"use_after_free": {"enabled": False}},
            },
            {
                "include-operation-id": "decide_approvals",
                "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
            },
        ],
    }
)
DOCUMENT = create_app(Settings(database_url="sqlite+aiosqlite:///never-opened.db")).openapi()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.app = APP


async def _create_user(db_url: str) -> None:
    """The user `schemathesis`, whose key is API_KEY."""
    engine = create_engine(Settings(database_url=db_url))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(auth_repository, "generate_key", lambda: API_KEY)
            async with create_db_sessionmaker(engine)() as session, session.begin():
                await auth_repository.UserRepository(session).create("schemathesis")
    finally:
        await engine.dispose()


@pytest.fixture(scope="module", autouse=True)
def api(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on a migrated SQLite database. Schemathesis runs its lifespan in an event
    loop of its own, on the first request; it is shut down here."""
    path = tmp_path_factory.mktemp("schemathesis") / "contract.db"
    shutil.copyfile(sqlite_template, path)
    db_url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(_create_user(db_url))
    APP.app = create_app(Settings(database_url=db_url))
    try:
        yield APP.app
    finally:
        asgi.shutdown_lifespans()
        APP.app = None


_idempotency_keys = itertools.count(1)


def _as_a_client_would(case: schemathesis.Case[Any]) -> None:
    """A fresh `Idempotency-Key` for every schema-valid request that carries one."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = f"schemathesis-{next(_idempotency_keys)}"


@schema.parametrize()
def test_operation_conforms(case: schemathesis.Case[Any]) -> None:
    _as_a_client_would(case)
    case.call_and_validate()


class LinkedCalls(schema.as_state_machine()):  # type: ignore[misc]
    """Sequences that follow the schema's links: create a task, then read, replace,
    patch (with the ETag just returned as If-Match) and delete it."""

    succeeded: ClassVar[set[str]] = set()

    def before_call(self, case: schemathesis.Case[Any]) -> None:
        super().before_call(case)
        _as_a_client_would(case)

    def after_call(self, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
        super().after_call(response, case)
        if response.status_code < 300:
            self.succeeded.add(case.operation.label)


def test_linked_calls_conform() -> None:
    run_state_machine_as_test(
        LinkedCalls,
        settings=hypothesis.settings(
            max_examples=STATEFUL_MAX_EXAMPLES,
            stateful_step_count=STATEFUL_MAX_STEPS,
            deadline=None,
            derandomize=True,
            database=None,
        ),
    )

    # The links led somewhere: every operation on a created task worked at least once.
    assert {
        "POST /tasks",
        "GET /tasks/{task_id}",
        "PUT /tasks/{task_id}",
        "PATCH /tasks/{task_id}",
        "DELETE /tasks/{task_id}",
    } <= LinkedCalls.succeeded
