"""Sites, their units and beds: recording a site, renaming, adding units and beds."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import ProblemError
from teilhabe.auth import Principal
from teilhabe.scope import applies_scope

from housing import service
from housing.dependencies import SITES
from housing.pages.common import SITE_KIND_LABELS, Officer
from housing.schemas import BedsIn, SiteIn, SiteNameIn, UnitIn, UnitNameIn

router = APIRouter()

SITE_FIELDS = ("name", "kind", "address", "unit_name", "beds", "accessible")
SITE_LABELS = {
    "name": ui.N_("Name of the site"),
    "kind": ui.N_("Kind of accommodation"),
    "address": ui.N_("Address"),
    "unit_name": ui.N_("Name of the unit"),
    "beds": ui.N_("Number of beds"),
    "accessible": ui.N_("Barrier-free"),
    "count": ui.N_("Beds to add"),
}
SITE_CONFLICTS = {
    "duplicate-site": ("name", ui.N_("A site with this name exists already.")),
}
SITE_HINTS = {
    "beds": ui.N_("Please enter a whole number from 1 to 200."),
    "count": ui.N_("Please enter a whole number from 1 to 200."),
}
# The request models' field keys, as the site forms name their fields.
_SITE_FORM_KEYS = {"units-0-name": "unit_name", "units-0-beds": "beds"}
_UNIT_FORM_KEYS = {"name": "unit_name"}
_SITE_MODEL_FIELDS = ("name", "kind", "address", "units-0-name", "units-0-beds")


@router.get("/standorte", name="sites")
async def sites(request: Request, session: DbSession, principal: Officer) -> Response:
    return await _sites_page(request, session, principal, {"kind": "", "accessible": False})


@router.post("/standorte", name="create_site")
async def create_site(request: Request, session: DbSession, principal: Officer) -> Response:
    form = await ui.read_form(request)
    page_texts = ui.texts(request)
    values: dict[str, Any] = {name: ui.text(form, name) for name in SITE_FIELDS}
    values["accessible"] = values["accessible"] == "on"
    errors: ui.FormErrors = {}
    unit: dict[str, Any] = {"accessible": values["accessible"]}
    if values["unit_name"]:
        unit["name"] = values["unit_name"]
    ui.put_whole_number(unit, "beds", values["beds"], errors, page_texts, key="units-0-beds")
    data = {k: values[k] for k in ("name", "kind", "address") if values[k]} | {"units": [unit]}
    fields = list(SITE_FIELDS)
    body, model_errors = ui.request_model(
        SiteIn, data, page_texts, fields=_SITE_MODEL_FIELDS, hints=SITE_HINTS, typed_errors=errors
    )
    errors = {_SITE_FORM_KEYS.get(key, key): message for key, message in model_errors.items()}
    if body is not None:
        try:
            site = await service.create_site(session=session, site_in=body)
        except ProblemError as problem:
            errors = ui.problem_errors(problem, page_texts, fields=fields, conflicts=SITE_CONFLICTS)
        else:
            ui.flash(
                request, page_texts.gettext("Site %(name)s is recorded.") % {"name": site.name}
            )
            return RedirectResponse(ui.page_path(request, "site", site_id=site.id), status_code=303)
    await session.rollback()
    return await _sites_page(request, session, principal, values, errors=errors, status_code=422)


@router.get("/standorte/{site_id}", name="site", dependencies=[applies_scope(SITES)])
async def site(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    return await _site_page(request, session, principal, site_id)


@router.post("/standorte/{site_id}/name", name="rename_site", dependencies=[applies_scope(SITES)])
async def rename_site(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.read_form(request)
    name = ui.text(form, "site_name")
    page_texts = ui.texts(request)
    body, errors = ui.request_model(SiteNameIn, {"name": name}, page_texts, fields=["name"])
    if body is not None:
        try:
            await service.rename_site(
                session=session, principal=principal, site_id=site_id, name=body.name
            )
        except ProblemError as problem:
            if problem.status == 404:
                raise
            errors = ui.problem_errors(
                problem, page_texts, fields=["name"], conflicts=SITE_CONFLICTS
            )
        else:
            ui.flash(
                request, page_texts.gettext("The site is now called %(name)s.") % {"name": name}
            )
            return RedirectResponse(ui.page_path(request, "site", site_id=site_id), status_code=303)
    await session.rollback()
    errors = _one_field("site_name", errors)
    return await _site_page(
        request, session, principal, site_id, {"site_name": name}, errors, status_code=422
    )


@router.post("/standorte/{site_id}/einheiten", name="add_unit", dependencies=[applies_scope(SITES)])
async def add_unit(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.read_form(request)
    page_texts = ui.texts(request)
    values = {name: ui.text(form, name) for name in ("unit_name", "beds", "accessible")}
    errors: ui.FormErrors = {}
    data: dict[str, Any] = {"accessible": values["accessible"] == "on"}
    if values["unit_name"]:
        data["name"] = values["unit_name"]
    ui.put_whole_number(data, "beds", values["beds"], errors, page_texts)
    body, model_errors = ui.request_model(
        UnitIn, data, page_texts, fields=["name", "beds"], hints=SITE_HINTS, typed_errors=errors
    )
    errors = {_UNIT_FORM_KEYS.get(key, key): message for key, message in model_errors.items()}
    if body is not None:
        await service.add_unit(session=session, principal=principal, site_id=site_id, unit_in=body)
        ui.flash(request, page_texts.gettext("Unit %(unit)s is added.") % {"unit": body.name})
        return RedirectResponse(ui.page_path(request, "site", site_id=site_id), status_code=303)
    return await _site_page(request, session, principal, site_id, values, errors, status_code=422)


# A unit is loaded through its site's scope (service.get_unit_site_id, service._unit).
@router.post("/einheiten/{unit_id}/name", name="rename_unit", dependencies=[applies_scope(SITES)])
async def rename_unit(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.read_form(request)
    page_texts = ui.texts(request)
    key = f"unit-{unit_id}-name"
    name = ui.text(form, key)
    body, errors = ui.request_model(UnitNameIn, {"name": name}, page_texts, fields=["name"])
    site_id = await service.get_unit_site_id(session=session, principal=principal, unit_id=unit_id)
    if body is not None:
        await service.rename_unit(
            session=session, principal=principal, unit_id=unit_id, name=body.name
        )
        ui.flash(request, page_texts.gettext("The unit is now called %(unit)s.") % {"unit": name})
        return RedirectResponse(ui.page_path(request, "site", site_id=site_id), status_code=303)
    errors = _one_field(key, errors)
    return await _site_page(
        request, session, principal, site_id, {key: name}, errors, status_code=422
    )


@router.post("/einheiten/{unit_id}/betten", name="add_beds", dependencies=[applies_scope(SITES)])
async def add_beds(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.read_form(request)
    page_texts = ui.texts(request)
    key = f"unit-{unit_id}-count"
    typed = ui.text(form, key)
    errors: ui.FormErrors = {}
    data: dict[str, Any] = {}
    ui.put_whole_number(data, "count", typed, errors, page_texts)
    body, errors = ui.request_model(BedsIn, data, page_texts, fields=["count"], typed_errors=errors)
    site_id = await service.get_unit_site_id(session=session, principal=principal, unit_id=unit_id)
    if body is not None:
        unit = await service.add_beds(
            session=session, principal=principal, unit_id=unit_id, count=body.count
        )
        ui.flash(
            request,
            page_texts.ngettext(
                "%(num)s bed is added to unit %(unit)s.",
                "%(num)s beds are added to unit %(unit)s.",
                body.count,
            )
            % {"num": body.count, "unit": unit.name},
        )
        return RedirectResponse(ui.page_path(request, "site", site_id=site_id), status_code=303)
    errors = _one_field(key, errors)
    return await _site_page(
        request, session, principal, site_id, {key: typed}, errors, status_code=422
    )


def _one_field(key: str, errors: ui.FormErrors) -> ui.FormErrors:
    """The first error of a one-field form, under that field's key on the site page."""
    messages = list(errors.values())
    return {key: messages[0]} if messages else {}


async def _sites_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    values: dict[str, Any],
    *,
    errors: ui.FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    page_texts = ui.texts(request)
    return await ui.render(
        request,
        "housing/sites.html",
        {
            "sites": await service.get_all_sites(session=session, principal=principal),
            "values": values,
            "kind_labels": SITE_KIND_LABELS,
            "kind_options": ui.options(SITE_KIND_LABELS, page_texts),
            "labels": ui.field_labels(SITE_LABELS, page_texts),
        },
        section="sites",
        errors=ui.in_field_order(errors or {}, SITE_FIELDS),
        status_code=status_code,
    )


async def _site_page(
    request: Request,
    session: AsyncSession,
    principal: Principal,
    site_id: uuid.UUID,
    values: Mapping[str, Any] | None = None,
    errors: ui.FormErrors | None = None,
    *,
    status_code: int = 200,
) -> Response:
    found = await service.get_site(session=session, principal=principal, site_id=site_id)
    page_texts = ui.texts(request)
    labels = ui.field_labels(SITE_LABELS, page_texts)
    labels["site_name"] = labels["name"]
    for unit in found.units:
        labels[f"unit-{unit.id}-name"] = page_texts.gettext("Name of unit %(unit)s") % {
            "unit": unit.name
        }
        labels[f"unit-{unit.id}-count"] = page_texts.gettext("Beds to add to unit %(unit)s") % {
            "unit": unit.name
        }
    return await ui.render(
        request,
        "housing/site.html",
        {
            "site": found,
            "values": {"site_name": found.name, **(values or {})},
            "kind_labels": SITE_KIND_LABELS,
            "labels": labels,
        },
        section="sites",
        errors=errors,
        status_code=status_code,
    )
