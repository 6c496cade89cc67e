"""Addresses of a tool's pages.

Names are looked up among the tool's pages only: the app's API routes are named after
their functions too, and a page named like one (`assign_caseworker`) must never link to it.
"""

from __future__ import annotations

import weakref
from typing import Any

from fastapi import Request
from fastapi.routing import iter_route_contexts
from starlette.routing import Route

# Route by name, per app: Starlette's url_path_for tries every route in turn, raising and
# catching an exception for each that does not match, which added up on a list page.
# Included routers stay one entry each in `app.router.routes` (FastAPI resolves them
# lazily), so the map is built from their effective routes, in url_path_for's order.
_ROUTES_BY_NAME: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def page_path(request: Request, name: str, **params: Any) -> str:
    """`/ui/haushalte/<id>`: the path of page `name`, below wherever the tool is mounted."""
    root = request.scope.get("root_path", "")
    route = _route(request.app, name)
    path = route.url_path_for(name, **params) if route else request.app.url_path_for(name, **params)
    return f"{root}{path}"


def _route(app: Any, name: str) -> Any:
    """The route (or an included router's effective route) named `name`, if a page."""
    routes = _ROUTES_BY_NAME.get(app)
    if routes is None:
        routes = {}
        for context in iter_route_contexts(app.router.routes):
            if isinstance(context.original_route, Route) and context.name is not None:
                # The first wins, as in url_path_for; the context builds the path with
                # the prefix of the router it was included with.
                routes.setdefault(context.name, context)
        _ROUTES_BY_NAME[app] = routes
    return routes.get(name)


def page_url(request: Request, name: str, **params: Any) -> str:
    """The absolute address of page `name`, as the browser reaches this tool."""
    return str(request.url.replace(path=page_path(request, name, **params), query="", fragment=""))


def static_path(request: Request, path: str) -> str:
    """A shared asset under /static of the app the tool is mounted on."""
    return str(request.url_for("static", path=path).path)
