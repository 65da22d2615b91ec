"""What the offline model says without calling a tool: greetings, thanks, help, and what it
answers when it does not understand (never a refusal: what it can do, with examples)."""

from taskservice.agent.offline import intents as i

EXAMPLES = (
    "'add a task to call mom tomorrow', 'mark buy milk as done', "
    "'what's on my plate today?', 'undo'"
)
GREETING = f"Hi! I keep track of your tasks. Try {EXAMPLES}, or say 'help' for more."
THANKS = "You're welcome! Anything else? For example 'what should I work on next?'."
OK = "OK. Anything else? For example 'what's on my plate today?' or 'help'."
HELP = (
    "I can help with your tasks. For example:\n"
    "- add: 'add a task to buy milk tomorrow', 'I need to call mom friday high priority', "
    "'add tasks: a; b; c'\n"
    "- change: 'mark buy milk as done', 'push the report to next week', 'bump task 3 to "
    "high priority', 'remove the #work tag from task 7', 'add a description to task 9: "
    "...', 'delete it'\n"
    "- find: 'what's on my plate today?', 'what should I work on next?', 'what is "
    "overdue?', 'list tasks sorted by priority', 'show more'\n"
    "- several at once: 'mark all overdue tasks as done', 'delete all done tasks'\n"
    "- 'undo' reverts my last change."
)
UNKNOWN = (
    "Sorry, I didn't understand that. I'm the built-in offline assistant and understand "
    f"requests like {EXAMPLES}. Say 'help' for more."
)
WHICH_TASK = "Which task do you mean? Name it by its id (e.g. 'task 3') or its title."


def answer(intent: i.Intent) -> str:
    """The reply to an intent that needs no tool."""
    match intent:
        case i.SmallTalk(kind="greeting"):
            return GREETING
        case i.SmallTalk(kind="thanks"):
            return THANKS
        case i.SmallTalk(kind="ok"):
            return OK
        case i.SmallTalk(kind="help"):
            return HELP
        case i.Clarify(question=question):
            return question
    return UNKNOWN
