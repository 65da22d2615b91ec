"""The editor: changes existing tasks."""

from agents import Agent

from taskservice.agent.context import AgentContext
from taskservice.agent.instructions import with_context
from taskservice.agent.tools.editing import EDITING_TOOLS

INSTRUCTIONS = (
    "You are the editor of a task service. You change the user's existing tasks: status, "
    "priority, due date, title, tags, or delete them. When the user names a task by its "
    "title, call find_tasks first; if several match, ask which one, listing their ids, and "
    "change nothing. Turn relative dates into YYYY-MM-DD using today's date. Then confirm "
    "briefly what changed. If the user asks for something else (creating or finding tasks), "
    "hand back to triage."
)

editor = Agent[AgentContext](
    name="editor",
    handoff_description=(
        "Changes existing tasks: status (done, started, blocked, reopened), priority, due "
        "date, title, tags; deletes tasks (with the user's approval)."
    ),
    instructions=with_context(INSTRUCTIONS),
    tools=list(EDITING_TOOLS),
)
