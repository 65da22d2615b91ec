"""Which models the agents run on: the built-in offline model, or an OpenAI-compatible
server (OpenAI itself, Ollama, vLLM, LM Studio, ...); and the model guardrail's model,
on the same server."""

from dataclasses import dataclass

from agents import OpenAIChatCompletionsModel, OpenAIResponsesModel
from agents.models.interface import Model
from openai import AsyncOpenAI

from taskservice.agent.offline.model import OfflineModel
from taskservice.config import OFFLINE_MODEL, Settings


@dataclass(frozen=True)
class Models:
    agent: Model
    guardrail: Model | None  # None: no model guardrail
    client: AsyncOpenAI | None  # to close at shutdown (None for the offline model)


def build_models(settings: Settings) -> Models:
    """The agents' model, the guardrail's, and the client to close at shutdown."""
    name = settings.resolved_agent_model
    if name == OFFLINE_MODEL:
        return Models(OfflineModel(), None, None)
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    client = AsyncOpenAI(
        # Local servers (Ollama, vLLM, LM Studio) ignore the key but the client needs one.
        api_key=key or "not-needed",
        base_url=settings.openai_base_url,
        max_retries=settings.openai_max_retries,
        timeout=settings.agent_timeout_s,
    )
    guardrail = settings.resolved_guardrail_model
    return Models(
        agent=_model(settings, name, client),
        guardrail=None if guardrail is None else _model(settings, guardrail, client),
        client=client,
    )


def _model(settings: Settings, name: str, client: AsyncOpenAI) -> Model:
    if settings.openai_api == "chat_completions":
        return OpenAIChatCompletionsModel(model=name, openai_client=client)
    return OpenAIResponsesModel(model=name, openai_client=client)
