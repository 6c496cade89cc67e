"""Who may do what in housing."""

from __future__ import annotations

from typing import Annotated

from teilhabe.auth import Principal, Role, require_roles

HousingStaff = Annotated[Principal, require_roles(Role.HOUSING_OFFICER, Role.ADMIN)]
