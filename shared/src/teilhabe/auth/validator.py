"""Offline validation of the identity provider's access tokens."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import jwt

from teilhabe.auth.errors import AuthenticationError
from teilhabe.auth.jwks import JwksCache
from teilhabe.auth.principal import DEFAULT_TEAMS_CLAIM, Principal
from teilhabe.auth.token_cache import DEFAULT_MAX_ENTRIES, VerifiedTokens
from teilhabe.config import ServiceSettings

# Only algorithms whose verification key can be public. HS* would let anyone holding the
# published key forge tokens; `none` needs no key at all.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
DEFAULT_LEEWAY_SECONDS = 30.0
# Far above any real access token; bounds the work an anonymous caller can cause.
MAX_TOKEN_LENGTH = 16 * 1024
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class TokenValidator:
    """Turns a bearer token into a `Principal` or raises `AuthenticationError`."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        algorithms: Iterable[str],
        keys: JwksCache,
        leeway: float = DEFAULT_LEEWAY_SECONDS,
        teams_claim: str = DEFAULT_TEAMS_CLAIM,
        verified_tokens: VerifiedTokens | None = None,
    ) -> None:
        accepted = tuple(algorithms)
        if not accepted:
            raise ValueError("at least one signature algorithm must be accepted")
        unsafe = sorted(set(accepted) - ASYMMETRIC_ALGORITHMS)
        if unsafe:
            # Refuse to start rather than silently dropping them: a misconfiguration here
            # is a security decision someone should look at.
            raise ValueError(f"signature algorithms not allowed for access tokens: {unsafe}")
        self._issuer = issuer
        self._audience = audience
        self._algorithms = accepted
        self._keys = keys
        self._leeway = leeway
        self._teams_claim = teams_claim
        self._verified = verified_tokens if verified_tokens is not None else VerifiedTokens()

    @classmethod
    def from_settings(
        cls,
        settings: ServiceSettings,
        *,
        client: httpx.AsyncClient | None = None,
        leeway: float = DEFAULT_LEEWAY_SECONDS,
        min_refresh_interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        cached_tokens: int = DEFAULT_MAX_ENTRIES,
    ) -> TokenValidator:
        keys = JwksCache(
            settings.oidc_jwks_url,
            client=client,
            min_refresh_interval=min_refresh_interval,
            clock=clock,
        )
        return cls(
            issuer=settings.oidc_issuer,
            audience=settings.oidc_audience,
            algorithms=settings.oidc_algorithms,
            keys=keys,
            leeway=leeway,
            teams_claim=settings.oidc_teams_claim,
            verified_tokens=VerifiedTokens(max_entries=cached_tokens, clock=wall_clock),
        )

    @property
    def algorithms(self) -> tuple[str, ...]:
        return self._algorithms

    async def authenticate(self, token: str) -> Principal:
        """The principal of `token`, verified once and then remembered until it expires."""
        key = self._verified.key(token)
        principal = self._verified.get(key)
        if principal is not None:
            return principal
        claims = await self.validate(token)
        try:
            principal = Principal.from_claims(claims, teams_claim=self._teams_claim)
        except ValueError as exc:
            raise AuthenticationError(str(exc)) from exc
        self._verified.put(key, principal, float(claims["exp"]))
        return principal

    async def validate(self, token: str) -> dict[str, Any]:
        """Verified claims of `token`.

        Raises `AuthenticationError`, or `SigningKeysUnavailableError` when the provider's
        keys cannot be fetched.
        """
        key = await self._signing_key(token)
        claims = self._decode(token, key)
        # Keycloak marks ID and refresh tokens through `typ`; only access tokens grant
        # access, even though an ID token may carry the same audience.
        token_type = claims.get("typ")
        if token_type is not None and str(token_type).lower() != "bearer":
            raise AuthenticationError("not an access token")
        return claims

    async def validate_logout_token(self, token: str, *, client_id: str) -> dict[str, Any]:
        """Verified claims of an OIDC back-channel logout token sent to `client_id`.

        OpenID Connect Back-Channel Logout 1.0 §2.6: signed by the provider, for this
        client, with the logout event, a `sid` or `sub`, and no `nonce`.
        """
        key = await self._signing_key(token)
        claims = self._decode(
            token, key, audience=client_id, required=["iat", "iss", "aud", "jti", "events"]
        )
        events = claims.get("events")
        if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
            raise AuthenticationError("not a logout token")
        if "nonce" in claims:
            raise AuthenticationError("a logout token carries no nonce")
        if not (isinstance(claims.get("sid"), str) or isinstance(claims.get("sub"), str)):
            raise AuthenticationError("a logout token names a session or a subject")
        return claims

    async def _signing_key(self, token: str) -> jwt.PyJWK:
        if len(token) > MAX_TOKEN_LENGTH:
            raise AuthenticationError("token too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise AuthenticationError("malformed token") from exc
        # Checked before any key lookup so that tokens which can never pass do not cause
        # requests to the provider.
        if header.get("alg") not in self._algorithms:
            raise AuthenticationError("token signature algorithm not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthenticationError("token has no key id")
        key = await self._keys.get(kid)
        if key is None:
            raise AuthenticationError("token signed with an unknown key")
        return key

    def _decode(
        self,
        token: str,
        key: jwt.PyJWK,
        *,
        audience: str | None = None,
        required: list[str] = _REQUIRED_CLAIMS,
    ) -> dict[str, Any]:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=list(self._algorithms),
                audience=audience or self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": required},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("token expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthenticationError("token not yet valid") from exc
        except jwt.InvalidAudienceError as exc:
            raise AuthenticationError("token not issued for this audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthenticationError("token from an untrusted issuer") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f"token lacks the '{exc.claim}' claim") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthenticationError("token signature invalid") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise AuthenticationError("token signature algorithm not accepted") from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError("invalid token") from exc

    async def aclose(self) -> None:
        await self._keys.aclose()
