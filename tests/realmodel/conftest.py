"""One provider and one egress proxy per session; one service per API and kind.

``service`` runs with the default settings (traces kept in the database, none sent) but
the model guardrail off, behind the egress proxy, so the proxy's record covers every test
that used it. ``failing_service`` has a short run timeout for the failure tests;
``guarded_service`` has the model guardrail on, as it comes. All are session-scoped and
parametrised by ``api``, so pytest runs every Responses test first, then every Chat
Completions test, with one start of each.
"""

from collections.abc import Iterator

import httpx
import pytest

from tests.provider.fixture import FakeProvider
from tests.realmodel.egress import RecordingProxy
from tests.realmodel.harness import (
    APIS,
    FAILING_TIMEOUT_S,
    Api,
    RealService,
    real_service,
    service_env,
)


@pytest.fixture(scope="session", params=APIS)
def api(request: pytest.FixtureRequest) -> Api:
    value: Api = request.param
    return value


@pytest.fixture(scope="session")
def provider() -> Iterator[FakeProvider]:
    with FakeProvider() as started:
        yield started


@pytest.fixture
def fake(provider: FakeProvider) -> Iterator[FakeProvider]:
    """The provider with an empty script and no recorded requests; fails the test if the
    provider process died or raised meanwhile."""
    with provider.checked():
        yield provider


@pytest.fixture(scope="session")
def egress() -> Iterator[RecordingProxy]:
    with RecordingProxy() as proxy:
        yield proxy


@pytest.fixture(scope="session")
def service(
    api: Api,
    provider: FakeProvider,
    egress: RecordingProxy,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RealService]:
    path = tmp_path_factory.mktemp(f"realmodel-{api}") / "service.db"
    with real_service(api, path, service_env(api, provider, egress)) as running:
        yield running


@pytest.fixture(scope="session")
def failing_service(
    api: Api,
    provider: FakeProvider,
    egress: RecordingProxy,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RealService]:
    path = tmp_path_factory.mktemp(f"realmodel-failing-{api}") / "service.db"
    env = service_env(api, provider, egress, TASKSERVICE_AGENT_TIMEOUT_S=str(FAILING_TIMEOUT_S))
    with real_service(api, path, env) as running:
        yield running


@pytest.fixture(scope="session")
def guarded_service(
    api: Api,
    provider: FakeProvider,
    egress: RecordingProxy,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RealService]:
    """The service with the model guardrail as it comes: on."""
    path = tmp_path_factory.mktemp(f"realmodel-guarded-{api}") / "service.db"
    env = service_env(api, provider, egress)
    del env["TASKSERVICE_AGENT_GUARDRAIL"]
    with real_service(api, path, env) as running:
        yield running


def _user_of(service: RealService, egress: RecordingProxy) -> Iterator[httpx.Client]:
    """A fresh user of ``service``; fails the test if the service logged a traceback or
    tried to reach beyond loopback meanwhile."""
    start, attempts = len(service.log_text()), len(egress.requests)
    with service.new_user() as client:
        yield client
    if "Traceback" in (log := service.log_text()[start:]):
        pytest.fail(f"the service raised during the test:\n{log}")
    if tried := egress.requests[attempts:]:
        pytest.fail(f"the service tried to reach beyond loopback: {tried}")


@pytest.fixture
def user(service: RealService, egress: RecordingProxy) -> Iterator[httpx.Client]:
    yield from _user_of(service, egress)


@pytest.fixture
def failing_user(failing_service: RealService, egress: RecordingProxy) -> Iterator[httpx.Client]:
    yield from _user_of(failing_service, egress)


@pytest.fixture
def guarded_user(guarded_service: RealService, egress: RecordingProxy) -> Iterator[httpx.Client]:
    yield from _user_of(guarded_service, egress)
