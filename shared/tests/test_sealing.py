"""Sealed personal fields open only with the person's key, bound to the person's id."""

from __future__ import annotations

import uuid

import pytest
from teilhabe.sealing import (
    PREFIX,
    Unreadable,
    decode_key,
    encode_key,
    new_key,
    seal,
    unseal,
)


def test_a_sealed_field_opens_with_the_persons_key_only() -> None:
    person, other = uuid.uuid4(), uuid.uuid4()
    key = new_key()
    sealed = seal(key, person, "Mentorin Müller")
    assert sealed.startswith(PREFIX)
    assert "Müller" not in sealed
    # Each sealing is fresh (a random nonce): equal names do not look equal.
    assert seal(key, person, "Mentorin Müller") != sealed
    assert unseal(key, person, sealed) == "Mentorin Müller"
    assert unseal(decode_key(encode_key(key)), person, sealed) == "Mentorin Müller"
    with pytest.raises(Unreadable):
        unseal(new_key(), person, sealed)  # the key destroyed, another made
    with pytest.raises(Unreadable):
        unseal(key, other, sealed)  # moved to another person's event
    with pytest.raises(Unreadable):
        unseal(key, person, sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1])
