"""Sites, their units and beds: recording a site, renaming, adding units and beds."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.scope import applies_scope

from housing import persons, protection, service
from housing.dependencies import SITES
from housing.pages.common import AGE_GROUP_LABELS, SITE_KIND_LABELS, Officer
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
    form = await ui.FormAction.read(
        request, session, fields=SITE_FIELDS, hints=SITE_HINTS, conflicts=SITE_CONFLICTS
    )
    values: dict[str, Any] = form.values(SITE_FIELDS)
    values["accessible"] = values["accessible"] == "on"
    unit: dict[str, Any] = {"accessible": values["accessible"]}
    if values["unit_name"]:
        unit["name"] = values["unit_name"]
    form.put_whole_number(unit, "beds", values["beds"], key="units-0-beds")
    data = {k: values[k] for k in ("name", "kind", "address") if values[k]} | {"units": [unit]}
    body = form.model(SiteIn, data, fields=_SITE_MODEL_FIELDS)
    form.rename(_SITE_FORM_KEYS)
    if body is not None:
        site = await form.call(service.create_site(session=session, site_in=body))
        if site is not None:
            return form.done(
                ui.page_path(request, "site", site_id=site.id),
                form.texts.gettext("Site %(name)s is recorded.") % {"name": site.name},
            )
    return await form.again(
        lambda errors: _sites_page(request, session, principal, values, errors=errors)
    )


@router.get("/standorte/{site_id}", name="site", dependencies=[applies_scope(SITES)])
async def site(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    return await _site_page(request, session, principal, site_id)


@router.post("/standorte/{site_id}/name", name="rename_site", dependencies=[applies_scope(SITES)])
async def rename_site(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(request, session, fields=["name"], conflicts=SITE_CONFLICTS)
    name = form.text("site_name")
    body = form.model(SiteNameIn, {"name": name})
    if body is not None:
        renamed = await form.call(
            service.rename_site(
                session=session, principal=principal, site_id=site_id, name=body.name
            )
        )
        if renamed is not None:
            return form.done(
                ui.page_path(request, "site", site_id=site_id),
                form.texts.gettext("The site is now called %(name)s.") % {"name": name},
            )
    return await _site_form_again(form, "site_name", name, session, principal, site_id)


@router.post("/standorte/{site_id}/einheiten", name="add_unit", dependencies=[applies_scope(SITES)])
async def add_unit(
    request: Request, site_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(
        request, session, fields=("unit_name", "beds", "accessible"), hints=SITE_HINTS
    )
    values = form.values(("unit_name", "beds", "accessible"))
    data: dict[str, Any] = {"accessible": values["accessible"] == "on"}
    if values["unit_name"]:
        data["name"] = values["unit_name"]
    form.put_whole_number(data, "beds", values["beds"])
    body = form.model(UnitIn, data, fields=["name", "beds"])
    form.rename(_UNIT_FORM_KEYS)
    if body is not None:
        added = await form.call(
            service.add_unit(session=session, principal=principal, site_id=site_id, unit_in=body)
        )
        if added is not None:
            return form.done(
                ui.page_path(request, "site", site_id=site_id),
                form.texts.gettext("Unit %(unit)s is added.") % {"unit": body.name},
            )
    return await form.again(
        lambda errors: _site_page(request, session, principal, site_id, values, errors)
    )


# A unit is loaded through its site's scope (service.get_unit_site_id, service._unit).
@router.post("/einheiten/{unit_id}/name", name="rename_unit", dependencies=[applies_scope(SITES)])
async def rename_unit(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(request, session, fields=["name"])
    key = f"unit-{unit_id}-name"
    name = form.text(key)
    body = form.model(UnitNameIn, {"name": name})
    site_id = await service.get_unit_site_id(session=session, principal=principal, unit_id=unit_id)
    if body is not None:
        renamed = await form.call(
            service.rename_unit(
                session=session, principal=principal, unit_id=unit_id, name=body.name
            )
        )
        if renamed is not None:
            return form.done(
                ui.page_path(request, "site", site_id=site_id),
                form.texts.gettext("The unit is now called %(unit)s.") % {"unit": name},
            )
    return await _site_form_again(form, key, name, session, principal, site_id)


@router.post("/einheiten/{unit_id}/betten", name="add_beds", dependencies=[applies_scope(SITES)])
async def add_beds(
    request: Request, unit_id: uuid.UUID, session: DbSession, principal: Officer
) -> Response:
    form = await ui.FormAction.read(request, session, fields=["count"])
    key = f"unit-{unit_id}-count"
    typed = form.text(key)
    data: dict[str, Any] = {}
    form.put_whole_number(data, "count", typed)
    body = form.model(BedsIn, data)
    site_id = await service.get_unit_site_id(session=session, principal=principal, unit_id=unit_id)
    if body is not None:
        unit = await form.call(
            service.add_beds(
                session=session, principal=principal, unit_id=unit_id, count=body.count
            )
        )
        if unit is not None:
            return form.done(
                ui.page_path(request, "site", site_id=site_id),
                form.texts.ngettext(
                    "%(num)s bed is added to unit %(unit)s.",
                    "%(num)s beds are added to unit %(unit)s.",
                    body.count,
                )
                % {"num": body.count, "unit": unit.name},
            )
    return await _site_form_again(form, key, typed, session, principal, site_id)


async def _site_form_again(
    form: ui.FormAction,
    key: str,
    typed: str,
    session: DbSession,
    principal: Principal,
    site_id: uuid.UUID,
) -> Response:
    """A one-field form of the site page refused: its first error at that field, whose
    key names the unit (each unit has its own forms on the page)."""
    messages = list(form.errors.values())
    form.errors = {key: messages[0]} if messages else {}
    return await form.again(
        lambda errors: _site_page(
            request=form.request,
            session=session,
            principal=principal,
            site_id=site_id,
            values={key: typed},
            errors=errors,
        )
    )


async def _sites_page(
    request: Request,
    session: DbSession,
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
    session: DbSession,
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
    lists = await protection.get_lists(session=session)
    return await ui.render(
        request,
        "housing/site.html",
        {
            "site": found,
            "protection_kinds": lists.unit_protections,
            "residents": await persons.get_site_residents(
                session=session, principal=principal, site_id=site_id
            ),
            "age_group_labels": AGE_GROUP_LABELS,
            "values": {"site_name": found.name, **(values or {})},
            "kind_labels": SITE_KIND_LABELS,
            "labels": labels,
        },
        section="sites",
        errors=errors,
        status_code=status_code,
    )
