"""A service's audit log as one call: `await audit(session, principal, action, type, ids)`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe.audit import record_access
from teilhabe.auth import Principal


@dataclass(frozen=True)
class Auditor:
    """`record_access` bound to the service's audit table."""

    table: Table

    async def __call__(
        self,
        session: AsyncSession,
        principal: Principal,
        action: str,
        resource_type: str,
        resource_ids: Iterable[object],
    ) -> None:
        await record_access(
            session,
            self.table,
            principal,
            action=action,
            resource_type=resource_type,
            resource_ids=resource_ids,
        )
