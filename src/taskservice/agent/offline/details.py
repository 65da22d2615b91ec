"""The grammar's rules for a task's tags and description."""

import re

from taskservice.agent.offline.intents import (
    AddTags,
    Intent,
    RemoveTags,
    SetDescription,
)
from taskservice.agent.offline.rules import Message, parse_tags, rules

_NOT_TAGS = {"all", "every", "any", "the", "tags", "tag", "labels", "label"}


def _tags(match: re.Match[str]) -> tuple[str, ...] | None:
    tags = parse_tags(match["tags"])
    return tags if tags and not _NOT_TAGS & set(tags) else None


def _add_tags(match: re.Match[str], message: Message) -> Intent | None:
    tags = _tags(match)
    return AddTags(message.ref(match["ref"]), tags) if tags else None


def _remove_tags(match: re.Match[str], message: Message) -> Intent | None:
    tags = _tags(match)
    return RemoveTags(message.ref(match["ref"]), tags) if tags else None


def _describe(match: re.Match[str], message: Message) -> Intent | None:
    text = message.restore(match["text"])
    return SetDescription(message.ref(match["ref"]), text) if text else None


_HASHTAGS = r"(?P<tags>#\S+(?:(?:\s*,\s*|\s+and\s+|\s+)#\S+)*)"
_TAG_WORD = r"(?:tags?|labels?)"
_FROM = r"(?:from|off(?:\s+of)?|on)"
_TAKE = r"(?:remove|delete|drop|take|strip|clear|untag)"

TAGS = [
    *rules(
        _add_tags,
        rf"(?:tag|label)\s+{{SREF}}\s+(?:with\s+|as\s+)?(?:the\s+)?(?:{_TAG_WORD}\s+)?(?P<tags>.+)",
        rf"(?:tag|label)\s+{{REF}}\s+(?:(?:with|as)\s+(?:the\s+)?(?:{_TAG_WORD}\s+)?"
        rf"|(?:the\s+)?{_TAG_WORD}\s+|(?=#))(?P<tags>.+)",
        rf"add\s+(?:the\s+)?{_TAG_WORD}\s+(?P<tags>.+?)\s+(?:to|on)\s+{{REF}}",
        rf"add\s+(?:the\s+)?(?P<tags>.+?)\s+{_TAG_WORD}\s+(?:to|on)\s+{{REF}}",
        rf"add\s+{_HASHTAGS}\s+to\s+{{REF}}",
    ),
    *rules(
        _remove_tags,
        rf"{_TAKE}\s+(?:the\s+)?{_TAG_WORD}\s+(?P<tags>.+?)\s+{_FROM}\s+{{REF}}",
        rf"{_TAKE}\s+(?:the\s+)?(?P<tags>.+?)\s+{_TAG_WORD}\s+{_FROM}\s+{{REF}}",
        rf"{_TAKE}\s+{_HASHTAGS}\s+{_FROM}\s+{{REF}}",
        r"untag\s+{SREF}\s+(?:from\s+)?(?P<tags>.+)",
        rf"untag\s+{{REF}}\s+(?:from\s+)?{_HASHTAGS}",
        rf"{{REF}}\s+(?:is\s+)?(?:no\s+longer|not)\s+(?:tagged\s+)?{_HASHTAGS}(?:\s+any\s*more)?",
    ),
]

_DESCRIPTION = r"(?:description|details|notes?)"
_TEXT = r"(?P<text>\S.*)"

DESCRIPTION = [
    *rules(
        _describe,
        rf"(?:add|set|write|put|give)\s+(?:an?\s+|the\s+)?(?:description|details)\s+"
        rf"(?:to|for|on)\s+{{REF}}\s*(?:[:\-]|,|\s+(?:saying|that\s+says|reading))\s*{_TEXT}",
        r"(?:add|set|write|put|give)\s+(?:an?\s+|the\s+)?(?:description|details)\s+(?:to|for|on)"
        r"\s+{REF}\s+(?P<text>[\ue000-\ue0ff])",
        rf"(?:set|change|update|make)\s+(?:the\s+)?{_DESCRIPTION}\s+(?:of|for|on)\s+{{REF}}"
        rf"\s+(?:to|as)\s*:?\s+{_TEXT}",
        rf"(?:set|change|update|make)\s+{{REF}}(?:'s)?\s+{_DESCRIPTION}\s+(?:to|as)\s*:?\s+{_TEXT}",
        rf"describe\s+{{REF}}\s+as\s*:?\s+{_TEXT}",
        rf"{{REF}}(?:'s)?\s+description\s+(?:is|should\s+be|reads)\s*:?\s+{_TEXT}",
    ),
    *rules(
        lambda match, message: SetDescription(message.ref(match["ref"]), None),
        rf"(?:remove|clear|delete|drop|erase|reset)\s+(?:the\s+)?{_DESCRIPTION}\s+(?:of|from|for"
        rf"|on)\s+{{REF}}",
        rf"(?:remove|clear|delete|drop|erase|reset)\s+{{REF}}(?:'s)?\s+{_DESCRIPTION}",
    ),
]
