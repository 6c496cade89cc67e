"""Need to know, as a matrix: every route with a record id of all five services, API and
staff tool, called by every kind of person, on real PostgreSQL databases.

Each service runs in-process on its own migrated database; the records are made through
the APIs and the consumers' handlers, as events would bring them. A cell asserts the
status code: 401 (API) or the sign-in redirect (page) without a sign-in, 403 without a
role the route admits, 404 for a record out of the caller's scope (exactly as for a
missing one), and the route's own answer within scope. Lists and searches are checked
to show nothing out of scope, also when searched by name.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from notifications.domain import Channel, DeliveryStatus
from notifications.models import Delivery, WebhookDelivery
from notifications.webhooks import service as webhooks
from sqlalchemy import select
from teilhabe.auth import Role
from teilhabe.clock import on_day, today
from teilhabe.db import create_engine, create_session_factory
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.envelope import new_event
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    CaseworkerAssigned,
    HouseholdAssigned,
    HouseholdReferredToHousing,
    SchoolPlaceRequested,
)
from teilhabe.events.staff import StaffMemberSignedIn
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.runtime import ServiceDefinition
from teilhabe_dev.testing.apps import app_client, migrated_database
from teilhabe_dev.testing.auth import RunningDevProvider, api_routes
from teilhabe_dev.testing.identity import auth_headers
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.ui import sign_in, tool_client

from .support import SERVICES

NORTH, SOUTH = "Soziale Betreuung Nord", "Soziale Betreuung Süd"


@dataclass(frozen=True)
class Person:
    subject: str
    roles: tuple[Role, ...]
    teams: tuple[str, ...] = ()


PEOPLE: dict[str, Person | None] = {
    "caseworker_same_team": Person("cw-nord", (Role.CASEWORKER,), (NORTH,)),
    "caseworker_other_team": Person("cw-sued", (Role.CASEWORKER,), (SOUTH,)),
    "team_lead": Person("lead", (Role.CASEWORKER, Role.TEAM_LEAD)),
    "housing_officer": Person("officer", (Role.HOUSING_OFFICER,)),
    "course_coordinator": Person("coord", (Role.COURSE_COORDINATOR,)),
    "volunteer_coordinator": Person("vcoord", (Role.VOLUNTEER_COORDINATOR,)),
    "volunteer_mentoring": Person("vol-running", (Role.VOLUNTEER,)),
    "volunteer_former_mentor": Person("vol-ended", (Role.VOLUNTEER,)),
    "agency": Person("agency", (Role.AGENCY,)),
    "admin": Person("admin", (Role.ADMIN,)),
    "data_protection": Person("dpo", (Role.DATA_PROTECTION,)),
    "anonymous": None,
}
CASEWORKERS = frozenset({"caseworker_same_team", "caseworker_other_team", "team_lead"})
VOLUNTEERS = frozenset({"volunteer_mentoring", "volunteer_former_mentor"})
EVERYONE = frozenset(name for name, person in PEOPLE.items() if person is not None)


@dataclass(frozen=True)
class Route:
    """One route with a record id: who holds a role it admits, who sees the record."""

    service: str
    method: str
    path: str  # with {placeholders} filled from the seeded records
    admitted: frozenset[str]
    in_scope: frozenset[str]
    ok: int
    body: Mapping[str, Any] | None = None
    out_of_scope: int = 404
    overrides: Mapping[str, int] = field(default_factory=dict)

    @property
    def page(self) -> bool:
        return self.path.startswith("/ui/")

    def expected(self, who: str) -> int:
        if who in self.overrides:
            return self.overrides[who]
        if who == "anonymous":
            return 303 if self.page else 401
        if who not in self.admitted:
            return 403
        return self.ok if who in self.in_scope else self.out_of_scope


@dataclass
class World:
    api: dict[str, httpx.AsyncClient]
    pages: dict[tuple[str, str], httpx.AsyncClient]
    tokens: dict[tuple[str, str], str]
    identity: RunningDevProvider
    ids: dict[str, str]
    family: str

    def headers(self, who: str) -> dict[str, str]:
        person = PEOPLE[who]
        if person is None:
            return {}
        return auth_headers(
            self.identity, *person.roles, subject=person.subject, teams=person.teams
        )


def household_assigned(created: Mapping[str, Any]) -> HouseholdAssigned:
    return HouseholdAssigned(
        household_id=created["id"],
        allocation_notice_number=created["allocation_notice_number"],
        allocated_on=created["allocated_on"],
        member_count=len(created["members"]),
        minor_count=0,
        members=tuple(
            AllocatedMember(member_id=m["id"], age_group=AgeGroup.ADULT, languages=("ar",))
            for m in created["members"]
        ),
        team=created["team"],
    )


def referred_to_housing(created: Mapping[str, Any]) -> HouseholdReferredToHousing:
    return HouseholdReferredToHousing(
        household_id=created["id"],
        allocation_notice_number=created["allocation_notice_number"],
        allocated_on=created["allocated_on"],
        member_count=len(created["members"]),
        minor_count=0,
        needs_accessible_housing=False,
        team=created["team"],
    )


async def deliver(service: ServiceDefinition, url: str, events: Sequence[EventPayload]) -> None:
    """Hand events of one type to the service's handler in one transaction, as its consumer."""
    handler = service.handlers[type(events[0])]
    received = [
        ReceivedEvent(envelope=new_event(e, source="/teilhabe/intake"), payload=e) for e in events
    ]
    engine = create_engine(url, pool_size=1)
    async with create_session_factory(engine)() as session, session.begin():
        await handler(session, received)
    await engine.dispose()


async def notification_for(url: str, recipient: str, channel: Channel) -> str:
    engine = create_engine(url, pool_size=1)
    delivery = Delivery(
        id=uuid.uuid4(),
        event_id=str(uuid.uuid4()),
        event_type="caseworker.assigned",
        recipient_id=recipient,
        channel=channel,
        household_id=None,
        language="de",
        title="Sie betreuen jetzt einen Haushalt",
        body="Haushalt BRA-2026-0815",
        address=None if channel is Channel.INBOX else "cw-nord@duelmen.de",
        status=DeliveryStatus.SENT,
    )
    async with create_session_factory(engine)() as session, session.begin():
        session.add(delivery)
    await engine.dispose()
    return str(delivery.id)


async def webhook_delivery_for(url: str, agency: str) -> str:
    """A delivery of an event to an agency's endpoint, as the agency gateway stages it."""
    engine = create_engine(url, pool_size=1)
    event = new_event(
        CaseworkerAssigned(household_id=uuid.uuid4(), caseworker_id="cw-nord"),
        source="/teilhabe/intake",
    )
    async with create_session_factory(engine)() as session, session.begin():
        assert await webhooks.stage(session, agency, event) == 1
        delivery_id = await session.scalar(
            select(WebhookDelivery.id).where(WebhookDelivery.event_id == event.id)
        )
    await engine.dispose()
    return str(delivery_id)


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}  # type: ignore[no-any-return]


async def seed(world: World, urls: dict[str, str]) -> None:
    api, ids, h = world.api, world.ids, world.headers
    members = [
        {
            "given_name": "Amina",
            "family_name": world.family,
            "date_of_birth": "1988-03-14",
            "sex": "female",
            "nationality": "SYR",
            "languages": ["ar"],
            "residence_status": "aufenthaltsgestattung",
            "residence_status_expires_on": "2027-05-20",
        }
    ]
    households, referred = [], []
    for who, key in (("caseworker_same_team", "north"), ("caseworker_other_team", "south")):
        body = {
            "allocation_notice_number": f"BRA-{uuid.uuid4().hex[:8]}",
            "allocated_on": "2026-11-20",
            "allocating_authority": "Bezirksregierung Arnsberg",
            "members": members,
        }
        created = ok(await api["intake"].post("/households", json=body, headers=h(who)), 201)
        ids[key] = created["id"]
        ids[f"{key}_member"] = created["members"][0]["id"]
        ids[f"{key}_notice"] = created["allocation_notice_number"]
        households.append(household_assigned(created))
        referred.append(referred_to_housing(created))
    # A referral of the northern household, declined (a further step is refused).
    ids["referral"] = ok(
        await api["intake"].post(
            f"/households/{ids['north']}/referrals",
            json={"member_id": ids["north_member"], "target": "doctor", "purpose": "Impfung"},
            headers=h("caseworker_same_team"),
        ),
        201,
    )["id"]
    ok(
        await api["intake"].post(
            f"/households/{ids['north']}/referrals/{ids['referral']}/state",
            json={"state": "declined"},
            headers=h("caseworker_same_team"),
        )
    )
    # A follow-up of the northern household, done (doing it again is refused, not done).
    follow_up = {"due_on": today().isoformat(), "reason": "Schulanmeldung"}
    ids["follow_up"] = ok(
        await api["intake"].post(
            f"/households/{ids['north']}/follow-ups",
            json=follow_up,
            headers=h("caseworker_same_team"),
        ),
        201,
    )["id"]
    ok(
        await api["intake"].post(
            f"/households/{ids['north']}/follow-ups/{ids['follow_up']}/done",
            headers=h("caseworker_same_team"),
        )
    )
    # An appointment of the northern household, cancelled (cancelling again is refused).
    appointment = {"starts_at": "2099-12-08T10:00:00+01:00", "place": "Sozialamt"}
    ids["appointment"] = ok(
        await api["intake"].post(
            f"/households/{ids['north']}/appointments",
            json=appointment,
            headers=h("caseworker_same_team"),
        ),
        201,
    )["id"]
    ok(
        await api["intake"].post(
            f"/households/{ids['north']}/appointments/{ids['appointment']}/cancellation",
            headers=h("caseworker_same_team"),
        )
    )
    # A case note of the northern team (its own team alone sees it).
    note = {"category": "beratung", "noted_on": "2026-11-21", "text": "Erstgespräch"}
    ids["note"] = ok(
        await api["intake"].post(
            f"/households/{ids['north']}/notes", json=note, headers=h("caseworker_same_team")
        ),
        201,
    )["id"]
    await deliver(SERVICES["housing"], urls["housing"], referred)
    for name in ("courses", "volunteers"):
        await deliver(SERVICES[name], urls[name], households)
    # Intake offers as caseworkers the staff it knows from their sign-ins.
    signed_in = StaffMemberSignedIn(
        account_subject="cw-nord", roles=(Role.CASEWORKER.value,), teams=(NORTH,)
    )
    await deliver(SERVICES["intake"], urls["intake"], [signed_in])
    # An erasure request (of a household no service knows: it erases nothing here).
    erasure = {"subject_kind": "household", "subject_id": str(uuid.uuid4()), "reason": "Art. 17"}
    ids["erasure"] = ok(
        await api["intake"].post("/erasure-requests", json=erasure, headers=h("data_protection")),
        201,
    )["id"]

    # intake: a consent of the northern household's member, revoked (revoking it again is
    # refused, not done).
    consent = {
        "member_id": ids["north_member"],
        "agency": "jobcenter-matrix",
        "purpose": "arbeitsvermittlung",
        "granted_on": "2026-11-20",
        "evidence_reference": "Akte 1",
    }
    ids["consent"] = ok(
        await api["intake"].post(
            f"/households/{ids['north']}/consents",
            json=consent,
            headers=h("caseworker_same_team"),
        ),
        201,
    )["id"]
    ok(
        await api["intake"].post(
            f"/households/{ids['north']}/consents/{ids['consent']}/revocation",
            json={},
            headers=h("caseworker_same_team"),
        )
    )

    # housing: the northern household placed, the southern one waiting with a cancelled
    # reservation (so that cancelling again is refused, not done).
    officer = h("housing_officer")
    site = ok(
        await api["housing"].post(
            "/sites",
            json={
                "name": "Haus Nord",
                "kind": "communal_housing",
                "address": "Marktstraße 1, 48249 Dülmen",
                "units": [{"name": "A", "beds": 4}, {"name": "B", "beds": 4}],
            },
            headers=officer,
        ),
        201,
    )
    ids["site"], ids["unit"] = site["id"], site["units"][0]["id"]
    placed = {"household_id": ids["north"], "unit_id": ids["unit"], "moved_in_on": "2026-11-25"}
    ids["placement"] = ok(
        await api["housing"].post("/placements", json=placed, headers=officer), 201
    )["id"]
    reserve = {"household_id": ids["south"], "unit_id": site["units"][1]["id"]}
    ids["reservation"] = ok(
        await api["housing"].post("/reservations", json=reserve, headers=officer), 201
    )["id"]
    ok(await api["housing"].post(f"/reservations/{ids['reservation']}/cancel", headers=officer))
    arrival = {"arrived_on": "2026-11-25", "person_count": 2}
    ok(
        await api["housing"].post(
            f"/households/{ids['north']}/arrival", json=arrival, headers=officer
        ),
        201,
    )

    # courses: the coordinator's course, the northern person enrolled, then withdrawn and
    # enrolled again (a withdrawn enrolment to withdraw again).
    coordinator = h("course_coordinator")
    course = ok(
        await api["courses"].post(
            "/courses",
            json={
                "kind": "integration_course",
                "provider": "VHS",
                "title": "Integrationskurs A1",
                "starts_on": "2026-12-01",
                "place": "Königswall 1",
                "seats": 5,
            },
            headers=coordinator,
        ),
        201,
    )
    ids["course"] = course["id"]
    enrol = f"/courses/{ids['course']}/enrollments"
    first = ok(
        await api["courses"].post(
            enrol, json={"member_id": ids["north_member"]}, headers=coordinator
        ),
        201,
    )
    ids["enrollment"] = first["id"]
    ok(await api["courses"].post(f"/enrollments/{ids['enrollment']}/withdraw", headers=coordinator))
    ok(
        await api["courses"].post(
            enrol, json={"member_id": ids["north_member"]}, headers=coordinator
        ),
        201,
    )
    ids["session"] = ok(
        await api["courses"].post(
            f"/courses/{ids['course']}/sessions",
            json={"starts_at": "2026-12-07T08:30:00+01:00", "ends_at": "2026-12-07T12:45:00+01:00"},
            headers=coordinator,
        ),
        201,
    )["id"]

    # A full course whose freed seat was offered to the northern person, who declined it
    # (answering again is refused, not done).
    full = ok(
        await api["courses"].post(
            "/courses",
            json={
                "kind": "integration_course",
                "provider": "VHS",
                "title": "Integrationskurs B1",
                "starts_on": "2026-12-01",
                "place": "Königswall 1",
                "seats": 1,
            },
            headers=coordinator,
        ),
        201,
    )
    seated = ok(
        await api["courses"].post(
            f"/courses/{full['id']}/enrollments",
            json={"member_id": ids["south_member"]},
            headers=coordinator,
        ),
        201,
    )
    ok(
        await api["courses"].post(
            f"/courses/{full['id']}/enrollments",
            json={"member_id": ids["north_member"]},
            headers=coordinator,
        ),
        201,
    )
    freed = ok(
        await api["courses"].post(f"/enrollments/{seated['id']}/withdraw", headers=coordinator)
    )
    ids["seat_offer"] = freed["offered"][0]["id"]
    ok(await api["courses"].post(f"/seat-offers/{ids['seat_offer']}/decline", headers=coordinator))

    # A school-place request of a northern child, closed (a further outcome is refused).
    ids["school_place"] = str(uuid.uuid4())
    request = SchoolPlaceRequested(
        household_id=uuid.UUID(ids["north"]),
        member_id=uuid.UUID(ids["school_place"]),
        age=9,
        requested_on=today(),
    )
    await deliver(SERVICES["courses"], urls["courses"], [request])
    ok(
        await api["courses"].post(
            f"/school-place-requests/{ids['school_place']}/outcome",
            json={"outcome": "closed", "reason": "other"},
            headers=coordinator,
        )
    )

    # A work opportunity (job readiness: no permit needed) and the northern person proposed.
    ids["opportunity"] = ok(
        await api["courses"].post(
            "/work/opportunities",
            json={
                "kind": "job_readiness",
                "title": "Berufsorientierung",
                "employer_category": "other",
                "hours_per_week": "20",
                "place": "Innenstadt",
                "postcode": "48249",
                "seats": 5,
                "starts_on": "2026-12-01",
            },
            headers=coordinator,
        ),
        201,
    )["id"]
    ids["work_placement"] = ok(
        await api["courses"].post(
            f"/work/opportunities/{ids['opportunity']}/placements",
            json={"member_id": ids["north_member"], "proposed_on": "2026-12-01"},
            headers=coordinator,
        ),
        201,
    )["id"]

    # A community offer with two guests (locals): one to remove by API, one by page.
    community = ok(
        await api["courses"].post(
            "/courses",
            json={
                "kind": "community",
                "provider": "Caritas",
                "title": "Begegnungscafé",
                "starts_on": "2026-12-01",
                "ends_on": "2099-12-31",
                "place": "Kirchplatz 3",
                "seats": 5,
            },
            headers=coordinator,
        ),
        201,
    )
    ids["community"] = community["id"]
    for key in ("guest", "guest_page"):
        ids[key] = ok(
            await api["courses"].post(
                f"/courses/{ids['community']}/guests",
                json={"name": f"Gast {key}", "contact": "0151 2345678"},
                headers=coordinator,
            ),
            201,
        )["id"]

    vcoord = h("volunteer_coordinator")
    for who, key in (("volunteer_mentoring", "mentor"), ("volunteer_former_mentor", "former")):
        person = PEOPLE[who]
        assert person is not None
        volunteer = ok(
            await api["volunteers"].post(
                "/volunteers",
                json={
                    "display_name": f"Mentor {key}",
                    "email": f"{key}@example.org",
                    "languages": ["ar"],
                    "subject": person.subject,
                    # Help requests for interpreting reach the running mentor alone.
                    "skills": ["Dolmetschen"] if key == "mentor" else [],
                    "available_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                },
                headers=vcoord,
            ),
            201,
        )
        ids[key] = volunteer["id"]
        clearance = {
            "inspected_on": today().isoformat(),
            "issued_on": today().isoformat(),
            "relevant_conviction": False,
        }
        ok(
            await api["volunteers"].put(
                f"/volunteers/{ids[key]}/clearance", json=clearance, headers=vcoord
            )
        )
        match = {
            "volunteer_id": ids[key],
            "household_id": ids["north"],
            "started_on": today().isoformat(),
        }
        ids[f"{key}_match"] = ok(
            await api["volunteers"].post("/matches", json=match, headers=vcoord), 201
        )["id"]
    ended = {"ended_on": today().isoformat()}
    ok(
        await api["volunteers"].post(
            f"/matches/{ids['former_match']}/end", json=ended, headers=vcoord
        )
    )

    # volunteers' shifts: a facility with a template, and a shift the running mentor
    # signed up for that was then called off (so only they and coordinators still see it).
    ids["facility"] = ok(
        await api["volunteers"].post(
            "/facilities", json={"name": "Begegnungscafé", "kind": "cafe"}, headers=vcoord
        ),
        201,
    )["id"]
    template = {"title": "Theke", "starts": "15:00", "ends": "18:00", "slots": 2}
    ids["template"] = ok(
        await api["volunteers"].post(
            f"/facilities/{ids['facility']}/shift-templates", json=template, headers=vcoord
        ),
        201,
    )["id"]
    ids["shift"] = ok(
        await api["volunteers"].post(
            f"/shift-templates/{ids['template']}/shifts",
            json={"on": (today() + timedelta(days=2)).isoformat()},
            headers=vcoord,
        ),
        201,
    )["id"]
    ok(
        await api["volunteers"].post(
            f"/shifts/{ids['shift']}/signup", headers=h("volunteer_mentoring")
        )
    )
    ok(await api["volunteers"].post(f"/shifts/{ids['shift']}/cancel", headers=vcoord))

    # A northern caseworker asks for an interpreter: it reaches the running mentor alone.
    starts = on_day(today() + timedelta(days=3)).replace(hour=10)
    help_request = {
        "title": "Dolmetschen beim Jobcenter",
        "language": "ar",
        "skill": "Dolmetschen",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
    }
    ids["help_request"] = ok(
        await api["volunteers"].post(
            "/help-requests", json=help_request, headers=h("caseworker_same_team")
        ),
        201,
    )["id"]
    # ... and another, no longer needed, withdrawn: withdrawing it again is a conflict.
    ids["withdrawn_help_request"] = ok(
        await api["volunteers"].post(
            "/help-requests", json=help_request, headers=h("caseworker_same_team")
        ),
        201,
    )["id"]
    ok(
        await api["volunteers"].post(
            f"/help-requests/{ids['withdrawn_help_request']}/withdraw",
            headers=h("caseworker_same_team"),
        )
    )

    # notifications: the northern caseworker's notification, an e-mail in the log, and a
    # directory entry.
    ids["notification"] = await notification_for(urls["notifications"], "cw-nord", Channel.INBOX)
    ids["delivery"] = await notification_for(urls["notifications"], "cw-nord", Channel.EMAIL)
    ids["recipient"] = "staff-entry"
    # An agency's webhook endpoint (nobody receives there: the sender does not run) and a
    # delivery to it.
    endpoint = {"agency": "jobcenter-matrix", "url": "https://jobcenter.example/hooks"}
    ids["webhook_endpoint"] = ok(
        await api["notifications"].post("/webhooks/endpoints", json=endpoint, headers=h("admin")),
        201,
    )["id"]
    ids["webhook_delivery"] = await webhook_delivery_for(urls["notifications"], "jobcenter-matrix")
    entry = {"name": "Eintrag", "email": "eintrag@duelmen.de", "roles": ["caseworker"]}
    ok(
        await api["notifications"].put(
            f"/recipients/{ids['recipient']}", json=entry, headers=h("admin")
        )
    )
    # An agency and its subscription (administration: no person in them).
    ids["agency"] = "jobcenter-matrix"
    ok(
        await api["notifications"].put(
            f"/agencies/{ids['agency']}", json={"display_name": "Jobcenter"}, headers=h("admin")
        )
    )
    subscription = {"event_type": "household.moved_in", "purpose": "arbeitsvermittlung"}
    ids["subscription"] = ok(
        await api["notifications"].post(
            f"/agencies/{ids['agency']}/subscriptions", json=subscription, headers=h("admin")
        ),
        201,
    )["id"]
    # A second one, which the administrators' page ends.
    subscription = {"event_type": "household.moved_out", "purpose": "arbeitsvermittlung"}
    ids["page_subscription"] = ok(
        await api["notifications"].post(
            f"/agencies/{ids['agency']}/subscriptions", json=subscription, headers=h("admin")
        ),
        201,
    )["id"]


@pytest.fixture(scope="module")
async def world(infra: Infrastructure, identity: RunningDevProvider) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        urls: dict[str, str] = {}
        api: dict[str, httpx.AsyncClient] = {}
        for name, service in SERVICES.items():
            urls[name] = await stack.enter_async_context(migrated_database(infra, service))
            env = {"DATABASE_URL": urls[name], "AMQP_URL": infra.amqp_url}
            api[name] = await stack.enter_async_context(
                app_client(service, env=env, identity=identity)
            )
        world = World(api, {}, {}, identity, {}, f"Scope{uuid.uuid4().hex[:6]}")
        await seed(world, urls)
        for name, client in api.items():
            for who in PEOPLE:
                browser = await stack.enter_async_context(tool_client(client.app))  # type: ignore[attr-defined]
                world.pages[(name, who)] = browser
        # Signing in is mostly waiting for the provider: several at once, within each
        # tool's connection pool.
        limits = {name: asyncio.Semaphore(3) for name in api}
        await asyncio.gather(*(signed_in(world, *key, limits[key[0]]) for key in world.pages))
        await seed_pages(world)
        yield world


async def seed_pages(world: World) -> None:
    """What only the staff tools make: an allocation list of the northern team, imported
    (importing it again is refused, not done)."""
    browser = world.pages[("intake", "caseworker_same_team")]
    token = world.tokens[("intake", "caseworker_same_team")]
    row = f"BRA-{uuid.uuid4().hex[:8]};20.11.2026;Bezirksregierung Arnsberg;{world.family};Lina;"
    listed = (
        "Bescheidnummer;Zuweisungsdatum;Zuweisende Behörde;Familienname;Vorname;Geburtsdatum;"
        f"Geschlecht;Aufenthaltsstatus\n{row}01.01.1990;w;niederlassungserlaubnis\n"
    )
    uploaded = await browser.post(
        "/ui/zuweisungen/import",
        data={"csrf_token": token},
        files={"file": ("liste.csv", listed.encode())},
    )
    assert uploaded.status_code == 303, uploaded.text
    report = uploaded.headers["location"]
    world.ids["allocation_import"] = report.rsplit("/", 1)[-1]
    imported = await browser.post(report + "/importieren", data={"csrf_token": token})
    assert imported.status_code == 303, imported.text


async def signed_in(world: World, tool: str, who: str, limit: asyncio.Semaphore) -> None:
    browser, person = world.pages[(tool, who)], PEOPLE[who]
    async with limit:
        if person is not None:
            await sign_in(browser, subject=person.subject, roles=person.roles, teams=person.teams)
        world.tokens[(tool, who)] = await form_token_of(browser)


async def form_token_of(browser: httpx.AsyncClient) -> str:
    """The session's form token, from the tool's accessibility page (open to everyone)."""
    page = await browser.get("/ui/barrierefreiheit")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    return found.group(1) if found else "none"


def routes(ids: Mapping[str, str]) -> list[Route]:
    intake = {"admitted": CASEWORKERS, "in_scope": frozenset({"caseworker_same_team", "team_lead"})}
    own_team = {"admitted": CASEWORKERS, "in_scope": frozenset({"caseworker_same_team"})}
    officer = frozenset({"housing_officer"})
    housing = {"admitted": officer, "in_scope": officer}
    coordinator = frozenset({"course_coordinator"})
    vcoord = frozenset({"volunteer_coordinator"})
    worker = {
        "admitted": CASEWORKERS | coordinator,
        "in_scope": frozenset({"caseworker_same_team", "team_lead"}) | coordinator,
    }
    own_volunteer = {"admitted": vcoord | VOLUNTEERS, "in_scope": vcoord | {"volunteer_mentoring"}}
    inbox = {"admitted": EVERYONE, "in_scope": frozenset({"caseworker_same_team"})}
    admin = frozenset({"admin"})
    dpo = frozenset({"data_protection"})
    past = "2000-01-01"
    return [
        # intake
        Route("intake", "GET", f"/households/{ids['north']}", ok=200, **intake),
        Route(
            "intake",
            "PUT",
            f"/households/{ids['north']}/caseworker",
            ok=200,
            body={"caseworker_id": "cw-nord"},
            **intake,
        ),
        # The household over time: bodies well-formed but refused by a rule, so that the
        # callers in scope change nothing (422) and those out of scope find nothing (404).
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/members",
            ok=422,
            body={
                "given_name": "Lina",
                "family_name": "Scope",
                "date_of_birth": "2026-11-01",
                "sex": "female",
                "nationality": "SYR",
                "residence_status": "ungeklaert",
                "reason": "moved_out",
            },
            **intake,
        ),
        Route(
            "intake",
            "PATCH",
            f"/households/{ids['north']}/members/{ids['north_member']}",
            ok=422,
            body={"family_name": None},
            **intake,
        ),
        Route(
            "intake",
            "DELETE",
            f"/households/{ids['north']}/members/{ids['north_member']}?reason=birth",
            ok=422,
            **intake,
        ),
        Route("intake", "GET", f"/households/{ids['north']}/member-changes", ok=200, **intake),
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/members/{ids['north_member']}/residence-statuses",
            ok=422,
            body={"residence_status": "duldung", "valid_from": "2099-01-01"},
            **intake,
        ),
        Route(
            "intake",
            "GET",
            f"/households/{ids['north']}/members/{ids['north_member']}/residence-statuses",
            ok=200,
            **intake,
        ),
        # Follow-ups: a day in the past is refused; the seeded one is done already.
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/follow-ups",
            ok=422,
            body={"due_on": past, "reason": "zu spät"},
            **intake,
        ),
        Route("intake", "GET", f"/households/{ids['north']}/follow-ups", ok=200, **intake),
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/follow-ups/{ids['follow_up']}/done",
            ok=409,
            **intake,
        ),
        # An imported allocation list's report: the uploader's team (and team leads).
        Route(
            "intake", "GET", f"/ui/zuweisungen/importe/{ids['allocation_import']}", ok=200, **intake
        ),
        Route(
            "intake",
            "POST",
            f"/ui/zuweisungen/importe/{ids['allocation_import']}/importieren",
            ok=409,
            body={},
            **intake,
        ),
        # Letters: the household's page; no placement notice before a placement, no
        # invitation to a cancelled appointment.
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/briefe", ok=200, **intake),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/briefe/unterkunft", ok=409, **intake),
        Route(
            "intake",
            "GET",
            f"/ui/haushalte/{ids['north']}/termine/{ids['appointment']}/einladung",
            ok=409,
            **intake,
        ),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/wiedervorlagen", ok=200, **intake),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/wiedervorlagen",
            ok=422,
            body={},
            **intake,
        ),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/wiedervorlagen/{ids['follow_up']}/erledigt",
            ok=409,
            body={},
            **intake,
        ),
        # Appointments: one in the past is refused; the seeded one is cancelled already.
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/appointments",
            ok=422,
            body={"starts_at": "2000-01-01T10:00:00+01:00", "place": "Sozialamt"},
            **intake,
        ),
        Route("intake", "GET", f"/households/{ids['north']}/appointments", ok=200, **intake),
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/appointments/{ids['appointment']}/cancellation",
            ok=409,
            **intake,
        ),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/termine", ok=200, **intake),
        Route("intake", "POST", f"/ui/haushalte/{ids['north']}/termine", ok=422, body={}, **intake),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/termine/{ids['appointment']}/absagen",
            ok=409,
            body={},
            **intake,
        ),
        # The residence obligation (§ 12a AufenthG): one ending before any recognition is
        # refused; lifting one where none is recorded finds nothing, within scope too.
        Route(
            "intake",
            "PUT",
            f"/households/{ids['north']}/members/{ids['north_member']}/residence-obligation",
            ok=422,
            body={"bound_until": "2020-01-01", "recognised_on": "2021-01-01"},
            **intake,
        ),
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/members/{ids['north_member']}/residence-obligation/lifting",
            ok=404,
            body={"lifted_on": "2020-01-01", "reason": "employment"},
            **intake,
        ),
        Route(
            "intake", "GET", f"/households/{ids['north']}/residence-obligations", ok=200, **intake
        ),
        # Closing a case: a day ahead is refused (nothing closes).
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/closure",
            ok=422,
            body={"reason": "other", "closed_on": "2099-01-01"},
            **intake,
        ),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/abschluss",
            ok=422,
            body={},
            **intake,
        ),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/abschluss", ok=200, **intake),
        # Referrals: someone not of the household is refused; the seeded one is declined.
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/referrals",
            ok=422,
            body={"member_id": ids["south_member"], "target": "doctor", "purpose": "x"},
            **intake,
        ),
        Route("intake", "GET", f"/households/{ids['north']}/referrals", ok=200, **intake),
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/referrals/{ids['referral']}/state",
            ok=409,
            body={"state": "done"},
            **intake,
        ),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/vermittlungen", ok=200, **intake),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/vermittlungen",
            ok=422,
            body={},
            **intake,
        ),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/vermittlungen/{ids['referral']}/status",
            ok=409,
            body={"state": "done"},
            **intake,
        ),
        # A caseworker's own calendar feed: the page for every caseworker; the feed's
        # address is its own credential, and an unknown one is not found for anyone.
        Route("intake", "GET", "/ui/kalender", admitted=CASEWORKERS, in_scope=CASEWORKERS, ok=200),
        Route(
            "intake",
            "POST",
            "/ui/kalender/namen",
            admitted=CASEWORKERS,
            in_scope=CASEWORKERS,
            ok=303,
            body={},
        ),
        Route(
            "intake",
            "GET",
            "/kalender/not-a-feed.ics",
            admitted=EVERYONE,
            in_scope=frozenset(),
            ok=200,
            overrides={"anonymous": 404},
        ),
        # Case notes: the household's own team alone (a team lead of no team: not found).
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/notes",
            ok=422,
            body={"category": "beratung", "noted_on": "2099-01-01", "text": "später"},
            **own_team,
        ),
        Route("intake", "GET", f"/households/{ids['north']}/notes", ok=200, **own_team),
        Route(
            "intake",
            "PATCH",
            f"/households/{ids['north']}/notes/{ids['note']}",
            ok=422,
            body={"noted_on": "2099-01-01"},
            **own_team,
        ),
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/notes/{ids['note']}/addenda",
            ok=201,
            body={"text": "Nachtrag"},
            **own_team,
        ),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}", ok=200, **intake),
        Route("intake", "GET", f"/households/{ids['north']}/consents", ok=200, **intake),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/einwilligungen", ok=200, **intake),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/einwilligungen",
            ok=422,
            body={},
            **intake,
        ),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/einwilligungen/{ids['consent']}/widerruf",
            ok=409,
            body={},
            **intake,
        ),
        # A consent given in the future is refused (422 when in scope), changing nothing.
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/consents",
            ok=422,
            body={
                "member_id": ids["north_member"],
                "agency": "jobcenter-matrix",
                "purpose": "arbeitsvermittlung",
                "granted_on": "2999-01-01",
                "evidence_reference": "Akte 2",
            },
            **intake,
        ),
        Route(
            "intake",
            "POST",
            f"/households/{ids['north']}/consents/{ids['consent']}/revocation",
            ok=409,
            body={},
            **intake,
        ),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/vermerke", ok=200, **own_team),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/vermerke",
            ok=422,
            body={},
            **own_team,
        ),
        Route(
            "intake",
            "GET",
            f"/ui/haushalte/{ids['north']}/vermerke/{ids['note']}",
            ok=200,
            **own_team,
        ),
        *(
            Route(
                "intake",
                "POST",
                f"/ui/haushalte/{ids['north']}/vermerke/{ids['note']}/{action}",
                ok=422,
                body={},
                **own_team,
            )
            for action in ("aendern", "nachtrag")
        ),
        Route("intake", "GET", f"/ui/haushalte/{ids['north']}/mitglieder/neu", ok=200, **intake),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/mitglieder/neu",
            ok=422,
            body={},
            **intake,
        ),
        Route(
            "intake",
            "GET",
            f"/ui/haushalte/{ids['north']}/mitglieder/{ids['north_member']}",
            ok=200,
            **intake,
        ),
        *(
            Route(
                "intake",
                "POST",
                f"/ui/haushalte/{ids['north']}/mitglieder/{ids['north_member']}/{action}",
                ok=422,
                body={},
                **intake,
            )
            for action in (
                "korrektur",
                "aufenthaltsstatus",
                "entfernen",
                "wohnsitzauflage",
                "wohnsitzauflage/aufhebung",
            )
        ),
        Route(
            "intake",
            "POST",
            f"/ui/haushalte/{ids['north']}/fachkraft",
            ok=303,
            body={"caseworker_id": "cw-nord"},
            **intake,
        ),
        Route(
            "intake",
            "GET",
            f"/erasure-requests/{ids['erasure']}",
            ok=200,
            admitted=dpo,
            in_scope=dpo,
        ),
        Route(
            "intake",
            "GET",
            f"/ui/loeschantraege/{ids['erasure']}",
            ok=200,
            admitted=dpo,
            in_scope=dpo,
        ),
        # housing
        Route("housing", "GET", f"/sites/{ids['site']}", ok=200, **housing),
        # Sites, units and beds: an empty name or count changes nothing (422 when admitted).
        Route("housing", "PATCH", f"/sites/{ids['site']}", ok=422, body={}, **housing),
        Route("housing", "POST", f"/sites/{ids['site']}/units", ok=422, body={}, **housing),
        Route("housing", "PATCH", f"/units/{ids['unit']}", ok=422, body={}, **housing),
        Route("housing", "POST", f"/units/{ids['unit']}/beds", ok=422, body={}, **housing),
        # A closure long past: recorded, yet it keeps no one from a bed today.
        Route(
            "housing",
            "POST",
            f"/units/{ids['unit']}/closures",
            ok=201,
            body={"starts_on": past, "ends_on": "2000-01-02", "reason": "repair"},
            **housing,
        ),
        Route("housing", "GET", f"/units/{ids['unit']}/closures", ok=200, **housing),
        # Arrivals and persons: the officers'. An arrival recorded twice is refused (409).
        Route("housing", "GET", f"/households/{ids['north']}/arrival", ok=200, **housing),
        Route(
            "housing",
            "POST",
            f"/households/{ids['north']}/arrival",
            ok=409,
            body={"arrived_on": "2026-11-25", "person_count": 1},
            **housing,
        ),
        Route("housing", "GET", f"/units/{ids['unit']}/residents", ok=200, **housing),
        # Protection needs: the household's caseworkers record them, officers read them.
        Route(
            "housing",
            "GET",
            f"/households/{ids['north']}/protection-needs",
            ok=200,
            admitted=CASEWORKERS | officer,
            in_scope=frozenset({"caseworker_same_team", "team_lead"}) | officer,
        ),
        Route(
            "housing",
            "PUT",
            f"/households/{ids['north']}/protection-needs",
            ok=200,
            body={"needs": []},
            admitted=CASEWORKERS,
            in_scope=frozenset({"caseworker_same_team", "team_lead"}),
        ),
        Route("housing", "PUT", f"/units/{ids['unit']}/protections", ok=422, body={}, **housing),
        Route(
            "housing",
            "GET",
            f"/ui/haushalte/{ids['north']}/schutzbedarf",
            ok=200,
            admitted=CASEWORKERS,
            in_scope=frozenset({"caseworker_same_team", "team_lead"}),
        ),
        Route(
            "housing",
            "POST",
            f"/ui/haushalte/{ids['north']}/schutzbedarf",
            ok=303,
            body={},
            admitted=CASEWORKERS,
            in_scope=frozenset({"caseworker_same_team", "team_lead"}),
        ),
        Route("housing", "POST", f"/ui/einheiten/{ids['unit']}/schutz", ok=303, body={}, **housing),
        # Priority in the waiting queue: an empty reason changes nothing (422 when admitted).
        Route(
            "housing",
            "POST",
            f"/households/{ids['south']}/priority",
            ok=422,
            body={"reason": ""},
            **housing,
        ),
        Route("housing", "GET", f"/ui/warteliste/{ids['south']}/vorrang", ok=200, **housing),
        Route(
            "housing", "POST", f"/ui/warteliste/{ids['south']}/vorrang", ok=422, body={}, **housing
        ),
        Route("housing", "GET", f"/ui/warteliste/{ids['south']}/ankunft", ok=200, **housing),
        Route(
            "housing", "POST", f"/ui/warteliste/{ids['south']}/ankunft", ok=422, body={}, **housing
        ),
        Route("housing", "GET", f"/ui/standorte/{ids['site']}", ok=200, **housing),
        Route("housing", "POST", f"/ui/standorte/{ids['site']}/name", ok=422, body={}, **housing),
        Route(
            "housing", "POST", f"/ui/standorte/{ids['site']}/einheiten", ok=422, body={}, **housing
        ),
        Route("housing", "POST", f"/ui/einheiten/{ids['unit']}/name", ok=422, body={}, **housing),
        Route("housing", "POST", f"/ui/einheiten/{ids['unit']}/betten", ok=422, body={}, **housing),
        Route("housing", "GET", f"/ui/einheiten/{ids['unit']}/sperrungen", ok=200, **housing),
        Route(
            "housing", "POST", f"/ui/einheiten/{ids['unit']}/sperrungen", ok=422, body={}, **housing
        ),
        Route(
            "housing",
            "POST",
            f"/placements/{ids['placement']}/move-out",
            ok=422,
            body={"moved_out_on": past, "reason": "other"},
            **housing,
        ),
        Route(
            "housing",
            "POST",
            f"/placements/{ids['placement']}/transfer",
            ok=422,
            body={"unit_id": ids["unit"], "moved_on": past},
            **housing,
        ),
        Route("housing", "POST", f"/reservations/{ids['reservation']}/cancel", ok=409, **housing),
        Route("housing", "GET", f"/ui/warteliste/{ids['south']}/unterbringen", ok=200, **housing),
        Route(
            "housing",
            "POST",
            f"/ui/warteliste/{ids['south']}/unterbringen",
            ok=422,
            body={},
            **housing,
        ),
        Route("housing", "GET", f"/ui/warteliste/{ids['south']}/reservieren", ok=200, **housing),
        Route(
            "housing",
            "POST",
            f"/ui/warteliste/{ids['south']}/reservieren",
            ok=422,
            body={},
            **housing,
        ),
        Route(
            "housing",
            "POST",
            f"/ui/reservierungen/{ids['reservation']}/aufheben",
            ok=409,
            body={},
            **housing,
        ),
        Route("housing", "GET", f"/ui/belegungen/{ids['placement']}/auszug", ok=200, **housing),
        Route(
            "housing",
            "POST",
            f"/ui/belegungen/{ids['placement']}/auszug",
            ok=422,
            body={"moved_out_on": "01.01.2000", "reason": "other"},
            **housing,
        ),
        Route("housing", "GET", f"/ui/belegungen/{ids['placement']}/umzug", ok=200, **housing),
        Route(
            "housing",
            "POST",
            f"/ui/belegungen/{ids['placement']}/umzug",
            ok=422,
            body={},
            **housing,
        ),
        # courses
        Route(
            "courses",
            "GET",
            f"/courses/{ids['course']}",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "POST",
            f"/courses/{ids['course']}/enrollments",
            body={"member_id": ids["north_member"]},
            admitted=coordinator | CASEWORKERS,
            in_scope=coordinator | {"caseworker_same_team", "team_lead"},
            ok=409,
            out_of_scope=422,  # already enrolled; a person out of scope is unknown
        ),
        Route(
            "courses",
            "POST",
            f"/enrollments/{ids['enrollment']}/withdraw",
            admitted=coordinator,
            in_scope=coordinator,
            ok=409,
        ),
        # From enrolment to completion: a completed or withdrawn enrolment cannot complete
        # (409), a session that ends before it starts and attendance of someone without a
        # seat are refused (422); nothing changes for those in scope either.
        Route(
            "courses",
            "POST",
            f"/enrollments/{ids['enrollment']}/complete",
            body={"result": "B1"},
            admitted=coordinator,
            in_scope=coordinator,
            ok=409,
        ),
        Route(
            "courses",
            "POST",
            f"/courses/{ids['course']}/sessions",
            body={"starts_at": "2026-12-07T12:00:00+01:00", "ends_at": "2026-12-07T08:00:00+01:00"},
            admitted=coordinator,
            in_scope=coordinator,
            ok=422,
        ),
        Route(
            "courses",
            "GET",
            f"/courses/{ids['course']}/sessions",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "GET",
            f"/sessions/{ids['session']}/attendance",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "PUT",
            f"/sessions/{ids['session']}/attendance",
            body={"entries": [{"enrollment_id": ids["enrollment"], "attendance": "present"}]},
            admitted=coordinator,
            in_scope=coordinator,
            ok=422,
        ),
        Route(
            "courses",
            "GET",
            f"/ui/anmeldungen/{ids['enrollment']}/abschluss",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "POST",
            f"/ui/anmeldungen/{ids['enrollment']}/abschluss",
            admitted=coordinator,
            in_scope=coordinator,
            ok=422,
            body={},
        ),
        Route(
            "courses",
            "GET",
            f"/ui/kurse/{ids['course']}/termine",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "POST",
            f"/ui/kurse/{ids['course']}/termine",
            admitted=coordinator,
            in_scope=coordinator,
            ok=422,
            body={},
        ),
        Route(
            "courses",
            "GET",
            f"/ui/termine/{ids['session']}",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "POST",
            f"/ui/termine/{ids['session']}",
            admitted=coordinator,
            in_scope=coordinator,
            ok=422,
            body={},
        ),
        Route(
            "courses",
            "GET",
            f"/ui/kurse/{ids['course']}",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        # Seat offers: the course's coordinators and the person's caseworkers answer them.
        Route(
            "courses",
            "POST",
            f"/seat-offers/{ids['seat_offer']}/accept",
            admitted=coordinator | CASEWORKERS,
            in_scope=coordinator | {"caseworker_same_team", "team_lead"},
            ok=409,
        ),
        Route(
            "courses",
            "POST",
            f"/seat-offers/{ids['seat_offer']}/decline",
            admitted=coordinator | CASEWORKERS,
            in_scope=coordinator | {"caseworker_same_team", "team_lead"},
            ok=409,
        ),
        Route(
            "courses",
            "POST",
            f"/ui/platzangebote/{ids['seat_offer']}/annehmen",
            admitted=coordinator,
            in_scope=coordinator,
            ok=409,
            body={},
        ),
        Route(
            "courses",
            "POST",
            f"/ui/platzangebote/{ids['seat_offer']}/ablehnen",
            admitted=coordinator,
            in_scope=coordinator,
            ok=409,
            body={},
        ),
        # Guests of community offers: the offer's coordinators only.
        Route(
            "courses",
            "POST",
            f"/courses/{ids['community']}/guests",
            body={},
            admitted=coordinator,
            in_scope=coordinator,
            ok=422,
        ),
        Route(
            "courses",
            "DELETE",
            f"/guests/{ids['guest']}",
            admitted=coordinator,
            in_scope=coordinator,
            ok=204,
        ),
        Route(
            "courses",
            "GET",
            f"/ui/kurse/{ids['community']}/gaeste/neu",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "POST",
            f"/ui/kurse/{ids['community']}/gaeste",
            admitted=coordinator,
            in_scope=coordinator,
            ok=422,
            body={},
        ),
        Route(
            "courses",
            "POST",
            f"/ui/gaeste/{ids['guest_page']}/entfernen",
            admitted=coordinator,
            in_scope=coordinator,
            ok=303,
            body={},
        ),
        Route(
            "courses",
            "POST",
            f"/ui/anmeldungen/{ids['enrollment']}/abmelden",
            admitted=coordinator,
            in_scope=coordinator,
            ok=409,
            body={},
        ),
        # Enrolling from the tool: whom the API's enrolment admits, the household found
        # and enrolled as the API scopes it (a caseworker: their teams' households; a
        # team lead: every team's). Out of scope the household is as unknown as one never
        # allocated: the page answers with that error next to the number (200 for the
        # search, 422 for the form), as the API answers an unknown person (422); which
        # caller sees the members is checked in test_lists_and_searches_show_nothing_out_of_scope.
        Route(
            "courses",
            "GET",
            f"/ui/kurse/{ids['course']}/anmelden?allocation_notice_number={ids['north_notice']}",
            admitted=coordinator | CASEWORKERS,
            in_scope=coordinator | {"caseworker_same_team", "team_lead"},
            ok=200,
            out_of_scope=200,  # the search finds no household
        ),
        Route(
            "courses",
            "POST",
            f"/ui/kurse/{ids['course']}/anmelden",
            admitted=coordinator | CASEWORKERS,
            in_scope=coordinator | {"caseworker_same_team", "team_lead"},
            ok=422,  # already enrolled
            out_of_scope=422,  # no such household here
            body={
                "allocation_notice_number": ids["north_notice"],
                "member_id": ids["north_member"],
            },
        ),
        # Work: a person's caseworkers and the coordinators of an offer they take part in.
        Route("courses", "GET", f"/work/persons/{ids['north_member']}", ok=200, **worker),
        Route("courses", "GET", f"/ui/arbeit/personen/{ids['north_member']}", ok=200, **worker),
        *(
            Route(
                "courses",
                "POST",
                f"/ui/arbeit/personen/{ids['north_member']}/{action}",
                ok=422,
                body={},
                **worker,
            )
            for action in ("erlaubnis", "beschaeftigung", "beschaeftigung-ende", "jobcenter")
        ),
        # Calendar feeds: an offer's by its coordinators; a participant's by their
        # caseworkers and their offers' coordinators; an unknown address is not found.
        Route(
            "courses",
            "POST",
            f"/courses/{ids['course']}/calendar",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "DELETE",
            f"/courses/{ids['course']}/calendar",
            admitted=coordinator,
            in_scope=coordinator,
            ok=204,
        ),
        Route("courses", "POST", f"/persons/{ids['north_member']}/calendar", ok=200, **worker),
        Route("courses", "DELETE", f"/persons/{ids['north_member']}/calendar", ok=204, **worker),
        Route(
            "courses",
            "GET",
            f"/ui/kurse/{ids['course']}/kalender",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
        ),
        Route(
            "courses",
            "POST",
            f"/ui/kurse/{ids['course']}/kalender",
            admitted=coordinator,
            in_scope=coordinator,
            ok=200,
            body={},
        ),
        Route(
            "courses",
            "POST",
            f"/ui/kurse/{ids['course']}/kalender/beenden",
            admitted=coordinator,
            in_scope=coordinator,
            ok=303,
            body={},
        ),
        Route("courses", "GET", f"/ui/teilnehmende/{ids['north_member']}", ok=200, **worker),
        Route(
            "courses",
            "POST",
            f"/ui/teilnehmende/{ids['north_member']}/kalender",
            ok=200,
            body={},
            **worker,
        ),
        Route(
            "courses",
            "POST",
            f"/ui/teilnehmende/{ids['north_member']}/kalender/beenden",
            ok=303,
            body={},
            **worker,
        ),
        Route(
            "courses",
            "GET",
            "/kalender/not-a-feed.ics",
            admitted=EVERYONE,
            in_scope=frozenset(),
            ok=200,
            overrides={"anonymous": 404},
        ),
        # School-place requests: coordinators record outcomes, the child's caseworkers
        # follow them; a closed request takes no further outcome (409).
        Route(
            "courses",
            "GET",
            f"/school-place-requests/{ids['school_place']}",
            admitted=coordinator | CASEWORKERS,
            in_scope=coordinator | {"caseworker_same_team", "team_lead"},
            ok=200,
        ),
        Route(
            "courses",
            "POST",
            f"/school-place-requests/{ids['school_place']}/outcome",
            body={"outcome": "waiting"},
            admitted=coordinator,
            in_scope=coordinator,
            ok=409,
        ),
        Route(
            "courses",
            "GET",
            f"/ui/schulplaetze/{ids['school_place']}",
            admitted=coordinator | CASEWORKERS,
            in_scope=coordinator | {"caseworker_same_team", "team_lead"},
            ok=200,
        ),
        Route(
            "courses",
            "POST",
            f"/ui/schulplaetze/{ids['school_place']}",
            admitted=coordinator,
            in_scope=coordinator,
            ok=422,
            body={},
        ),
        # Work opportunities hold no person; a placement is its person's workers'.
        Route(
            "courses",
            "GET",
            f"/work/opportunities/{ids['opportunity']}",
            ok=200,
            admitted=worker["admitted"],
            in_scope=worker["admitted"],
        ),
        Route(
            "courses",
            "GET",
            f"/ui/arbeit/angebote/{ids['opportunity']}",
            ok=200,
            admitted=worker["admitted"],
            in_scope=worker["admitted"],
        ),
        Route(
            "courses",
            "POST",
            f"/work/opportunities/{ids['opportunity']}/placements",
            body={"member_id": ids["north_member"], "proposed_on": "2026-12-01"},
            ok=409,
            out_of_scope=422,  # already placed; a person out of scope is unknown
            **worker,
        ),
        Route(
            "courses",
            "POST",
            f"/work/placements/{ids['work_placement']}/end",
            body={"ended_on": "2026-12-31", "outcome": "completed"},
            ok=409,  # proposed, not started: nothing changes
            **worker,
        ),
        Route(
            "courses",
            "POST",
            f"/work/placements/{ids['work_placement']}/start",
            body={"started_on": "2026-11-01"},
            ok=422,  # before it was proposed: nothing changes
            **worker,
        ),
        Route(
            "courses", "GET", f"/ui/arbeit/vermittlungen/{ids['work_placement']}", ok=200, **worker
        ),
        *(
            Route(
                "courses",
                "POST",
                f"/ui/arbeit/vermittlungen/{ids['work_placement']}/{action}",
                ok=422,
                body={},
                **worker,
            )
            for action in ("beginn", "ende")
        ),
        Route(
            "courses",
            "POST",
            f"/ui/arbeit/personen/{ids['north_member']}/vermittlung",
            ok=422,
            body={},
            **worker,
        ),
        # volunteers
        Route("volunteers", "GET", f"/volunteers/{ids['mentor']}", ok=200, **own_volunteer),
        Route("volunteers", "GET", f"/volunteers/{ids['mentor']}/matches", ok=200, **own_volunteer),
        Route(
            "volunteers",
            "GET",
            f"/volunteers/{ids['mentor']}/clearance",
            admitted=vcoord,
            in_scope=vcoord,
            ok=200,
        ),
        Route(
            "volunteers",
            "PUT",
            f"/volunteers/{ids['mentor']}/clearance",
            admitted=vcoord,
            in_scope=vcoord,
            ok=422,
            body={"inspected_on": "2099-01-01", "issued_on": past, "relevant_conviction": False},
        ),
        Route(
            "volunteers",
            "DELETE",
            f"/volunteers/{ids['former']}/clearance",
            admitted=vcoord,
            in_scope=vcoord,
            ok=204,
        ),
        Route(
            "volunteers",
            "POST",
            f"/matches/{ids['mentor_match']}/end",
            admitted=vcoord,
            in_scope=vcoord,
            ok=422,
            body={"ended_on": past},
        ),
        Route(
            "volunteers",
            "GET",
            f"/households/{ids['north']}/suggested-mentors",
            admitted=vcoord,
            in_scope=vcoord,
            ok=200,
        ),
        Route(
            "volunteers",
            "GET",
            f"/ui/ehrenamtliche/{ids['mentor']}",
            admitted=vcoord,
            in_scope=vcoord,
            ok=200,
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/ehrenamtliche/{ids['mentor']}/fuehrungszeugnis",
            admitted=vcoord,
            in_scope=vcoord,
            ok=422,
            body={},
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/ehrenamtliche/{ids['former']}/fuehrungszeugnis/loeschen",
            admitted=vcoord,
            in_scope=vcoord,
            ok=303,
            body={},
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/ehrenamtliche/{ids['mentor']}/patenschaften",
            admitted=vcoord,
            in_scope=vcoord,
            ok=422,
            body={},
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/ehrenamtliche/{ids['mentor']}/patenschaften/{ids['mentor_match']}/beenden",
            admitted=vcoord,
            in_scope=vcoord,
            ok=422,
            body={"ended_on": "01.01.2000"},
        ),
        Route(
            "volunteers",
            "GET",
            f"/ui/haushalte/{ids['north']}",
            admitted=vcoord,
            in_scope=vcoord,
            ok=200,
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/haushalte/{ids['north']}/paten",
            admitted=vcoord,
            in_scope=vcoord,
            ok=422,
            body={},
        ),
        Route(
            "volunteers",
            "GET",
            f"/facilities/{ids['facility']}/shift-templates",
            admitted=vcoord,
            in_scope=vcoord,
            ok=200,
        ),
        Route(
            "volunteers",
            "POST",
            f"/facilities/{ids['facility']}/shift-templates",
            admitted=vcoord,
            in_scope=vcoord,
            ok=422,
            body={},
        ),
        Route(
            "volunteers",
            "POST",
            f"/shift-templates/{ids['template']}/shifts",
            admitted=vcoord,
            in_scope=vcoord,
            ok=422,
            body={},
        ),
        # A called-off shift: its coordinator and the volunteer signed up see it, nobody else.
        Route(
            "volunteers",
            "GET",
            f"/shifts/{ids['shift']}",
            admitted=vcoord | VOLUNTEERS,
            in_scope=vcoord | {"volunteer_mentoring"},
            ok=200,
        ),
        Route(
            "volunteers",
            "POST",
            f"/shifts/{ids['shift']}/signup",
            admitted=VOLUNTEERS,
            in_scope=frozenset({"volunteer_mentoring"}),
            ok=409,
        ),
        Route(
            "volunteers",
            "DELETE",
            f"/shifts/{ids['shift']}/signup",
            admitted=VOLUNTEERS,
            in_scope=frozenset({"volunteer_mentoring"}),
            ok=409,
        ),
        Route(
            "volunteers",
            "POST",
            f"/shifts/{ids['shift']}/cancel",
            admitted=vcoord,
            in_scope=vcoord,
            ok=409,
        ),
        # A help request: who asked, coordinators and the volunteer it reached.
        Route(
            "volunteers",
            "GET",
            f"/help-requests/{ids['help_request']}",
            admitted=vcoord | VOLUNTEERS | CASEWORKERS,
            in_scope=vcoord | {"volunteer_mentoring", "caseworker_same_team"},
            ok=200,
        ),
        Route(
            "volunteers",
            "POST",
            f"/help-requests/{ids['help_request']}/accept",
            admitted=VOLUNTEERS,
            in_scope=frozenset({"volunteer_mentoring"}),
            ok=200,
        ),
        # Who asked and coordinators withdraw (already withdrawn: 409); a caseworker of
        # another team does not see it, a volunteer may not.
        Route(
            "volunteers",
            "POST",
            f"/help-requests/{ids['withdrawn_help_request']}/withdraw",
            admitted=vcoord | CASEWORKERS,
            in_scope=vcoord | {"caseworker_same_team"},
            ok=409,
        ),
        Route(
            "volunteers",
            "GET",
            f"/ui/schichten/{ids['shift']}",
            admitted=vcoord | VOLUNTEERS,
            in_scope=vcoord | {"volunteer_mentoring"},
            ok=200,
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/schichten/{ids['shift']}/eintragen",
            admitted=VOLUNTEERS,
            in_scope=frozenset({"volunteer_mentoring"}),
            ok=409,
            body={},
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/schichten/{ids['shift']}/austragen",
            admitted=VOLUNTEERS,
            in_scope=frozenset({"volunteer_mentoring"}),
            ok=409,
            body={},
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/schichten/{ids['shift']}/absagen",
            admitted=vcoord,
            in_scope=vcoord,
            ok=409,
            body={},
        ),
        # Taken already by the API row above: the page says so.
        Route(
            "volunteers",
            "POST",
            f"/ui/hilfeanfragen/{ids['help_request']}/annehmen",
            admitted=VOLUNTEERS,
            in_scope=frozenset({"volunteer_mentoring"}),
            ok=409,
            body={},
        ),
        Route(
            "volunteers",
            "POST",
            f"/ui/hilfeanfragen/{ids['withdrawn_help_request']}/zurueckziehen",
            admitted=vcoord | CASEWORKERS,
            in_scope=vcoord | {"caseworker_same_team"},
            ok=409,
            body={},
        ),
        # notifications
        Route("notifications", "GET", f"/inbox/{ids['notification']}", ok=200, **inbox),
        Route("notifications", "POST", f"/inbox/{ids['notification']}/read", ok=200, **inbox),
        Route(
            "notifications",
            "GET",
            f"/recipients/{ids['recipient']}",
            admitted=admin,
            in_scope=admin,
            ok=200,
        ),
        Route(
            "notifications",
            "PUT",
            f"/recipients/{ids['recipient']}",
            admitted=admin,
            in_scope=admin,
            ok=200,
            body={"name": "Eintrag", "roles": ["caseworker"]},
        ),
        Route(
            "notifications",
            "DELETE",
            f"/recipients/{ids['recipient']}",
            admitted=admin,
            in_scope=admin,
            ok=204,
        ),
        Route(
            "notifications",
            "POST",
            f"/deliveries/{ids['notification']}/retry",
            admitted=admin,
            in_scope=admin,
            ok=409,
        ),
        Route(
            "notifications",
            "GET",
            f"/webhooks/endpoints/{ids['webhook_endpoint']}",
            admitted=admin,
            in_scope=admin,
            ok=200,
        ),
        Route(
            "notifications",
            "PATCH",
            f"/webhooks/endpoints/{ids['webhook_endpoint']}",
            admitted=admin,
            in_scope=admin,
            ok=200,
            body={"max_in_flight": 3},
        ),
        Route(
            "notifications",
            "POST",
            f"/webhooks/endpoints/{ids['webhook_endpoint']}/secret",
            admitted=admin,
            in_scope=admin,
            ok=200,
            body={"overlap_hours": 1},
        ),
        Route(
            "notifications",
            "POST",
            f"/webhooks/endpoints/{ids['webhook_endpoint']}/replays",
            admitted=admin,
            in_scope=admin,
            ok=422,
            body={"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"},
        ),
        Route(
            "notifications",
            "GET",
            f"/webhooks/deliveries/{ids['webhook_delivery']}",
            admitted=admin,
            in_scope=admin,
            ok=200,
        ),
        Route(
            "notifications",
            "POST",
            f"/webhooks/deliveries/{ids['webhook_delivery']}/replays",
            admitted=admin,
            in_scope=admin,
            ok=201,
        ),
        Route(
            "notifications",
            "POST",
            f"/ui/webhooks/zustellungen/{ids['webhook_delivery']}/erneut-senden",
            admitted=admin,
            in_scope=admin,
            ok=303,
            body={},
        ),
        Route(
            "notifications", "GET", f"/ui/benachrichtigungen/{ids['notification']}", ok=200, **inbox
        ),
        Route(
            "notifications",
            "POST",
            f"/ui/benachrichtigungen/{ids['notification']}/gelesen",
            ok=303,
            body={},
            **inbox,
        ),
        Route(
            "notifications",
            "PUT",
            f"/agencies/{ids['agency']}",
            admitted=admin,
            in_scope=admin,
            ok=422,
            body={},
        ),
        Route(
            "notifications",
            "POST",
            f"/agencies/{ids['agency']}/subscriptions",
            admitted=admin,
            in_scope=admin,
            ok=422,
            body={},
        ),
        Route(
            "notifications",
            "DELETE",
            f"/agencies/{ids['agency']}/subscriptions/{ids['subscription']}",
            admitted=admin,
            in_scope=admin,
            ok=204,
        ),
        Route(
            "notifications",
            "POST",
            f"/ui/partnerbehoerden/{ids['agency']}/abonnements/{ids['page_subscription']}/beenden",
            admitted=admin,
            in_scope=admin,
            ok=303,
            body={},
        ),
        Route(
            "notifications",
            "POST",
            f"/ui/zustellungen/{ids['delivery']}/erneut-senden",
            admitted=admin,
            in_scope=admin,
            ok=409,
            body={},
        ),
    ]


async def call(world: World, route: Route, who: str) -> httpx.Response:
    if route.page:
        browser = world.pages[(route.service, who)]
        if route.method == "GET":
            return await browser.get(route.path)
        form = {"csrf_token": world.tokens[(route.service, who)], **(route.body or {})}
        return await browser.post(route.path, data=form)
    client = world.api[route.service]
    return await client.request(
        route.method, route.path, json=route.body, headers=world.headers(who)
    )


async def test_every_route_with_a_record_id_answers_each_person_by_scope(world: World) -> None:
    table = routes(world.ids)
    # The table covers every route with a record id the apps serve (the language switch
    # takes a language, not a record).
    templates = {
        (name, next(iter(r.methods)), r.path)
        for name, client in world.api.items()
        for r in api_routes(client.app)  # type: ignore[attr-defined]
        if r.record_ids
    }
    covered = {(r.service, r.method, _template(r.path, world.ids)) for r in table}
    assert templates <= covered, sorted(templates - covered)
    assert len({(r.service, r.method, r.path) for r in table}) == len(table)

    mismatches = []
    # Callers in scope go last: the few calls that change something (deleting a
    # clearance, a directory entry) then cannot make a refusal look like absence.
    order = sorted(PEOPLE, key=lambda who: any(who in r.in_scope for r in table))
    for route in table:
        for who in order:
            response = await call(world, route, who)
            if response.status_code != route.expected(who):
                mismatches.append(
                    (
                        route.service,
                        route.method,
                        route.path,
                        who,
                        response.status_code,
                        route.expected(who),
                    )
                )
    cells = len(table) * len(PEOPLE)
    print(f"need-to-know matrix: {len(table)} routes x {len(PEOPLE)} people = {cells} cells")
    assert mismatches == []


def _template(path: str, ids: Mapping[str, str]) -> str:
    names = {
        "north_member": "member_id",
        "note": "note_id",
        "follow_up": "follow_up_id",
        "appointment": "appointment_id",
        "referral": "referral_id",
        "school_place": "member_id",
        "north": "household_id",
        "south": "household_id",
        "site": "site_id",
        "unit": "unit_id",
        "placement": "placement_id",
        "work_placement": "placement_id",
        "opportunity": "opportunity_id",
        "reservation": "reservation_id",
        "course": "course_id",
        "enrollment": "enrollment_id",
        "session": "session_id",
        "community": "course_id",
        "guest": "guest_id",
        "guest_page": "guest_id",
        "seat_offer": "offer_id",
        "mentor": "volunteer_id",
        "former": "volunteer_id",
        "mentor_match": "match_id",
        "facility": "facility_id",
        "template": "template_id",
        "shift": "shift_id",
        "help_request": "help_request_id",
        "withdrawn_help_request": "help_request_id",
        "notification": "notification_id",
        "delivery": "delivery_id",
        "recipient": "recipient_id",
        "webhook_endpoint": "endpoint_id",
        "webhook_delivery": "delivery_id",
        "consent": "consent_id",
        "subscription": "subscription_id",
        "page_subscription": "subscription_id",
        "agency": "agency_id",
        "erasure": "request_id",
        "allocation_import": "import_id",
    }
    for key, name in names.items():
        path = path.replace(ids[key], "{" + name + "}")
    path = path.split("?", 1)[0]
    if path.startswith("/deliveries/"):
        path = path.replace("{notification_id}", "{delivery_id}")
    return path


async def test_lists_and_searches_show_nothing_out_of_scope(world: World) -> None:
    ids, family = world.ids, world.family
    intake = world.api["intake"]

    async def found(who: str) -> set[str]:
        response = await intake.get("/households", params={"q": family}, headers=world.headers(who))
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    # Both households carry the same family name: a name search finds only one's own team's.
    assert await found("caseworker_same_team") == {ids["north"]}
    assert await found("caseworker_other_team") == {ids["south"]}
    assert await found("team_lead") == {ids["north"], ids["south"]}
    for who in ("admin", "housing_officer", "volunteer_coordinator"):
        assert (await intake.get("/households", headers=world.headers(who))).status_code == 403
    page = await world.pages[("intake", "caseworker_other_team")].get("/ui/", params={"q": family})
    assert ids["south"] in page.text
    assert ids["north"] not in page.text
    by_id = await intake.get(
        "/households",
        params={"q": ids["north"][:8]},
        headers=world.headers("caseworker_other_team"),
    )
    assert by_id.json()["total"] == 0

    inbox = world.api["notifications"]
    for who, expected in (
        ("caseworker_same_team", {ids["notification"]}),
        ("caseworker_other_team", set()),
        ("admin", set()),
    ):
        listed = await inbox.get("/inbox", headers=world.headers(who))
        assert {item["id"] for item in listed.json()["items"]} == expected, who

    volunteers = world.api["volunteers"]
    running = await volunteers.get(
        "/volunteers/me/matches", headers=world.headers("volunteer_mentoring")
    )
    assert [m["household_id"] for m in running.json()] == [ids["north"]]
    former = await volunteers.get(
        "/volunteers/me/matches", headers=world.headers("volunteer_former_mentor")
    )
    assert former.json() == []
    own_page = await world.pages[("volunteers", "volunteer_former_mentor")].get(
        "/ui/mein-engagement"
    )
    assert own_page.status_code == 200
    assert ids["north"] not in own_page.text
    registry = await volunteers.get("/volunteers", headers=world.headers("volunteer_coordinator"))
    assert {v["id"] for v in registry.json()["items"]} >= {ids["mentor"], ids["former"]}

    # The courses tool: each person it has pages for starts on one of theirs (coordinators
    # and caseworkers on the course offer, administrators on the work figures), everyone
    # else at the refusal; school places list a caseworker's own.
    starts = {
        "course_coordinator": (200, None),
        "caseworker_same_team": (200, None),
        "caseworker_other_team": (200, None),
        "team_lead": (200, None),
        "admin": (303, "/ui/arbeit/kennzahlen"),
    }
    for who in PEOPLE:
        start = await world.pages[("courses", who)].get("/ui/")
        status, location = starts.get(who, (303 if who == "anonymous" else 403, None))
        assert start.status_code == status, who
        if location is not None:
            assert start.headers["location"].endswith(location), who
            assert (await world.pages[("courses", who)].get(location)).status_code == 200, who
        if who in CASEWORKERS:
            # The offer as the API's catalogue gives it (counts, no person): no way from
            # it to a course's participants, which stay its coordinators', only to enrolling.
            assert f'href="/ui/kurse/{ids["course"]}"' not in start.text, who
            assert f'href="/ui/kurse/{ids["course"]}/anmelden"' in start.text, who
            assert (await world.pages[("courses", who)].get("/ui/kurse/neu")).status_code == 403
    # Enrolling from the tool finds a household as the API's enrolment scopes it: a
    # caseworker their own teams' (a team lead every team's), nobody another team's.
    for who, sees in (
        ("course_coordinator", True),
        ("caseworker_same_team", True),
        ("team_lead", True),
        ("caseworker_other_team", False),
    ):
        found = await world.pages[("courses", who)].get(
            f"/ui/kurse/{ids['course']}/anmelden",
            params={"allocation_notice_number": ids["north_notice"]},
        )
        assert found.status_code == 200, who
        assert (ids["north_member"] in found.text) is sees, who
        assert ("kein Haushalt bekannt" in found.text) is not sees, who
    for who, sees in (
        ("course_coordinator", True),
        ("caseworker_same_team", True),
        ("team_lead", True),
        ("caseworker_other_team", False),
    ):
        places = await world.pages[("courses", who)].get("/ui/schulplaetze?status=closed")
        assert places.status_code == 200, who
        assert (f'data-member="{ids["school_place"]}"' in places.text) is sees, who
    for who in ("housing_officer", "agency", "admin", "volunteer_mentoring"):
        refused = await world.pages[("courses", who)].get("/ui/schulplaetze")
        assert refused.status_code == 403, who
