"""Pages from Jinja2 templates: the shared layout, the tool's own templates, its texts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from teilhabe.auth import Principal
from teilhabe.ui import formatting
from teilhabe.ui.auth import LANGUAGE_KEY, PRINCIPAL_STATE, session_principal
from teilhabe.ui.forms import CSRF_FIELD, FORM, FormErrors, csrf_token
from teilhabe.ui.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, N_, Texts
from teilhabe.ui.navigation import ROLE_TITLES, TOOLS, Section, tool_links
from teilhabe.ui.settings import UiSettings
from teilhabe.ui.urls import page_path, static_path

UI_TEMPLATES = Path(__file__).parent / "templates"
STATE_ATTRIBUTE = "staff_ui"
_FLASH_KEY = "flash"
STATELESS_WORDS = N_("stateless")


@dataclass(frozen=True)
class StaffTool:
    """What a service tells the shared UI about its own pages."""

    name: str  # one of navigation.TOOLS
    templates: Path  # the service's template folder; its `locale/` holds its catalogues
    sections: Sequence[Section] = field(default_factory=tuple)


class PageRenderer:
    def __init__(self, tool: StaffTool, settings: UiSettings) -> None:
        if tool.name not in TOOLS:
            raise ValueError(f"unknown tool {tool.name!r}; known: {', '.join(TOOLS)}")
        self.tool = tool
        self.settings = settings
        self._catalogues = (tool.templates / "locale",)
        self.environment = Environment(
            loader=ChoiceLoader([FileSystemLoader(tool.templates), FileSystemLoader(UI_TEMPLATES)]),
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        # Per-request gettext callables are passed with each render (the language is the
        # request's), in the new style: `_("…%(n)s", n=3)` formats and escapes.
        self.environment.newstyle_gettext = True  # type: ignore[attr-defined]

    def texts(self, request: Request) -> Texts:
        language = request.session.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
        loaded = Texts.load(
            language if language in LANGUAGES else DEFAULT_LANGUAGE, self._catalogues
        )
        return replace(loaded, placeholders=self.settings.placeholders)

    async def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        *,
        status_code: int = 200,
        section: str | None = None,
        errors: FormErrors | None = None,
    ) -> HTMLResponse:
        principal: Principal | None = getattr(request.state, PRINCIPAL_STATE, None)
        if principal is None:
            principal = await session_principal(request)
        texts = self.texts(request)
        page = {
            **self._base_context(request, texts, principal, section),
            "errors": errors or {},
            "form_error": (errors or {}).get(FORM),
            **(context or {}),
        }
        html = self.environment.get_template(template).render(page)
        return HTMLResponse(
            html, status_code=status_code, headers={"Content-Language": texts.language}
        )

    def _base_context(
        self, request: Request, texts: Texts, principal: Principal | None, section: str | None
    ) -> dict[str, Any]:
        locale = texts.locale
        current = request.url.path + (f"?{request.url.query}" if request.url.query else "")

        def url(name: str, **params: Any) -> str:
            return page_path(request, name, **params)

        def static(path: str) -> str:
            return static_path(request, path)

        def csrf_field() -> Markup:
            return Markup('<input type="hidden" name="{}" value="{}">').format(
                CSRF_FIELD, csrf_token(request)
            )

        languages = [
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "url": f"{url('ui_language', language=code)}?next={quote(current, safe='')}",
            }
            for code in LANGUAGES
            if code != texts.language
        ]
        return {
            "request": request,
            "lang": texts.language,
            "texts": texts,
            "gettext": _new_style(texts.gettext),
            "_": _new_style(texts.gettext),
            "ngettext": _new_style_plural(texts.ngettext),
            "format_date": lambda value: formatting.format_date(value, locale),
            "format_datetime": lambda value: formatting.format_datetime(value, locale),
            "format_number": lambda value: formatting.format_number(value, locale),
            "language_name": lambda code: formatting.spoken_language_name(code, locale),
            "language_names": lambda codes: formatting.language_names(codes, locale),
            "country_name": lambda code: (
                texts.gettext(STATELESS_WORDS)
                if code == formatting.STATELESS
                else formatting.country_name(code, locale)
            ),
            "date_value": lambda value: formatting.date_input_value(value, locale),
            "url": url,
            "static": static,
            "csrf_field": csrf_field,
            "principal": principal,
            "role_titles": ", ".join(
                texts.gettext(ROLE_TITLES[role]) for role in sorted(principal.roles)
            )
            if principal
            else "",
            "tool": TOOLS[self.tool.name],
            # The current tool links to its own start page, wherever it is deployed.
            "tools": [
                replace(link, url=url("ui_home")) if link.current else link
                for link in tool_links(self.settings, self.tool.name, principal)
            ],
            # The tool's own pages are offered to those who may use it, not to everyone.
            "sections": [
                {"title": item.title, "url": url(item.name), "current": item.name == section}
                for item in self.tool.sections
                if item.offered_to(principal)
            ]
            if principal and principal.has_any_role(*TOOLS[self.tool.name].roles)
            else [],
            "ui": self.settings,
            "languages": languages,
            "current_url": current,
            "flashes": request.session.pop(_FLASH_KEY, []),
        }


def _new_style(translate: Callable[[str], str]) -> Callable[..., str]:
    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        text: str = translate(message)
        if context.eval_ctx.autoescape:
            # The catalogue's text is trusted markup (as in Jinja's own gettext); the
            # variables formatted into it are escaped by Markup's `%`.
            text = Markup(text)  # noqa: S704
        # As Jinja's own new-style gettext: always formatted, so "%%" is a literal "%".
        return text % variables

    return gettext


def _new_style_plural(translate: Callable[[str, str, int], str]) -> Callable[..., str]:
    @pass_context
    def ngettext(
        context: Context, singular: str, plural: str, count: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", count)
        text: str = translate(singular, plural, count)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - trusted catalogue text, as above
        return text % variables

    return ngettext


def renderer(request: Request) -> PageRenderer:
    found = getattr(request.app.state, STATE_ATTRIBUTE, None)
    if not isinstance(found, PageRenderer):
        raise RuntimeError("mount_staff_ui(app, ...) was not called for this app")
    return found


async def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    section: str | None = None,
    errors: FormErrors | None = None,
) -> HTMLResponse:
    """A page of the current tool, in the request's language, inside the shared layout."""
    return await renderer(request).render(
        request, template, context, status_code=status_code, section=section, errors=errors
    )


def texts(request: Request) -> Texts:
    """The request's texts, for messages made in Python (flashes, form errors)."""
    return renderer(request).texts(request)


def flash(request: Request, message: str, *, warning: bool = False) -> None:
    """A confirmation (or, with `warning`, something to check) shown once, on the next
    page this session sees."""
    messages = list(request.session.get(_FLASH_KEY, []))
    messages.append({"text": message, "kind": "warning"} if warning else message)
    request.session[_FLASH_KEY] = messages
