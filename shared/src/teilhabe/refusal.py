"""A domain rule's "no": what a pure rule returns instead of raising."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """Why a rule refuses; `field` names the input at fault, if one is."""

    code: str
    reason: str
    field: str | None = None
