"""Telling the other services who signed in: `staff_member.signed_in`, once per sign-in.

Staged through the tool's own outbox, so notifications and intake know a staff member
(name, e-mail, language, roles, teams from the token) from their first sign-in in any
tool, without a registration step of their own. Name and e-mail travel sealed with a key
of the sign-in, staged just before it (`staff_member.key_issued`; teilhabe.events.staff).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from teilhabe.auth import Principal
from teilhabe.events.staff import StaffEntry, announcement, is_staff
from teilhabe.messaging.outbox import Outbox

SignInHook = Callable[[Request, Principal], Awaitable[None]]


def announce_sign_in(outbox: Outbox) -> SignInHook:
    """A sign-in hook staging the staff member's directory data in `outbox`."""

    async def announce(request: Request, principal: Principal) -> None:
        if not is_staff(principal):  # volunteers and agencies are known otherwise
            return
        async with request.app.state.sessions() as session:
            await outbox.add_many(session, announcement(StaffEntry.of(principal)))
            await session.commit()

    return announce
