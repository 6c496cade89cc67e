"""What volunteers' page modules share: who may open them, labels and messages, and the
tool's page rendering (weekdays by name)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, time
from typing import Annotated, Any

from fastapi import Request
from fastapi.responses import Response
from teilhabe import clock, ui
from teilhabe.auth import Principal

from volunteers.dependencies import Coordinator, CoordinatorOrVolunteer, SignedInVolunteer
from volunteers.domain import Weekday
from volunteers.schemas import MatchOut

# The pages admit exactly whom the API admits for the same action.
Staff = Annotated[Principal, ui.page_roles(*ui.api_roles(Coordinator))]
# The start page: the registry for coordinators, a way to their own page for volunteers.
StaffOrVolunteer = Annotated[Principal, ui.page_roles(*ui.api_roles(CoordinatorOrVolunteer))]
OwnVolunteer = Annotated[Principal, ui.page_roles(*ui.api_roles(SignedInVolunteer))]

PAGE_SIZE = 25
# Where the model's errors of a shift's or a request's hours are shown: the typed fields.
HOURS_FIELDS = {"starts_at": "starts", "ends_at": "ends"}
TIME_FORMAT = ui.N_("Please enter a time as HH:MM, for example 08:30.")

WEEKDAY_LABELS = {
    Weekday.MON: ui.N_("Monday"),
    Weekday.TUE: ui.N_("Tuesday"),
    Weekday.WED: ui.N_("Wednesday"),
    Weekday.THU: ui.N_("Thursday"),
    Weekday.FRI: ui.N_("Friday"),
    Weekday.SAT: ui.N_("Saturday"),
    Weekday.SUN: ui.N_("Sunday"),
}
FIELD_LABELS = {
    "display_name": ui.N_("Name"),
    "email": ui.N_("E-mail address"),
    "phone": ui.N_("Phone"),
    "preferred_language": ui.N_("Language for messages"),
    "languages": ui.N_("Languages spoken"),
    "skills": ui.N_("Skills and interests"),
    "available_weekdays": ui.N_("Usually available on"),
    "availability_note": ui.N_("Note on availability"),
    "postcode": ui.N_("Postcode"),
    "subject": ui.N_("User name"),
    "inspected_on": ui.N_("Inspected on"),
    "issued_on": ui.N_("Date of the certificate"),
    "relevant_conviction": ui.N_("Relevant conviction (§ 72a para. 1 SGB VIII)"),
    "allocation_notice_number": ui.N_("Household (allocation notice number)"),
    "started_on": ui.N_("Mentorship starts on"),
    "volunteer_id": ui.N_("Mentor"),
    "ended_on": ui.N_("Mentorship ends on"),
    "language": ui.N_("Language"),
    "skill": ui.N_("Skill"),
    "q": ui.N_("Allocation notice number"),
}
# The rules' own messages (volunteers.domain, volunteers.service), for the catalogue.
RULE_MESSAGES = (
    ui.N_("the inspection date lies in the future"),
    ui.N_("the certificate cannot be issued after its inspection"),
    ui.N_(
        "the certificate was more than 3 months old when it was inspected; a newer one is needed"
    ),
    ui.N_("a mentorship cannot end before it started"),
    ui.N_("no volunteer with this id"),
    ui.N_(
        "no household with this id is known here yet: households arrive with intake's"
        " household.assigned event, which may not have been received yet; try again"
        " shortly, or check the id"
    ),
)


async def page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    section: str,
    errors: ui.FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    """A page of this tool, with what its templates need to name the days."""
    return await ui.render(
        request,
        template,
        {**context, "weekday_labels": WEEKDAY_LABELS},
        section=section,
        errors=errors,
        status_code=status_code,
    )


def end_key(match_id: uuid.UUID) -> str:
    """The end date's field of one mentorship; each has its own form on the page."""
    return f"ended_on-{match_id}"


def labels(page_texts: ui.Texts, matches: Sequence[MatchOut] = ()) -> dict[str, str]:
    """Field key → label, for the list of errors above a form."""
    found = ui.field_labels(FIELD_LABELS, page_texts)
    for match in matches:
        found[end_key(match.id)] = found["ended_on"]
    return found


def moved(errors: ui.FormErrors, key: str, to: str) -> ui.FormErrors:
    """The errors with `key`'s message under the form's own field `to`."""
    return {to if name == key else name: message for name, message in errors.items()}


def put_hours(form: ui.FormAction, data: dict[str, Any], values: Mapping[str, str]) -> None:
    """A shift's or a request's day and hours, typed in `day`, `starts` and `ends`, into
    `data` as `starts_at` and `ends_at` (a time in the city, kept in UTC); what is wrong
    stands at the field it was typed in (`HOURS_FIELDS` moves the model's errors there)."""
    day: dict[str, Any] = {}
    form.put_date(day, "day", values["day"])
    times: dict[str, time] = {}
    for name in ("starts", "ends"):
        form.put_time(times, name, values[name], message=TIME_FORMAT)
        if name in times and "day" in day:
            data[f"{name}_at"] = clock.on_day(day["day"], times[name]).astimezone(UTC)
