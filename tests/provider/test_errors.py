"""Scripted provider errors, delays and script control, as the official client sees them."""

import json
from typing import Literal

import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam
from openai.types.responses import ResponseTextDeltaEvent

from tests.provider.fixture import FakeProvider, FakeProviderError
from tests.provider.fixture import fake_provider as fake_provider  # the fixture, re-exported
from tests.provider.script import ErrorSpec

pytestmark = pytest.mark.slow

Api = Literal["responses", "chat"]
MODEL = "gpt-test"
FAST_RETRY = {"retry-after-ms": "1"}  # the client honours it, so its backoff costs nothing


async def ask(client: openai.AsyncOpenAI, api: Api, *, stream: bool = False) -> str:
    """One model call; the answer's text, with any stream read to its end."""
    if api == "responses":
        if not stream:
            return (await client.responses.create(model=MODEL, input="hi")).output_text
        events = await client.responses.create(model=MODEL, input="hi", stream=True)
        return "".join([e.delta async for e in events if isinstance(e, ResponseTextDeltaEvent)])
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hi"}]
    if not stream:
        completion = await client.chat.completions.create(model=MODEL, messages=messages)
        return completion.choices[0].message.content or ""
    chunks = await client.chat.completions.create(model=MODEL, messages=messages, stream=True)
    return "".join([c.choices[0].delta.content or "" async for c in chunks if c.choices])


@pytest.mark.parametrize("stream", [False, True], ids=["plain", "stream"])
@pytest.mark.parametrize("api", ["responses", "chat"])
class TestProviderErrors:
    async def test_rate_limit_is_retried_by_the_client_then_raised(
        self, fake_provider: FakeProvider, api: Api, stream: bool
    ) -> None:
        rate_limit: ErrorSpec = {"status": 429, "message": "slow down", "headers": FAST_RETRY}
        await fake_provider.ascript([{"error": rate_limit, "times": 3}, {"text": "recovered"}])
        async with fake_provider.openai_client(max_retries=2) as client:
            with pytest.raises(openai.RateLimitError, match="slow down") as caught:
                await ask(client, api, stream=stream)
            assert await ask(client, api, stream=stream) == "recovered"

        assert caught.value.code == "rate_limit_exceeded"
        recorded = await fake_provider.arequests()
        retry_counts = [r["headers"]["x-stainless-retry-count"] for r in recorded]
        assert retry_counts == ["0", "1", "2", "0"]

    async def test_server_error_is_an_internal_server_error(
        self, fake_provider: FakeProvider, api: Api, stream: bool
    ) -> None:
        await fake_provider.ascript([{"error": {"status": 500, "message": "boom"}}])
        async with fake_provider.openai_client() as client:
            with pytest.raises(openai.InternalServerError, match="boom") as caught:
                await ask(client, api, stream=stream)

        assert caught.value.status_code == 500
        assert caught.value.type == "server_error"

    async def test_malformed_body_is_a_json_decode_error(
        self, fake_provider: FakeProvider, api: Api, stream: bool
    ) -> None:
        """openai 3.x does not wrap a 200 with a broken body: callers see ``ValueError``."""
        await fake_provider.ascript([{"malformed": True}])
        async with fake_provider.openai_client(max_retries=2) as client:
            with pytest.raises(json.JSONDecodeError):
                await ask(client, api, stream=stream)

        assert len(await fake_provider.arequests()) == 1

    async def test_delay_past_the_client_timeout_is_a_timeout(
        self, fake_provider: FakeProvider, api: Api, stream: bool
    ) -> None:
        await fake_provider.ascript([{"text": "too late", "delay_s": 3}])
        async with fake_provider.openai_client(timeout=0.2) as client:
            with pytest.raises(openai.APITimeoutError):
                await ask(client, api, stream=stream)

        assert len(await fake_provider.arequests()) == 1

    async def test_short_delay_still_answers(
        self, fake_provider: FakeProvider, api: Api, stream: bool
    ) -> None:
        await fake_provider.ascript([{"text": "eventually", "delay_s": 0.05}])
        async with fake_provider.openai_client() as client:
            assert await ask(client, api, stream=stream) == "eventually"


class TestScript:
    async def test_exhausted_script_is_a_500_the_client_does_not_retry(
        self, fake_provider: FakeProvider
    ) -> None:
        async with fake_provider.openai_client(max_retries=2) as client:
            with pytest.raises(openai.InternalServerError, match="script exhausted"):
                await ask(client, "responses")

        assert len(await fake_provider.arequests()) == 1

    async def test_missing_expected_tool_is_a_bad_request(
        self, fake_provider: FakeProvider
    ) -> None:
        await fake_provider.ascript([{"text": "never", "expect_tool": "add"}])
        async with fake_provider.openai_client() as client:
            with pytest.raises(openai.BadRequestError, match="expected a tool named 'add'"):
                await ask(client, "chat")

    async def test_repeat_reuses_the_last_step(self, fake_provider: FakeProvider) -> None:
        await fake_provider.ascript([{"text": "first"}, {"text": "again", "repeat": True}])
        async with fake_provider.openai_client() as client:
            answers = [await ask(client, "responses", stream=n % 2 == 0) for n in range(4)]

        assert answers == ["first", "again", "again", "again"]

    async def test_malformed_script_is_rejected(self, fake_provider: FakeProvider) -> None:
        with pytest.raises(FakeProviderError, match=r"unknown keys \['txt'\]"):
            await fake_provider.ascript([{"txt": "typo"}])  # type: ignore[typeddict-unknown-key]

    def test_reset_forgets_script_and_requests(self, fake_provider: FakeProvider) -> None:
        fake_provider.script([{"text": "unused"}, {"text": "unused"}])
        fake_provider.reset()

        assert fake_provider.requests() == []
        with (
            openai.OpenAI(base_url=fake_provider.base_url, api_key="dummy") as client,
            pytest.raises(openai.InternalServerError, match="script exhausted"),
        ):
            client.responses.create(model=MODEL, input="hi")
        assert len(fake_provider.requests()) == 1
