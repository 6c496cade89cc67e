"""The published contract says where to connect, how to authenticate and what each
message looks like; every example validates, every `dataschema` names a served schema."""

from __future__ import annotations

import jsonschema_rs
from teilhabe.events.asyncapi import build_document, message_name
from teilhabe.events.catalogue import CATALOGUE, load_catalogue, schema_url
from teilhabe.events.changelog import CHANGELOG
from teilhabe.events.envelope import CloudEvent, new_event
from teilhabe.events.examples import example_envelope, example_payload


def test_servers_per_environment_name_vhost_tls_and_security() -> None:
    servers = build_document([])["servers"]
    for name in ("production", "test"):
        assert servers[name]["protocol"] == "amqps"
        assert servers[name]["host"].endswith(":5671")
        assert servers[name]["pathname"] == "/teilhabe"
        assert servers[name]["security"] == [{"$ref": "#/components/securitySchemes/brokerUser"}]
    assert servers["local"]["pathname"] == "/"
    assert servers["agencyWebhook"]["protocol"] == "https"


def test_security_schemes_are_the_broker_user_and_the_webhook_signature() -> None:
    schemes = build_document([])["components"]["securitySchemes"]
    assert schemes["brokerUser"]["type"] == "userPassword"
    assert schemes["webhookSignature"] == schemes["webhookSignature"] | {
        "type": "httpApiKey",
        "name": "webhook-signature",
        "in": "header",
    }


def test_every_message_has_an_example_valid_against_its_model_and_json_schema() -> None:
    load_catalogue()
    document = build_document([])
    messages = document["components"]["messages"]
    for model in CATALOGUE.values():
        message = messages[message_name(model)]
        [example] = message["examples"]
        envelope = CloudEvent.model_validate(example["payload"])
        assert envelope.type == model.event_type
        assert envelope.dataschema == model.schema_uri()
        model.model_validate(envelope.data)
        jsonschema_rs.validate(model.json_schema(), example_payload(model))


def test_an_events_dataschema_is_the_address_of_its_served_schema() -> None:
    load_catalogue()
    model = CATALOGUE[("household.moved_in", 1)]
    event = new_event(model.model_validate(example_payload(model)), source="/teilhabe/housing")
    assert event.dataschema == schema_url("household.moved_in", 1)
    assert event.dataschema.endswith("/events/schemas/household.moved_in/1")
    assert model.json_schema()["$id"] == event.dataschema
    assert example_envelope(model)["dataschema"] == event.dataschema


def test_the_webhook_channel_and_the_agency_queue_carry_what_agencies_may_subscribe_to() -> None:
    load_catalogue()
    document = build_document([])
    outbound = {message_name(m) for m in CATALOGUE.values() if m.consent_subject is not None}
    assert outbound
    assert "StaffMemberSignedInV2" not in outbound
    assert "StaffMemberKeyIssuedV1" not in outbound
    webhook = document["channels"]["webhook"]
    assert set(webhook["messages"]) == {f"Webhook{name}" for name in outbound}
    assert document["operations"]["notifications.sends.webhook"]["action"] == "send"
    headers = document["components"]["schemas"]["WebhookHeaders"]
    assert set(headers["required"]) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert set(document["channels"]["agencyQueue"]["messages"]) == outbound


def test_inbound_events_are_receive_operations_on_the_inbound_exchange() -> None:
    load_catalogue()
    document = build_document([])
    for model in CATALOGUE.values():
        if not model.inbound:
            continue
        channel = document["channels"][f"teilhabe.inbound.{model.event_type}"]
        assert channel["bindings"]["amqp"]["exchange"]["name"] == "teilhabe.inbound"
        receives = [
            op
            for op in document["operations"].values()
            if op["channel"]["$ref"].endswith(f"teilhabe.inbound.{model.event_type}")
        ]
        assert receives
        assert {op["action"] for op in receives} == {"receive"}


def test_the_changelog_names_every_type_and_version_and_the_documents_version() -> None:
    load_catalogue()
    introduced = {event for change in CHANGELOG for event in change.events}
    # Every type and version, the first ones too: an agency reads from the changelog
    # what each release brought.
    assert set(CATALOGUE) <= introduced, set(CATALOGUE) - introduced
    info = build_document([])["info"]
    assert info["version"] == CHANGELOG[0].version
    assert [entry["version"] for entry in info["x-changelog"]] == [c.version for c in CHANGELOG]
