"""The tools of the product and who finds them in the navigation.

The roles here only decide which links a person sees; each tool still checks every
request itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from teilhabe.auth import Principal, Role
from teilhabe.ui.i18n import N_
from teilhabe.ui.settings import UiSettings


@dataclass(frozen=True)
class Tool:
    name: str
    title: str  # message id
    roles: frozenset[Role]


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        # The data-protection officer: the erasure requests, kept by intake.
        Tool(
            "intake",
            N_("Allocation and care"),
            frozenset({Role.CASEWORKER, Role.ADMIN, Role.DATA_PROTECTION}),
        ),
        Tool("housing", N_("Accommodation"), frozenset({Role.HOUSING_OFFICER, Role.ADMIN})),
        # Caseworkers: their people's work and their children's school and Kita places.
        Tool(
            "courses",
            N_("Language and education"),
            frozenset({Role.COURSE_COORDINATOR, Role.CASEWORKER, Role.ADMIN}),
        ),
        Tool(
            "volunteers",
            N_("Volunteering"),
            frozenset({Role.VOLUNTEER_COORDINATOR, Role.VOLUNTEER, Role.ADMIN}),
        ),
        Tool("notifications", N_("Notifications"), frozenset(Role)),
    )
}

ROLE_TITLES: dict[Role, str] = {
    Role.CASEWORKER: N_("Caseworker"),
    Role.HOUSING_OFFICER: N_("Housing officer"),
    Role.COURSE_COORDINATOR: N_("Course coordinator"),
    Role.VOLUNTEER_COORDINATOR: N_("Volunteer coordinator"),
    Role.VOLUNTEER: N_("Volunteer"),
    Role.AGENCY: N_("Partner agency"),
    Role.ADMIN: N_("Administrator"),
    Role.TEAM_LEAD: N_("Team lead"),
    Role.DATA_PROTECTION: N_("Data protection officer"),
}


@dataclass(frozen=True)
class NavLink:
    title: str  # message id
    url: str
    current: bool


@dataclass(frozen=True)
class Section:
    """A page of a tool listed in its own navigation: route name, title, who sees it.

    Without `roles`, everyone who may use the tool sees the link; with them, only those
    holding one (a volunteer's own page, an administrator's log).
    """

    name: str
    title: str  # message id
    roles: frozenset[Role] = frozenset()

    def offered_to(self, principal: Principal) -> bool:
        return not self.roles or principal.has_any_role(*self.roles)


def tool_links(settings: UiSettings, current: str, principal: Principal | None) -> list[NavLink]:
    """Links to the tools the signed-in person may use; none before sign-in."""
    if principal is None:
        return []
    names = [*settings.tools, *([current] if current not in settings.tools else [])]
    return [
        NavLink(TOOLS[name].title, settings.tool_url(name), name == current)
        for name in names
        if name in TOOLS and principal.has_any_role(*TOOLS[name].roles)
    ]
