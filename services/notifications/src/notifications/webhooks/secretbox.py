"""Signing secrets at rest: encrypted with a key of the deployment (Fernet: AES-128-CBC
and HMAC-SHA256). Signing needs the secret itself, so it cannot be stored hashed.

The key is the setting WEBHOOK_SECRETS_KEY; without it, one derived from AUDIT_KEY (HKDF
with its own label, so the two uses never share a key).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_LABEL = b"teilhabe/notifications/webhook-secrets"


class SecretBox:
    def __init__(self, key_material: str) -> None:
        if len(key_material) < 32:
            raise ValueError("the webhook secrets key needs 32 or more characters")
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=hashlib.sha256(_LABEL).digest(),
            info=_LABEL,
        ).derive(key_material.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> bytes:
        return self._fernet.encrypt(secret.encode())

    def open(self, sealed: bytes) -> str:
        return self._fernet.decrypt(sealed).decode()
