"""The staff tools' shared package on its own: texts, formats, paging, tables, addresses,
navigation.

Each service's page tests use these through a whole tool; here each part answers alone,
so a fault shows where it is.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from jinja2 import Environment, FileSystemLoader
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from teilhabe.auth import Principal, Role
from teilhabe.ui import assets
from teilhabe.ui.formatting import (
    STATELESS,
    country_name,
    date_input_value,
    format_date,
    format_datetime,
    format_number,
    language_name,
)
from teilhabe.ui.i18n import DEFAULT_LANGUAGE, SHARED_CATALOGUES, Texts, catalogue_file
from teilhabe.ui.navigation import TOOLS, Section, tool_links
from teilhabe.ui.paging import LAST_PAGE, page_number, page_offset, pager, same_query
from teilhabe.ui.rendering import UI_TEMPLATES
from teilhabe.ui.settings import UiSettings
from teilhabe.ui.urls import page_path, page_url, static_path


def person(*roles: Role) -> Principal:
    return Principal(subject="staff-1", roles=frozenset(roles))


# --- i18n -------------------------------------------------------------------------------


def test_german_is_the_default_and_an_unknown_language_falls_back_to_it() -> None:
    assert DEFAULT_LANGUAGE == "de"
    assert Texts.load("fr", []).language == "de"
    assert Texts.load("en", []).locale == "en_GB"
    assert Texts.load("de", []).locale == "de_DE"


def test_a_message_is_shown_in_german_and_in_english_as_written() -> None:
    german, english = Texts.load("de", []), Texts.load("en", [])
    assert german.gettext("Notifications") == "Benachrichtigungen"
    assert english.gettext("Notifications") == "Notifications"
    assert german.translated("Notifications") == "Benachrichtigungen"


def test_a_message_without_german_text_is_none_rather_than_english() -> None:
    assert Texts.load("de", []).translated("No catalogue has this message") is None
    assert Texts.load("en", []).translated("No catalogue has this message") is not None


def test_a_services_catalogue_wins_over_the_shared_one(tmp_path: Path) -> None:
    own = catalogue_file(tmp_path, "de")
    own.parent.mkdir(parents=True)
    own.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Notifications"\nmsgstr "Mitteilungen"\n\n'
        '#, fuzzy\nmsgid "Volunteering"\nmsgstr "Ungeprüft"\n',
        encoding="utf-8",
    )
    texts = Texts.load("de", [tmp_path])
    assert texts.gettext("Notifications") == "Mitteilungen"
    assert texts.gettext("Volunteering") != "Ungeprüft", "a fuzzy entry is never shown"


def test_placeholders_are_filled_and_a_text_without_them_is_left_alone() -> None:
    texts = Texts("de", Texts.load("de", []).catalogue, {"city": "Dülmen"})
    assert texts.fill("Stadt %(city)s") == "Stadt Dülmen"
    assert texts.fill("100 %") == "100 %"
    assert texts.fill("%(unknown)s bleibt") == "%(unknown)s bleibt"


def test_every_shared_catalogue_entry_has_its_german_text() -> None:
    text = catalogue_file(SHARED_CATALOGUES, "de").read_text(encoding="utf-8")
    assert '\nmsgstr ""\n\n' not in text.split("\n\n", 1)[1], "an untranslated entry"


# --- formatting -------------------------------------------------------------------------


def test_dates_and_times_read_as_in_germany_on_the_berlin_clock() -> None:
    assert format_date(date(2026, 11, 20), "de_DE") == "20.11.2026"
    assert format_date(None, "de_DE") == ""
    # 13:05 UTC in November is 14:05 in Berlin; in July (summer time) 15:05.
    assert format_datetime(datetime(2026, 11, 20, 13, 5, tzinfo=UTC), "de_DE") == (
        "20.11.2026, 14:05"
    )
    assert format_datetime(datetime(2026, 7, 20, 13, 5, tzinfo=UTC), "de_DE").endswith("15:05")
    assert date_input_value(date(2026, 3, 4), "de_DE") == "04.03.2026"
    assert date_input_value(date(2026, 3, 4), "en_GB") == "04/03/2026"


def test_numbers_group_as_the_language_does() -> None:
    assert format_number(1234567, "de_DE") == "1.234.567"
    assert format_number(1234567, "en_GB") == "1,234,567"
    assert format_number(None, "de_DE") == ""


def test_codes_are_named_in_words_and_an_unknown_one_is_kept() -> None:
    assert language_name("fa", "de_DE") == "Persisch"
    assert language_name("ar", "en_GB") == "Arabic"
    assert language_name("qqq", "de_DE") == "qqq"
    assert country_name("AFG", "de_DE") == "Afghanistan"
    assert country_name("SY", "de_DE") == "Syrien"
    assert country_name(STATELESS, "de_DE") == STATELESS


# --- paging -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("asked", "page"),
    [(None, 1), ("", 1), ("3", 3), ("0", 1), ("-2", 1), ("zwei", 1), ("99999999", LAST_PAGE)],
)
def test_a_page_number_that_is_not_one_from_1_is_the_first_page(asked: object, page: int) -> None:
    assert page_number(asked) == page


def test_the_pager_links_either_side_and_not_beyond_the_ends() -> None:
    def link(number: int) -> str:
        return f"/liste?page={number}"

    assert page_offset(3, 25) == 50
    middle = pager(2, total=60, size=25, link=link)
    assert (middle.pages, middle.previous, middle.next) == (3, "/liste?page=1", "/liste?page=3")
    first = pager(1, total=0, size=25, link=link)
    assert (first.pages, first.previous, first.next, first.first) == (
        1,
        None,
        None,
        "/liste?page=1",
    )
    beyond = pager(7, total=60, size=25, link=link)
    assert beyond.next is None
    assert beyond.first == "/liste?page=1"


# --- tables -----------------------------------------------------------------------------

_TABLE = (
    '{% import "ui/tables.html" as tables %}'
    '{% call tables.table(labelled_by, "Verlauf", ["Tag", ("Personen", "numeric")], **options) %}'
    '<tr class="kern-table__row"><td>1</td></tr>{% endcall %}'
)


def _table(labelled_by: str, **options: object) -> str:
    environment = Environment(loader=FileSystemLoader(UI_TEMPLATES), autoescape=True)
    return environment.from_string(_TABLE).render(labelled_by=labelled_by, options=options)


def test_a_table_has_its_region_hidden_caption_headings_and_the_callers_rows() -> None:
    html = _table("results-heading", striped=True)
    assert '<div class="table-region" role="region" aria-labelledby="results-heading"' in html
    assert '<table class="kern-table kern-table--striped">' in html
    assert '<caption class="visually-hidden">Verlauf</caption>' in html
    assert '<th class="kern-table__header" scope="col">Tag</th>' in html
    assert '<th class="kern-table__header numeric" scope="col">Personen</th>' in html
    assert '<tr class="kern-table__row"><td>1</td></tr>' in html


def test_a_table_may_show_and_name_its_caption_and_carry_a_data_mark() -> None:
    html = _table(
        "history-caption", caption_id="history-caption", caption_class=None, data="history"
    )
    assert 'aria-labelledby="history-caption"' in html
    assert '<table class="kern-table" data-history>' in html
    assert '<caption id="history-caption">Verlauf</caption>' in html
    titled = _table("sites-caption", caption_id="sites-caption", caption_class="kern-title")
    assert '<caption class="kern-title" id="sites-caption">Verlauf</caption>' in titled


# --- addresses (an app with a page and an API route of the same name) --------------------


def addressed_app() -> FastAPI:
    app = FastAPI()
    static = Path(__file__).parent  # any directory: only its address is asked for
    app.router.routes.append(Mount("/static", StaticFiles(directory=static), name="static"))

    @app.get("/households/{household_id}", name="household")
    async def api_household(household_id: str) -> dict[str, str]:
        return {"id": household_id}

    pages = FastAPI()

    @pages.get("/haushalte/{household_id}", name="household")
    async def page(request: Request, household_id: str) -> PlainTextResponse:
        return PlainTextResponse(
            "\n".join(
                (
                    page_path(request, "household", household_id=household_id),
                    page_url(request, "household", household_id="b"),
                    static_path(request, "vendor/kern/kern.min.css"),
                    same_query(request)(4),
                )
            )
        )

    app.mount("/ui", pages)
    return app


async def test_a_page_links_to_pages_of_its_tool_never_to_the_api_route_of_that_name() -> None:
    transport = httpx.ASGITransport(app=addressed_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://tool.test") as client:
        response = await client.get("/ui/haushalte/a?q=Haddad&page=2")
    assert response.status_code == 200
    path, url, static, next_page = response.text.splitlines()
    assert path == "/ui/haushalte/a"
    assert url == "http://tool.test/ui/haushalte/b"
    assert static == "/static/vendor/kern/kern.min.css"
    assert next_page == "/ui/haushalte/a?q=Haddad&page=4", "the list's filter is kept"


# --- navigation -------------------------------------------------------------------------


def test_nobody_signed_in_sees_no_tool_links() -> None:
    assert tool_links(UiSettings(), "intake", None) == []


def test_each_person_sees_the_tools_their_roles_may_use_with_the_current_one_marked() -> None:
    settings = UiSettings(housing_url="https://wohnen.example/ui/")
    officer = tool_links(settings, "housing", person(Role.HOUSING_OFFICER))
    assert [(link.url, link.current) for link in officer] == [
        ("https://wohnen.example/ui/", True),
        (settings.notifications_url, False),
    ]
    admin = tool_links(settings, "notifications", person(Role.ADMIN))
    assert [link.title for link in admin] == [tool.title for tool in TOOLS.values()]


def test_a_city_running_only_some_tools_links_only_those() -> None:
    settings = UiSettings(tools="intake, notifications")  # type: ignore[arg-type]
    links = tool_links(settings, "intake", person(Role.CASEWORKER, Role.HOUSING_OFFICER))
    assert [link.title for link in links] == [TOOLS["intake"].title, TOOLS["notifications"].title]
    with pytest.raises(ValueError, match="unknown tools"):
        UiSettings(tools="intake,kitchen")  # type: ignore[arg-type]


def test_a_section_with_roles_is_offered_only_to_those_holding_one() -> None:
    everyone = Section("inbox", "Inbox")
    log = Section("delivery_log", "Delivery log", frozenset({Role.ADMIN}))
    assert everyone.offered_to(person(Role.VOLUNTEER))
    assert not log.offered_to(person(Role.VOLUNTEER))
    assert log.offered_to(person(Role.VOLUNTEER, Role.ADMIN))


# --- assets -----------------------------------------------------------------------------


def test_the_vendor_copy_holds_what_the_pages_load() -> None:
    """`make install` copied KERN and Swagger UI (the pages render without, unstyled)."""
    assert assets.vendor_ready()
    fonts = (assets.VENDOR_DIR / "fonts" / "fira-sans.css").read_text(encoding="utf-8")
    for font in assets._FONT_URL.findall(fonts):
        assert (assets.VENDOR_DIR / "fonts" / font).is_file(), font
    for name in assets.SWAGGER_UI_FILES:
        assert (assets.SWAGGER_UI_DIR / name).is_file(), name


def test_a_package_of_another_version_is_refused_before_anything_is_copied(
    tmp_path: Path,
) -> None:
    (tmp_path / "package.json").write_text('{"name": "@kern-ux/native", "version": "0.1.0"}')
    with pytest.raises(RuntimeError, match=re.escape(f"0.1.0 installed, {assets.KERN_VERSION}")):
        assets._require_version(tmp_path, assets.KERN_VERSION)
