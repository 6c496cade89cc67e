"""The city's name and mail domain are one setting, shown alike in every tool and the README."""

from __future__ import annotations

import re
from pathlib import Path

from intake.main import SERVICE as INTAKE
from teilhabe.auth import Role
from teilhabe.config import ServiceSettings
from teilhabe.ui.settings import UiSettings
from teilhabe_dev.testing.apps import app_client, migrated_database
from teilhabe_dev.testing.auth import RunningDevProvider
from teilhabe_dev.testing.infrastructure import Infrastructure
from teilhabe_dev.testing.ui import sign_in

README = Path(__file__).parents[1] / "README.md"


async def test_a_city_of_its_own_shows_in_the_footer_and_the_statement(
    infra: Infrastructure, identity: RunningDevProvider
) -> None:
    async with migrated_database(infra, INTAKE) as url:
        env = {
            "DATABASE_URL": url,
            "AMQP_URL": infra.amqp_url,
            "CITY_NAME": "Münster",
            "CITY_MAIL_DOMAIN": "muenster.de",
        }
        async with app_client(INTAKE, env=env, identity=identity) as browser:
            page = await sign_in(browser, subject="anna", roles=[Role.CASEWORKER])
            statement = await browser.get("/ui/barrierefreiheit")
    assert "Stadtverwaltung Münster" in page.text
    assert "mailto:barrierefreiheit@muenster.de" in page.text
    assert "Stadtverwaltung Münster" in statement.text
    assert "Musterstadt" not in page.text + statement.text


def test_the_defaults_and_the_readme_name_the_same_city() -> None:
    ui = UiSettings()
    service = ServiceSettings(service_name="intake")
    assert (ui.city_name, ui.city_mail_domain) == (service.city_name, service.city_mail_domain)
    assert ui.operator_name == f"Stadtverwaltung {service.city_name}"
    assert ui.feedback_email == f"barrierefreiheit@{service.city_mail_domain}"
    readme = README.read_text()
    assert service.city_name in readme
    addresses = re.findall(r"[\w.+-]+@(?:[\w-]+\.)+[a-z]{2,}\b", readme)
    assert addresses
    assert all(address.endswith("@" + service.city_mail_domain) for address in addresses)
