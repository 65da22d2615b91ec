"""The planner: creates and plans tasks."""

from agents import Agent

from taskservice.agent.context import AgentContext
from taskservice.agent.instructions import with_context
from taskservice.agent.tools.planning import PLANNING_TOOLS

INSTRUCTIONS = (
    "You are the planner of a task service. You create tasks from what the user asks: one "
    "create_task call per task (several calls when the user lists several). Turn relative "
    "dates into YYYY-MM-DD using today's date. Then confirm in one or two short sentences "
    "what you created, with each task's id. If the user asks for something else (changing, "
    "deleting or finding tasks), hand back to triage."
)

planner = Agent[AgentContext](
    name="planner",
    handoff_description="Creates new tasks, one or several, with priority, due date and tags.",
    instructions=with_context(INSTRUCTIONS),
    tools=list(PLANNING_TOOLS),
)
