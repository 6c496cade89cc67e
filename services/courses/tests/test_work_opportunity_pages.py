"""The pages of work opportunities and placements in German: a caseworker creates an
internship (errors at their fields), proposes a person from their work page (refused at
the choice without a permit that allows it), records the start and the end; a placement
of a person out of one's care is not found."""

from __future__ import annotations

import re

import httpx
from teilhabe.events.households import AgeGroup
from teilhabe_dev.testing.identity import TEST_TEAM
from teilhabe_dev.testing.ui import error_next_to, form_token

from .test_pages import flashed
from .test_work_pages import caseworker, team_household

__all__ = ["caseworker"]  # a fixture, re-exported for pytest


async def test_a_caseworker_places_a_person_into_an_internship(
    caseworker: httpx.AsyncClient, courses_database: str
) -> None:
    family = await team_household(courses_database, TEST_TEAM, AgeGroup.ADULT)
    member = family.members[0].member_id

    listed = await caseworker.get("/ui/arbeit/angebote")
    assert listed.status_code == 200
    form = await caseworker.get("/ui/arbeit/angebote/neu")
    token = form_token(form)
    opportunity = {
        "csrf_token": token,
        "kind": "internship",
        "title": "Praktikum Hauswirtschaft",
        "employer_category": "care",
        "hours_per_week": "30",
        "place": "Innenstadt",
        "postcode": "4824",
        "seats": "2",
        "starts_on": "01.12.2026",
        "ends_on": "28.02.2027",
    }
    wrong = await caseworker.post("/ui/arbeit/angebote/neu", data=opportunity)
    assert wrong.status_code == 422
    assert "Fünf Ziffern" in error_next_to(wrong, "postcode")
    backwards = await caseworker.post(
        "/ui/arbeit/angebote/neu", data={**opportunity, "postcode": "48249", "ends_on": "1.11.2026"}
    )
    assert backwards.status_code == 422
    assert "vor seinem Beginn" in error_next_to(backwards, "ends_on")
    created = await caseworker.post(
        "/ui/arbeit/angebote/neu", data={**opportunity, "postcode": "48249"}
    )
    assert created.status_code == 303, created.text
    page = await caseworker.get(created.headers["location"])
    assert flashed(page) == "Das Angebot „Praktikum Hauswirtschaft“ ist angelegt."
    assert "Praktikum" in page.text
    opportunity_id = created.headers["location"].rsplit("/", 1)[-1]

    person = f"/ui/arbeit/personen/{member}"
    propose = {"csrf_token": token, "opportunity_id": opportunity_id, "proposed_on": "01.12.2026"}
    refused = await caseworker.post(f"{person}/vermittlung", data=propose)
    assert refused.status_code == 422
    assert "Arbeitserlaubnis" in error_next_to(refused, "opportunity_id")
    permit = {"csrf_token": token, "status": "permitted", "valid_until": ""}
    assert (await caseworker.post(f"{person}/erlaubnis", data=permit)).status_code == 303
    proposed = await caseworker.post(f"{person}/vermittlung", data=propose)
    assert proposed.status_code == 303, proposed.text
    shown = await caseworker.get(person)
    assert "Die Person ist für das Angebot vorgeschlagen." in shown.text
    link = re.search(r'href="(/ui/arbeit/vermittlungen/[^"]+)"', shown.text)
    assert link
    placement = link.group(1)

    sheet = await caseworker.get(placement)
    assert sheet.status_code == 200
    assert 'data-status="proposed"' in sheet.text
    early = await caseworker.post(
        f"{placement}/beginn", data={"csrf_token": token, "placement_started_on": "30.11.2026"}
    )
    assert early.status_code == 422
    assert "nicht vor dem Vorschlag" in error_next_to(early, "placement_started_on")
    started = await caseworker.post(
        f"{placement}/beginn", data={"csrf_token": token, "placement_started_on": "02.12.2026"}
    )
    assert started.status_code == 303
    sheet = await caseworker.get(placement)
    assert flashed(sheet) == "Der Beginn der Vermittlung ist erfasst."
    missing = await caseworker.post(
        f"{placement}/ende", data={"csrf_token": token, "placement_ended_on": "31.01.2027"}
    )
    assert missing.status_code == 422
    assert error_next_to(missing, "outcome")
    ended = await caseworker.post(
        f"{placement}/ende",
        data={"csrf_token": token, "placement_ended_on": "31.01.2027", "outcome": "employment"},
    )
    assert ended.status_code == 303
    sheet = await caseworker.get(placement)
    assert "In Arbeit übergegangen" in sheet.text
    again = await caseworker.post(
        f"{placement}/beginn", data={"csrf_token": token, "placement_started_on": "02.12.2026"}
    )
    assert again.status_code == 422  # the form is gone; the state refuses it
    overview = await caseworker.get(f"/ui/arbeit/angebote/{opportunity_id}")
    assert placement in overview.text

    # Out of one's care: not found.
    other = await team_household(courses_database, "Soziale Betreuung Süd", AgeGroup.ADULT)
    path = f"/ui/arbeit/personen/{other.members[0].member_id}/vermittlung"
    assert (await caseworker.post(path, data=propose)).status_code == 404
