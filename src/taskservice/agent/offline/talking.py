"""The grammar's conversation rules: greetings, thanks, help, undo, and choosing a task."""

import re

from taskservice.agent.offline.intents import ChooseTask, Intent, SmallTalk, Undo
from taskservice.agent.offline.rules import NUMBER, Message, rule, rules


def small_talk(message: Message) -> Intent | None:
    """A greeting, thanks or "ok" with nothing else in it ("hi!", "thanks a lot", "ok")."""
    if message.text:
        return None
    if message.thanked:
        return SmallTalk("thanks")
    if message.greeted:
        return SmallTalk("greeting")
    return SmallTalk("ok") if re.search(r"\w", message.original) else None


TALK = [
    *rules(
        lambda match, message: SmallTalk("greeting"),
        r"how\s+are\s+you(?:\s+doing)?(?:\s+today)?|how's\s+it\s+going|what's\s+up|sup",
        r"(?:nice|good)\s+to\s+meet\s+you",
    ),
    *rules(
        lambda match, message: SmallTalk("thanks"),
        r"(?:great|perfect|awesome|cool|nice|excellent|brilliant|lovely|wonderful|got\s+it|good"
        r"|ok(?:ay)?|alright|all\s+right|sounds\s+good|that's\s+(?:great|perfect))"
        r"(?:\s+(?:job|work|one|thanks))?",
        r"(?:good|nice|great)\s+(?:job|work)|well\s+done|that\s+(?:works|helps|helped)"
        r"|(?:bye|goodbye|see\s+you|later|good\s*night)",
    ),
    *rules(
        lambda match, message: SmallTalk("ok"),
        r"all\s+done|i'm\s+done(?:\s+for\s+(?:now|today))?|that's\s+(?:it|all)(?:\s+for\s+now)?"
        r"|nothing\s+(?:else|more)|no(?:pe)?(?:,?\s+thanks)?|never\s*mind|fine|sure|yes|yeah|yep",
    ),
    *rules(
        lambda match, message: SmallTalk("help"),
        r"help|help\s+me(?:\s+out)?|\?+|h[ae]lp\s+(?:please|pls)|i\s+need\s+help|commands?"
        r"|examples?|usage|menu|options|what\s+can\s+i\s+do(?:\s+here)?",
        r"what\s+(?:can|do|could|else\s+can)\s+you\s+(?:do|help\s+(?:me\s+)?with|understand)"
        r"(?:\s+for\s+me)?|what\s+(?:do|can)\s+i\s+(?:say|ask|type)|what\s+are\s+you|who\s+are\s+you",
        r"how\s+(?:does\s+(?:this|it)\s+work|do\s+(?:i|you)\s+(?:use\s+(?:this|it|you)|work))",
        r"how\s+(?:do|can)\s+i\s+(?:add|create|make|change|edit|delete|remove|find|list|see|mark"
        r"|complete|update|tag|search|undo)(?:\s+(?:a|an|my|the))?(?:\s+(?:new\s+)?(?:tasks?|"
        r"to-?dos?|things?|due\s+dates?|priorit(?:y|ies)|tags?|descriptions?))?",
        r"what\s+is\s+a\s+task|what\s+are\s+tasks|(?:show\s+)?(?:the\s+)?help(?:\s+(?:text|page))?",
    ),
]

UNDO = rules(
    lambda match, message: Undo(),
    r"(?:oops[\s,!]*)?(?:undo|revert|roll\s*back|reverse)(?:\s+(?:that|it|this|the\s+last\s+one"
    r"|(?:the|my|your)\s+last\s+(?:change|action|edit|step|thing)|what\s+you\s+(?:just\s+)?did"
    r"|the\s+change|last))?",
    r"(?:oops[\s,!]*)?(?:take\s+that\s+back|cancel\s+that|put\s+it\s+back(?:\s+the\s+way\s+it\s+was)?"
    r"|change\s+it\s+back|never\s*mind,?\s+undo(?:\s+(?:it|that))?)",
)

CHOOSE = rule(
    rf"(?:(?:the\s+)?one\s+with\s+(?:the\s+)?)?(?P<ref>{NUMBER})(?:\s+one)?",
    lambda match, message: ChooseTask(int(re.findall(r"\d+", match["ref"])[-1])),
)
