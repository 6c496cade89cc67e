"""A calendar feed on a staff page: a new address, shown on that answer only (it is kept
hashed and cannot be shown again), and stopping it (teilhabe.calendar).

The service gives, as a dependency, the holder's `FeedPage`: its use cases bound to the
caller and the holder, and the page that shows the feed. `feed_page_routes` adds the
routes; the use cases check the caller's scope as ever.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.params import Depends as Dependency
from fastapi.responses import Response

from teilhabe.api.dependencies import DbSession
from teilhabe.calendar import CalendarFeeds, FeedAccess, depends_on
from teilhabe.ui.actions import FormAction
from teilhabe.ui.app import MOUNT_PATH
from teilhabe.ui.i18n import N_
from teilhabe.ui.urls import page_path

STOPPED = N_("The calendar address no longer works.")
# The check box of a page whose holder chooses whether the feed names people.
NAMES_FIELD = "names"


@dataclass(frozen=True)
class FeedPage:
    """One holder's feed on a page: its use cases, and the page showing it (with an
    address just issued, or None)."""

    access: FeedAccess
    show: Callable[[str | None], Awaitable[Response]]


def page_feed_address(request: Request, feeds: CalendarFeeds, token: str) -> str:
    """The full address of a feed issued on a page: the feeds are served by the service's
    app, where the staff tool is mounted below `MOUNT_PATH`."""
    root = request.scope.get("root_path", "").removesuffix(MOUNT_PATH)
    return feeds.address(request, token, root=root)


def feed_page_routes(
    router: APIRouter,
    *,
    path: str,
    feeds: CalendarFeeds,
    page: Callable[..., Any],
    names: tuple[str, str],
    back: str,
    stop_path: str | None = None,
    show_name: str | None = None,
    choose_names: bool = False,
    dependencies: Sequence[Dependency] = (),
) -> None:
    """Add to `router` a holder's feed routes: `POST path` a new address, `POST stop_path`
    (by default `path/beenden`) stopping it, named `names`, then going on to the page
    named `back` (of the same path parameters); with `show_name` also `GET path`, the
    page itself. `page` is the dependency giving the holder's `FeedPage`.

    With `choose_names`, the issuing form's `names` check box says whether the feed names
    people.
    """

    async def show(feed: FeedPage) -> Response:
        return await feed.show(None)

    async def issue(request: Request, session: DbSession, feed: FeedPage) -> Response:
        form = await FormAction.read(request, session, fields=[NAMES_FIELD] if choose_names else ())
        if choose_names:
            token = await feed.access.issue(show_names=form.text(NAMES_FIELD) == "on")
        else:
            token = await feed.access.issue()
        return await feed.show(page_feed_address(request, feeds, token))

    async def stop(request: Request, session: DbSession, feed: FeedPage) -> Response:
        form = await FormAction.read(request, session)
        await feed.access.stop()
        return form.done(
            page_path(request, back, **request.path_params), form.texts.gettext(STOPPED)
        )

    for endpoint in (show, issue, stop):
        depends_on(endpoint, "feed", page)
    guarded = list(dependencies)
    if show_name is not None:
        router.add_api_route(path, show, methods=["GET"], name=show_name, dependencies=guarded)
    router.add_api_route(path, issue, methods=["POST"], name=names[0], dependencies=guarded)
    router.add_api_route(
        stop_path or f"{path}/beenden", stop, methods=["POST"], name=names[1], dependencies=guarded
    )
