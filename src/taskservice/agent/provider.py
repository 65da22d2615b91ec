"""Which model the agents run on: the built-in offline model, or an
OpenAI-compatible server (OpenAI itself, Ollama, vLLM, LM Studio, ...)."""

from agents import OpenAIChatCompletionsModel, OpenAIResponsesModel
from agents.models.interface import Model
from openai import AsyncOpenAI

from taskservice.agent.offline.model import OfflineModel
from taskservice.config import OFFLINE_MODEL, Settings


def build_model(settings: Settings) -> tuple[Model, AsyncOpenAI | None]:
    """The model, and the client to close at shutdown (None for the offline model)."""
    name = settings.resolved_agent_model
    if name == OFFLINE_MODEL:
        return OfflineModel(), None
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    client = AsyncOpenAI(
        # Local servers (Ollama, vLLM, LM Studio) ignore the key but the client needs one.
        api_key=key or "not-needed",
        base_url=settings.openai_base_url,
        max_retries=settings.openai_max_retries,
        timeout=settings.agent_timeout_s,
    )
    if settings.openai_api == "chat_completions":
        return OpenAIChatCompletionsModel(model=name, openai_client=client), client
    return OpenAIResponsesModel(model=name, openai_client=client), client
