"""The household over time in the staff tool: add, correct and remove a member, record a
new residence status; errors at the fields, all at once, input kept."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from teilhabe.auth import Role
from teilhabe.clock import today
from teilhabe.ui.formatting import date_input_value
from teilhabe_dev.testing.ui import error_next_to, form_token, sign_in, tool_client

from .test_pages import notice, register


@pytest.fixture
async def browser(intake: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    async with tool_client(intake.app) as client:  # type: ignore[attr-defined]
        yield client


def german(day: object) -> str:
    return date_input_value(day, "de")  # type: ignore[arg-type]


async def registered(browser: httpx.AsyncClient) -> str:
    await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
    created = await register(browser, notice())
    assert created.status_code == 303, created.text
    return created.headers["location"].rsplit("/", 1)[-1]


def member_links(page: httpx.Response) -> list[str]:
    return re.findall(r'href="(/ui/haushalte/[^/]+/mitglieder/[0-9a-f-]{36})"', page.text)


async def test_a_birth_is_added_and_shown_in_the_household_history(
    browser: httpx.AsyncClient,
) -> None:
    household_id = await registered(browser)
    household = await browser.get(f"/ui/haushalte/{household_id}")
    assert "Mitglied hinzufügen (Geburt, Familiennachzug)" in household.text
    form_page = await browser.get(f"/ui/haushalte/{household_id}/mitglieder/neu")
    assert form_page.status_code == 200
    added = await browser.post(
        f"/ui/haushalte/{household_id}/mitglieder/neu",
        data={
            "csrf_token": form_token(form_page),
            "reason": "birth",
            "given_name": "Lina",
            "family_name": "Haddad",
            "date_of_birth": german(today() - timedelta(days=5)),
            "sex": "female",
            "nationality": "syr",
            "languages": "ar",
            "residence_status": "ungeklaert",
            "residence_status_expires_on": "",
            "special_needs": "",
        },
    )
    assert added.status_code == 303, added.text
    page = await browser.get(added.headers["location"])
    assert "Lina Haddad gehört jetzt zum Haushalt." in page.text
    assert "Haddad, Lina" in page.text
    [change] = re.findall(r"<li>([^<]*Mitglied hinzugefügt[^<]*)</li>", page.text)
    assert "(Geburt; anna)" in change


async def test_adding_names_every_error_at_once_and_keeps_the_input(
    browser: httpx.AsyncClient,
) -> None:
    household_id = await registered(browser)
    form_page = await browser.get(f"/ui/haushalte/{household_id}/mitglieder/neu")
    refused = await browser.post(
        f"/ui/haushalte/{household_id}/mitglieder/neu",
        data={
            "csrf_token": form_token(form_page),
            "reason": "birth",
            "given_name": "",
            "family_name": "Haddad",
            "date_of_birth": "01.01.2010",
            "sex": "",
            "nationality": "SYR",
            "languages": "",
            "residence_status": "duldung",
            "residence_status_expires_on": "",
            "special_needs": "",
        },
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "given_name") == "Bitte füllen Sie dieses Feld aus."
    assert error_next_to(refused, "sex") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert error_next_to(refused, "date_of_birth").startswith("Eine Geburt vor mehr als")
    assert error_next_to(refused, "residence_status_expires_on") == (
        "Für diesen Aufenthaltsstatus ist ein Ablaufdatum nötig."
    )
    assert 'value="01.01.2010"' in refused.text
    household = await browser.get(f"/ui/haushalte/{household_id}")
    assert "Mitglied hinzugefügt" not in household.text


async def test_a_member_is_corrected_gets_a_new_status_and_is_removed(
    browser: httpx.AsyncClient,
) -> None:
    household_id = await registered(browser)
    household = await browser.get(f"/ui/haushalte/{household_id}")
    amina, yusuf = member_links(household)
    page = await browser.get(amina)
    assert page.status_code == 200
    assert 'value="14.03.1988"' in page.text
    token = form_token(page)

    facts = {
        "csrf_token": token,
        "given_name": "Amina",
        "family_name": "Haddad",
        "date_of_birth": "14.04.1988",
        "sex": "female",
        "nationality": "SYR",
        "languages": "ar, en",
        "special_needs": "",
    }
    corrected = await browser.post(f"{amina}/korrektur", data=facts)
    assert corrected.status_code == 303, corrected.text
    assert "14.04.1988" in (await browser.get(corrected.headers["location"])).text

    emptied = await browser.post(f"{amina}/korrektur", data=facts | {"family_name": ""})
    assert emptied.status_code == 422
    assert error_next_to(emptied, "family_name") == "Bitte füllen Sie dieses Feld aus."

    ahead = await browser.post(
        f"{amina}/aufenthaltsstatus",
        data={
            "csrf_token": token,
            "residence_status": "aufenthaltserlaubnis",
            "valid_from": german(today() + timedelta(days=3)),
            "expires_on": "",
        },
    )
    assert ahead.status_code == 422
    assert error_next_to(ahead, "valid_from").startswith("Ein Aufenthaltsstatus wird erfasst")
    assert error_next_to(ahead, "expires_on") == (
        "Für diesen Aufenthaltsstatus ist ein Ablaufdatum nötig."
    )
    granted = await browser.post(
        f"{amina}/aufenthaltsstatus",
        data={
            "csrf_token": token,
            "residence_status": "aufenthaltserlaubnis",
            "valid_from": german(today()),
            "expires_on": german(today() + timedelta(days=1000)),
        },
    )
    assert granted.status_code == 303, granted.text
    status_page = await browser.get(granted.headers["location"])
    assert "Der neue Aufenthaltsstatus ist erfasst." in status_page.text
    assert "data-history" in status_page.text

    no_reason = await browser.post(
        f"{yusuf}/entfernen", data={"csrf_token": token, "removal_reason": ""}
    )
    assert no_reason.status_code == 422
    assert error_next_to(no_reason, "removal_reason") == (
        "Bitte wählen Sie einen Eintrag aus der Liste."
    )
    removed = await browser.post(
        f"{yusuf}/entfernen", data={"csrf_token": token, "removal_reason": "moved_out"}
    )
    assert removed.status_code == 303, removed.text
    after = await browser.get(removed.headers["location"])
    assert "Das Mitglied gehört nicht mehr zum Haushalt." in after.text
    assert len(member_links(after)) == 1

    last = await browser.post(
        f"{amina}/entfernen", data={"csrf_token": token, "removal_reason": "moved_out"}
    )
    assert last.status_code == 422
    assert error_next_to(last, "removal_reason").startswith("Das letzte Mitglied")


async def test_another_team_finds_no_member_page(
    browser: httpx.AsyncClient, intake: httpx.AsyncClient
) -> None:
    household_id = await registered(browser)
    [amina, _] = member_links(await browser.get(f"/ui/haushalte/{household_id}"))
    async with tool_client(intake.app) as other:  # type: ignore[attr-defined]
        await sign_in(
            other, subject="sven", roles=[Role.CASEWORKER], teams=["Soziale Betreuung Süd"]
        )
        assert (await other.get(amina)).status_code == 404
        new = await other.get(f"/ui/haushalte/{household_id}/mitglieder/neu")
        assert new.status_code == 404


async def test_a_residence_obligation_is_recorded_and_lifted_on_the_member_page(
    browser: httpx.AsyncClient,
) -> None:
    household_id = await registered(browser)
    [member, *_] = member_links(await browser.get(f"/ui/haushalte/{household_id}"))
    page = await browser.get(member)
    assert "Wohnsitzauflage (§ 12a AufenthG)" in page.text
    assert "Es ist keine Wohnsitzauflage erfasst." in page.text
    assert "Wohnsitzauflage aufheben" not in page.text
    token = form_token(page)

    # Every rule in one round: a day typed wrongly, a recognition ahead.
    refused = await browser.post(
        f"{member}/wohnsitzauflage",
        data={
            "csrf_token": token,
            "bound_until": "bald",
            "recognised_on": german(today() + timedelta(days=1)),
        },
    )
    assert refused.status_code == 422
    assert error_next_to(refused, "bound_until").startswith("Bitte geben Sie ein Datum")
    assert error_next_to(refused, "recognised_on") == "Die Anerkennung liegt in der Zukunft."
    assert 'value="bald"' in refused.text
    too_long = await browser.post(
        f"{member}/wohnsitzauflage",
        data={
            "csrf_token": token,
            "bound_until": german(today() + timedelta(days=4 * 365)),
            "recognised_on": german(today()),
        },
    )
    assert error_next_to(too_long, "bound_until") == (
        "Die Wohnsitzauflage gilt höchstens drei Jahre ab der Anerkennung."
    )

    until = today() + timedelta(days=400)
    recorded = await browser.post(
        f"{member}/wohnsitzauflage",
        data={
            "csrf_token": token,
            "bound_until": german(until),
            "recognised_on": german(today() - timedelta(days=30)),
        },
    )
    assert recorded.status_code == 303, recorded.text
    shown = await browser.get(recorded.headers["location"])
    assert f"Die Wohnsitzauflage ist erfasst: an die Stadt gebunden bis {german(until)}." in (
        shown.text
    )
    assert f"An die Stadt gebunden bis {german(until)}." in shown.text
    assert "Wohnsitzauflage vorzeitig aufheben" in shown.text

    no_reason = await browser.post(
        f"{member}/wohnsitzauflage/aufhebung",
        data={"csrf_token": token, "lifted_on": german(today() + timedelta(days=1))},
    )
    assert no_reason.status_code == 422
    assert error_next_to(no_reason, "lift_reason") == (
        "Bitte wählen Sie einen Eintrag aus der Liste."
    )
    ahead = await browser.post(
        f"{member}/wohnsitzauflage/aufhebung",
        data={
            "csrf_token": token,
            "lifted_on": german(today() + timedelta(days=1)),
            "lift_reason": "employment",
        },
    )
    assert error_next_to(ahead, "lifted_on") == (
        "Eine Wohnsitzauflage wird zu einem Tag aufgehoben, der nicht in der Zukunft liegt."
    )
    lifted = await browser.post(
        f"{member}/wohnsitzauflage/aufhebung",
        data={"csrf_token": token, "lifted_on": german(today()), "lift_reason": "training"},
    )
    assert lifted.status_code == 303, lifted.text
    after = await browser.get(lifted.headers["location"])
    assert "Die Wohnsitzauflage ist aufgehoben." in after.text
    assert f"aufgehoben am {german(today())}: Berufsausbildung." in after.text
    assert "Wohnsitzauflage vorzeitig aufheben" not in after.text
