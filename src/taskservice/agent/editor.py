"""The editor: changes existing tasks."""

from agents import Agent

from taskservice.agent.context import AgentContext
from taskservice.agent.instructions import with_context
from taskservice.agent.tools.editing import EDITING_TOOLS
from taskservice.agent.tools.reporting import list_tasks, show_task

INSTRUCTIONS = (
    "You are the editor of a task service. You change the user's existing tasks: status, "
    "priority, due date, title, tags, or delete them. When the user names a task by its "
    "title, call find_tasks first; if several match, ask which one, listing their ids, and "
    "change nothing. Turn relative dates into YYYY-MM-DD using today's date. Then confirm "
    "briefly what changed. To change a date or priority relative to the current one ('push "
    "it by a week', 'bump it'), read the task with show_task first; to change every task "
    "of a kind ('mark all overdue tasks as done'), list them with list_tasks, then change "
    "them with one update_tasks or delete_tasks call. If the user asks for something else "
    "(creating or finding tasks), hand back to triage."
)

editor = Agent[AgentContext](
    name="editor",
    handoff_description=(
        "Changes existing tasks: status (done, started, blocked, reopened), priority, due "
        "date, title, tags; deletes tasks (with the user's approval)."
    ),
    instructions=with_context(INSTRUCTIONS),
    tools=[*EDITING_TOOLS, show_task, list_tasks],
)
