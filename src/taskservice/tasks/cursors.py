"""Opaque keyset cursors, signed by the server.

A cursor holds the sort keys of the last row of a page, the sort, and a fingerprint of
the filters, as JSON, followed by an HMAC of that JSON and the owner's id, made with the
server's key (see ``signing``). A cursor the server did not issue for this user is
refused (400 ``invalid-cursor``) on its signature, before any of it is parsed; so is one
issued for another query. Signing rather than validating each decoded value: the check is
one comparison whatever the cursor holds, and it cannot fall behind a new sort column.
"""

import json
from typing import Any

from taskservice.db import Reader
from taskservice.errors import BadRequest
from taskservice.signing import b64decode, b64encode, signing_key, verify
from taskservice.signing import sign as sign_message
from taskservice.tasks.listing import SortOrder, TaskFilters

KEY_NAME = "cursor"


class InvalidCursor(BadRequest):
    slug = "invalid-cursor"


def _signed(owner_id: int, payload: bytes) -> bytes:
    return f"{owner_id}:".encode() + payload


async def encode_cursor(
    db: Reader, owner_id: int, order: SortOrder, filters: TaskFilters, values: list[Any]
) -> str:
    payload = json.dumps(
        {"s": order.spec, "f": filters.fingerprint(), "k": values},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    key = await signing_key(db, KEY_NAME)
    return f"{b64encode(payload)}.{sign_message(key, _signed(owner_id, payload))}"


async def decode_cursor(
    db: Reader, owner_id: int, cursor: str, order: SortOrder, filters: TaskFilters
) -> list[Any]:
    """The sort key values in ``cursor``, once its signature shows the server made it."""
    body, _, signature = cursor.partition(".")
    try:
        payload = b64decode(body)
    except ValueError:
        payload = b""
    key = await signing_key(db, KEY_NAME)
    if not payload or not verify(key, _signed(owner_id, payload), signature):
        raise InvalidCursor("The cursor is not valid: pass `next_cursor` exactly as received.")
    issued = json.loads(payload)
    if issued["s"] != order.spec or issued["f"] != filters.fingerprint():
        raise InvalidCursor(
            "The cursor belongs to a different query; use the same filters and sort."
        )
    values: list[Any] = issued["k"]
    return values
