"""A short-lived, per-process cache of verified API keys.

Every request is authenticated; without a cache that is one more query on every
request, often as costly as the work the request asks for. A verified key is
remembered for ``ttl_s`` seconds (by its digest, never the key itself), so a key
revoked with ``taskservice users revoke`` stops working within that time in
every worker. Unknown keys are never cached: each one is checked against the
database.
"""

import time
from collections import OrderedDict
from collections.abc import Callable

from taskservice.auth.models import User


class VerifiedKeys:
    def __init__(
        self,
        ttl_s: float,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, User]] = OrderedDict()

    def get(self, key_hash: str) -> User | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        expires_at, user = entry
        if expires_at <= self.clock():
            del self._entries[key_hash]
            return None
        return user

    def put(self, key_hash: str, user: User) -> None:
        if self.ttl_s <= 0:
            return
        self._entries[key_hash] = (self.clock() + self.ttl_s, user)
        self._entries.move_to_end(key_hash)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every verified key (a worker told that keys were revoked)."""
        self._entries.clear()
