"""Staff pages of allocation lists as files (Zuweisungsliste importieren): upload a CSV or
Excel list, see its preview with each row's problems, import the good households, and
read any earlier import's report.

The checks and the import are `intake.list_import`'s; a page only reads the upload and
says the report's reasons in words.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal, Role
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from intake import list_import
from intake.dependencies import ALLOCATION_IMPORTS
from intake.pages import Staff

router = APIRouter()

PAGE_SIZE = 25
FIELDS = ("file", "team")
LABELS = {"file": ui.N_("List (CSV or Excel file)"), "team": ui.N_("Team")}
REASON_TEXTS = {
    "required": ui.N_("missing, but needed"),
    "date": ui.N_("not a date; please write it as 20.11.2026"),
    "choice": ui.N_("not one of the known values"),
    "country": ui.N_("not a country code with 2 or 3 letters, e.g. SYR"),
    "languages": ui.N_("not language codes such as ar, fa or uk, separated by commas"),
    "too_long": ui.N_("too long"),
    "invalid": ui.N_("not in a form that can be read"),
    "allocated_in_future": ui.N_("allocation date lies in the future"),
    "arrival_before_allocation": ui.N_("arrival cannot be before the allocation"),
    "born_in_future": ui.N_("date of birth lies in the future"),
    "expiry_required": ui.N_("this residence status needs an expiry date"),
    "team_not_yours": ui.N_("team is not one of your teams"),
    "team_required": ui.N_("team is required: you belong to no team or to several"),
    "differs": ui.N_("differs from the first row of the same allocation notice"),
    "with_other_row": ui.N_("not imported: another row of the same notice has a problem"),
}
FILE_TEXTS = {
    "format": ui.N_("This file is neither a CSV file nor an Excel workbook (.xlsx)."),
    "empty": ui.N_("This file holds no rows."),
    "too_many_rows": ui.N_("This file has more than 5,000 rows; please split it."),
}
CONFLICTS = {
    "imported-already": (ui.FORM, ui.N_("This list is imported already.")),
    "busy": (
        ui.FORM,
        ui.N_("Some of these notices are being registered right now. Please try again."),
    ),
}
TEMPLATE_NAME = ui.N_("allocation-list")
REPORT_NAME = ui.N_("import-report")


@router.get("/zuweisungen/import", name="allocation_imports")
async def allocation_imports(request: Request, session: DbSession, principal: Staff) -> Response:
    kind = ui.download_format(request)
    if kind is not None:
        # An empty list with the headings the import reads, to fill in.
        page_texts = ui.texts(request)
        return ui.download(
            ui.Table(
                name=page_texts.gettext(TEMPLATE_NAME),
                title=page_texts.gettext("Allocation list"),
                headers=[column.heading for column in list_import.COLUMNS],
                rows=[],
            ),
            kind,
        )
    return await _upload_page(request, session, principal, {"team": _default_team(principal)})


@router.post("/zuweisungen/import", name="upload_allocation_list")
async def upload_allocation_list(
    request: Request, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, fields=FIELDS)
    team = form.text("team") or None
    upload = form.form.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    if not content:
        form.refuse("file", ui.N_("Please choose the list's file."))
    elif team is not None and not _may_choose(principal, team):
        form.refuse("team", ui.CHOOSE)
    if form.ok and isinstance(upload, UploadFile):
        try:
            record = await list_import.preview_file(
                session=session,
                principal=principal,
                file_name=upload.filename or "",
                content=content,
                team=team,
                today=today(),
            )
        except list_import.UnreadableFile as unreadable:
            form.refuse("file", form.texts.gettext(FILE_TEXTS[unreadable.reason]))
        except list_import.MissingColumns as missing:
            form.refuse(
                "file",
                form.texts.gettext("These columns are missing: %(columns)s.")
                % {"columns": ", ".join(missing.headings)},
            )
        else:
            return form.done(
                ui.page_path(request, "allocation_import", import_id=record.id),
                form.texts.gettext("The list is checked. Please look at the preview."),
            )
    return await form.again(
        lambda errors: _upload_page(request, session, principal, {"team": team or ""}, errors)
    )


@router.get(
    "/zuweisungen/importe/{import_id}",
    name="allocation_import",
    dependencies=[applies_scope(ALLOCATION_IMPORTS)],
)
async def allocation_import(
    request: Request, import_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    record = await list_import.get(session=session, principal=principal, import_id=import_id)
    kind = ui.download_format(request)
    if kind is not None:
        return ui.download(_report_table(request, record), kind, on=record.uploaded_at.date())
    return await _report_page(request, record)


@router.post(
    "/zuweisungen/importe/{import_id}/importieren",
    name="confirm_allocation_import",
    dependencies=[applies_scope(ALLOCATION_IMPORTS)],
)
async def confirm_allocation_import(
    request: Request, import_id: uuid.UUID, session: DbSession, principal: Staff
) -> Response:
    form = await ui.FormAction.read(request, session, conflicts=CONFLICTS, status=409)
    record = await form.call(
        list_import.confirm(session=session, principal=principal, import_id=import_id)
    )
    if record is not None:
        count = record.imported_count or 0
        return form.done(
            ui.page_path(request, "allocation_import", import_id=import_id),
            form.texts.ngettext(
                "%(num)s household is imported.", "%(num)s households are imported.", count
            )
            % {"num": ui.formatting.format_number(count, form.texts.locale)},
        )

    async def again(errors: ui.FormErrors) -> Response:
        found = await list_import.get(session=session, principal=principal, import_id=import_id)
        return await _report_page(request, found, errors)

    return await form.again(again)


# --- the pages ---------------------------------------------------------------------------


async def _upload_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    values: Mapping[str, str],
    errors: ui.FormErrors | None = None,
) -> Response:
    page = ui.page_number(request.query_params.get("page"))
    earlier, total = await list_import.list_imports(
        session=session,
        principal=principal,
        limit=PAGE_SIZE,
        offset=ui.page_offset(page, PAGE_SIZE),
    )
    return await ui.render(
        request,
        "intake/import_upload.html",
        {
            "values": values,
            "labels": ui.field_labels(LABELS, ui.texts(request)),
            "team_options": [(team, team) for team in sorted(principal.teams)]
            if len(principal.teams) > 1
            else [],
            "columns": list_import.COLUMNS,
            "template_links": ui.download_links(request),
            "imports": earlier,
            "total": total,
            "pager": ui.pager(page, total, PAGE_SIZE, ui.same_query(request)),
        },
        section="allocation_imports",
        errors=ui.in_field_order(errors or {}, FIELDS),
        status_code=422 if errors else 200,
    )


async def _report_page(
    request: Request, record: Any, errors: ui.FormErrors | None = None
) -> Response:
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "intake/import_report.html",
        {
            "record": record,
            "problems": [
                {**problem, "reason": page_texts.gettext(REASON_TEXTS[str(problem["reason"])])}
                for problem in record.problems
            ],
            "problem_rows": len({problem["row"] for problem in record.problems}),
            "downloads": ui.download_links(request),
            "labels": {},
        },
        section="allocation_imports",
        errors=errors,
        status_code=409 if errors else 200,
    )


def _report_table(request: Request, record: Any) -> ui.Table:
    gettext = ui.texts(request).gettext
    rows: list[tuple[Any, ...]] = [
        (
            problem["row"],
            problem["column"],
            problem.get("notice") or None,
            gettext(REASON_TEXTS[str(problem["reason"])]),
        )
        for problem in record.problems
    ]
    rows += [
        (skipped["row"], None, skipped["notice"], gettext("already registered, skipped"))
        for skipped in record.skipped
    ]
    rows.sort(key=lambda row: int(row[0]))
    return ui.Table(
        name=gettext(REPORT_NAME),
        title=gettext("Import report"),
        headers=[
            gettext("Row"),
            gettext("Column"),
            gettext("Allocation notice"),
            gettext("Reason"),
        ],
        rows=rows,
    )


def _default_team(principal: Principal) -> str:
    return next(iter(principal.teams)) if len(principal.teams) == 1 else ""


def _may_choose(principal: Principal, team: str) -> bool:
    return team in principal.teams or principal.has_any_role(Role.TEAM_LEAD)
