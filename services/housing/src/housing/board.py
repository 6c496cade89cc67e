"""Which units the occupancy board shows: search, filter and a page of them, no database.

The board lists units grouped by site; a page holds a fixed number of units, so a large
site spreads over pages like any other list, and each site keeps its own totals.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from teilhabe.events.households import normalise_notice_number

from housing.schemas import SiteOut


@dataclass(frozen=True)
class BoardFilters:
    query: str  # a site or unit name, or a notice number, as typed
    site_id: uuid.UUID | None
    free_only: bool
    page: int


def board_units(
    sites: Sequence[SiteOut],
    notice_numbers: Mapping[uuid.UUID, Sequence[str]],
    filters: BoardFilters,
    *,
    size: int,
) -> tuple[list[SiteOut], int]:
    """The sites with the units of the asked-for page, and how many units match in all.

    `notice_numbers` maps a unit id to the notice numbers of the households living there.
    """
    wanted = filters.query.strip().casefold()
    number = normalise_notice_number(filters.query)
    matching = [
        (site, unit)
        for site in sites
        if filters.site_id is None or site.id == filters.site_id
        for unit in site.units
        if (not filters.free_only or unit.free > 0)
        and (
            not wanted
            or wanted in site.name.casefold()
            or wanted in unit.name.casefold()
            or any(
                number in normalise_notice_number(known)
                for known in notice_numbers.get(unit.id, ())
            )
        )
    ]
    start = (filters.page - 1) * size
    shown: dict[uuid.UUID, SiteOut] = {}
    for site, unit in matching[start : start + size]:
        if site.id not in shown:
            shown[site.id] = site.model_copy(update={"units": []})
        shown[site.id].units.append(unit)
    return list(shown.values()), len(matching)
