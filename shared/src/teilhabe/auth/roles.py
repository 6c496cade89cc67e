"""Roles a person can hold in the city's identity provider."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Realm roles as named in the identity provider.

    The values are the exact role names configured in the realm, so a rename there is a
    breaking change here.
    """

    CASEWORKER = "caseworker"
    HOUSING_OFFICER = "housing_officer"
    COURSE_COORDINATOR = "course_coordinator"
    VOLUNTEER_COORDINATOR = "volunteer_coordinator"
    VOLUNTEER = "volunteer"
    AGENCY = "agency"
    ADMIN = "admin"
    TEAM_LEAD = "team_lead"  # sees the cases of every team, besides a case role
    DATA_PROTECTION = "data_protection"  # reads the audit trail; no case data by itself
