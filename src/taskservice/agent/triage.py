"""The triage agent: routes every request to one specialist, and only routes.

The agents are defined once, here at import, and hold no per-request state;
everything about a request travels in the run context. The input guardrail is not on
the agent but in every run's configuration (``AgentRuns``), since the model guardrail
runs on the app's provider.
"""

from agents import Agent

from taskservice.agent.context import AgentContext
from taskservice.agent.editor import editor
from taskservice.agent.instructions import with_context
from taskservice.agent.planner import planner
from taskservice.agent.reporter import reporter

INSTRUCTIONS = (
    "You are the triage agent of a task service. You never act on tasks yourself: hand "
    "each request to exactly one specialist. planner: creating tasks. editor: changing or "
    "deleting existing tasks. reporter: finding, listing, counting and summarising tasks. "
    "If the request is about the user's tasks but fits none of them, or is unclear, reply "
    "in two or three lines with what you can do and an example for each."
)

SPECIALISTS: tuple[Agent[AgentContext], ...] = (planner, editor, reporter)

triage = Agent[AgentContext](
    name="triage",
    handoff_description="Routes requests to the right specialist.",
    instructions=with_context(INSTRUCTIONS),
    handoffs=list(SPECIALISTS),
)

# A specialist hands back to triage when a request is outside its job.
for _specialist in SPECIALISTS:
    _specialist.handoffs.append(triage)

AGENTS: tuple[Agent[AgentContext], ...] = (triage, *SPECIALISTS)
