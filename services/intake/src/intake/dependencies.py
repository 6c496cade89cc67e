"""Who may do what in intake."""

from __future__ import annotations

from typing import Annotated

from teilhabe.auth import Principal, Role, require_roles

# Social care data: caseworkers and administrators only, until team scopes exist.
SocialCareStaff = Annotated[Principal, require_roles(Role.CASEWORKER, Role.ADMIN)]
