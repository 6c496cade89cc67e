"""notifications's consumer wiring: every event it reads has its handler, routed by its type."""

from notifications import handlers
from notifications.main import SERVICE
from teilhabe_dev.testing.wiring import wiring_problems


def test_every_event_read_has_a_handler_for_its_type_and_every_handler_a_declaration() -> None:
    assert handlers.HANDLERS, "notifications consumes events"
    assert wiring_problems(SERVICE, handlers) == []
