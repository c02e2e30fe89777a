"""Password hashing with argon2id (argon2-cffi), with a dummy hash for unknown identifiers."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from msp_portal.settings import Argon2Params


class Argon2Hasher:
    """argon2id with the given cost; verifies hashes made with any earlier parameters."""

    def __init__(self, params: Argon2Params | None = None) -> None:
        self.params = params or Argon2Params()
        self._argon2 = _Argon2(
            time_cost=self.params.time_cost,
            memory_cost=self.params.memory_kib,
            parallelism=self.params.parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        # Checked against when the identifier is unknown, so that the answer takes as long.
        self._dummy = self._argon2.hash(secrets.token_urlsafe(24))

    def hash(self, password: str) -> str:
        """Hash ``password`` with the current parameters."""
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches; a malformed hash is a mismatch, never an exception."""
        try:
            return self._argon2.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""
        try:
            return self._argon2.check_needs_rehash(password_hash)
        except (InvalidHashError, ValueError):
            return True

    def verify_dummy(self, password: str) -> None:
        """Spend one real verification on a hash no password matches."""
        self.verify(self._dummy, password)
