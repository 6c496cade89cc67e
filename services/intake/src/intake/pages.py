"""Staff pages of intake at /ui: the households, one household, its caseworker.

Every change goes through the use case the API calls (`service.register`,
`service.assign_caseworker`); a page only turns a form into the API's request model and
a refusal back into errors next to the fields.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Protocol
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal, Role
from teilhabe.clock import today
from teilhabe.config import ServiceSettings
from teilhabe.scope import applies_scope
from teilhabe.ui.downloads import DownloadLink

from intake import appointments, consent_pages, domain, erasure_pages, followups, members, service
from intake.dependencies import HOUSEHOLDS, DataProtection, SocialCareStaff
from intake.domain import ResidenceStatus, Sex

router = APIRouter()
# The pages admit exactly whom the API admits.
STAFF_ROLES = ui.api_roles(SocialCareStaff)
Staff = Annotated[Principal, ui.page_roles(*STAFF_ROLES)]
# The start page also lets the data-protection officer in, on the way to their own page.
StaffOrOfficer = Annotated[Principal, ui.page_roles(*STAFF_ROLES, *ui.api_roles(DataProtection))]

PAGE_SIZE = 25

SEX_LABELS = {
    Sex.FEMALE: ui.N_("female"),
    Sex.MALE: ui.N_("male"),
    Sex.DIVERSE: ui.N_("diverse"),
    Sex.UNSPECIFIED: ui.N_("not specified"),
}
RESIDENCE_LABELS = {
    ResidenceStatus.AUFENTHALTSGESTATTUNG: ui.N_("Permission to stay during the asylum procedure"),
    ResidenceStatus.DULDUNG: ui.N_("Temporary suspension of deportation"),
    ResidenceStatus.AUFENTHALTSERLAUBNIS: ui.N_("Residence permit"),
    ResidenceStatus.NIEDERLASSUNGSERLAUBNIS: ui.N_("Settlement permit"),
    ResidenceStatus.FIKTIONSBESCHEINIGUNG: ui.N_("Provisional residence certificate"),
    ResidenceStatus.UNGEKLAERT: ui.N_("Not yet clarified"),
}
CHANGE_KIND_LABELS = {
    domain.MemberChangeKind.ADDED: ui.N_("added"),
    domain.MemberChangeKind.CORRECTED: ui.N_("corrected"),
    domain.MemberChangeKind.REMOVED: ui.N_("removed"),
}
CHANGE_REASON_LABELS = {
    domain.MemberChangeReason.BIRTH: ui.N_("Birth"),
    domain.MemberChangeReason.REUNION: ui.N_("Family reunion"),
    domain.MemberChangeReason.CORRECTION: ui.N_("Correction of a recording error"),
    domain.MemberChangeReason.MOVED_OUT: ui.N_("Moved out of the household"),
    domain.MemberChangeReason.DECEASED: ui.N_("Deceased"),
    domain.MemberChangeReason.OTHER: ui.N_("Other reason"),
}
HOUSING_LABELS = {
    "awaiting": ui.N_("awaiting accommodation"),
    "housed": ui.N_("housed"),
    "moved_out": ui.N_("moved out"),
}

FIELD_LABELS = {
    "allocation_notice_number": ui.N_("Allocation notice number"),
    "allocated_on": ui.N_("Allocated on"),
    "allocating_authority": ui.N_("Allocating authority"),
    "expected_arrival_on": ui.N_("Expected arrival"),
    "team": ui.N_("Team"),
    "needs_accessible_housing": ui.N_("Needs barrier-free housing"),
    "given_name": ui.N_("Given name"),
    "family_name": ui.N_("Family name"),
    "date_of_birth": ui.N_("Date of birth"),
    "sex": ui.N_("Sex"),
    "nationality": ui.N_("Nationality"),
    "languages": ui.N_("Languages"),
    "residence_status": ui.N_("Residence status"),
    "residence_status_expires_on": ui.N_("Residence status valid until"),
    "special_needs": ui.N_("Special needs"),
    "caseworker_id": ui.N_("Caseworker"),
    "q": ui.N_("Search"),
    "status": ui.N_("Accommodation"),
    "caseworker": ui.N_("Caseworker"),
    "allocated_from": ui.N_("Allocated from"),
    "allocated_to": ui.N_("Allocated until"),
    "arriving_from": ui.N_("Arriving from"),
    "arriving_to": ui.N_("Arriving until"),
}
# Texts for what the request model and the rules say in words that carry values.
HINTS = {
    "nationality": ui.N_("Please enter the country code with 2 or 3 capital letters, e.g. SYR."),
    "languages": ui.N_("Please enter language codes such as ar, fa or uk, separated by commas."),
    "residence_status_expires_on": ui.N_("This residence status needs an expiry date."),
}


# --- household list ------------------------------------------------------------------

# The download's columns, as the list's table has them.
HOUSEHOLD_COLUMNS = (
    ui.N_("Household"),
    ui.N_("Allocation notice"),
    ui.N_("Persons"),
    ui.N_("Allocated on"),
    ui.N_("Expected arrival"),
    ui.N_("Caseworker"),
    ui.N_("Accommodation"),
)


@dataclass(frozen=True)
class Filters:
    q: str
    status: str
    caseworker: str
    allocated_from: str
    allocated_to: str
    arriving_from: str
    arriving_to: str
    page: int


@router.get("/", name="ui_home")
async def households(request: Request, session: DbSession, principal: StaffOrOfficer) -> Response:
    if not principal.has_any_role(*STAFF_ROLES):
        # The data-protection officer sees no households; their way in is the erasures.
        return RedirectResponse(ui.page_path(request, "erasure_requests"), status_code=303)
    page_texts = ui.texts(request)
    params = request.query_params
    filters = Filters(
        q=params.get("q", "").strip()[:100],
        status=params.get("status", "") if params.get("status") in HOUSING_LABELS else "",
        caseworker=params.get("caseworker", "").strip()[:200],
        allocated_from=params.get("allocated_from", "").strip(),
        allocated_to=params.get("allocated_to", "").strip(),
        arriving_from=params.get("arriving_from", "").strip(),
        arriving_to=params.get("arriving_to", "").strip(),
        page=ui.page_number(params.get("page")),
    )
    errors: ui.FormErrors = {}
    for key in ("allocated_from", "allocated_to", "arriving_from", "arriving_to"):
        _optional_date(getattr(filters, key), key, errors, page_texts)
    download = ui.download_format(request)
    is_caseworker = principal.has_any_role(Role.CASEWORKER)
    if download and params.get(LIST_KEY) == DUE_LIST:
        return await _due_download(request, session, principal, download, mine=is_caseworker)
    if download and not errors:
        return await _households_download(request, session, principal, filters, download)
    if not errors:
        found, total = await service.get_all(
            session=session,
            principal=principal,
            filters=_household_filter(filters),
            limit=PAGE_SIZE,
            offset=ui.page_offset(filters.page, PAGE_SIZE),
        )
    else:
        found, total = [], 0
    # A caseworker starts the day with what is due: overdue, today, this week.
    due = (
        await followups.due_list(session=session, principal=principal, today=today())
        if is_caseworker
        else []
    )
    week = (
        await appointments.this_week(session=session, principal=principal, today=today())
        if is_caseworker
        else []
    )
    return await ui.render(
        request,
        "intake/households.html",
        {
            "filters": filters,
            "households": found,
            "total": total,
            "pager": ui.pager(filters.page, total, PAGE_SIZE, ui.same_query(request)),
            "downloads": ui.download_links(request),
            "due_downloads": list_downloads(
                request, ui.page_path(request, "ui_home"), **{LIST_KEY: DUE_LIST}
            ),
            "housing_labels": HOUSING_LABELS,
            "status_options": ui.options(HOUSING_LABELS, page_texts),
            "labels": ui.field_labels(FIELD_LABELS, page_texts),
            "is_caseworker": is_caseworker,
            "week_appointments": week,
            "due_list": {
                "overdue": [i for i in due if i.due is domain.Due.OVERDUE],
                "today": [i for i in due if i.due is domain.Due.TODAY],
                "this_week": [i for i in due if i.due is domain.Due.THIS_WEEK],
            },
        },
        section="ui_home",
        errors=errors,
    )


def _household_filter(filters: Filters) -> service.HouseholdFilter:
    # The dates are checked before: a typed date that is not one never gets here.
    return service.HouseholdFilter(
        search=filters.q or None,
        caseworker_id=filters.caseworker or None,
        housing_status=filters.status or None,
        allocated_from=ui.parse_date(filters.allocated_from) if filters.allocated_from else None,
        allocated_to=ui.parse_date(filters.allocated_to) if filters.allocated_to else None,
        arriving_from=ui.parse_date(filters.arriving_from) if filters.arriving_from else None,
        arriving_to=ui.parse_date(filters.arriving_to) if filters.arriving_to else None,
    )


async def _households_download(
    request: Request,
    session: DbSession,
    principal: Principal,
    filters: Filters,
    kind: ui.DownloadFormat,
) -> Response:
    """Every household the filters find (not only one page), as a file; audited as an export."""
    found, _ = await service.get_all(
        session=session,
        principal=principal,
        filters=_household_filter(filters),
        limit=ui.DOWNLOAD_LIMIT,
        offset=0,
        action="export",
    )
    gettext = ui.texts(request).gettext
    rows = [
        (
            f"{h.members[0].family_name}, {h.members[0].given_name}" if h.members else "",
            h.allocation_notice_number,
            len(h.members),
            h.allocated_on,
            h.expected_arrival_on,
            h.caseworker_id,
            gettext(HOUSING_LABELS[h.housing_status]),
        )
        for h in found
    ]
    table = ui.Table(
        name=gettext(ui.N_("households")),
        title=gettext("Households"),
        headers=[gettext(heading) for heading in HOUSEHOLD_COLUMNS],
        rows=rows,
    )
    return ui.download(table, kind, on=today())


# --- the caseworker's due list, as a file -------------------------------------------

# The start page's address with `?liste=faellig&download=…` downloads the due list (the
# same address without it, the households).
LIST_KEY = "liste"
DUE_LIST = "faellig"
DUE_GROUPS = {
    domain.Due.OVERDUE: ui.N_("Overdue"),
    domain.Due.TODAY: ui.N_("Due today"),
    domain.Due.THIS_WEEK: ui.N_("Due this week"),
}
DUE_COLUMNS = (
    ui.N_("Due"),
    ui.N_("Due on"),
    ui.N_("Allocation notice"),
    ui.N_("Reason"),
)


async def _due_download(
    request: Request,
    session: DbSession,
    principal: Principal,
    kind: ui.DownloadFormat,
    *,
    mine: bool,
) -> Response:
    """The caller's follow-ups the start page lists as due (overdue, today, this week),
    through the same use case, audited as an export; none for whom the page shows none."""
    due = (
        await followups.due_list(
            session=session, principal=principal, today=today(), action="export"
        )
        if mine
        else []
    )
    gettext = ui.texts(request).gettext
    table = ui.Table(
        name=gettext(ui.N_("due")),
        title=gettext("Due"),
        headers=[gettext(heading) for heading in DUE_COLUMNS],
        rows=[
            (
                gettext(DUE_GROUPS[item.due]),
                item.follow_up.due_on,
                item.allocation_notice_number,
                item.follow_up.reason,
            )
            for item in due
        ],
    )
    return ui.download(table, kind, on=today())


# --- one household, and its caseworker -----------------------------------------------


@router.get("/haushalte/{household_id}", name="household", dependencies=[applies_scope(HOUSEHOLDS)])
async def household(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    return await _household_page(request, session, principal, household_id)


@router.post(
    "/haushalte/{household_id}/fachkraft",
    name="assign_caseworker",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def assign_caseworker(
    request: Request, household_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, fields=["caseworker_id"])
    chosen = form.text("caseworker_id")
    known = await service.get_caseworkers(session=session)
    # Chosen from the staff known to intake; oneself always (one's own sign-in may still
    # be on its way to intake).
    if chosen != principal.subject and chosen not in {staff.subject for staff in known}:
        form.refuse("caseworker_id", ui.CHOOSE)
    if form.ok:
        await form.call(
            service.assign_caseworker(
                session=session,
                principal=principal,
                household_id=household_id,
                caseworker_id=chosen,
            )
        )
    if form.ok:
        return form.done(
            ui.page_path(request, "household", household_id=household_id),
            form.texts.gettext("The household's caseworker is now %(caseworker)s.")
            % {"caseworker": _staff_names(known).get(chosen, chosen)},
        )

    return await form.again(
        lambda errors: _household_page(
            request, session, principal, household_id, errors=errors, chosen=chosen
        )
    )


async def _household_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    household_id: uuid.UUID,
    *,
    errors: ui.FormErrors | None = None,
    chosen: str = "",
) -> Response:
    found = await service.get(session=session, principal=principal, household_id=household_id)
    caseworkers = await service.get_caseworkers(session=session)
    member_changes = await members.changes_of(session, found)
    return await ui.render(
        request,
        "intake/household.html",
        {
            "household": found,
            "head": found.members[0] if found.members else None,
            "sex_labels": SEX_LABELS,
            "residence_labels": RESIDENCE_LABELS,
            "housing_labels": HOUSING_LABELS,
            "labels": ui.field_labels(FIELD_LABELS, ui.texts(request)),
            "can_take_over": principal.has_any_role(Role.CASEWORKER)
            and found.caseworker_id != principal.subject,
            "caseworker_options": _caseworker_options(caseworkers, principal),
            "staff_names": _staff_names(caseworkers),
            "chosen_caseworker": chosen,
            "member_changes": member_changes,
            "kind_labels": CHANGE_KIND_LABELS,
            "reason_labels": CHANGE_REASON_LABELS,
        },
        section="ui_home",
        errors=errors,
    )


class Caseworker(Protocol):
    """What the pages show of a member of staff known to intake."""

    @property
    def subject(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def teams(self) -> list[str]: ...


def _caseworker_options(
    caseworkers: Sequence[Caseworker], principal: Principal
) -> list[tuple[str, str]]:
    """Caseworkers to choose from, by team: the chooser's own teams first."""
    own = principal.teams

    def team_order(staff: Caseworker) -> tuple[bool, str, str]:
        teams = sorted(staff.teams)
        return (own.isdisjoint(teams), teams[0] if teams else "~", staff.name or staff.subject)

    return [(staff.subject, _staff_label(staff)) for staff in sorted(caseworkers, key=team_order)]


def _staff_label(staff: Caseworker) -> str:
    name = staff.name or staff.subject
    label = name if name == staff.subject else f"{name} ({staff.subject})"
    return f"{', '.join(sorted(staff.teams))}: {label}" if staff.teams else label


def _staff_names(caseworkers: Sequence[Caseworker]) -> dict[str, str]:
    return {staff.subject: staff.name or staff.subject for staff in caseworkers}


# --- small helpers -------------------------------------------------------------------


def list_downloads(request: Request, path: str, **query: str) -> list[DownloadLink]:
    """Links to the list at `path` (with `query`) as each format: a page whose forms post
    elsewhere shows them again on their errors, so the links name the list's own address."""
    kept = urlencode(query)
    return [
        replace(link, url=f"{path}?{kept + '&' if kept else ''}download={link.format}")
        for link in ui.download_links(request)
    ]


def _optional_date(
    typed: str, key: str, errors: ui.FormErrors, page_texts: ui.Texts
) -> date | None:
    if not typed:
        return None
    problem = ui.date_error(typed, page_texts)
    if problem is not None:
        errors[key] = problem
        return None
    return ui.parse_date(typed)


def mount_pages(app: FastAPI, settings: ServiceSettings, more: Sequence[APIRouter] = ()) -> None:
    """Serve intake's staff pages under /ui of `app` (with the routers of `more`)."""
    ui.mount_staff_ui(
        app,
        settings,
        ui.StaffTool(
            name="intake",
            templates=Path(__file__).parent / "templates",
            sections=(
                ui.Section("ui_home", ui.N_("Households"), STAFF_ROLES),
                ui.Section("new_allocation", ui.N_("Register allocation"), STAFF_ROLES),
                ui.Section("allocation_imports", ui.N_("Import allocation list"), STAFF_ROLES),
                ui.Section("figures", ui.N_("Figures"), STAFF_ROLES),
                ui.Section(
                    "erasure_requests",
                    ui.N_("Erasure requests"),
                    ui.api_roles(DataProtection),
                ),
            ),
        ),
        [router, *more, consent_pages.router, erasure_pages.router],
        outbox=service.outbox,
    )
