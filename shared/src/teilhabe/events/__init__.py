"""The published contract: the CloudEvents envelope and the catalogue of event payloads."""

from teilhabe.events.catalogue import CATALOGUE, EventPayload, lookup_payload_model
from teilhabe.events.envelope import CloudEvent, new_event

__all__ = ["CATALOGUE", "CloudEvent", "EventPayload", "lookup_payload_model", "new_event"]
