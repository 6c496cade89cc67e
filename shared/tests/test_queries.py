"""LIKE patterns built from what a user typed."""

from __future__ import annotations

from teilhabe.queries import contains, like_literal


def test_like_wildcards_and_the_escape_character_stand_for_themselves() -> None:
    assert like_literal("50%_a\\b") == "50\\%\\_a\\\\b"
    assert contains("x_y") == "%x\\_y%"
