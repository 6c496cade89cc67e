"""Where the development provider answers: Keycloak's paths for realm `teilhabe`."""

from __future__ import annotations

REALM = "teilhabe"
REALM_PATH = f"/realms/{REALM}"
DISCOVERY_PATH = f"{REALM_PATH}/.well-known/openid-configuration"
JWKS_PATH = f"{REALM_PATH}/protocol/openid-connect/certs"
AUTHORIZE_PATH = f"{REALM_PATH}/protocol/openid-connect/auth"
# The OAuth token endpoint (form-encoded, authorization code grant), as in Keycloak.
OIDC_TOKEN_PATH = f"{REALM_PATH}/protocol/openid-connect/token"
LOGOUT_PATH = f"{REALM_PATH}/protocol/openid-connect/logout"
# The provider's own JSON endpoint handing out any token on request (curl, tests).
TOKEN_PATH = f"{REALM_PATH}/dev/token"
