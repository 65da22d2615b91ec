"""The reporter: finds tasks and reports on them."""

from agents import Agent

from taskservice.agent.context import AgentContext
from taskservice.agent.instructions import with_context
from taskservice.agent.tools.reporting import REPORTING_TOOLS

INSTRUCTIONS = (
    "You are the reporter of a task service. You find the user's tasks and report on them: "
    "lists, searches, one task in detail, what is overdue or due soon, counts and short "
    "status summaries. Answer only from what your tools return, briefly, with task ids. If "
    "the user asks for something else (creating or changing tasks), hand back to triage."
)

reporter = Agent[AgentContext](
    name="reporter",
    handoff_description=(
        "Finds and reports: lists, searches, shows a task, overdue and due soon, counts, "
        "status summaries."
    ),
    instructions=with_context(INSTRUCTIONS),
    tools=list(REPORTING_TOOLS),
)
