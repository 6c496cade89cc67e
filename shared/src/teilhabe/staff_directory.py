"""Reading staff members' sign-ins: keep each sign-in's key, open the sign-in, shred the key.

The readers of `staff_member.signed_in` (intake, notifications) keep the key of
`staff_member.key_issued` in their key store (`teilhabe.sealing`, table `subject_key`,
by key id) only until the sign-in it seals has been opened; then the key is destroyed in
the same transaction, and every other copy of that sign-in stops opening.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.events.staff import StaffEntry, StaffMemberKeyIssued, StaffMemberSignedIn
from teilhabe.messaging.inbox import PermanentError
from teilhabe.sealing import Unreadable, decode_key, destroy_keys, keep_key, key_of, unseal


class KeyNotYetKnown(RuntimeError):
    """The sign-in's key has not arrived yet: the sign-in is tried again."""


async def keep_sign_in_keys(
    session: AsyncSession, table: Table, events: Sequence[StaffMemberKeyIssued]
) -> None:
    for event in events:
        await keep_key(session, table, event.key_id, decode_key(event.key))


async def open_sign_ins(
    session: AsyncSession, table: Table, events: Sequence[tuple[StaffMemberSignedIn, datetime]]
) -> list[tuple[StaffEntry, datetime]]:
    """The sign-ins opened with their keys, (entry, when) each; the keys used are shredded.

    A key not there yet (its event comes later) raises KeyNotYetKnown, so the consumer
    tries again; a value that does not open with its key is refused for good.
    """
    opened: list[tuple[StaffEntry, datetime]] = []
    used = []
    for event, at in events:
        fields: dict[str, str | None] = {"display_name": None, "email": None}
        if event.key_id is not None:
            key = await key_of(session, table, event.key_id)
            if key is None:
                raise KeyNotYetKnown(f"no key {event.key_id} for a sign-in (not yet issued)")
            try:
                fields = {
                    "display_name": unseal(key, event.key_id, event.display_name)
                    if event.display_name
                    else None,
                    "email": unseal(key, event.key_id, event.email) if event.email else None,
                }
            except Unreadable as error:
                raise PermanentError("a sign-in's sealed fields do not open") from error
            used.append(event.key_id)
        opened.append(
            (
                StaffEntry(
                    account_subject=event.account_subject,
                    locale=event.locale,
                    roles=event.roles,
                    teams=event.teams,
                    **fields,
                ),
                at,
            )
        )
    if used:
        await destroy_keys(session, table, used)
    return opened
