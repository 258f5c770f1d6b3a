"""Making and checking key strings. The clear key exists only in the response that creates it."""

import hashlib
import secrets

KEY_PREFIX = "odk_"
PREFIX_LENGTH = 12


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:PREFIX_LENGTH]
