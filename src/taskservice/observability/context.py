"""What the access log learns about a request while it is answered: who asked.

The HTTP middleware puts a fresh :class:`RequestNote` in a context variable for each
request; the API-key check (every front door's) writes the user into it. A mutable
note rather than a variable set by the check: a value set in a task the request starts
would not be seen by the middleware, a change to a shared object is.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class RequestNote:
    user_id: int | None = None


request_note: ContextVar[RequestNote | None] = ContextVar("request_note", default=None)


def note_user(user_id: int | None) -> None:
    """The request being answered is this user's."""
    note = request_note.get()
    if note is not None:
        note.user_id = user_id


def current_user_id() -> int | None:
    note = request_note.get()
    return None if note is None else note.user_id
