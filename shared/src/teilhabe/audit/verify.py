"""Walk an audit chain from its first entry and name the first broken link."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from teilhabe.audit.chain import GENESIS, seal

_BATCH = 5000
_PAGE = """SELECT id, at, actor, actor_roles, action, resource_type, resource_id, trace_id,
                  previous_hash, entry_hash
           FROM audit_entry WHERE id > $1 ORDER BY id LIMIT $2"""


@dataclass(frozen=True)
class BrokenLink:
    entry_id: int
    what: str


@dataclass(frozen=True)
class ChainReport:
    checked: int  # sealed entries whose link and seal held
    unsealed: int  # entries from before the chain existed
    last_id: int | None
    last_hash: bytes | None
    broken: BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.broken is None


async def verify_chain(connection: asyncpg.Connection, key: bytes) -> ChainReport:
    checked = unsealed = 0
    expected = GENESIS
    last_id: int | None = None
    after = 0
    while True:
        rows = await connection.fetch(_PAGE, after, _BATCH)
        if not rows:
            break
        for row in rows:
            after = row["id"]
            broken = _check(row, expected, last_id, key, chain_started=checked > 0)
            if broken is not None:
                return ChainReport(checked, unsealed, last_id, expected, broken)
            if row["entry_hash"] is None:
                unsealed += 1
                continue
            checked += 1
            expected = row["entry_hash"]
            last_id = row["id"]
    return ChainReport(checked, unsealed, last_id, expected if checked else None, None)


def _check(
    row: asyncpg.Record, expected: bytes, last_id: int | None, key: bytes, *, chain_started: bool
) -> BrokenLink | None:
    entry_id = row["id"]
    if row["entry_hash"] is None:
        if chain_started:
            return BrokenLink(entry_id, "has no seal, although entries before it are sealed")
        return None
    if row["previous_hash"] != expected:
        before = f"entry {last_id}'s seal" if last_id is not None else "the chain's start"
        return BrokenLink(
            entry_id,
            f"records a predecessor seal {_short(row['previous_hash'])} that differs from "
            f"{before} {_short(expected)}: an entry before it was removed, added or reordered",
        )
    if seal(key, row["previous_hash"], dict(row)) != row["entry_hash"]:
        return BrokenLink(
            entry_id,
            "its content (time, actor, roles, action, resource or trace) differs from what "
            "was sealed: it was changed after writing, or sealed with another key",
        )
    return None


def _short(digest: bytes | None) -> str:
    return digest.hex()[:16] if digest else "(none)"
