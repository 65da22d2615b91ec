"""Scripted turns for driving the agents' tools through ``POST /agent`` with the SDK's
``ScriptedModel``: each turn hands off from triage to a specialist, makes its calls one
model step each, and answers."""

import itertools
from typing import Any

from agents.testing import ModelStep, ScriptedModel, assistant_message, function_call
from fastapi import FastAPI

from tests.agent.conftest import use_model

Call = tuple[str, dict[str, Any]]

_ids = itertools.count(1)


def turn(agent: str, *calls: Call, reply: str = "Done.") -> list[list[Any]]:
    """The model steps of one request: hand off to ``agent``, make ``calls``, reply (when
    a call waits for approval, the reply is the step the run resumes with)."""
    steps: list[list[Any]] = [[function_call(f"transfer_to_{agent}", {}, call_id=_call_id())]]
    steps += [[function_call(name, arguments, call_id=_call_id())] for name, arguments in calls]
    steps.append([assistant_message(reply)])
    return steps


def script(app: FastAPI, *turns: list[list[Any]]) -> ScriptedModel:
    """Run the app's agents on these turns, in order (across requests)."""
    model = ScriptedModel([ModelStep(output=step) for steps in turns for step in steps])
    use_model(app, model)
    return model


def _call_id() -> str:
    return f"call_{next(_ids)}"


def outputs(reply: dict[str, Any]) -> list[Any]:
    """Each tool call's output (handoffs aside), in order."""
    return [c["output"] for c in reply["tool_calls"] if not c["name"].startswith("transfer_")]
