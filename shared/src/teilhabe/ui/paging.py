"""Lists shown a page at a time: the page asked for, where it starts, the pager's links.

Every list of the tools pages alike: `?page=N` in its address, a fixed number of rows a
page, and a pager (`ui/paging.html`) linking to the pages either side, which keep the
list's filters. A page number that is not a whole number from 1 is the first page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

# Far beyond any list here; keeps the offset a number the database takes.
LAST_PAGE = 10_000

PageLink = Callable[[int], str]  # page number → the address of that page of the list


def page_number(value: object) -> int:
    """The page `?page=` asks for; the first when it is missing, not a number or below 1."""
    try:
        number = int(str(value or "1"))
    except ValueError:
        return 1
    return min(max(number, 1), LAST_PAGE)


def page_offset(page: int, size: int) -> int:
    """How many rows come before `page`, for the query's OFFSET."""
    return (page - 1) * size


@dataclass(frozen=True)
class Pager:
    """Where a paged list stands, and the addresses of the pages either side of it."""

    page: int
    pages: int
    previous: str | None
    next: str | None
    first: str  # for a page beyond the last, which shows no rows


def pager(page: int, total: int, size: int, link: PageLink) -> Pager:
    """The pager of `page` of a list of `total` rows, `size` a page."""
    pages = max(1, math.ceil(total / size))
    return Pager(
        page=page,
        pages=pages,
        previous=link(page - 1) if page > 1 else None,
        next=link(page + 1) if page < pages else None,
        first=link(1),
    )


def same_query(request: Request) -> PageLink:
    """Links to other pages of the list `request` shows: its query as sent, `page` replaced."""

    def link(number: int) -> str:
        url = request.url.include_query_params(page=number)
        return f"{url.path}?{url.query}"

    return link
