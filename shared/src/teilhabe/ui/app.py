"""`mount_staff_ui`: a service's pages at /ui, the shared assets at /static."""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

from collections.abc import Sequence
from urllib.parse import urlsplit

import structlog
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from teilhabe.api.pool import (
    CONNECTION_ERRORS,
    RETRY_AFTER_SECONDS,
    count_pool_exhausted,
    database_unavailable,
)
from teilhabe.api.problems import NotFound, ProblemError
from teilhabe.api.security import install_internal_error_handler
from teilhabe.auth import SigningKeysUnavailableError, public_endpoint
from teilhabe.auth.refusals import log_refusal
from teilhabe.config import ServiceSettings
from teilhabe.messaging.outbox import Outbox
from teilhabe.ui.assets import STATIC_DIR, vendor_ready
from teilhabe.ui.audit_trail import audit_trail_pages
from teilhabe.ui.auth import (
    PageForbidden,
    SignInFailed,
    SignInRequired,
    auth_router,
    create_oidc_client,
    sign_in_url,
)
from teilhabe.ui.directory import announce_sign_in
from teilhabe.ui.i18n import N_
from teilhabe.ui.navigation import TOOLS
from teilhabe.ui.rendering import (
    STATE_ATTRIBUTE,
    PageRenderer,
    StaffTool,
    render,
    renderer,
    texts,
)
from teilhabe.ui.sessions import BusyResponse, ServerSideSessions
from teilhabe.ui.settings import UiSettings
from teilhabe.ui.settings import ui_settings as current_ui_settings

log = structlog.get_logger(__name__)

MOUNT_PATH = "/ui"
STATIC_PATH = "/static"

_STATUS_TITLES = {
    400: N_("The request could not be processed"),
    403: N_("No access"),
    404: N_("Page not found"),
    405: N_("The request could not be processed"),
    409: N_("The change could not be made"),
    503: N_("Temporarily unavailable"),
}
_STATUS_MESSAGES = {
    400: N_("Please go back and try again."),
    404: N_("The page or record does not exist, or it was removed."),
    405: N_("Please go back and try again."),
    409: N_("Someone else changed the record meanwhile. Please reload it and try again."),
    503: N_("A service this page needs cannot be reached. Please try again in a minute."),
}


def mount_staff_ui(
    app: FastAPI,
    settings: ServiceSettings,
    tool: StaffTool,
    routers: Sequence[APIRouter],
    *,
    ui_settings: UiSettings | None = None,
    outbox: Outbox | None = None,
) -> FastAPI:
    """Serve `routers` as the tool's pages under /ui of `app`, signed in through OIDC.

    One of the routers must name the tool's start page `ui_home`. The pages get their own
    sub-application, so that their errors are pages rather than problem documents, and
    their session cookie is never read by the API. With `outbox`, each sign-in of a staff
    member stages `staff_member.signed_in` in it.
    """
    ui = ui_settings or current_ui_settings()
    if not vendor_ready():
        log.warning(
            "ui_assets_missing",
            detail="KERN stylesheet not found under static/vendor; run `make ui-assets`.",
        )

    pages = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    # One state for both: the pages use the app's database sessions and token validator.
    pages.state = app.state
    setattr(app.state, STATE_ATTRIBUTE, PageRenderer(tool, ui))

    oidc = create_oidc_client(settings, ui)
    pages.include_router(auth_router(oidc, ui, announce_sign_in(outbox) if outbox else None))
    pages.include_router(_shared_pages())
    pages.include_router(audit_trail_pages(), include_in_schema=False)
    for router in routers:
        pages.include_router(router, include_in_schema=False)
    _install_error_pages(pages)
    install_internal_error_handler(pages)
    database_busy = _pool_exhaustion_page(settings.service_name)

    async def pool_exhausted(request: Request, error: Exception) -> Response:
        if not database_unavailable(error):
            raise error  # any other database error stays a 500, logged with its trace
        return await database_busy(request)

    for error_class in CONNECTION_ERRORS:
        pages.add_exception_handler(error_class, pool_exhausted)

    pages.add_middleware(
        ServerSideSessions,
        state=app.state,
        # The name is the tool's own, so tools on one host never read each other's cookie;
        # the path "/" rather than /ui: behind a proxy the tool may live under another prefix.
        cookie_name=f"teilhabe_{tool.name}_session",
        max_age=ui.session_max_age_seconds,
        https_only=ui.cookie_secure,
        # The session is read and written outside the pages' exception handlers.
        database_busy=database_busy,
    )
    # Outside the sessions, so that a page they answer themselves has the headers too.
    pages.add_middleware(_PageSecurityHeaders, issuer=settings.oidc_issuer)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR, check_dir=True), name="static")
    app.mount(MOUNT_PATH, pages)
    return pages


def _shared_pages() -> APIRouter:
    router = APIRouter(dependencies=[public_endpoint()], include_in_schema=False)

    @router.get("/barrierefreiheit", name="ui_accessibility")
    async def accessibility_statement(request: Request) -> Response:
        # A legal text: one template per language rather than sentence by sentence.
        page_texts = texts(request)
        settings = renderer(request).settings
        tools_list = ", ".join(
            page_texts.gettext(TOOLS[name].title) for name in settings.tools if name in TOOLS
        )
        return await render(
            request,
            f"ui/accessibility.{page_texts.language}.html",
            {"tools_list": tools_list},
        )

    @router.get("/abgemeldet", name="ui_signed_out")
    async def signed_out(request: Request) -> Response:
        return await render(request, "ui/signed_out.html")

    return router


def _install_error_pages(pages: FastAPI) -> None:
    async def page(request: Request, status: int, message: str | None = None) -> Response:
        return await render(
            request,
            "ui/error.html",
            {
                "title": _STATUS_TITLES.get(status, _STATUS_TITLES[400]),
                "message": message or _STATUS_MESSAGES.get(status, _STATUS_MESSAGES[400]),
                "status": status,
            },
            status_code=status,
        )

    @pages.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _: SignInRequired) -> Response:
        log_refusal(request, status=401, reason="no valid session: sent to sign in")
        return RedirectResponse(sign_in_url(request), status_code=303)

    @pages.exception_handler(PageForbidden)
    async def forbidden(request: Request, error: PageForbidden) -> Response:
        log_refusal(
            request,
            status=403,
            reason="lacks the roles: " + ", ".join(sorted(error.roles)),
            subject=error.principal.subject,
        )
        return await render(
            request,
            "ui/forbidden.html",
            {"title": _STATUS_TITLES[403]},
            status_code=403,
        )

    @pages.exception_handler(SignInFailed)
    async def sign_in_failed(request: Request, error: SignInFailed) -> Response:
        log_refusal(request, status=400, reason=f"sign-in failed: {error.reason}")
        return await render(
            request, "ui/sign_in_failed.html", {"reason": error.reason}, status_code=400
        )

    @pages.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 400 and error.detail == "csrf":
            return await page(
                request,
                400,
                N_("The form was out of date. Please reload the page and submit it again."),
            )
        return await page(request, error.status_code)

    @pages.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        # Only path and query parameters reach here (forms are read by the pages): an
        # address that names no record.
        in_path = any(item["loc"][:1] == ("path",) for item in error.errors())
        return await page(request, 404 if in_path else 400)

    @pages.exception_handler(ProblemError)
    async def problem(request: Request, error: ProblemError) -> Response:
        return await page(request, 404 if isinstance(error, NotFound) else error.status)

    @pages.exception_handler(SigningKeysUnavailableError)
    async def keys_unavailable(request: Request, _: SigningKeysUnavailableError) -> Response:
        return await page(request, 503)


def _pool_exhaustion_page(service: str) -> BusyResponse:
    """The page when no database connection came free in time: counted, 503, Retry-After."""

    async def pool_exhausted(request: Request) -> Response:
        count_pool_exhausted(service, request.url.path)
        response = await render(
            request,
            "ui/error.html",
            {"title": _STATUS_TITLES[503], "message": _STATUS_MESSAGES[503], "status": 503},
            status_code=503,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    return pool_exhausted


class _PageSecurityHeaders:
    """The pages' security headers, as plain ASGI: no per-request task or body copy."""

    def __init__(self, app: ASGIApp, *, issuer: str) -> None:
        self._app = app
        provider = "{0.scheme}://{0.netloc}".format(urlsplit(issuer))
        # form-action must allow the provider: sign-out posts here and is redirected there.
        policy = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"font-src 'self'; form-action 'self' {provider}; frame-ancestors 'none'; "
            "base-uri 'none'; object-src 'none'"
        )
        self._headers = {
            # Pages hold personal data: not kept by the browser or a proxy after sign-out.
            "Cache-Control": "no-store",
            "Content-Security-Policy": policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self._headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self._app(scope, receive, send_with_headers)
