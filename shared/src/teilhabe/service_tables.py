"""The tables every service keeps beside its own: outbox and inbox, audit log, staff sessions."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import MetaData, Table

from teilhabe.audit import define_audit_table
from teilhabe.messaging.tables import MessagingTables, define_messaging_tables
from teilhabe.staff_sessions import define_staff_session_table


class ServiceTables(NamedTuple):
    messaging: MessagingTables
    audit_log: Table
    staff_session: Table


def define_service_tables(metadata: MetaData) -> ServiceTables:
    return ServiceTables(
        messaging=define_messaging_tables(metadata),
        audit_log=define_audit_table(metadata),
        staff_session=define_staff_session_table(metadata),
    )
