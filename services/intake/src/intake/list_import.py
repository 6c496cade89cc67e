"""Allocation lists imported from a file, for people: preview, then import the good rows.

The state's list arrives as a spreadsheet with one row per person; rows with the same
allocation notice number (compared normalised) are one household. Uploading it previews
the import: each row's problems named by row, column and reason, the notices already
registered (skipped, not an error), and the households ready. Confirming imports those
households in one transaction, with what any registration brings about
(`service.store_registered`), and keeps the report. A household with any problem in any
of its rows is left out whole; the other rows are named as left out with it.

The JSON list endpoint (`service.register_many`) stays all or none, for machines.
Reasons are codes (`REASONS`); the pages say them in the reader's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.api.problems import Conflict
from teilhabe.auth import Principal, Role
from teilhabe.events.households import normalise_notice_number
from teilhabe.queries import count_and_page

from intake import domain, service
from intake.allocation_files import Sheet, read_sheet
from intake.allocation_files import UnreadableFile as UnreadableFile
from intake.dependencies import ALLOCATION_IMPORTS
from intake.models import AllocationImport, AllocationImportDraft, Household
from intake.schemas import AllocationIn

RESOURCE = "allocation_import"

# --- the list's columns -----------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str  # AllocationIn's field, or a member's
    heading: str  # as the state's lists and the template name it
    aliases: tuple[str, ...] = ()
    household: bool = False  # the same for every row of the household
    required: bool = False


COLUMNS = (
    Column(
        "allocation_notice_number",
        "Bescheidnummer",
        ("Zuweisungsbescheid", "Aktenzeichen", "Zuweisungsnummer"),
        household=True,
        required=True,
    ),
    Column("allocated_on", "Zuweisungsdatum", ("Zugewiesen am",), household=True, required=True),
    Column(
        "allocating_authority",
        "Zuweisende Behörde",
        ("Behörde", "Zuweisende Stelle"),
        household=True,
        required=True,
    ),
    Column("expected_arrival_on", "Erwartete Ankunft", ("Ankunft",), household=True),
    Column(
        "needs_accessible_housing", "Barrierefrei", ("Barrierefreie Unterkunft",), household=True
    ),
    Column("team", "Team", household=True),
    Column("family_name", "Familienname", ("Nachname", "Name"), required=True),
    Column("given_name", "Vorname", ("Vornamen",), required=True),
    Column("date_of_birth", "Geburtsdatum", required=True),
    Column("sex", "Geschlecht", required=True),
    Column("nationality", "Staatsangehörigkeit", ("Staatsangehoerigkeit", "Nationalität")),
    Column("languages", "Sprachen", ("Sprache",)),
    Column("residence_status", "Aufenthaltsstatus", ("Status",), required=True),
    Column(
        "residence_status_expires_on",
        "Aufenthaltsstatus gültig bis",
        ("Gültig bis", "Gueltig bis", "Aufenthaltsstatus gueltig bis"),
    ),
    Column("special_needs", "Besondere Bedarfe", ("Besonderer Bedarf",)),
)
HEADINGS = {column.field: column.heading for column in COLUMNS}
_DATE_FIELDS = {
    "allocated_on",
    "expected_arrival_on",
    "date_of_birth",
    "residence_status_expires_on",
}

SEX_WORDS = {
    "w": domain.Sex.FEMALE,
    "weiblich": domain.Sex.FEMALE,
    "female": domain.Sex.FEMALE,
    "f": domain.Sex.FEMALE,
    "m": domain.Sex.MALE,
    "männlich": domain.Sex.MALE,
    "maennlich": domain.Sex.MALE,
    "male": domain.Sex.MALE,
    "d": domain.Sex.DIVERSE,
    "divers": domain.Sex.DIVERSE,
    "diverse": domain.Sex.DIVERSE,
    "x": domain.Sex.UNSPECIFIED,
    "ohne angabe": domain.Sex.UNSPECIFIED,
    "keine angabe": domain.Sex.UNSPECIFIED,
    "unspecified": domain.Sex.UNSPECIFIED,
}
STATUS_WORDS = {status.value: status for status in domain.ResidenceStatus} | {
    "ungeklärt": domain.ResidenceStatus.UNGEKLAERT,
}
YES = {"ja", "j", "x", "1", "yes", "true", "wahr"}
NO = {"", "nein", "n", "0", "no", "false", "falsch"}
STATELESS_WORDS = {"staatenlos", "stateless", "ungeklärt", "ungeklaert"}

# Why a row cannot be imported (the pages say each in words).
REASONS = (
    "required",  # empty, but needed
    "date",  # not a date
    "choice",  # not one of the known values
    "country",  # not a country code
    "languages",  # not language codes
    "too_long",
    "invalid",  # any other format problem
    "allocated_in_future",
    "arrival_before_allocation",
    "born_in_future",
    "expiry_required",
    "team_not_yours",
    "team_required",
    "differs",  # a household's value differs from its first row's
    "with_other_row",  # left out with its household, another row of which has a problem
)
_RULE_REASONS = {
    "allocation date lies in the future": "allocated_in_future",
    "arrival cannot be before the allocation": "arrival_before_allocation",
    "date of birth lies in the future": "born_in_future",
    "team is not one of your teams": "team_not_yours",
    "team is required: you belong to no team or to several": "team_required",
}
_PYDANTIC_REASONS = {
    "missing": "required",
    "too_short": "required",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "enum": "choice",
    "literal_error": "choice",
    "bool_parsing": "choice",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
}


@dataclass
class Problem:
    row: int
    column: str  # the heading, as the report names it
    reason: str  # one of REASONS
    notice: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
            "notice": self.notice,
        }


@dataclass
class _Household:
    notice: str
    rows: list[int] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    allocation: AllocationIn | None = None  # once every row is right


class MissingColumns(ValueError):
    def __init__(self, headings: list[str]) -> None:
        super().__init__(", ".join(headings))
        self.headings = headings


# --- reading and checking a list ---------------------------------------------------------


def check_sheet(
    sheet: Sheet, *, principal: Principal, team: str | None, today: date
) -> tuple[int, list[Problem], list[_Household]]:
    """Every row's problems, and the households the rows form (those with problems too)."""
    positions = _column_positions(sheet.headings)
    households: dict[str, _Household] = {}
    number_column = positions["allocation_notice_number"]
    for row, cells in sheet.rows:
        number = normalise_notice_number(_cell(cells, number_column))
        key = number or f"\x00row{row}"  # a row without a number is a household of its own
        household = households.setdefault(key, _Household(number))
        household.rows.append(row)
        values = {name: _cell(cells, index) for name, index in positions.items()}
        member: dict[str, Any] = {}
        own: dict[str, Any] = {}
        for column in COLUMNS:
            if column.field not in values:
                continue
            converted = _convert(column, values[column.field], row, household)
            if converted is _SKIP:
                continue
            (own if column.household else member)[column.field] = converted
        if len(household.rows) == 1:
            household.data = own
        else:
            for name, value in own.items():
                if household.data.get(name) != value:
                    household.problems.append(Problem(row, HEADINGS[name], "differs", number))
        household.members.append(member)

    problems: list[Problem] = []
    for household in households.values():
        _check_household(household, principal=principal, team=team, today=today)
        problems.extend(household.problems)
        if household.problems:
            failing = {problem.row for problem in household.problems}
            problems.extend(
                Problem(
                    row, HEADINGS["allocation_notice_number"], "with_other_row", household.notice
                )
                for row in household.rows
                if row not in failing
            )
    problems.sort(key=lambda p: p.row)
    return len(sheet.rows), problems, list(households.values())


def _column_positions(headings: list[str]) -> dict[str, int]:
    wanted = {_key(column.heading): column for column in COLUMNS} | {
        _key(alias): column for column in COLUMNS for alias in (*column.aliases, column.field)
    }
    positions: dict[str, int] = {}
    for index, heading in enumerate(headings):
        column = wanted.get(_key(heading))
        if column is not None and column.field not in positions:
            positions[column.field] = index
    missing = [c.heading for c in COLUMNS if c.required and c.field not in positions]
    if missing:
        raise MissingColumns(missing)
    return positions


def _key(heading: str) -> str:
    return "".join(ch for ch in heading.casefold() if ch.isalnum())


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


_SKIP = object()  # a cell left empty that is not required: the field's default


def _convert(column: Column, typed: str, row: int, household: _Household) -> Any:
    def problem(reason: str) -> object:
        household.problems.append(Problem(row, column.heading, reason, household.notice))
        return _SKIP

    if not typed:
        return problem("required") if column.required else _SKIP
    name = column.field
    if name in _DATE_FIELDS:
        parsed = parse_date(typed)
        return problem("date") if parsed is None else parsed.isoformat()
    if name == "sex":
        sex = SEX_WORDS.get(typed.casefold())
        return problem("choice") if sex is None else sex.value
    if name == "residence_status":
        status = STATUS_WORDS.get(typed.casefold())
        return problem("choice") if status is None else status.value
    if name == "needs_accessible_housing":
        word = typed.casefold()
        return word in YES if word in YES | NO else problem("choice")
    if name == "nationality":
        return "XXX" if typed.casefold() in STATELESS_WORDS else typed.upper()
    if name == "languages":
        return [
            part.lower()
            for part in typed.replace(";", ",").replace("/", ",").split(",")
            if part.strip()
        ]
    if name == "allocation_notice_number":
        return normalise_notice_number(typed)
    return typed


def parse_date(typed: str) -> date | None:
    """DD.MM.YYYY (as German lists write it) or YYYY-MM-DD."""
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(typed.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _check_household(
    household: _Household, *, principal: Principal, team: str | None, today: date
) -> None:
    if household.problems:
        return  # the cells are wrong already; the rules need them right
    data = dict(household.data)
    data.setdefault("team", team)
    data["members"] = household.members
    try:
        allocation = AllocationIn.model_validate(data)
    except ValidationError as error:
        for detail in error.errors():
            problem = _validation_problem(household, detail)
            # One reason a cell: the first pydantic names (a code too long is no code).
            if not any(
                (p.row, p.column) == (problem.row, problem.column) for p in household.problems
            ):
                household.problems.append(problem)
        return
    found = service.allocation_problems(allocation, today)
    choice = domain.registering_team(
        allocation.team, principal.teams, leads=principal.has_any_role(Role.TEAM_LEAD)
    )
    if choice.problem:
        found["team"] = choice.problem
    for path, reason in found.items():
        field_name, _, index = _path(path)
        household.problems.append(
            Problem(
                household.rows[index],
                HEADINGS[field_name],
                _RULE_REASONS.get(reason, "expiry_required" if "expiry" in reason else "invalid"),
                household.notice,
            )
        )
    if not household.problems:
        household.allocation = allocation.model_copy(update={"team": choice.team})


def _path(path: str) -> tuple[str, str, int]:
    """`members[2].sex` → ("sex", "members", 2); `allocated_on` → ("allocated_on", "", 0)."""
    if path.startswith("members["):
        index, _, name = path[len("members[") :].partition("].")
        return name, "members", int(index)
    return path, "", 0


def _validation_problem(household: _Household, detail: Any) -> Problem:
    location = detail["loc"]
    index = 0
    name = str(location[0])
    if name == "members" and len(location) >= 3:
        index, name = int(location[1]), str(location[2])
    kind = detail["type"]
    reason = _PYDANTIC_REASONS.get(kind, "invalid")
    if name in {"nationality", "languages"} and reason != "required":
        reason = "country" if name == "nationality" else "languages"
    row = household.rows[index] if index < len(household.rows) else household.rows[0]
    return Problem(row, HEADINGS.get(name, name), reason, household.notice)


# --- the use cases ------------------------------------------------------------------------


async def preview_file(
    *,
    session: AsyncSession,
    principal: Principal,
    file_name: str,
    content: bytes,
    team: str | None,
    today: date,
) -> AllocationImport:
    """Check an uploaded list and keep its preview; raises UnreadableFile, MissingColumns."""
    sheet = read_sheet(file_name, content)
    row_count, problems, households = check_sheet(
        sheet, principal=principal, team=team, today=today
    )
    good = [h for h in households if h.allocation is not None]
    registered = await _registered(session, [h.notice for h in good])
    skipped = [{"row": h.rows[0], "notice": h.notice} for h in good if h.notice in registered]
    ready = [h for h in good if h.notice not in registered]
    record = AllocationImport(
        id=uuid.uuid4(),
        file_name=file_name[:255] or "-",
        uploaded_by=principal.subject,
        teams=sorted(principal.teams),
        uploaded_at=clock.now(),
        row_count=row_count,
        problems=[problem.as_json() for problem in problems],
        skipped=skipped,
        ready_count=len(ready),
    )
    session.add(record)
    session.add(
        AllocationImportDraft(
            import_id=record.id,
            households=[
                {"rows": h.rows, "allocation": h.allocation.model_dump(mode="json")}
                for h in ready
                if h.allocation is not None
            ],
        )
    )
    await service.audit(session, principal, "create", RESOURCE, [record.id])
    await session.commit()
    return record


async def confirm(
    *, session: AsyncSession, principal: Principal, import_id: uuid.UUID
) -> AllocationImport:
    """Import the previewed households that are still not registered; keep the report."""
    for _attempt in range(3):
        record = await ALLOCATION_IMPORTS.get(session, principal, import_id, for_update=True)
        if record.imported_at is not None:
            raise Conflict("this list is imported already", code="imported-already")
        draft = await session.get(AllocationImportDraft, import_id)
        waiting: list[dict[str, Any]] = draft.households if draft is not None else []
        registered = await _registered(
            session, [item["allocation"]["allocation_notice_number"] for item in waiting]
        )
        late: list[dict[str, object]] = []
        households = []
        for item in waiting:
            allocation = AllocationIn.model_validate(item["allocation"])
            rows: list[int] = item["rows"]
            if allocation.allocation_notice_number in registered:
                late.append({"row": rows[0], "notice": allocation.allocation_notice_number})
            else:
                households.append(service.new_household(allocation, allocation.team))
        if households and await service.store_registered(session, principal, households):
            continue  # registered meanwhile (rolled back): look again
        record.skipped = sorted([*record.skipped, *late], key=lambda s: int(str(s["row"])))
        record.imported_at = clock.now()
        record.imported_by = principal.subject
        record.imported_count = len(households)
        if draft is not None:
            await session.delete(draft)
        await service.audit(session, principal, "import", RESOURCE, [record.id])
        await session.commit()
        return record
    raise Conflict("the list's notices are being registered meanwhile", code="busy")


async def _registered(session: AsyncSession, numbers: Sequence[str]) -> set[str]:
    if not numbers:
        return set()
    return set(
        await session.scalars(
            select(Household.allocation_notice_number).where(
                Household.allocation_notice_number.in_(sorted(set(numbers)))
            )
        )
    )


async def get(
    *, session: AsyncSession, principal: Principal, import_id: uuid.UUID
) -> AllocationImport:
    record = await ALLOCATION_IMPORTS.get(session, principal, import_id)
    await service.audit(session, principal, "read", RESOURCE, [record.id])
    await session.commit()
    return record


async def list_imports(
    *, session: AsyncSession, principal: Principal, limit: int, offset: int
) -> tuple[list[AllocationImport], int]:
    rows, total = await count_and_page(
        session,
        ALLOCATION_IMPORTS.select(principal),
        order_by=[AllocationImport.uploaded_at.desc(), AllocationImport.id],
        limit=limit,
        offset=offset,
    )
    await service.audit(session, principal, "list", RESOURCE, [row.id for row in rows])
    await session.commit()
    return rows, total
