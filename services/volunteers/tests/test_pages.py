"""Volunteers' staff pages in-process: registry, registering, clearance, matching, own page."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import volunteers
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.db import asyncpg_dsn, create_engine, create_session_factory
from teilhabe.events.households import AgeGroup, AllocatedMember, HouseholdAssigned
from teilhabe.ui import catalogues
from teilhabe_dev.testing.auth import routes_without_declared_roles
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client
from volunteers import service


@pytest.fixture
async def browser(volunteers: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """A client with cookies of its own against the same in-process app."""
    async with tool_client(volunteers.app) as client:  # type: ignore[attr-defined]
        yield client


@pytest.fixture
async def coordinator(browser: httpx.AsyncClient) -> httpx.AsyncClient:
    await sign_in(browser, subject="ines", roles=[Role.VOLUNTEER_COORDINATOR])
    return browser


def unique() -> str:
    return uuid.uuid4().hex[:8]


def german(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def fact(page: httpx.Response, name: str) -> str:
    found = re.search(rf"<dd[^>]*data-{name}>([^<]*)</dd>", page.text)
    assert found, f"no {name} shown"
    return found.group(1).strip()


async def known_household(
    database_url: str, *, minors: int, languages: tuple[str, ...] = ("ar",)
) -> tuple[uuid.UUID, str]:
    """A household as the consumer keeps it from intake's `household.assigned`."""
    household_id = uuid.uuid4()
    number = f"BRA-2026-{household_id.hex[:6].upper()}"
    groups = [AgeGroup.ADULT] + [AgeGroup.SCHOOL] * minors
    engine = create_engine(database_url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await service.remember_households(
            session=session,
            events=[
                HouseholdAssigned(
                    household_id=household_id,
                    allocation_notice_number=number,
                    allocated_on=date(2026, 11, 20),
                    member_count=len(groups),
                    minor_count=minors,
                    members=tuple(
                        AllocatedMember(
                            member_id=uuid.uuid4(), age_group=group, languages=languages
                        )
                        for group in groups
                    ),
                )
            ],
        )
    await engine.dispose()
    return household_id, number


def registration(token: str, **overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "csrf_token": token,
        "display_name": f"Jutta Brinkmann {unique()}",
        "email": f"jutta.{unique()}@example.org",
        "phone": "+49 2594 12345",
        "preferred_language": "de",
        "languages": "de, FA",
        "skills": "Behördengänge, Nachhilfe Mathe",
        "available_weekdays": ["tue", "thu"],
        "availability_note": "nachmittags",
        "subject": "",
    }
    form.update(overrides)
    return form


async def register(client: httpx.AsyncClient, **overrides: Any) -> tuple[str, dict[str, Any]]:
    """Register through the form; returns the detail page's path and what was sent."""
    page = await client.get("/ui/ehrenamtliche/neu")
    form = registration(form_token(page), **overrides)
    response = await client.post("/ui/ehrenamtliche/neu", data=form)
    assert response.status_code == 303, response.text
    detail = response.headers["location"]
    await client.get(detail)  # shows (and so clears) the confirmation
    return detail, form


async def record_clearance(
    client: httpx.AsyncClient, detail: str, *, issued: date | None = None, conviction: str = "no"
) -> httpx.Response:
    page = await client.get(detail)
    return await client.post(
        f"{detail}/fuehrungszeugnis",
        data={
            "csrf_token": form_token(page),
            "inspected_on": german(today()),
            "issued_on": german(issued or today() - timedelta(days=20)),
            "relevant_conviction": conviction,
        },
    )


async def fetch(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    db = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        return await db.fetch(query, *args)
    finally:
        await db.close()


# --- who gets in -----------------------------------------------------------------------


async def test_every_page_declares_who_may_see_it(volunteers: httpx.AsyncClient) -> None:
    assert routes_without_declared_roles(volunteers.app) == []  # type: ignore[attr-defined]


def test_every_text_has_a_german_translation() -> None:
    package = Path(volunteers.__file__).parent
    template = catalogues.service_messages(package)
    assert len(template) > 100
    assert catalogues.missing(template, catalogues.catalogue_root(package), "de") == []


async def test_only_coordinators_see_the_registry(
    browser: httpx.AsyncClient, volunteers: httpx.AsyncClient, volunteers_database: str
) -> None:
    assert (await browser.get("/ui/")).status_code == 303  # to the sign-in
    page = await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    assert page.status_code == 403
    assert "Kein Zugriff" in page.text
    household_id, _ = await known_household(volunteers_database, minors=0)
    for path in ("/ui/ehrenamtliche/neu", "/ui/haushalte", f"/ui/haushalte/{household_id}"):
        assert (await browser.get(path)).status_code == 403, path
    async with tool_client(volunteers.app) as admin:  # type: ignore[attr-defined]
        # Administrators administer: the registry is not theirs to read.
        page = await sign_in(admin, subject="root", roles=[Role.ADMIN])
        assert page.status_code == 403
        assert (await admin.get("/ui/mein-engagement")).status_code == 403


async def test_sections_are_the_ones_each_role_may_open(
    coordinator: httpx.AsyncClient, volunteers: httpx.AsyncClient
) -> None:
    page = await coordinator.get("/ui/")
    nav = re.search(r'<nav class="section-nav".*?</nav>', page.text, re.S)
    assert nav
    assert re.findall(r">([^<]+)</a>", nav.group(0)) == [
        "Ehrenamtliche",
        "Haushalte",
        "Neu registrieren",
        "Schichten",
        "Hilfeanfragen",
        "Kennzahlen",
    ]
    async with tool_client(volunteers.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject=f"vera-{unique()}", roles=[Role.VOLUNTEER])
        own = await client.get("/ui/mein-engagement")
        nav = re.search(r'<nav class="section-nav".*?</nav>', own.text, re.S)
        assert nav
        assert re.findall(r">([^<]+)</a>", nav.group(0)) == [
            "Mein Engagement",
            "Schichten",
            "Hilfeanfragen",
        ]


# --- registering and the registry ------------------------------------------------------


async def test_coordinator_registers_a_volunteer_through_the_use_case(
    coordinator: httpx.AsyncClient, volunteers_database: str
) -> None:
    form = await coordinator.get("/ui/ehrenamtliche/neu")
    assert form.status_code == 200
    assert "<title>Ehrenamtliche Person registrieren – Ehrenamt – Teilhabe</title>" in form.text
    assert re.search(r"<legend[^>]*>Meist verfügbar am", form.text), "weekdays in a fieldset"
    sent = registration(form_token(form))
    registered = await coordinator.post("/ui/ehrenamtliche/neu", data=sent)
    assert registered.status_code == 303
    detail = registered.headers["location"]
    assert re.fullmatch(r"/ui/ehrenamtliche/[0-9a-f-]{36}", detail)

    page = await coordinator.get(detail)
    assert f"{sent['display_name']} ist als ehrenamtlich registriert." in page.text
    assert fact(page, "languages") == "Deutsch, Persisch (Farsi)"
    assert "Dienstag, Donnerstag" in page.text
    assert "Behördengänge, Nachhilfe Mathe" in page.text
    assert fact(page, "minors") == "nein", "no clearance recorded yet"

    volunteer_id = detail.rsplit("/", 1)[1]
    [row] = await fetch(
        volunteers_database,
        "SELECT languages, available_weekdays, registered_by FROM volunteer WHERE id = $1",
        uuid.UUID(volunteer_id),
    )
    assert (row["languages"], row["available_weekdays"]) == (["de", "fa"], ["tue", "thu"])
    assert row["registered_by"] == "ines"
    events = await fetch(
        volunteers_database,
        "SELECT event_type FROM outbox_message WHERE convert_from(body, 'UTF8') LIKE $1",
        f"%{volunteer_id}%",
    )
    assert sorted(event["event_type"] for event in events) == [
        "volunteer.key_issued",
        "volunteer.registered",
    ]


async def test_registry_filters_by_language_and_skill_and_keeps_the_filters(
    coordinator: httpx.AsyncClient,
) -> None:
    skill = f"Fahrrad-Reparatur {unique()}"
    detail, sent = await register(coordinator, languages="ti, de", skills=skill)
    _, other = await register(coordinator, languages="uk", skills=skill)

    found = await coordinator.get("/ui/", params={"language": "ti", "skill": skill[-8:]})
    assert found.status_code == 200
    assert f'href="{detail}">{sent["display_name"]}</a>' in found.text
    assert other["display_name"] not in found.text
    assert "1 ehrenamtliche Person gefunden." in found.text
    assert '<option value="ti" selected>Tigrinya (ti)</option>' in found.text
    assert f'value="{skill[-8:]}"' in found.text
    both = await coordinator.get("/ui/", params={"skill": skill})
    assert "2 Ehrenamtliche gefunden." in both.text
    # Every language someone speaks is offered, by its German name (the same words in
    # every tool), and a code without one (qaa: reserved for local use) as such.
    await register(coordinator, languages="sq, qaa")
    registry = (await coordinator.get("/ui/")).text
    assert '<option value="sq">Albanisch (sq)</option>' in registry
    assert '<option value="qaa">qaa</option>' in registry


async def test_registration_errors_are_german_next_to_each_field_and_input_is_kept(
    coordinator: httpx.AsyncClient,
) -> None:
    page = await coordinator.get("/ui/ehrenamtliche/neu")
    token = form_token(page)
    empty = await coordinator.post(
        "/ui/ehrenamtliche/neu",
        data=registration(token, display_name="", email="", available_weekdays=["sat"]),
    )
    assert empty.status_code == 422
    assert error_next_to(empty, "display_name") == "Bitte füllen Sie dieses Feld aus."
    assert error_next_to(empty, "email") == "Bitte füllen Sie dieses Feld aus."
    assert 'value="sat" checked' in empty.text
    assert 'value="tue" checked' not in empty.text
    assert re.search(r'id="error-summary-title"', empty.text)
    summary = empty.text.index("error-summary-title")
    assert empty.text.index('href="#display_name"') > summary

    wrong = await coordinator.post(
        "/ui/ehrenamtliche/neu",
        data=registration(token, email="jutta(at)example", phone="abc", languages="Arabisch"),
    )
    assert error_next_to(wrong, "email").startswith("Bitte geben Sie eine E-Mail-Adresse")
    assert error_next_to(wrong, "phone").startswith("Bitte geben Sie eine Telefonnummer")
    assert error_next_to(wrong, "languages").startswith("Bitte geben Sie Sprachcodes")
    assert 'value="Arabisch"' in wrong.text
    assert 'value="jutta(at)example"' in wrong.text


async def test_an_email_and_a_user_name_are_registered_once(
    coordinator: httpx.AsyncClient,
) -> None:
    login = f"jutta-{unique()}"
    _, sent = await register(coordinator, subject=login)
    token = form_token(await coordinator.get("/ui/ehrenamtliche/neu"))
    again = await coordinator.post(
        "/ui/ehrenamtliche/neu", data=registration(token, email=sent["email"].upper())
    )
    assert again.status_code == 422
    assert error_next_to(again, "email") == (
        "Mit dieser E-Mail-Adresse ist bereits eine ehrenamtliche Person registriert."
    )
    taken = await coordinator.post("/ui/ehrenamtliche/neu", data=registration(token, subject=login))
    assert error_next_to(taken, "subject") == (
        "Diese Kennung gehört bereits zu einer anderen ehrenamtlichen Person."
    )


# --- the police clearance ------------------------------------------------------------


async def test_clearance_is_recorded_shown_and_deleted_at_once(
    coordinator: httpx.AsyncClient, volunteers_database: str
) -> None:
    detail, _ = await register(coordinator)
    volunteer_id = uuid.UUID(detail.rsplit("/", 1)[1])
    page = await coordinator.get(detail)
    assert "Erweitertes Führungszeugnis (§ 72a SGB VIII)" in page.text
    assert "Angaben zum Führungszeugnis jetzt löschen" not in page.text
    token = form_token(page)

    empty = await coordinator.post(
        f"{detail}/fuehrungszeugnis", data={"csrf_token": token, "inspected_on": ""}
    )
    assert empty.status_code == 422
    assert error_next_to(empty, "inspected_on") == "Bitte füllen Sie dieses Feld aus."
    assert error_next_to(empty, "issued_on") == "Bitte füllen Sie dieses Feld aus."
    assert error_next_to(empty, "relevant_conviction") == (
        "Bitte wählen Sie einen Eintrag aus der Liste."
    )

    too_old = await record_clearance(coordinator, detail, issued=today() - timedelta(days=120))
    assert too_old.status_code == 422
    assert error_next_to(too_old, "issued_on") == (
        "Das Führungszeugnis war bei der Einsichtnahme älter als drei Monate. "
        "Bitte lassen Sie sich ein neueres vorlegen."
    )
    assert f'value="{german(today() - timedelta(days=120))}"' in too_old.text
    assert 'value="no" checked' in too_old.text
    future = await coordinator.post(
        f"{detail}/fuehrungszeugnis",
        data={
            "csrf_token": token,
            "inspected_on": german(today() + timedelta(days=2)),
            "issued_on": german(today()),
            "relevant_conviction": "no",
        },
    )
    assert error_next_to(future, "inspected_on") == (
        "Das Datum der Einsichtnahme liegt in der Zukunft."
    )
    assert not await fetch(
        volunteers_database,
        "SELECT 1 FROM police_clearance WHERE volunteer_id = $1",
        volunteer_id,
    )

    recorded = await record_clearance(coordinator, detail)
    assert recorded.status_code == 303
    page = await coordinator.get(detail)
    assert "Das eingesehene Führungszeugnis ist erfasst." in page.text
    assert fact(page, "minors") == "ja"
    [row] = await fetch(
        volunteers_database,
        "SELECT inspected_on, relevant_conviction, delete_after FROM police_clearance"
        " WHERE volunteer_id = $1",
        volunteer_id,
    )
    assert (row["inspected_on"], row["relevant_conviction"]) == (today(), False)
    assert row["delete_after"].strftime("%d.%m.%Y") in page.text, "the deletion day is shown"
    assert "Angaben zum Führungszeugnis jetzt löschen" in page.text
    assert 'aria-describedby="delete-clearance-why"' in page.text

    deleted = await coordinator.post(
        f"{detail}/fuehrungszeugnis/loeschen", data={"csrf_token": form_token(page)}
    )
    assert deleted.status_code == 303
    page = await coordinator.get(detail)
    assert "Die Angaben zum Führungszeugnis sind gelöscht." in page.text
    assert fact(page, "minors") == "nein"
    assert not await fetch(
        volunteers_database,
        "SELECT 1 FROM police_clearance WHERE volunteer_id = $1",
        volunteer_id,
    )
    twice = await coordinator.post(
        f"{detail}/fuehrungszeugnis/loeschen", data={"csrf_token": form_token(page)}
    )
    assert twice.status_code == 303
    assert "Es war kein Führungszeugnis erfasst." in (await coordinator.get(detail)).text


async def test_a_conviction_means_no_work_with_minors(coordinator: httpx.AsyncClient) -> None:
    detail, _ = await register(coordinator)
    assert (await record_clearance(coordinator, detail, conviction="yes")).status_code == 303
    assert fact(await coordinator.get(detail), "minors") == "nein"


async def test_unknown_volunteer_is_a_german_404(coordinator: httpx.AsyncClient) -> None:
    page = await coordinator.get(f"/ui/ehrenamtliche/{uuid.uuid4()}")
    assert page.status_code == 404
    assert "Seite nicht gefunden" in page.text


# --- matching ----------------------------------------------------------------------------


async def test_matching_from_the_volunteer_needs_a_clearance_for_minors(
    coordinator: httpx.AsyncClient, volunteers_database: str
) -> None:
    household_id, number = await known_household(volunteers_database, minors=2)
    detail, sent = await register(coordinator)
    page = await coordinator.get(detail)
    token = form_token(page)
    url = f"{detail}/patenschaften"

    unknown = await coordinator.post(
        url,
        data={"csrf_token": token, "allocation_notice_number": "BRA-0", "started_on": "x"},
    )
    assert unknown.status_code == 422
    assert error_next_to(unknown, "allocation_notice_number").startswith(
        "Ein Haushalt mit dieser Nummer ist hier nicht bekannt."
    )
    assert error_next_to(unknown, "started_on").startswith("Bitte geben Sie ein Datum")

    start = german(today())
    refused = await coordinator.post(
        url,
        data={"csrf_token": token, "allocation_notice_number": number, "started_on": start},
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "allocation_notice_number").startswith(
        "Zu diesem Haushalt gehören Minderjährige."
    )
    assert f'value="{number}"' in refused.text
    assert not await fetch(
        volunteers_database, "SELECT 1 FROM match WHERE household_id = $1", household_id
    )

    assert (await record_clearance(coordinator, detail)).status_code == 303
    # Letter case as typed does not matter.
    matched = await coordinator.post(
        url,
        data={"csrf_token": token, "allocation_notice_number": number.lower(), "started_on": start},
    )
    assert matched.status_code == 303, matched.text
    page = await coordinator.get(detail)
    assert f"{sent['display_name']} ist jetzt Patin oder Pate des Haushalts {number}." in page.text
    assert f'data-match="{number}"' in page.text
    assert fact(page, "minors") == "ja"

    household = await coordinator.get(f"/ui/haushalte/{household_id}")
    assert sent["display_name"] in household.text
    listed = await coordinator.get("/ui/haushalte", params={"q": number})
    row = re.search(rf'data-household="{number}">(.*?)</tr>', listed.text, re.S)
    assert row
    assert sent["display_name"] in row.group(1)
    assert '<td class="kern-table__cell">ja</td>' in row.group(1)

    twice = await coordinator.post(
        url,
        data={"csrf_token": token, "allocation_notice_number": number, "started_on": start},
    )
    assert error_next_to(twice, "allocation_notice_number") == (
        "Diese Person ist bereits Patin oder Pate dieses Haushalts."
    )

    [match_id] = [
        row["id"]
        for row in await fetch(
            volunteers_database, "SELECT id FROM match WHERE household_id = $1", household_id
        )
    ]
    end_url = f"{detail}/patenschaften/{match_id}/beenden"
    key = f"ended_on-{match_id}"
    early = await coordinator.post(
        end_url, data={"csrf_token": token, key: german(today() - timedelta(days=1))}
    )
    assert early.status_code == 422
    assert error_next_to(early, key) == "Eine Patenschaft kann nicht vor ihrem Beginn enden."
    ended = await coordinator.post(
        end_url, data={"csrf_token": token, key: german(today() + timedelta(days=30))}
    )
    assert ended.status_code == 303
    page = await coordinator.get(detail)
    assert "Die Patenschaft ist beendet." in page.text
    assert german(today() + timedelta(days=30)) in page.text
    again = await coordinator.post(
        end_url, data={"csrf_token": token, key: german(today() + timedelta(days=30))}
    )
    assert again.status_code == 422
    assert "Diese Patenschaft ist bereits beendet." in again.text
    elsewhere = await coordinator.post(
        f"/ui/ehrenamtliche/{uuid.uuid4()}/patenschaften/{match_id}/beenden",
        data={"csrf_token": token, key: german(today())},
    )
    assert elsewhere.status_code == 404


async def test_household_page_suggests_mentors_and_makes_one_the_mentor(
    coordinator: httpx.AsyncClient, volunteers_database: str
) -> None:
    language = "so"
    household_id, number = await known_household(
        volunteers_database, minors=1, languages=(language,)
    )
    cleared, cleared_form = await register(coordinator, languages=f"{language}, de")
    _, uncleared_form = await register(coordinator, languages=language)
    assert (await record_clearance(coordinator, cleared)).status_code == 303
    cleared_id = cleared.rsplit("/", 1)[1]

    households = await coordinator.get("/ui/haushalte")
    assert f'href="/ui/haushalte/{household_id}">{number}</a>' in households.text
    page = await coordinator.get(f"/ui/haushalte/{household_id}")
    assert page.status_code == 200
    assert f'<h1 class="kern-heading-large">Haushalt {number}</h1>' in page.text
    assert "Dieser Haushalt hat noch keine Patin und keinen Paten." in page.text
    assert f"{cleared_form['display_name']} – spricht Somali, Deutsch (gemeinsam: Somali)" in (
        page.text
    )
    assert uncleared_form["display_name"] not in page.text, "no clearance: not suggested"
    assert re.search(r"<legend[^>]*>Patin oder Pate", page.text)

    url = f"/ui/haushalte/{household_id}/paten"
    token = form_token(page)
    nobody = await coordinator.post(url, data={"csrf_token": token, "started_on": ""})
    assert nobody.status_code == 422
    assert error_next_to(nobody, "volunteer_id") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert error_next_to(nobody, "started_on") == "Bitte füllen Sie dieses Feld aus."

    # The clearance must still be valid when the mentorship starts: not in six years.
    late = german(today() + timedelta(days=6 * 366))
    too_late = await coordinator.post(
        url, data={"csrf_token": token, "volunteer_id": cleared_id, "started_on": late}
    )
    assert too_late.status_code == 422
    assert error_next_to(too_late, "volunteer_id").startswith(
        "Zu diesem Haushalt gehören Minderjährige."
    )
    assert f'value="{cleared_id}" checked' in too_late.text
    assert f'value="{late}"' in too_late.text

    matched = await coordinator.post(
        url,
        data={"csrf_token": token, "volunteer_id": cleared_id, "started_on": german(today())},
    )
    assert matched.status_code == 303
    assert matched.headers["location"] == f"/ui/haushalte/{household_id}"
    page = await coordinator.get(f"/ui/haushalte/{household_id}")
    assert "ist jetzt Patin oder Pate des Haushalts" in page.text
    mentors = re.search(r'<ul class="kern-list" data-mentors>(.*?)</ul>', page.text, re.S)
    assert mentors
    assert cleared_form["display_name"] in mentors.group(1)
    assert f"seit {german(today())}" in mentors.group(1)

    assert f'value="{cleared_id}"' not in page.text, "a mentor is not suggested again"
    # Sent twice (a second tab): the use case refuses; no radio button is left to say it at.
    again = await coordinator.post(
        url,
        data={"csrf_token": token, "volunteer_id": cleared_id, "started_on": german(today())},
    )
    assert again.status_code == 422
    assert "<li>Diese Person ist bereits Patin oder Pate dieses Haushalts.</li>" in again.text


async def test_a_clearance_gone_since_the_page_was_opened_is_refused_at_the_choice(
    coordinator: httpx.AsyncClient, volunteers_database: str
) -> None:
    household_id, _ = await known_household(volunteers_database, minors=1, languages=("ps",))
    detail, _ = await register(coordinator, languages="ps")
    await record_clearance(coordinator, detail)
    page = await coordinator.get(f"/ui/haushalte/{household_id}")
    volunteer_id = detail.rsplit("/", 1)[1]
    assert f'value="{volunteer_id}"' in page.text
    await fetch(
        volunteers_database,
        "DELETE FROM police_clearance WHERE volunteer_id = $1",
        uuid.UUID(volunteer_id),
    )
    refused = await coordinator.post(
        f"/ui/haushalte/{household_id}/paten",
        data={
            "csrf_token": form_token(page),
            "volunteer_id": volunteer_id,
            "started_on": "01.12.2026",
        },
    )
    assert refused.status_code == 422
    # No longer suggested, so no radio button to show it at: it heads the error summary.
    summary = re.search(r"data-error-summary.*?<li>([^<]+)</li>", refused.text, re.S)
    assert summary
    assert summary.group(1).startswith("Zu diesem Haushalt gehören Minderjährige.")


async def test_unknown_household_is_a_german_404(coordinator: httpx.AsyncClient) -> None:
    page = await coordinator.get(f"/ui/haushalte/{uuid.uuid4()}")
    assert page.status_code == 404
    assert "Seite nicht gefunden" in page.text


# --- the volunteer's own page --------------------------------------------------------


async def test_a_volunteer_sees_their_own_record_and_mentorships_only(
    coordinator: httpx.AsyncClient,
    volunteers: httpx.AsyncClient,
    volunteers_database: str,
) -> None:
    login = f"vera-{unique()}"
    household_id, number = await known_household(volunteers_database, minors=0)
    mine, my_form = await register(coordinator, subject=login)
    other, other_form = await register(coordinator)
    await record_clearance(coordinator, mine)
    token = form_token(await coordinator.get(mine))
    for detail in (mine, other):
        response = await coordinator.post(
            f"{detail}/patenschaften",
            data={
                "csrf_token": token,
                "allocation_notice_number": number,
                "started_on": german(today()),
            },
        )
        assert response.status_code == 303

    async with tool_client(volunteers.app) as client:  # type: ignore[attr-defined]
        start = await sign_in(client, subject=login, roles=[Role.VOLUNTEER])
        assert start.status_code == 303
        assert start.headers["location"] == "/ui/mein-engagement"
        own = await client.get("/ui/mein-engagement")
        assert own.status_code == 200
        assert '<h1 class="kern-heading-large">Mein Engagement</h1>' in own.text
        assert my_form["display_name"] in own.text
        assert my_form["email"] in own.text
        assert f'data-match="{number}"' in own.text
        assert other_form["display_name"] not in own.text, "not the other mentor"
        assert "Führungszeugnis" not in own.text, "no clearance data for volunteers"
        for path in (
            "/ui/ehrenamtliche/neu",
            mine,
            other,
            "/ui/haushalte",
            f"/ui/haushalte/{household_id}",
        ):
            page = await client.get(path)
            assert page.status_code == 403, path
            assert other_form["display_name"] not in page.text
        post = await client.post(
            f"{other}/fuehrungszeugnis/loeschen", data={"csrf_token": form_token(own)}
        )
        assert post.status_code == 403


async def test_a_volunteer_without_a_record_is_told_what_to_do(
    browser: httpx.AsyncClient,
) -> None:
    login = f"neu-{unique()}"
    await sign_in(browser, subject=login, roles=[Role.VOLUNTEER])
    page = await browser.get("/ui/mein-engagement")
    assert page.status_code == 200
    assert f"Mit Ihrer Kennung {login} ist noch keine Registrierung" in page.text
    assert "Bitte wenden Sie sich an sie" in page.text


async def test_english_is_offered_as_second_language(coordinator: httpx.AsyncClient) -> None:
    page = await coordinator.get("/ui/sprache/en", params={"next": "/ui/haushalte"})
    if page.status_code in (302, 303):
        page = await coordinator.get(page.headers["location"])
    assert '<h1 class="kern-heading-large">Households</h1>' in page.text
    await coordinator.get("/ui/sprache/de", params={"next": "/ui/"})


async def test_a_mentorship_names_its_household_in_words_while_it_may_be_seen(
    coordinator: httpx.AsyncClient,
    volunteers: httpx.AsyncClient,
    volunteers_database: str,
) -> None:
    login = f"wanda-{unique()}"
    _, number = await known_household(volunteers_database, minors=0, languages=("fa", "de"))
    mine, _ = await register(coordinator, subject=login)
    page = await coordinator.get(mine)
    matched = await coordinator.post(
        f"{mine}/patenschaften",
        data={
            "csrf_token": form_token(page),
            "allocation_notice_number": number,
            "started_on": german(today()),
        },
    )
    assert matched.status_code == 303
    words = "ohne Minderjährige, spricht Deutsch, Persisch (Farsi)"
    page = await coordinator.get(mine)
    assert f'<td class="kern-table__cell" data-household-words>{words}</td>' in page.text

    async with tool_client(volunteers.app) as client:  # type: ignore[attr-defined]
        await sign_in(client, subject=login, roles=[Role.VOLUNTEER])
        own = await client.get("/ui/mein-engagement")
        assert f"data-household-words>{words}</td>" in own.text

        # Ended: the volunteer sees nothing more of the mentorship or its household.
        match_id = re.search(r'name="ended_on-([0-9a-f-]+)"', page.text)
        assert match_id
        ended = await coordinator.post(
            f"{mine}/patenschaften/{match_id.group(1)}/beenden",
            data={"csrf_token": form_token(page), f"ended_on-{match_id.group(1)}": german(today())},
        )
        assert ended.status_code == 303, ended.text
        own = await client.get("/ui/mein-engagement")
        assert own.status_code == 200
        assert words not in own.text
        assert f'data-match="{number}"' not in own.text
