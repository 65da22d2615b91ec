"""API keys: 256 random bits, shown once, stored as a SHA-256 digest.

A fast digest is the right tool here (unlike for passwords): the key is a
uniformly random 256-bit secret, so there is nothing to brute-force, and the
digest can be looked up through a unique index in one query.
"""

import hashlib
import secrets

KEY_PREFIX = "ts_"


def generate_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """Enough of the key to tell keys apart in a listing, too little to matter."""
    return key[:8]
