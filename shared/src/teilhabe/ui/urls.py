"""Addresses of a tool's pages.

Names are looked up among the tool's pages only: the app's API routes are named after
their functions too, and a page named like one (`assign_caseworker`) must never link to it.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request


def page_path(request: Request, name: str, **params: Any) -> str:
    """`/ui/haushalte/<id>`: the path of page `name`, below wherever the tool is mounted."""
    root = request.scope.get("root_path", "")
    return f"{root}{request.app.url_path_for(name, **params)}"


def page_url(request: Request, name: str, **params: Any) -> str:
    """The absolute address of page `name`, as the browser reaches this tool."""
    return str(request.url.replace(path=page_path(request, name, **params), query="", fragment=""))


def static_path(request: Request, path: str) -> str:
    """A shared asset under /static of the app the tool is mounted on."""
    return str(request.url_for("static", path=path).path)
