"""Why a request could not be authenticated."""

from __future__ import annotations


class AuthenticationError(Exception):
    """The bearer token is missing, malformed, or fails validation.

    `reason` is safe to show to the caller: it names the failed check, never key
    material or claim values.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SigningKeysUnavailableError(Exception):
    """The identity provider's keys could not be fetched.

    Kept apart from `AuthenticationError` because the token may well be valid: the
    caller should retry, not log in again.
    """
