"""The occupancy board: every site's units, their beds and the households living there,
searched, filtered and paged by units."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from collections.abc import Sequence
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from teilhabe import ui
from teilhabe.api.dependencies import DbSession

from housing import service
from housing.board import BoardFilters, board_units
from housing.pages import lists
from housing.pages.common import SITE_KIND_LABELS, Officer
from housing.schemas import SiteOut

router = APIRouter()
BOARD_PAGE_SIZE = 25  # units a page


@router.get("/", name="ui_home")
async def board(request: Request, session: DbSession, principal: Officer) -> Response:
    kind = ui.download_format(request)
    sites, residents = await service.get_board(
        session=session, principal=principal, action="export" if kind else "list"
    )
    filters = _board_filters(request, sites)
    if kind:  # every unit the filters find (not one page), with who lives there
        every, _ = board_units(
            sites,
            {unit: [r.notice_number for r in living] for unit, living in residents.items()},
            replace(filters, page=1),
            size=ui.DOWNLOAD_LIMIT,
        )
        return lists.occupancy_file(ui.texts(request), every, residents, kind)
    shown, total = board_units(
        sites,
        {unit: [r.notice_number for r in living] for unit, living in residents.items()},
        filters,
        size=BOARD_PAGE_SIZE,
    )
    return await ui.render(
        request,
        "housing/board.html",
        {
            "sites": shown,
            "any_site": bool(sites),
            "filters": filters,
            "total": total,
            "pager": ui.pager(filters.page, total, BOARD_PAGE_SIZE, ui.same_query(request)),
            "downloads": ui.download_links(request),
            "site_options": [(str(site.id), site.name) for site in sites],
            "residents": residents,
            "kind_labels": SITE_KIND_LABELS,
            "totals": {
                "beds": sum(site.beds for site in sites),
                "occupied": sum(site.occupied for site in sites),
                "reserved": sum(site.reserved for site in sites),
                "free": sum(site.free for site in sites),
            },
        },
        section="ui_home",
    )


def _board_filters(request: Request, sites: Sequence[SiteOut]) -> BoardFilters:
    """The board's filters as asked; a site that is not (or no longer) listed means all."""
    params = request.query_params
    site_ids = {str(site.id): site.id for site in sites}
    return BoardFilters(
        query=params.get("q", ""),
        site_id=site_ids.get(params.get("site", "")),
        free_only=params.get("free") == "on",
        page=ui.page_number(params.get("page")),
    )
