"""Courses' staff pages in-process: catalogue, new offer, enrolling, waitlist, roles, German."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from courses import pages
from courses.handlers import on_household_assigned
from teilhabe.auth import Role
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.courses import OfferKind
from teilhabe.events.envelope import new_event
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdAssigned
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.ui import catalogues
from teilhabe_dev.testing.auth import RunningDevProvider, routes_without_declared_roles
from teilhabe_dev.testing.identity import TEST_TEAM, auth_headers
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

GERMAN_KINDS = {
    "integration_course": "Integrationskurs",
    "literacy_course": "Alphabetisierungskurs",
    "language_cafe": "Sprachcafé",
    "school_place": "Schulplatz",
    "kita_place": "Kita-Platz",
    "job_readiness": "Berufsvorbereitung",
    "leisure": "Freizeit und Sport",
    "community": "Begegnungsangebot",
}


@pytest.fixture
async def browser(courses: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client with cookies of its own against the same in-process app."""
    async with tool_client(courses.app) as client:  # type: ignore[attr-defined]
        yield client


@pytest.fixture
async def coordinator(browser: httpx.AsyncClient) -> httpx.AsyncClient:
    await sign_in(browser, subject="petra", roles=[Role.COURSE_COORDINATOR])
    return browser


def notice() -> str:
    return f"BRA-2026-{uuid.uuid4().hex[:8].upper()}"


async def household(
    database_url: str, *age_groups: AgeGroup, team: str | None = None
) -> HouseholdAssigned:
    """A household as courses learns of it: through the consumer's handler."""
    event = HouseholdAssigned(
        household_id=uuid.uuid4(),
        allocation_notice_number=notice(),
        allocated_on=date(2026, 11, 20),
        member_count=len(age_groups),
        minor_count=sum(group is not AgeGroup.ADULT for group in age_groups),
        members=tuple(
            AllocatedMember(member_id=uuid.uuid4(), age_group=group, languages=("ar", "de"))
            for group in age_groups
        ),
        team=team,
    )
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await on_household_assigned(
            session,
            [ReceivedEvent(envelope=new_event(event, source="/teilhabe/intake"), payload=event)],
        )
    await engine.dispose()
    return event


def enrolment(token: str, family: HouseholdAssigned, position: int = 1) -> dict[str, str]:
    """The enrol form as posted for person `position` of `family`."""
    return {
        "csrf_token": token,
        "allocation_notice_number": family.allocation_notice_number,
        "member_id": str(family.members[position - 1].member_id),
    }


async def new_course(
    api: httpx.AsyncClient, identity: RunningDevProvider, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "integration_course",
        "provider": "VHS Dülmen-Haltern am See-Havixbeck",
        "title": f"Integrationskurs A1 {uuid.uuid4().hex[:6]}",
        "level": "A1",
        "starts_on": "2026-12-01",
        "ends_on": "2027-06-30",
        "weekly_times": "Mo–Fr 8:30–12:45",
        "place": "Bildungszentrum, Königswall 1, 48249 Dülmen",
        "seats": 1,
        **overrides,
    }
    # Created by the coordinator the pages sign in as: a course's participants are its own.
    headers = auth_headers(identity, Role.COURSE_COORDINATOR, subject="petra")
    response = await api.post("/courses", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def main_content(page: httpx.Response) -> str:
    """The page's main element: what it shows, not the links that repeat its address."""
    found = re.search(r"<main\b.*?</main>", page.text, re.S)
    assert found
    return found.group(0)


def flashed(page: httpx.Response) -> str:
    found = re.search(r'role="status">.*?<p class="kern-title">([^<]+)</p>', page.text, re.S)
    assert found, "no confirmation shown"
    return html.unescape(found.group(1).strip())


def rows(page: httpx.Response, table: str) -> list[str]:
    found = re.search(rf'<table[^>]*id="{table}">(.*?)</table>', page.text, re.S)
    if found is None:
        return []
    return re.findall(r'<tr class="kern-table__row" data-enrollment=.*?</tr>', found.group(1), re.S)


def cells(row: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", cell))).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    ]


async def audit_actions(database_url: str, household_id: uuid.UUID) -> list[tuple[str, str]]:
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        found = await db.fetch(
            "SELECT actor, action FROM audit_entry WHERE resource_id = $1 ORDER BY id",
            str(household_id),
        )
    finally:
        await db.close()
    return [(row["actor"], row["action"]) for row in found]


# --- who may see the tool ----------------------------------------------------------------


async def test_every_page_declares_who_may_see_it(courses: httpx.AsyncClient) -> None:
    assert routes_without_declared_roles(courses.app) == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", [Role.AGENCY, Role.VOLUNTEER])
async def test_other_roles_get_no_access_and_see_no_participant(
    role: Role,
    browser: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, identity)
    family = await household(courses_database, AgeGroup.ADULT)
    enrolled = await courses.post(
        f"/courses/{course['id']}/enrollments",
        json={"member_id": str(family.members[0].member_id)},
        headers=auth_headers(identity, Role.COURSE_COORDINATOR),
    )
    assert enrolled.status_code == 201

    assert (await browser.get("/ui/")).status_code == 303, "sign-in first"
    page = await sign_in(browser, subject="someone", roles=[role])
    assert page.status_code == 403
    assert "Kein Zugriff" in page.text
    for path in (
        "/ui/",
        "/ui/kurse/neu",
        f"/ui/kurse/{course['id']}",
        f"/ui/kurse/{course['id']}/anmelden?allocation_notice_number={family.allocation_notice_number}",
    ):
        response = await browser.get(path)
        assert response.status_code == 403, path
        main = main_content(response)
        assert "Kein Zugriff" in main
        assert family.allocation_notice_number not in main
        assert course["title"] not in response.text
    token = form_token(await browser.get("/ui/"))
    refused = await browser.post(
        f"/ui/kurse/{course['id']}/anmelden",
        data={"csrf_token": token, "member_id": str(family.members[0].member_id)},
    )
    assert refused.status_code == 403


async def test_administrators_administer_and_see_no_participant(
    browser: httpx.AsyncClient,
) -> None:
    # They start at the work figures (counts only), the one page of the tool for them.
    page = await sign_in(browser, subject="root", roles=[Role.ADMIN])
    assert page.status_code == 303
    assert page.headers["location"].endswith("/ui/arbeit/kennzahlen")
    figures = await browser.get(page.headers["location"])
    assert figures.status_code == 200
    assert section_links(figures) == ["/ui/arbeit/kennzahlen"]
    assert (await browser.get("/ui/kurse/neu")).status_code == 403


def section_links(page: httpx.Response) -> list[str]:
    """The addresses the tool's own navigation offers on `page`."""
    found = re.search(r'<nav class="section-nav".*?</nav>', page.text, re.S)
    return re.findall(r'href="([^"]+)"', found.group(0)) if found else []


async def test_caseworkers_start_at_the_course_offer_and_are_offered_only_what_they_may_see(
    browser: httpx.AsyncClient, courses: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    # The earliest start of all, so that it is on the offer's first page.
    course = await new_course(courses, identity, starts_on="1990-01-01", ends_on=None)
    page = await sign_in(browser, subject="cw-kurse", roles=[Role.CASEWORKER])
    assert page.status_code == 200, "the course offer is the tool's start page for them too"
    # They read the offer to advise a household (counts, no person) and may enrol the
    # people in their care; a course's participants and creating offers are not theirs.
    main = main_content(page)
    assert f'data-course="{course["id"]}"' in main
    assert course["title"] in main
    assert f'href="/ui/kurse/{course["id"]}"' not in main, "no link to a course's participants"
    assert f'href="/ui/kurse/{course["id"]}/anmelden"' in main
    assert "Person anmelden" in main
    assert "anlegen" not in main
    # The tool is among the caseworker's tools, and its navigation holds their pages.
    assert re.search(r'<a href="[^"]*/ui/" aria-current="true">Sprache und Bildung</a>', page.text)
    offered = section_links(page)
    assert offered == [
        "/ui/",
        "/ui/schulplaetze",
        "/ui/arbeit",
        "/ui/arbeit/angebote",
        "/ui/arbeit/kennzahlen",
    ]
    for link in offered:
        assert (await browser.get(link)).status_code == 200, link
    # The coordinators' pages stay closed, and are not offered.
    for path in (
        "/ui/kurse/neu",
        f"/ui/kurse/{course['id']}",
        "/ui/kennzahlen",
    ):
        assert (await browser.get(path)).status_code == 403, path


# --- the catalogue -------------------------------------------------------------------------


async def test_catalogue_shows_offers_with_their_seats_in_german(
    coordinator: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, identity, seats=1)
    kita = await new_course(
        courses,
        identity,
        kind="kita_place",
        provider="Kita St. Viktor",
        title=f"Kita-Platz Ü3 {uuid.uuid4().hex[:6]}",
        level=None,
        ends_on=None,
        weekly_times=None,
        seats=2,
    )
    for _ in range(2):
        family = await household(courses_database, AgeGroup.ADULT)
        response = await courses.post(
            f"/courses/{course['id']}/enrollments",
            json={"member_id": str(family.members[0].member_id)},
            headers=auth_headers(identity, Role.COURSE_COORDINATOR),
        )
        assert response.status_code == 201

    page = await coordinator.get("/ui/")
    assert page.status_code == 200
    assert "<title>Kursangebot – Sprache und Bildung – Teilhabe</title>" in page.text
    for kind, label in GERMAN_KINDS.items():
        assert f'<option value="{kind}">{label}</option>' in page.text
    row = re.search(
        rf'<tr class="kern-table__row" data-course="{course["id"]}">(.*?)</tr>', page.text, re.S
    )
    assert row
    assert cells(row.group(1)) == [
        course["title"],
        "Integrationskurs",
        "VHS Dülmen-Haltern am See-Havixbeck",
        "A1",
        "01.12.2026",
        "30.06.2027",
        "Mo–Fr 8:30–12:45",
        "Bildungszentrum, Königswall 1, 48249 Dülmen",
        "1",
        "0",
        "1",
        f"Person anmelden für {course['title']}",
    ]

    kitas = await coordinator.get("/ui/", params={"kind": "kita_place"})
    assert '<option value="kita_place" selected>Kita-Platz</option>' in kitas.text
    assert kita["title"] in kitas.text
    assert course["title"] not in kitas.text
    row = re.search(rf'data-course="{kita["id"]}">(.*?)</tr>', kitas.text, re.S)
    assert row
    assert cells(row.group(1))[5] == "ohne Ende"

    unknown_kind = await coordinator.get("/ui/", params={"kind": "casino", "page": "-3"})
    assert unknown_kind.status_code == 200
    assert "selected>" not in unknown_kind.text


async def test_catalogue_pages_keep_the_filter(
    coordinator: httpx.AsyncClient, courses: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    for index in range(26):
        await new_course(
            courses,
            identity,
            kind="job_readiness",
            title=f"Berufsorientierung {index:02d} {uuid.uuid4().hex[:4]}",
            starts_on="2027-02-01",
        )
    first = await coordinator.get("/ui/", params={"kind": "job_readiness"})
    total = int(re.search(r"(\d+) Angebote gefunden", first.text).group(1))  # type: ignore[union-attr]
    pages = -(-total // 25)
    assert f"Seite 1 von {pages}" in first.text
    assert len(re.findall(r"data-course=", first.text)) == 25
    assert "/ui/?kind=job_readiness&amp;page=2" in first.text
    second = await coordinator.get("/ui/", params={"kind": "job_readiness", "page": "2"})
    assert f"Seite 2 von {pages}" in second.text
    assert "/ui/?kind=job_readiness&amp;page=1" in second.text
    assert '<option value="job_readiness" selected>' in second.text


# --- a new offer ------------------------------------------------------------------------


async def test_coordinator_creates_an_offer_and_errors_stand_at_their_fields(
    coordinator: httpx.AsyncClient, courses: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    form = await coordinator.get("/ui/kurse/neu")
    assert form.status_code == 200
    assert '<h1 class="kern-heading-large">Neues Angebot</h1>' in form.text
    assert 'aria-current="page">Neues Angebot</a>' in form.text
    token = form_token(form)

    empty = await coordinator.post("/ui/kurse/neu", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "<title>Fehler: Neues Angebot" in empty.text
    assert error_next_to(empty, "kind") == "Bitte wählen Sie einen Eintrag aus der Liste."
    for field in ("title", "provider", "starts_on", "place", "seats"):
        assert error_next_to(empty, field) == "Bitte füllen Sie dieses Feld aus.", field
    for optional in ("level", "ends_on", "weekly_times"):
        assert f'id="{optional}-error"' not in empty.text
    summary = re.findall(r'<li><a class="kern-link" href="#([^"]+)">', empty.text)
    assert summary == ["kind", "title", "provider", "starts_on", "place", "seats"]

    title = f"Sprachcafé Mittwoch {uuid.uuid4().hex[:6]}"
    typed = {
        "csrf_token": token,
        "kind": "language_cafe",
        "title": title,
        "provider": "Café Welcome e. V.",
        "level": "",
        "starts_on": "02.12.2026",
        "ends_on": "01.12.2026",
        "weekly_times": "Mi 15–17 Uhr",
        "place": "Marktplatz 1, 48249 Dülmen",
        "seats": "zwölf",
    }
    wrong = await coordinator.post("/ui/kurse/neu", data=typed)
    assert wrong.status_code == 422
    assert error_next_to(wrong, "seats") == (
        "Bitte geben Sie eine ganze Zahl ein, zum Beispiel 12 oder 1.000."
    )
    grouped_wrongly = await coordinator.post("/ui/kurse/neu", data={**typed, "seats": "1.00"})
    assert error_next_to(grouped_wrongly, "seats").startswith("Bitte geben Sie eine ganze Zahl")
    too_many = await coordinator.post("/ui/kurse/neu", data={**typed, "seats": "100.000"})
    assert error_next_to(too_many, "seats") == "Bitte geben Sie eine Zahl bis höchstens 10000 ein."
    assert f'value="{title}"' in wrong.text
    assert '<option value="language_cafe" selected>Sprachcafé</option>' in wrong.text
    assert 'value="02.12.2026"' in wrong.text

    ends_early = await coordinator.post("/ui/kurse/neu", data={**typed, "seats": "12"})
    assert error_next_to(ends_early, "ends_on") == "Das Ende kann nicht vor dem Beginn liegen."
    bad_date = await coordinator.post(
        "/ui/kurse/neu", data={**typed, "seats": "0", "ends_on": "bald"}
    )
    assert error_next_to(bad_date, "ends_on").startswith("Bitte geben Sie ein Datum")
    assert error_next_to(bad_date, "seats") == "Bitte geben Sie eine Zahl ab 1 ein."

    created = await coordinator.post("/ui/kurse/neu", data={**typed, "seats": "12", "ends_on": ""})
    assert created.status_code == 303, created.text
    course_id = created.headers["location"].removeprefix("/ui/kurse/")
    detail = await coordinator.get(created.headers["location"])
    assert flashed(detail) == f"Das Angebot „{title}“ ist angelegt."
    assert "ab 02.12.2026, ohne Ende" in detail.text
    assert "Es ist noch niemand angemeldet." in detail.text
    stored = await courses.get(
        f"/courses/{course_id}",
        headers=auth_headers(identity, Role.COURSE_COORDINATOR, subject="petra"),
    )
    assert stored.status_code == 200
    assert (stored.json()["kind"], stored.json()["seats"], stored.json()["level"]) == (
        "language_cafe",
        12,
        None,
    )


# --- enrolling, the waitlist and withdrawing --------------------------------------------


async def test_enrolling_fills_the_seat_then_the_waitlist_and_a_freed_seat_is_offered(
    coordinator: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, identity, seats=1)
    family = await household(courses_database, AgeGroup.ADULT, AgeGroup.SCHOOL)
    single = await household(courses_database, AgeGroup.ADULT)
    enrol_url = f"/ui/kurse/{course['id']}/anmelden"

    start = await coordinator.get(enrol_url)
    assert start.status_code == 200
    assert f"Person für „{course['title']}“ anmelden" in html.unescape(start.text)
    assert 'name="member_id"' not in start.text
    found = await coordinator.get(
        # Typed in small letters with spaces around: the same notice.
        enrol_url,
        params={"allocation_notice_number": f" {family.allocation_notice_number.lower()} "},
    )
    assert found.status_code == 200
    labels = [
        html.unescape(label)
        for label in re.findall(
            r'<label class="kern-label" for="member_id[^"]*">([^<]+)</label>', found.text
        )
    ]
    assert labels == [
        "Person 1: Erwachsen, Sprachen: Arabisch, Deutsch",
        "Person 2: Schulkind, Sprachen: Arabisch, Deutsch",
    ]
    adult, pupil = (str(member.member_id) for member in family.members)
    token = form_token(found)
    form = {"csrf_token": token, "allocation_notice_number": family.allocation_notice_number}

    nobody = await coordinator.post(enrol_url, data=form)
    assert nobody.status_code == 422
    assert error_next_to(nobody, "member_id") == "Bitte wählen Sie einen Eintrag aus der Liste."
    child = await coordinator.post(enrol_url, data={**form, "member_id": pupil})
    assert child.status_code == 422
    assert error_next_to(child, "member_id") == (
        "Dieses Angebot steht der Altersgruppe dieser Person nicht offen. Es ist für: Erwachsen."
    )
    assert re.search(rf'value="{pupil}" checked', child.text), "the choice is kept"

    seated = await coordinator.post(enrol_url, data={**form, "member_id": adult})
    assert seated.status_code == 303, seated.text
    assert seated.headers["location"] == f"/ui/kurse/{course['id']}"
    detail = await coordinator.get(seated.headers["location"])
    assert flashed(detail) == (
        f"Person 1 des Haushalts {family.allocation_notice_number} ist für „{course['title']}“"
        " angemeldet."
    )
    again = await coordinator.post(enrol_url, data={**form, "member_id": adult})
    assert error_next_to(again, "member_id") == (
        "Diese Person ist für dieses Angebot bereits angemeldet oder steht auf seiner Warteliste."
    )

    waiting = await coordinator.post(
        enrol_url,
        data=enrolment(token, single),
    )
    assert waiting.status_code == 303
    detail = await coordinator.get(waiting.headers["location"])
    assert flashed(detail) == (
        f"Alle Plätze in „{course['title']}“ sind belegt: Person 1 des Haushalts"
        f" {single.allocation_notice_number} steht auf Platz 1 der Warteliste."
    )
    [participant] = rows(detail, "participants")
    assert cells(participant)[:4] == ["1", family.allocation_notice_number, "Person 1", "Erwachsen"]
    [waitlisted] = rows(detail, "waitlist")
    assert cells(waitlisted)[:4] == ["1", single.allocation_notice_number, "Person 1", "Erwachsen"]
    assert (
        f"Vom Kurs abmelden Person 1, Haushalt {family.allocation_notice_number}"
        in cells(participant)[-1]
    )

    withdraw_url = re.search(r'action="(/ui/anmeldungen/[^"]+/abmelden)"', participant)
    assert withdraw_url
    withdrawn = await coordinator.post(withdraw_url.group(1), data={"csrf_token": token})
    assert withdrawn.status_code == 303
    detail = await coordinator.get(withdrawn.headers["location"])
    message = flashed(detail)
    assert message.startswith(
        f"Person 1 des Haushalts {family.allocation_notice_number} ist abgemeldet. Der frei"
        f" gewordene Platz wird Person 1 des Haushalts {single.allocation_notice_number}"
        " von der Warteliste angeboten, anzunehmen bis "
    ), message
    assert rows(detail, "participants") == []
    [offered] = rows(detail, "waitlist")
    assert cells(offered)[5].startswith("angeboten bis ")
    accept_url = re.search(r'action="(/ui/platzangebote/[^"]+/annehmen)"', offered)
    assert accept_url
    accepted = await coordinator.post(accept_url.group(1), data={"csrf_token": token})
    assert accepted.status_code == 303, accepted.text
    detail = await coordinator.get(accepted.headers["location"])
    assert flashed(detail) == (
        f"Person 1 des Haushalts {single.allocation_notice_number} hat den Platz angenommen"
        " und ist angemeldet."
    )
    [participant] = rows(detail, "participants")
    assert cells(participant)[1] == single.allocation_notice_number
    assert rows(detail, "waitlist") == []
    assert "Es wartet niemand." in detail.text
    late = await coordinator.post(accept_url.group(1), data={"csrf_token": token})
    assert late.status_code == 409
    assert "Das Platzangebot war bereits beantwortet." in late.text

    twice = await coordinator.post(withdraw_url.group(1), data={"csrf_token": token})
    assert twice.status_code == 409
    assert "Diese Anmeldung war bereits zurückgenommen." in twice.text
    assert (
        await coordinator.post(
            f"/ui/anmeldungen/{uuid.uuid4()}/abmelden", data={"csrf_token": token}
        )
    ).status_code == 404

    db = await asyncpg.connect(asyncpg_dsn(courses_database))
    try:
        staged = await db.fetch(
            "SELECT event_type FROM outbox_message WHERE convert_from(body, 'UTF8') LIKE $1"
            " ORDER BY id",
            f"%{course['id']}%",
        )
    finally:
        await db.close()
    assert [row["event_type"] for row in staged] == [
        "course.enrolled",
        "course.waitlisted",
        "course.withdrawn",
        "course.seat_offered",
        "course.seat_offer_accepted",
        "course.enrolled",
    ], "the pages' changes went through the use cases, events and all"
    assert await audit_actions(courses_database, family.household_id) == [
        ("petra", "read"),  # found by its notice number
        ("petra", "read"),  # shown again: nobody chosen
        ("petra", "read"),  # shown again: the age-group refusal
        ("petra", "enroll"),
        ("petra", "read"),  # the course detail
        ("petra", "read"),  # shown again: already enrolled
        ("petra", "read"),  # the course detail with the waitlist
        ("petra", "withdraw"),
    ]


async def test_enrol_page_says_what_it_cannot_find(
    coordinator: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, identity)
    enrol_url = f"/ui/kurse/{course['id']}/anmelden"
    empty = await coordinator.get(enrol_url, params={"allocation_notice_number": ""})
    assert error_next_to(empty, "allocation_notice_number") == "Bitte füllen Sie dieses Feld aus."
    unknown = await coordinator.get(enrol_url, params={"allocation_notice_number": "BRA-0000"})
    assert error_next_to(unknown, "allocation_notice_number").startswith(
        "Zu dieser Zuweisungsnummer ist hier kein Haushalt bekannt."
    )
    assert 'value="BRA-0000"' in unknown.text
    assert (await coordinator.get(f"/ui/kurse/{uuid.uuid4()}/anmelden")).status_code == 404
    assert (await coordinator.get(f"/ui/kurse/{uuid.uuid4()}")).status_code == 404
    assert (await coordinator.get("/ui/kurse/kein-kurs")).status_code == 404

    # A member id from a tampered form: the search comes first again.
    token = form_token(empty)
    tampered = await coordinator.post(
        enrol_url, data={"csrf_token": token, "member_id": str(uuid.uuid4())}
    )
    assert tampered.status_code == 422
    assert (
        error_next_to(tampered, "allocation_notice_number") == "Bitte füllen Sie dieses Feld aus."
    )

    ended = await new_course(courses, identity, starts_on="2025-01-06", ends_on="2025-07-31")
    family = await household(courses_database, AgeGroup.ADULT)
    refused = await coordinator.post(
        f"/ui/kurse/{ended['id']}/anmelden",
        data=enrolment(token, family),
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "member_id") == (
        "Dieses Angebot ist beendet: Es kann niemand mehr angemeldet werden."
    )


async def test_caseworkers_enrol_the_people_in_their_care_and_no_other_teams(
    browser: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(courses, identity, seats=1)
    own = await household(courses_database, AgeGroup.ADULT, AgeGroup.ADULT, team=TEST_TEAM)
    other = await household(courses_database, AgeGroup.ADULT, team="Soziale Betreuung Süd")
    # Their team is the sign-in's own (TEST_TEAM).
    await sign_in(browser, subject="cw-nord", roles=[Role.CASEWORKER])
    enrol_url = f"/ui/kurse/{course['id']}/anmelden"

    start = await browser.get(enrol_url)
    assert start.status_code == 200
    # Back to the course offer: the course's participants are its coordinators'.
    assert f'href="/ui/kurse/{course["id"]}"' not in start.text
    assert 'href="/ui/">Zurück zum Angebot</a>' in start.text
    found = await browser.get(
        enrol_url, params={"allocation_notice_number": own.allocation_notice_number}
    )
    assert found.status_code == 200
    assert 'href="/ui/">Abbrechen</a>' in found.text
    second = str(own.members[1].member_id)
    token = form_token(found)
    seated = await browser.post(
        enrol_url,
        data=enrolment(token, own, 2),
    )
    assert seated.status_code == 303, seated.text
    assert seated.headers["location"] == "/ui/"
    offer = await browser.get(seated.headers["location"])
    assert flashed(offer) == (
        f"Person 2 des Haushalts {own.allocation_notice_number} ist für „{course['title']}“"
        " angemeldet."
    )
    # Finding the household and enrolling are audited, as for the API and coordinators.
    assert await audit_actions(courses_database, own.household_id) == [
        ("cw-nord", "read"),
        ("cw-nord", "enroll"),
    ]

    # Another team's household is as unknown as one never allocated, by number or by a
    # member id from a tampered form; nothing of it is shown or enrolled.
    searched = await browser.get(
        enrol_url, params={"allocation_notice_number": other.allocation_notice_number}
    )
    assert searched.status_code == 200
    assert error_next_to(searched, "allocation_notice_number").startswith(
        "Zu dieser Zuweisungsnummer ist hier kein Haushalt bekannt."
    )
    assert 'name="member_id"' not in searched.text
    refused = await browser.post(
        enrol_url,
        data=enrolment(token, other),
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "allocation_notice_number").startswith(
        "Zu dieser Zuweisungsnummer ist hier kein Haushalt bekannt."
    )
    assert str(other.members[0].member_id) not in refused.text
    assert await audit_actions(courses_database, other.household_id) == []
    # The API agrees: the person is unknown to this caseworker and nobody was enrolled.
    api = await courses.post(
        f"/courses/{course['id']}/enrollments",
        json={"member_id": str(other.members[0].member_id)},
        headers=auth_headers(identity, Role.CASEWORKER, subject="cw-nord"),
    )
    assert api.status_code == 422
    coordinator_view = await courses.get(
        f"/courses/{course['id']}",
        headers=auth_headers(identity, Role.COURSE_COORDINATOR, subject="petra"),
    )
    assert [e["member_id"] for e in coordinator_view.json()["participants"]] == [second]


async def test_a_waitlisted_person_leaves_the_waitlist(
    coordinator: httpx.AsyncClient,
    courses: httpx.AsyncClient,
    identity: RunningDevProvider,
    courses_database: str,
) -> None:
    course = await new_course(
        courses, identity, kind="leisure", title=f"Schwimmen {uuid.uuid4().hex[:4]}"
    )
    family = await household(courses_database, AgeGroup.ADULT, AgeGroup.KITA)
    headers = auth_headers(identity, Role.COURSE_COORDINATOR)
    for member in family.members:
        response = await courses.post(
            f"/courses/{course['id']}/enrollments",
            json={"member_id": str(member.member_id)},
            headers=headers,
        )
        assert response.status_code == 201
    detail = await coordinator.get(f"/ui/kurse/{course['id']}")
    [waitlisted] = rows(detail, "waitlist")
    assert cells(waitlisted)[:4] == ["1", family.allocation_notice_number, "Person 2", "Kita-Kind"]
    url = re.search(r'action="(/ui/anmeldungen/[^"]+/abmelden)"', waitlisted)
    assert url
    left = await coordinator.post(url.group(1), data={"csrf_token": form_token(detail)})
    detail = await coordinator.get(left.headers["location"])
    assert flashed(detail) == (
        f"Person 2 des Haushalts {family.allocation_notice_number} ist abgemeldet und steht"
        " nicht mehr auf der Warteliste."
    )
    [seated] = rows(detail, "participants")
    url = re.search(r'action="(/ui/anmeldungen/[^"]+/abmelden)"', seated)
    assert url
    freed = await coordinator.post(url.group(1), data={"csrf_token": form_token(detail)})
    detail = await coordinator.get(freed.headers["location"])
    assert flashed(detail).endswith("ist abgemeldet. Der Platz ist wieder frei.")


# --- texts ---------------------------------------------------------------------------------


async def test_pages_are_offered_in_english_too(coordinator: httpx.AsyncClient) -> None:
    page = await coordinator.get("/ui/sprache/en", params={"next": "/ui/"}, follow_redirects=True)
    assert '<h1 class="kern-heading-large">Course offer</h1>' in page.text
    assert '<option value="leisure">Leisure and sports</option>' in page.text
    await coordinator.get("/ui/sprache/de", params={"next": "/ui/"})


def test_every_kind_and_age_group_has_a_label() -> None:
    assert set(pages.KIND_LABELS) == set(OfferKind)
    assert set(pages.AGE_GROUP_LABELS) == set(AgeGroup)


def test_every_text_has_a_german_translation() -> None:
    package = Path(pages.__file__).parent
    template = catalogues.service_messages(package)
    assert len(template) > 50
    assert catalogues.missing(template, catalogues.catalogue_root(package), "de") == []
