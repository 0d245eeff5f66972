"""Passwords and certificate passphrases: the OS keyring, and nowhere else.

The only module that imports keyring. With no secure backend, a secret is kept in memory for
this session only (never written anywhere) and `secure` says so.
"""

from __future__ import annotations

import contextlib

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

SERVICE = "besace"
PLAINTEXT_BACKENDS = ("plaintext", "fail", "null", "uncrypted", "envvar")


def _backend_is_secure(backend: KeyringBackend) -> bool:
    try:
        priority = float(backend.priority)
    except Exception:  # a backend that cannot even say its priority is not usable
        return False
    name = f"{type(backend).__module__}.{type(backend).__name__}".lower()
    if any(word in name for word in PLAINTEXT_BACKENDS):
        return False
    if name.endswith("chainerbackend"):
        return any(_backend_is_secure(b) for b in getattr(backend, "backends", []))
    return priority > 0


def _key(server: str, kind: str) -> str:
    return f"server:{server}:{kind}"


class Credentials:
    """Secrets per server: `kind` is "password" (As@lae) or "passphrase" (certificate)."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend or keyring.get_keyring()
        self.secure = _backend_is_secure(self._backend)
        self._memory: dict[str, str] = {}

    def get(self, server: str, kind: str) -> str | None:
        key = _key(server, kind)
        if key in self._memory:
            return self._memory[key]
        if not self.secure:
            return None
        try:
            return self._backend.get_password(SERVICE, key)
        except keyring.errors.KeyringError:
            return None

    def set(self, server: str, kind: str, secret: str) -> bool:
        """Store the secret; False when it is only kept in memory for this session."""
        key = _key(server, kind)
        if self.secure:
            try:
                self._backend.set_password(SERVICE, key, secret)
                self._memory.pop(key, None)
                return True
            except keyring.errors.KeyringError:
                self.secure = False
        self._memory[key] = secret
        return False

    def remember(self, server: str, kind: str, secret: str) -> None:
        """Keep a secret typed for this session only."""
        self._memory[_key(server, kind)] = secret

    def delete(self, server: str) -> None:
        for kind in ("password", "passphrase"):
            key = _key(server, kind)
            self._memory.pop(key, None)
            if self.secure:
                with contextlib.suppress(keyring.errors.KeyringError):
                    self._backend.delete_password(SERVICE, key)
