"""Signing keys of the development identity provider."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from jwt.utils import base64url_encode

# Standard logging, which writes to stderr: the CLI's stdout carries only the token.
log = logging.getLogger(__name__)

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

KEY_FILE_ENV = "DEV_OIDC_KEY_FILE"
DEFAULT_KEY_FILE = Path(".dev/oidc/signing-key.pem")
_RSA_KEY_BITS = 2048
# RFC 7638: the members that identify a key of each type.
_THUMBPRINT_MEMBERS = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y")}


@dataclass(frozen=True)
class SigningKey:
    """A private key with the `kid` and algorithm tokens signed by it announce."""

    private_key: PrivateKey
    kid: str
    algorithm: str

    @classmethod
    def from_private_key(cls, private_key: PrivateKey, *, kid: str | None = None) -> SigningKey:
        if isinstance(private_key, rsa.RSAPrivateKey):
            if private_key.key_size < _RSA_KEY_BITS:
                raise ValueError(f"RSA signing keys need at least {_RSA_KEY_BITS} bits")
            algorithm = "RS256"
        elif isinstance(private_key.curve, ec.SECP256R1):
            algorithm = "ES256"
        else:
            raise ValueError(f"unsupported elliptic curve {private_key.curve.name}; use P-256")
        jwk = _public_members(private_key)
        return cls(private_key=private_key, kid=kid or thumbprint(jwk), algorithm=algorithm)

    @classmethod
    def generate(cls, kind: Literal["RSA", "EC"] = "RSA") -> SigningKey:
        # RSA/RS256 by default because that is what a Keycloak realm signs with.
        if kind == "RSA":
            return cls.from_private_key(
                rsa.generate_private_key(public_exponent=65537, key_size=_RSA_KEY_BITS)
            )
        return cls.from_private_key(ec.generate_private_key(ec.SECP256R1()))

    def public_jwk(self) -> dict[str, str]:
        """The public half as published in the JWKS."""
        return {
            **_public_members(self.private_key),
            "kid": self.kid,
            "alg": self.algorithm,
            "use": "sig",
        }

    def public_pem(self) -> str:
        return (
            self.private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode("ascii")
        )

    def private_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint; a stable `kid` that survives provider restarts."""
    members = _THUMBPRINT_MEMBERS[str(jwk["kty"])]
    canonical = json.dumps(
        {name: jwk[name] for name in members}, separators=(",", ":"), sort_keys=True
    )
    return base64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest()).decode("ascii")


def _public_members(private_key: PrivateKey) -> dict[str, str]:
    public_key = private_key.public_key()
    if isinstance(public_key, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    else:
        jwk = ECAlgorithm.to_jwk(public_key, as_dict=True)
    return {name: str(jwk[name]) for name in _THUMBPRINT_MEMBERS[str(jwk["kty"])]}


def default_key_file() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE)


def load_or_create_key(path: Path) -> SigningKey:
    """The key stored at `path`, generating and storing one (mode 0600) if there is none.

    Keeping the key on disk lets tokens minted by the CLI stay valid across provider
    restarts, and lets several local processes share one provider identity.
    """
    try:
        return _load_key(path)
    except FileNotFoundError:
        pass
    key = SigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # O_EXCL: if another process won the race, its key is the one everybody uses.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _load_key(path)
    with os.fdopen(fd, "wb") as file:
        file.write(key.private_pem())
    log.info("created development signing key %s (kid %s)", path, key.kid)
    return key


def _load_key(path: Path) -> SigningKey:
    data = path.read_bytes()
    if path.stat().st_mode & 0o077:
        log.warning("signing key file %s is readable by other users", path)
    private_key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError(f"{path} holds neither an RSA nor an EC private key")
    return SigningKey.from_private_key(private_key)


class KeyRing:
    """Keys the provider publishes, and the one it currently signs with.

    Publishing a key before signing with it, and keeping the old one published after a
    rotation, is how a real provider rotates without invalidating tokens in flight.
    """

    def __init__(self, signing_key: SigningKey) -> None:
        self._signing_key = signing_key
        self._published: tuple[SigningKey, ...] = (signing_key,)

    @classmethod
    def from_file(cls, path: Path) -> KeyRing:
        return cls(load_or_create_key(path))

    @property
    def signing_key(self) -> SigningKey:
        return self._signing_key

    @property
    def published(self) -> tuple[SigningKey, ...]:
        return self._published

    def publish(self, key: SigningKey) -> None:
        if all(existing.kid != key.kid for existing in self._published):
            # Replaced as a whole so a server thread reading it never sees a half update.
            self._published = (*self._published, key)

    def rotate(self, key: SigningKey) -> None:
        """Publish `key` and sign with it from now on; older keys stay published."""
        self.publish(key)
        self._signing_key = key

    def withdraw(self, kid: str) -> None:
        if kid == self._signing_key.kid:
            raise ValueError("cannot withdraw the key currently signing")
        self._published = tuple(key for key in self._published if key.kid != kid)

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.public_jwk() for key in self._published]}
