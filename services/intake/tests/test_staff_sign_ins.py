"""Intake knows staff from their sign-ins: the name opens with the sign-in's key, which is
destroyed once used; a sign-in whose key has not come yet is tried again."""

from __future__ import annotations

import uuid

import pytest
from intake.models import StaffMember, subject_key
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from teilhabe.events.staff import StaffEntry, StaffMemberKeyIssued, announcement
from teilhabe.staff_directory import KeyNotYetKnown


async def test_a_sign_in_opens_with_its_key_which_then_goes(
    deliver: object, sessions: async_sessionmaker[AsyncSession]
) -> None:
    subject = f"cw-{uuid.uuid4().hex[:8]}"
    key, signed_in = announcement(
        StaffEntry(subject, "Jana Kuhn", f"{subject}@duelmen.de", roles=("caseworker",))
    )
    assert isinstance(key, StaffMemberKeyIssued)
    with pytest.raises(KeyNotYetKnown):  # before its key: tried again later
        await deliver(signed_in)  # type: ignore[operator]
    await deliver(key, signed_in)  # type: ignore[operator]
    async with sessions() as session:
        member = await session.get(StaffMember, subject)
        assert member is not None
        assert member.name == "Jana Kuhn"
        left = await session.scalar(
            select(func.count()).where(subject_key.c.subject_id == key.key_id)
        )
    assert left == 0
