"""The staff pages for community offers: languages and childcare, guests added and removed."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from teilhabe.clock import today
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.ui import error_next_to, form_token

from .test_pages import browser, coordinator, flashed, main_content, new_course

__all__ = ["browser", "coordinator"]  # fixtures, re-exported for pytest


async def test_a_community_offer_takes_guests_with_a_name_and_a_contact(
    coordinator: httpx.AsyncClient, courses: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    form = await coordinator.get("/ui/kurse/neu")
    token = form_token(form)
    ends_on = today() + timedelta(days=30)
    typed = {
        "csrf_token": token,
        "kind": "community",
        "title": "Begegnungscafé St. Viktor",
        "provider": "Caritas Dülmen",
        "starts_on": today().strftime("%d.%m.%Y"),
        "ends_on": ends_on.strftime("%d.%m.%Y"),
        "place": "Kirchplatz 3, 48249 Dülmen",
        "seats": "2",
        "languages": "de, ar Ukrainisch",
        "childcare": "on",
    }
    wrong = await coordinator.post("/ui/kurse/neu", data=typed)
    assert wrong.status_code == 422
    assert error_next_to(wrong, "languages") == (
        "Bitte geben Sie Sprachkürzel aus zwei oder drei Buchstaben an, z. B. de, ar, uk."
    )
    assert 'name="childcare" value="on" checked' in wrong.text
    created = await coordinator.post("/ui/kurse/neu", data={**typed, "languages": "de, ar uk"})
    assert created.status_code == 303, created.text
    page = await coordinator.get(created.headers["location"])
    assert 'data-fact="languages">de, ar, uk<' in page.text
    assert 'data-fact="childcare">wird angeboten<' in page.text
    assert "Es nimmt noch kein Gast teil." in page.text
    add_url = re.search(r'href="(/ui/kurse/[^"]+/gaeste/neu)"', page.text)
    assert add_url

    guest_form = await coordinator.get(add_url.group(1))
    assert guest_form.status_code == 200
    assert '<h1 class="kern-heading-large">Gast aufnehmen</h1>' in guest_form.text
    post_url = add_url.group(1).removesuffix("/neu")
    token = form_token(guest_form)
    empty = await coordinator.post(post_url, data={"csrf_token": token})
    assert empty.status_code == 422
    assert error_next_to(empty, "name") == "Bitte füllen Sie dieses Feld aus."
    for name in ("Jutta Brinkmann", "Ömer Yıldız"):
        added = await coordinator.post(
            post_url, data={"csrf_token": token, "name": name, "contact": "0151 2345678"}
        )
        assert added.status_code == 303, added.text
        shown = await coordinator.get(added.headers["location"])
        assert flashed(shown) == f"{name} nimmt als Gast am Angebot teil."
    guests = re.search(r'<table[^>]*id="guests".*?</table>', shown.text, re.S)
    assert guests
    assert guests.group(0).count("0151 2345678") == 2
    full = await coordinator.post(
        post_url, data={"csrf_token": token, "name": "Max Vogt", "contact": "max@example.org"}
    )
    assert full.status_code == 422
    assert "Alle Plätze dieses Angebots sind belegt." in full.text
    assert 'value="Max Vogt"' in full.text

    remove = re.search(r'action="(/ui/gaeste/[^"]+/entfernen)"', shown.text)
    assert remove
    removed = await coordinator.post(remove.group(1), data={"csrf_token": token})
    assert removed.status_code == 303
    after = await coordinator.get(removed.headers["location"])
    assert flashed(after) == (
        "Der Gast ist ausgetragen und seine Daten sind gelöscht. Der Platz ist wieder frei."
    )
    assert "Jutta Brinkmann" not in main_content(after)
    assert "Ömer Yıldız" in main_content(after)


async def test_an_integration_course_offers_no_guest_form(
    coordinator: httpx.AsyncClient, courses: httpx.AsyncClient, identity: RunningDevProvider
) -> None:
    course = await new_course(courses, identity)
    page = await coordinator.get(f"/ui/kurse/{course['id']}")
    assert "/gaeste/neu" not in page.text
    assert "Gäste" not in main_content(page)
