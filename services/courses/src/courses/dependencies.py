"""Who may do what in courses, and which records each person sees.

- Course coordinators run the courses of their team (recorded when a course is created)
  and the ones they created: they see who takes part and who waits, and withdraw
  enrolments. Other teams' participants are not theirs to see.
- Caseworkers read the catalogue and enrol the people of the households in their care
  (their teams'; a team lead's: every team's); they do not see other people's
  participation nor withdraw enrolments, which stay with the coordinators.
- Partner agencies (course providers, welfare associations, job centre) read the
  catalogue only: seats, free seats and waitlist length, no person.
- Administrators administer; they read no participants unless also given a course role.
"""

from __future__ import annotations

from typing import Annotated

from sqlalchemy import ColumnElement, or_, select
from teilhabe.auth import Principal, Role, require_roles
from teilhabe.scope import RecordScope

from courses.models import (
    Course,
    CourseSession,
    Enrollment,
    Guest,
    Person,
    SchoolPlaceRequest,
    SeatOffer,
)

CourseManagers = Annotated[Principal, require_roles(Role.COURSE_COORDINATOR)]
Enrollers = Annotated[Principal, require_roles(Role.COURSE_COORDINATOR, Role.CASEWORKER)]
CatalogueReaders = Annotated[
    Principal,
    require_roles(Role.COURSE_COORDINATOR, Role.CASEWORKER, Role.AGENCY),
]


def _runs(principal: Principal) -> ColumnElement[bool]:
    return or_(Course.created_by == principal.subject, Course.team.in_(sorted(principal.teams)))


def _coordinates(principal: Principal) -> ColumnElement[bool] | bool:
    if not principal.has_any_role(Role.COURSE_COORDINATOR):
        return False
    return _runs(principal)


def _offered(principal: Principal) -> bool:
    # The catalogue holds no person: everyone admitted to it sees every offer.
    return principal.has_any_role(Role.COURSE_COORDINATOR, Role.CASEWORKER, Role.AGENCY)


def _may_enrol(principal: Principal) -> ColumnElement[bool] | bool:
    if principal.has_any_role(Role.COURSE_COORDINATOR):
        return True  # coordinators fill their courses from every allocated household
    if not principal.has_any_role(Role.CASEWORKER):
        return False
    if principal.has_any_role(Role.TEAM_LEAD):
        return True
    return Person.team.in_(sorted(principal.teams))


def _in_own_courses(principal: Principal) -> ColumnElement[bool] | bool:
    if not principal.has_any_role(Role.COURSE_COORDINATOR):
        return False
    return Enrollment.course_id.in_(select(Course.id).where(_runs(principal)))


# A course with its participants and waitlist: its coordinator's.
COURSES_RUN = RecordScope(Course, resource="course", rule=_coordinates)
# A course as the catalogue shows it (counts, no person).
OFFERS = RecordScope(Course, resource="course", rule=_offered)
# The people one may look up by allocation notice and enrol.
PEOPLE = RecordScope(Person, resource="person", rule=_may_enrol)
ENROLLMENTS = RecordScope(Enrollment, resource="enrollment", rule=_in_own_courses)


def _session_of_own_course(principal: Principal) -> ColumnElement[bool] | bool:
    if not principal.has_any_role(Role.COURSE_COORDINATOR):
        return False
    return CourseSession.course_id.in_(select(Course.id).where(_runs(principal)))


# A session of a course and its attendance: the course's coordinators'.
SESSIONS = RecordScope(CourseSession, resource="course_session", rule=_session_of_own_course)


def _guest_of_own_course(principal: Principal) -> ColumnElement[bool] | bool:
    if not principal.has_any_role(Role.COURSE_COORDINATOR):
        return False
    return Guest.course_id.in_(select(Course.id).where(_runs(principal)))


# A guest of an offer (a local, a volunteer): the offer's coordinators' only.
GUESTS = RecordScope(Guest, resource="guest", rule=_guest_of_own_course)


def _seat_offer_to_answer(principal: Principal) -> ColumnElement[bool] | bool:
    """The course's coordinators, and the caseworkers of the person it is offered to."""
    rules: list[ColumnElement[bool]] = []
    if principal.has_any_role(Role.COURSE_COORDINATOR):
        rules.append(SeatOffer.course_id.in_(select(Course.id).where(_runs(principal))))
    if principal.has_any_role(Role.CASEWORKER):
        if principal.has_any_role(Role.TEAM_LEAD):
            return True
        rules.append(
            SeatOffer.member_id.in_(
                select(Person.member_id).where(Person.team.in_(sorted(principal.teams)))
            )
        )
    return or_(*rules) if rules else False


# A seat offer: answered by the course's coordinators or, on the person's behalf, by their
# caseworkers.
SEAT_OFFERS = RecordScope(SeatOffer, resource="seat_offer", rule=_seat_offer_to_answer)


def _school_place_request(principal: Principal) -> ColumnElement[bool] | bool:
    """Coordinators find places for every allocated child (as they enrol every allocated
    person); a household's caseworkers (a team lead: every team's) follow their children's
    requests."""
    if principal.has_any_role(Role.COURSE_COORDINATOR):
        return True
    if not principal.has_any_role(Role.CASEWORKER):
        return False
    if principal.has_any_role(Role.TEAM_LEAD):
        return True
    return SchoolPlaceRequest.household_id.in_(
        select(Person.household_id).where(Person.team.in_(sorted(principal.teams)))
    )


# A child's school-place request: recorded by coordinators, followed by caseworkers.
SCHOOL_PLACES = RecordScope(
    SchoolPlaceRequest, resource="school_place_request", rule=_school_place_request
)
