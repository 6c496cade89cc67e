"""/docs: Swagger UI from the files kept in the package (`make ui-assets`), no CDN.

An API's documentation must open where the API runs, also without internet access. The
files come from the pinned npm package swagger-ui-dist, copied beside the KERN assets.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from teilhabe.auth import public_endpoint

DOCS_PATH = "/docs"
DOCS_ASSETS_PATH = "/docs/assets"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"


def docs_router(title: str) -> APIRouter:
    router = APIRouter(dependencies=[public_endpoint()], include_in_schema=False)

    @router.get(DOCS_PATH)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        assets = root + DOCS_ASSETS_PATH
        return get_swagger_ui_html(
            openapi_url=root + (request.app.openapi_url or "/openapi.json"),
            title=f"{title} – API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_PATH,
        )

    @router.get(OAUTH2_REDIRECT_PATH)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    return router
