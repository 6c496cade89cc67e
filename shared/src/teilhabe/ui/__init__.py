"""The staff tools' shared UI: one layout, sign-in, texts and forms for every service.

A service serves its pages with `mount_staff_ui(app, settings, StaffTool(...), [router])`
under /ui (the shared assets under /static). Its pages declare who may see them with
`page_roles(...)`, take a form through `FormAction` (read, check, call the same use case
as the API, then confirm or show the page again with the errors), and answer with
`render(request, template, context)`. Pages use the package as a module:
`from teilhabe import ui`, then `ui.render(...)`. Lists page with `page_number` and
`pager` (see `paging`), and download as CSV or XLSX with `download_format`,
`download_links` and `download` (see `downloads`). Texts are gettext message ids, German
first (see `i18n`); dates and numbers are formatted for de-DE in Europe/Berlin.
"""

from teilhabe.ui.actions import FormAction
from teilhabe.ui.app import MOUNT_PATH, STATIC_PATH, mount_staff_ui
from teilhabe.ui.auth import PageGuard, api_roles, page_roles
from teilhabe.ui.calendar_feeds import FeedPage, feed_page_routes, page_feed_address
from teilhabe.ui.charts import Chart, Series
from teilhabe.ui.downloads import (
    DOWNLOAD_LIMIT,
    DownloadFormat,
    Table,
    download,
    download_format,
    download_links,
)
from teilhabe.ui.figures import chart_table, figures_page, table_page
from teilhabe.ui.formatting import (
    country_name,
    date_input_value,
    format_date,
    format_datetime,
    language_names,
    parse_date,
    parse_time,
    spoken_language_name,
)
from teilhabe.ui.forms import (
    CHOOSE,
    DATE_FORMAT,
    FORM,
    REQUIRED,
    FormErrors,
    date_error,
    field_labels,
    in_field_order,
    language_codes,
    options,
    problem_errors,
    put_date,
    put_whole_number,
    read_form,
    request_model,
    text,
    validation_errors,
)
from teilhabe.ui.i18n import MESSAGE_LANGUAGES, N_, Texts
from teilhabe.ui.navigation import Section
from teilhabe.ui.paging import PageLink, Pager, page_number, page_offset, pager, same_query
from teilhabe.ui.rendering import StaffTool, flash, render, texts
from teilhabe.ui.settings import UiSettings
from teilhabe.ui.urls import page_path

__all__ = [
    "CHOOSE",
    "DATE_FORMAT",
    "DOWNLOAD_LIMIT",
    "FORM",
    "MESSAGE_LANGUAGES",
    "MOUNT_PATH",
    "N_",
    "REQUIRED",
    "STATIC_PATH",
    "Chart",
    "DownloadFormat",
    "FeedPage",
    "FormAction",
    "FormErrors",
    "PageGuard",
    "PageLink",
    "Pager",
    "Section",
    "Series",
    "StaffTool",
    "Table",
    "Texts",
    "UiSettings",
    "api_roles",
    "chart_table",
    "country_name",
    "date_error",
    "date_input_value",
    "download",
    "download_format",
    "download_links",
    "feed_page_routes",
    "field_labels",
    "figures_page",
    "flash",
    "format_date",
    "format_datetime",
    "in_field_order",
    "language_codes",
    "language_names",
    "mount_staff_ui",
    "options",
    "page_feed_address",
    "page_number",
    "page_offset",
    "page_path",
    "page_roles",
    "pager",
    "parse_date",
    "parse_time",
    "problem_errors",
    "put_date",
    "put_whole_number",
    "read_form",
    "render",
    "request_model",
    "same_query",
    "spoken_language_name",
    "table_page",
    "text",
    "texts",
    "validation_errors",
]
