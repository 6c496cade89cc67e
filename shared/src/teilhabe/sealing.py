"""Personal fields that travel in events, sealed with a key of the person (crypto-shredding).

Events carry references; where a consumer must have a personal field itself (a
volunteer's name and e-mail address, to reach them), the publishing service seals it
with AES-256-GCM under a key of that one person, bound to the person's id (the
associated data), so the event's copies (the outbox row and its backups, the broker's
queues, dead letters, an agency's copy) hold only ciphertext. The owner keeps the key in
its key store (a `subject_key` table); it hands it to the consumers that must read the
fields by an event of its own, and they keep a copy in theirs. An erasure destroys every
copy of the key (each service's erasure handler), so the copies of the sealed fields no
longer open anywhere, whether or not each copy was found and deleted.

Sealed values look like `sealed:v1:<base64url of nonce and ciphertext>`.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Sequence
from typing import Annotated

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import Field, StringConstraints
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    LargeBinary,
    MetaData,
    Table,
    Uuid,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

PREFIX = "sealed:v1:"
_NONCE_BYTES = 12
KEY_TABLE = "subject_key"

Sealed = Annotated[
    str,
    StringConstraints(pattern=r"^sealed:v1:[A-Za-z0-9_-]+$", max_length=4000),
    Field(
        description="A personal field sealed with the person's key (AES-256-GCM, the "
        "person's id as associated data): `sealed:v1:` and the base64url of the 12-byte "
        "nonce and the ciphertext. Readable only while the person's key exists."
    ),
]


class Unreadable(ValueError):
    """The value does not open with this key (destroyed, another person's, or altered)."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def decode_key(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(key: bytes, subject_id: uuid.UUID, value: str) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, value.encode(), str(subject_id).encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def unseal(key: bytes, subject_id: uuid.UUID, value: str) -> str:
    if not value.startswith(PREFIX):
        raise Unreadable("not a sealed value")
    raw = decode_key(value.removeprefix(PREFIX))
    try:
        opened = AESGCM(key).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], str(subject_id).encode()
        )
    except InvalidTag as error:
        raise Unreadable("the value does not open with this key") from error
    return opened.decode()


def define_subject_key_table(metadata: MetaData, *, owner: str | None = None) -> Table:
    """The key store: one key per person. `owner` (`table.column`) makes the key go with
    the person's record (a foreign key with ON DELETE CASCADE)."""
    subject = (
        Column("subject_id", Uuid, ForeignKey(owner, ondelete="CASCADE"), primary_key=True)
        if owner
        else Column("subject_id", Uuid, primary_key=True)
    )
    return Table(
        KEY_TABLE,
        metadata,
        subject,
        Column("key", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


async def issue_key(session: AsyncSession, table: Table, subject_id: uuid.UUID) -> bytes:
    """The person's key, made on first use."""
    await session.execute(
        insert(table)
        .values(subject_id=subject_id, key=new_key())
        .on_conflict_do_nothing(index_elements=["subject_id"])
    )
    key = await key_of(session, table, subject_id)
    assert key is not None
    return key


async def keep_key(session: AsyncSession, table: Table, subject_id: uuid.UUID, key: bytes) -> None:
    """A consumer's copy of the owner's key (the owner's stays the one that counts)."""
    statement = insert(table).values(subject_id=subject_id, key=key)
    await session.execute(
        statement.on_conflict_do_update(index_elements=["subject_id"], set_={"key": key})
    )


async def key_of(session: AsyncSession, table: Table, subject_id: uuid.UUID) -> bytes | None:
    found = await session.scalar(select(table.c.key).where(table.c.subject_id == subject_id))
    return bytes(found) if found is not None else None


async def destroy_keys(
    session: AsyncSession, table: Table, subject_ids: Sequence[uuid.UUID]
) -> int:
    """Shred: whatever was sealed with these keys no longer opens."""
    result = await session.execute(delete(table).where(table.c.subject_id.in_(subject_ids)))
    return int(getattr(result, "rowcount", 0) or 0)
