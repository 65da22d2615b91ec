"""Guardrails: requests that try to override the agent are turned away politely, with no
tool call; requests about tasks never are.

- ``normalise``: the one form text is matched in (NFKC, case folding, invisible
  characters removed, homoglyphs folded);
- ``prefilter``: the deterministic check for blatant instruction overrides, which never
  reads the user's data (quoted text, new titles, descriptions, their own titles);
- ``relevance``: the model guardrail, an agent with structured output judging whether
  a message is about tasks and whether it tries to override the assistant;
- ``screening``: the SDK input guardrail that runs both, blocking, before the run.
"""

from taskservice.agent.guardrails.screening import (
    INJECTION_REPLY,
    OFF_TOPIC_REPLY,
    TitleLookup,
    own_titles,
    refusal_detail,
    task_guardrail,
)

__all__ = [
    "INJECTION_REPLY",
    "OFF_TOPIC_REPLY",
    "TitleLookup",
    "own_titles",
    "refusal_detail",
    "task_guardrail",
]
