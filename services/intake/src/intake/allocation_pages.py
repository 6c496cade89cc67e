"""Staff pages of intake: registering an allocation (Zuweisung erfassen).

One form for the household and any number of members; adding or removing a member's
rows is a step of the form, and every error, of format and of rule, shows in one round.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import InvalidFields
from teilhabe.auth import Principal, Role
from teilhabe.clock import today
from teilhabe.events.households import normalise_notice_number

from intake import domain, service
from intake.domain import ResidenceStatus
from intake.pages import FIELD_LABELS, HINTS, RESIDENCE_LABELS, SEX_LABELS, Staff
from intake.schemas import AllocationIn

router = APIRouter()

MAX_MEMBERS = 30
DEFAULT_AUTHORITY = "Bezirksregierung Arnsberg"

ALLOCATION_FIELDS = (
    "allocation_notice_number",
    "allocated_on",
    "allocating_authority",
    "expected_arrival_on",
    "team",
)
MEMBER_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nationality",
    "languages",
    "residence_status",
    "residence_status_expires_on",
    "special_needs",
)
# The rules' own messages (intake.domain), so that the catalogue translates them.
RULE_MESSAGES = (
    ui.N_("allocation date lies in the future"),
    ui.N_("arrival cannot be before the allocation"),
    ui.N_("date of birth lies in the future"),
    ui.N_("team is not one of your teams"),
    ui.N_("team is required: you belong to no team or to several"),
)
CONFLICTS = {
    "duplicate-allocation": (
        "allocation_notice_number",
        ui.N_("An allocation with this notice number is already registered."),
    ),
}


# --- registering an allocation -------------------------------------------------------


@router.get("/zuweisungen/neu", name="new_allocation")
async def new_allocation(request: Request, principal: Staff) -> Response:
    values: dict[str, Any] = {name: "" for name in ALLOCATION_FIELDS}
    values["allocating_authority"] = DEFAULT_AUTHORITY
    # The one team a caseworker belongs to is the default, as the API has it.
    values["team"] = next(iter(principal.teams)) if len(principal.teams) == 1 else ""
    values["needs_accessible_housing"] = False
    values["members"] = [_blank_member()]
    return await _allocation_page(request, values, principal)


@router.post("/zuweisungen/neu", name="register_allocation")
async def register_allocation(request: Request, session: DbSession, principal: Staff) -> Response:
    form = await ui.FormAction.read(request, session, hints=HINTS, conflicts=CONFLICTS)
    values = _typed_allocation(form)
    action = form.text("action")
    members: list[dict[str, str]] = values["members"]
    # Adding or removing a member's rows is a step of the form, not yet its submission.
    if action == "add_member":
        if len(members) < MAX_MEMBERS:
            members.append(_blank_member())
        return await _allocation_page(
            request, values, principal, focus=f"members-{len(members) - 1}"
        )
    if action.startswith("remove_member-"):
        index = _positive_int(action.removeprefix("remove_member-"), default=-1)
        if 0 <= index < len(members) and len(members) > 1:
            del members[index]
        return await _allocation_page(request, values, principal)

    form.fields = _allocation_fields(len(members))
    allocation, facts = _allocation_request(form, values, today())
    number = normalise_notice_number(values["allocation_notice_number"])
    if not form.ok and number and await service.is_registered(session=session, number=number):
        # Known now, so said now rather than in a second round.
        form.refuse(*CONFLICTS["duplicate-allocation"])
    if allocation is not None:
        registered = await form.call(
            service.register(
                session=session, principal=principal, allocation=allocation, today=today()
            )
        )
        if registered is not None:
            for index in domain.expired_statuses(facts, today()):
                ui.flash(request, _expired_warning(form.texts, index, facts), warning=True)
            return form.done(
                ui.page_path(request, "household", household_id=registered.id),
                form.texts.gettext("Allocation %(number)s is registered.")
                % {"number": registered.allocation_notice_number},
            )
    return await form.again(
        lambda errors: _allocation_page(request, values, principal, errors=errors)
    )


def _expired_warning(page_texts: ui.Texts, index: int, facts: list[domain.MemberFacts]) -> str:
    return page_texts.gettext(
        "Please check: the residence status of member %(number)s expired on %(date)s."
    ) % {
        "number": index + 1,
        "date": ui.format_date(facts[index].residence_status_expires_on, page_texts.locale),
    }


async def _allocation_page(
    request: Request,
    values: dict[str, Any],
    principal: Principal,
    *,
    errors: ui.FormErrors | None = None,
    focus: str | None = None,
) -> Response:
    return await ui.render(
        request,
        "intake/allocation_form.html",
        {
            "values": values,
            "sex_options": ui.options(SEX_LABELS, ui.texts(request)),
            "residence_options": ui.options(RESIDENCE_LABELS, ui.texts(request)),
            "labels": _labels(ui.texts(request), len(values["members"])),
            "max_members": MAX_MEMBERS,
            "focus": focus,
            "team_options": [(team, team) for team in sorted(principal.teams)],
            "names_any_team": principal.has_any_role(Role.TEAM_LEAD),
        },
        section="new_allocation",
        errors=_in_form_order(errors or {}, len(values["members"])),
    )


def _blank_member() -> dict[str, str]:
    return {name: "" for name in MEMBER_FIELDS}


def _typed_allocation(form: ui.FormAction) -> dict[str, Any]:
    """What was typed, as typed, to show it again."""
    rows = min(max(_positive_int(form.text("member_rows"), default=1), 1), MAX_MEMBERS)
    values: dict[str, Any] = form.values(ALLOCATION_FIELDS)
    values["needs_accessible_housing"] = form.text("needs_accessible_housing") == "on"
    values["members"] = [
        {name: form.text(f"members-{index}-{name}") for name in MEMBER_FIELDS}
        for index in range(rows)
    ]
    return values


def _allocation_request(
    form: ui.FormAction, values: dict[str, Any], day: date
) -> tuple[AllocationIn | None, list[domain.MemberFacts]]:
    """The API's request model from the typed values, or None with every error in `form`.

    The rules run on whatever could be read, beside the format errors, so that staff see
    all that is wrong in one round. Also the facts the rules saw, for warnings.
    """
    data: dict[str, Any] = {"needs_accessible_housing": values["needs_accessible_housing"]}
    for name in ("allocation_notice_number", "allocating_authority", "team"):
        if values[name]:
            data[name] = values[name]
    for name, required in (("allocated_on", True), ("expected_arrival_on", False)):
        form.put_date(data, name, values[name], required=required)
    data["members"] = []
    for index, member in enumerate(values["members"]):
        key = f"members-{index}-"
        row: dict[str, Any] = {
            "nationality": member["nationality"].upper(),
            "languages": ui.language_codes(member["languages"]),
            "special_needs": member["special_needs"] or None,
        }
        for name in ("given_name", "family_name"):
            if member[name]:
                row[name] = member[name]
        for name in ("sex", "residence_status"):
            form.put_choice(row, name, member[name], key=key + name)
        for name, required in (("date_of_birth", True), ("residence_status_expires_on", False)):
            form.put_date(row, name, member[name], key=key + name, required=required)
        data["members"].append(row)
    allocation = form.model(AllocationIn, data)
    facts = [
        domain.MemberFacts(
            row.get("date_of_birth"),
            _residence_status(row.get("residence_status")),
            row.get("residence_status_expires_on"),
        )
        for row in data["members"]
    ]
    problems = domain.allocation_problems(
        allocated_on=data.get("allocated_on"),
        expected_arrival_on=data.get("expected_arrival_on"),
        members=facts,
        today=day,
    )
    if problems:
        # A field typed wrongly keeps its own message; the rules add the others.
        form.add_problem(InvalidFields(problems))
    return (allocation if form.ok else None), facts


def _residence_status(value: Any) -> ResidenceStatus | None:
    try:
        return ResidenceStatus(value)
    except ValueError:
        return None


def _allocation_fields(rows: int) -> list[str]:
    fields = [*ALLOCATION_FIELDS, "needs_accessible_housing"]
    for index in range(rows):
        fields += [f"members-{index}-{name}" for name in MEMBER_FIELDS]
    return fields


def _in_form_order(errors: ui.FormErrors, rows: int) -> ui.FormErrors:
    return ui.in_field_order(errors, _allocation_fields(rows))


def _labels(page_texts: ui.Texts, rows: int = 0) -> dict[str, str]:
    """Field key → label, for the list of errors above a form."""
    labels = ui.field_labels(FIELD_LABELS, page_texts)
    for index in range(rows):
        member = page_texts.gettext("Member %(number)s") % {"number": index + 1}
        for name in MEMBER_FIELDS:
            labels[f"members-{index}-{name}"] = f"{member}, {labels[name]}"
    return labels


def _positive_int(value: str | None, *, default: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if number >= 0 else default
