"""Who may do what in courses.

- Course coordinators and administrators manage the offers and everyone's enrolments:
  they create courses, see who takes part and who waits, and withdraw enrolments.
- Caseworkers read the catalogue and enrol the people of their households; they do not
  see other people's participation (course detail) nor withdraw enrolments, which stay
  with the coordinators who run the waitlists.
- Partner agencies (course providers, welfare associations, job centre) read the
  catalogue only: seats, free seats and waitlist length, no person.
"""

from __future__ import annotations

from typing import Annotated

from teilhabe.auth import Principal, Role, require_roles

CourseManagers = Annotated[Principal, require_roles(Role.COURSE_COORDINATOR, Role.ADMIN)]

Enrollers = Annotated[
    Principal, require_roles(Role.COURSE_COORDINATOR, Role.ADMIN, Role.CASEWORKER)
]

CatalogueReaders = Annotated[
    Principal,
    require_roles(Role.COURSE_COORDINATOR, Role.ADMIN, Role.CASEWORKER, Role.AGENCY),
]
