"""Courses' lists as files (CSV for any program, XLSX for Excel; teilhabe.ui.downloads):
the offers list, and an offer's participants and waitlist. The rows come from the same
use cases as the pages, so a download is scoped as the page is; the participants and
the waitlist are audited as an export (the catalogue holds no person)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from fastapi import Request
from teilhabe import ui
from teilhabe.events.courses import OfferKind
from teilhabe.events.households import AgeGroup
from teilhabe.ui.downloads import QUERY_KEY, DownloadLink

from courses.schemas import CourseDetail, CourseOut

# Which list of a course a download holds: `?liste=` beside `?download=`.
LIST_KEY = "liste"
PARTICIPANTS, WAITLIST = "teilnehmende", "warteliste"

OFFER_COLUMNS = (
    ui.N_("Title"),
    ui.N_("Kind"),
    ui.N_("Provider"),
    ui.N_("Level"),
    ui.N_("Starts on"),
    ui.N_("Ends on"),
    ui.N_("Weekly times"),
    ui.N_("Place"),
    ui.N_("Languages"),
    ui.N_("Childcare"),
    ui.N_("Seats"),
    ui.N_("Free"),
    ui.N_("Waitlist"),
)
PARTICIPANT_COLUMNS = (
    ui.N_("No."),
    ui.N_("Household"),
    ui.N_("Person"),
    ui.N_("Age group"),
    ui.N_("Enrolled on"),
)
WAITLIST_COLUMNS = (
    ui.N_("Position"),
    ui.N_("Household"),
    ui.N_("Person"),
    ui.N_("Age group"),
    ui.N_("Waiting since"),
    ui.N_("Seat offered until"),
)
NAMES = (ui.N_("offers"), ui.N_("participants"), ui.N_("waitlist"))


def offers_table(
    found: Sequence[CourseOut], kinds: Mapping[OfferKind, str], gettext: Callable[[str], str]
) -> ui.Table:
    return ui.Table(
        name=gettext("offers"),
        title=gettext("Offers"),
        headers=[gettext(h) for h in OFFER_COLUMNS],
        rows=[
            (
                c.title,
                gettext(kinds[c.kind]),
                c.provider,
                c.level,
                c.starts_on,
                c.ends_on,
                c.weekly_times,
                c.place,
                ", ".join(c.languages),
                gettext("yes") if c.childcare else gettext("no"),
                c.seats,
                c.free,
                c.waitlisted,
            )
            for c in found
        ],
    )


def course_table(
    detail: CourseDetail,
    which: str,
    age_groups: Mapping[AgeGroup, str],
    gettext: Callable[[str], str],
) -> ui.Table:
    """The participants or the waitlist of one course, as the course page shows them."""

    def group(value: AgeGroup | None) -> str:
        return gettext(age_groups[value]) if value else ""

    if which == WAITLIST:
        return ui.Table(
            name=f"{gettext('waitlist')}-{detail.title}",
            title=gettext("Waitlist"),
            headers=[gettext(h) for h in WAITLIST_COLUMNS],
            rows=[
                (
                    w.position,
                    w.allocation_notice_number,
                    w.member_position,
                    group(w.age_group),
                    w.requested_at,
                    w.seat_offer.expires_at if w.seat_offer else None,
                )
                for w in detail.waitlist
            ],
        )
    return ui.Table(
        name=f"{gettext('participants')}-{detail.title}",
        title=gettext("Participants"),
        headers=[gettext(h) for h in PARTICIPANT_COLUMNS],
        rows=[
            (
                number,
                p.allocation_notice_number,
                p.member_position,
                group(p.age_group),
                p.enrolled_at,
            )
            for number, p in enumerate(detail.participants, start=1)
        ],
    )


def course_links(request: Request, course_path: str) -> dict[str, list[DownloadLink]]:
    """The links that download a course's participants and waitlist, by list."""
    links = ui.download_links(request)
    return {
        which: [
            replace(link, url=f"{course_path}?{QUERY_KEY}={link.format}&{LIST_KEY}={which}")
            for link in links
        ]
        for which in (PARTICIPANTS, WAITLIST)
    }
