"""Use cases of notifications: one transaction each.

The consumer's use cases (`record_*`, `notify`) run inside the consumer's transaction and
never commit: the read model, the deliveries and the inbox row commit together.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dt_time
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from teilhabe import clock
from teilhabe.api.problems import Conflict, InvalidFields, NotFound
from teilhabe.audit.auditor import Auditor
from teilhabe.auth import Principal, Role
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.households import CaseworkerAssigned, FollowUpDue, HouseholdAssigned
from teilhabe.events.staff import StaffEntry, is_staff
from teilhabe.events.volunteers import MentorshipEnded, VolunteerMatched, VolunteerRegistered
from teilhabe.messaging.inbox import ReceivedEvent
from teilhabe.messaging.outbox import Outbox
from teilhabe.queries import count_and_page

from notifications import digests, domain, messages, timing
from notifications.dependencies import DELIVERIES, NOTIFICATIONS, RECIPIENTS
from notifications.domain import Channel, DeliveryStatus, RecipientKind
from notifications.models import (
    Delivery,
    Household,
    Mentorship,
    Preference,
    Recipient,
    audit_log,
    messaging,
)
from notifications.schemas import (
    DeliveryTimesIn,
    MeIn,
    PreferenceOut,
    PreferencesIn,
    RecipientIn,
)

outbox = Outbox(messaging.outbox, source="/teilhabe/notifications")
audit = Auditor(audit_log)
EMAIL_NOTIFY_CHANNEL = digests.EMAIL_NOTIFY_CHANNEL
RECIPIENT = "recipient"


# --- the consumer's read model --------------------------------------------------------


async def record_households(
    *, session: AsyncSession, events: Sequence[HouseholdAssigned]
) -> dict[uuid.UUID, Row[Any]]:
    """Keep each household's notice number; returns the households as routing reads them."""
    # The last event of a household counts, as if they were applied one after the other
    # (one statement cannot change a row twice).
    numbers = {e.household_id: e.allocation_notice_number for e in events}
    result = await session.execute(
        _RECORD_HOUSEHOLDS,
        [{"id": household, "allocation_notice_number": n} for household, n in numbers.items()],
    )
    return {row.id: row for row in result}


_households = insert(cast(Table, Household.__table__))
# What routing reads of a household.
_ROUTING = ("id", "caseworker_id", "allocation_notice_number")
# executemany form: one cached statement whatever the number of events (a VALUES list
# would be compiled anew for each length).
_RECORD_HOUSEHOLDS = _households.on_conflict_do_update(
    index_elements=[Household.id],
    set_={"allocation_notice_number": _households.excluded.allocation_notice_number},
).returning(*(_households.table.c[name] for name in _ROUTING))


async def record_caseworkers(
    *, session: AsyncSession, events: Sequence[ReceivedEvent[CaseworkerAssigned]]
) -> None:
    assignments = domain.latest_assignments(
        [
            domain.CaseworkerAssignment(
                event.payload.household_id, event.payload.caseworker_id, event.envelope.time
            )
            for event in events
        ]
    )
    for assignment in assignments:
        statement = insert(Household).values(
            id=assignment.household_id,
            caseworker_id=assignment.caseworker_id,
            caseworker_since=assignment.since,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Household.id],
                set_={
                    "caseworker_id": statement.excluded.caseworker_id,
                    "caseworker_since": statement.excluded.caseworker_since,
                },
                # An assignment older than the one applied (a late redelivery) changes nothing.
                where=or_(
                    Household.caseworker_since.is_(None),
                    Household.caseworker_since <= statement.excluded.caseworker_since,
                ),
            )
        )


async def record_volunteers(
    *, session: AsyncSession, events: Sequence[VolunteerRegistered]
) -> None:
    """Volunteers become recipients; a later registration updates how to reach them."""
    for event in events:
        statement = insert(Recipient).values(
            id=domain.volunteer_recipient_id(event.volunteer_id),
            kind=RecipientKind.VOLUNTEER,
            name=event.display_name,
            email=str(event.email),
            language=event.preferred_language,
            roles=[Role.VOLUNTEER.value],
            subject=event.account_subject,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Recipient.id],
                set_={
                    "name": statement.excluded.name,
                    "email": statement.excluded.email,
                    "language": statement.excluded.language,
                    # An administrator's link stays unless the registration names a login.
                    "subject": func.coalesce(statement.excluded.subject, Recipient.subject),
                    "updated_at": func.now(),
                },
            )
        )


async def record_staff_members(
    *, session: AsyncSession, events: Sequence[tuple[StaffEntry, datetime]]
) -> None:
    """Staff become recipients at sign-in: (directory data, when it was true) per sign-in.

    Roles follow the identity provider; name, e-mail and language fill only what the
    person has not set themselves (`PUT /me`). A sign-in older than the entry's last
    change changes nothing, so events arriving out of order never undo a newer one.
    """
    for event, at in events:
        statement = insert(Recipient).values(
            id=event.account_subject,
            kind=RecipientKind.STAFF,
            subject=event.account_subject,
            name=event.display_name,
            email=event.email,
            language=domain.template_language(event.locale),
            roles=list(event.roles),
            updated_at=at,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Recipient.id],
                set_={
                    "name": func.coalesce(Recipient.name, statement.excluded.name),
                    "email": func.coalesce(Recipient.email, statement.excluded.email),
                    "roles": statement.excluded.roles,
                    "updated_at": statement.excluded.updated_at,
                },
                where=and_(
                    Recipient.kind == RecipientKind.STAFF,
                    Recipient.updated_at <= statement.excluded.updated_at,
                ),
            )
        )


# Callers already written to the directory by this process, so that repeated calls with the
# same token data write nothing. Bounded; forgetting an entry only costs one upsert.
_KNOWN_CALLERS_MAX = 10_000
_known_callers: OrderedDict[StaffEntry, None] = OrderedDict()


async def know_caller(*, session: AsyncSession, principal: Principal) -> None:
    """A staff member's first call (API or tool) makes them a recipient, as a sign-in does."""
    if not is_staff(principal):
        return
    data = StaffEntry.of(principal)
    if data in _known_callers:
        _known_callers.move_to_end(data)
        return
    await record_staff_members(session=session, events=[(data, datetime.now(UTC))])
    await session.commit()
    _known_callers[data] = None
    if len(_known_callers) > _KNOWN_CALLERS_MAX:
        _known_callers.popitem(last=False)


async def record_matches(*, session: AsyncSession, events: Sequence[VolunteerMatched]) -> None:
    statement = insert(Mentorship).values(
        [
            {
                "household_id": e.household_id,
                "volunteer_id": e.volunteer_id,
                "match_id": e.match_id,
                "matched_on": e.matched_on,
            }
            for e in events
        ]
    )
    # A new match of a former mentor with the same household runs again; the same match
    # heard again (or after its end) changes nothing.
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Mentorship.household_id, Mentorship.volunteer_id],
            set_={
                "match_id": statement.excluded.match_id,
                "matched_on": statement.excluded.matched_on,
                "ended_on": None,
            },
            where=Mentorship.match_id != statement.excluded.match_id,
        )
    )


async def record_mentorship_ends(
    *, session: AsyncSession, events: Sequence[MentorshipEnded]
) -> None:
    """Note the end of each match; one heard before its start is kept as ended."""
    statement = insert(Mentorship).values(
        [
            {
                "household_id": e.household_id,
                "volunteer_id": e.volunteer_id,
                "match_id": e.match_id,
                "matched_on": e.matched_on,
                "ended_on": e.ended_on,
            }
            for e in events
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Mentorship.household_id, Mentorship.volunteer_id],
            set_={"ended_on": statement.excluded.ended_on},
            # The end of an earlier match does not end a later one of the same pair.
            where=Mentorship.match_id == statement.excluded.match_id,
        )
    )


# --- deliveries -------------------------------------------------------------------------


async def notify(
    *,
    session: AsyncSession,
    events: Sequence[ReceivedEvent[Any]],
    households: Mapping[uuid.UUID, Row[Any]] | None = None,
) -> int:
    """Create the deliveries the rules ask for; returns how many rows were new.

    One row per (event, recipient, channel): a second delivery of the same event (the
    inbox's job to prevent, the unique constraint's to make harmless) creates nothing.
    Everything the rules need is read once per run of events, not once per event;
    `households` as `record_households` returned them, when it just wrote them.
    """
    context = await _RunContext.load(session, events, households)
    addressed = [(event, context.addressees(event)) for event in events]
    # The volunteers an event is about too: their name is in the text about them.
    about = {
        domain.volunteer_recipient_id(v)
        for event in events
        if (v := getattr(event.payload, "volunteer_id", None)) is not None
    }
    await context.load_recipients(
        session,
        {person.recipient_id for _, people in addressed for person in people} | about,
        {event.payload.event_type for event in events},
    )
    now = clock.now()
    rows = [row for event, people in addressed for row in context.rows(event, people, now)]
    created: list[tuple[Channel, DeliveryStatus, str]] = []
    if rows:
        # executemany form: one cached statement, sent in pages below PostgreSQL's
        # parameter limit by the driver, whatever the size of the fan-out.
        result = await session.execute(_INSERT_DELIVERIES, rows)
        created.extend((row[0], row[1], row[2]) for row in result)
    if any(status is DeliveryStatus.PENDING for _, status, _ in created):
        # Delivered by PostgreSQL on commit only: the sender wakes for committed rows.
        await session.execute(
            text("SELECT pg_notify(:channel, '')"), {"channel": EMAIL_NOTIFY_CHANNEL}
        )
    held = {recipient for _, status, recipient in created if status is DeliveryStatus.HELD}
    await digests.ensure_timers(
        session, {r: context.profiles[r].times for r in held if r in context.profiles}, now
    )
    return len(created)


_deliveries = insert(cast(Table, Delivery.__table__))
# Core, not the ORM's bulk insert: nothing of the rows is needed as objects. An inbox row
# is sent when it is stored: at the transaction's time, as now() gives it.
_INSERT_DELIVERIES = (
    _deliveries.values(sent_at=case((bindparam("sent_now", type_=Boolean), func.now())))
    .on_conflict_do_nothing(index_elements=["event_id", "recipient_id", "channel"])
    .returning(
        _deliveries.table.c.channel, _deliveries.table.c.status, _deliveries.table.c.recipient_id
    )
)
# What routing and the texts need of a recipient (columns: no objects to track).
_PROFILE_COLUMNS = (
    Recipient.id,
    Recipient.language,
    Recipient.email,
    Recipient.name,
    Recipient.time_zone,
    Recipient.quiet_from,
    Recipient.quiet_until,
    Recipient.digest_at,
)


def _profile(row: Any) -> domain.RecipientProfile:  # a row of _PROFILE_COLUMNS
    return domain.RecipientProfile(
        row.id,
        row.language,
        row.email,
        row.name,
        timing.DeliveryTimes(
            time_zone=row.time_zone,
            quiet_from=row.quiet_from,
            quiet_until=row.quiet_until,
            digest_at=row.digest_at,
        ),
    )


@dataclass
class _RunContext:
    """What the routing rules need to know of a run of events, read in a few queries."""

    households: dict[uuid.UUID, Row[Any]]
    mentors: dict[uuid.UUID, list[str]]
    staff_by_role: dict[Role, list[str]]
    profiles: dict[str, domain.RecipientProfile] = field(default_factory=dict)
    muted: dict[str, set[tuple[str, Channel]]] = field(default_factory=dict)

    @classmethod
    async def load(
        cls,
        session: AsyncSession,
        events: Sequence[ReceivedEvent[Any]],
        known: Mapping[uuid.UUID, Row[Any]] | None = None,
    ) -> _RunContext:
        # Every event about a household carries `household_id`; volunteer.registered does not.
        ids = {h for e in events if (h := getattr(e.payload, "household_id", None)) is not None}
        if known is not None and ids <= known.keys():
            households = {h: known[h] for h in ids}
        else:
            columns = [getattr(Household, name) for name in _ROUTING]
            households = {
                row.id: row
                for row in await session.execute(select(*columns).where(Household.id.in_(ids)))
            }
        mentors: dict[uuid.UUID, list[str]] = {}
        # Only where a rule names the mentors: most notices never reach them.
        if any(domain.reaches_mentors(e.payload.event_type) for e in events):
            for household_id, volunteer_id in await session.execute(
                select(Mentorship.household_id, Mentorship.volunteer_id)
                .where(
                    Mentorship.household_id.in_(ids),
                    or_(Mentorship.ended_on.is_(None), Mentorship.ended_on > clock.today()),
                )
                .order_by(Mentorship.matched_on, Mentorship.volunteer_id)
            ):
                mentors.setdefault(household_id, []).append(
                    domain.volunteer_recipient_id(volunteer_id)
                )
        roles = {role for e in events for role in domain.roles_needed(e.payload.event_type)}
        staff_by_role: dict[Role, list[str]] = {}
        profiles: dict[str, domain.RecipientProfile] = {}
        for role in roles:
            # Their profiles come along: for a notice to a role, no second look-up.
            found = await session.execute(
                select(*_PROFILE_COLUMNS)
                .where(
                    Recipient.kind == RecipientKind.STAFF,
                    Recipient.roles.contains([role.value]),
                )
                .order_by(Recipient.id)
            )
            staff_by_role[role] = []
            for row in found:
                staff_by_role[role].append(row.id)
                profiles[row.id] = _profile(row)
        return cls(households, mentors, staff_by_role, profiles)

    def _circle(self, payload: EventPayload) -> domain.Circle:
        household_id: uuid.UUID | None = getattr(payload, "household_id", None)
        household = self.households.get(household_id) if household_id else None
        volunteer_id = getattr(payload, "volunteer_id", None)
        return domain.Circle(
            caseworker=household.caseworker_id if household else None,
            new_caseworker=(
                payload.caseworker_id
                if isinstance(payload, CaseworkerAssigned | FollowUpDue)
                else None
            ),
            mentors=self.mentors.get(household_id, []) if household_id else [],
            volunteer=domain.volunteer_recipient_id(volunteer_id) if volunteer_id else None,
            staff_by_role=self.staff_by_role,
            named_volunteers=[
                domain.volunteer_recipient_id(v) for v in getattr(payload, "volunteer_ids", ())
            ],
            requester=getattr(payload, "requested_by", None),
        )

    def addressees(self, event: ReceivedEvent[Any]) -> list[domain.Addressee]:
        return list(domain.addressees(event.payload.event_type, self._circle(event.payload)))

    async def load_recipients(
        self, session: AsyncSession, ids: set[str], event_types: set[str]
    ) -> None:
        if not ids:
            return
        unknown = ids - self.profiles.keys()
        if unknown:
            self.profiles.update(
                (row.id, _profile(row))
                for row in await session.execute(
                    select(*_PROFILE_COLUMNS).where(Recipient.id.in_(unknown))
                )
            )
        # Only the recipients addressed: those of a role audience came along above.
        self.profiles = {r: p for r, p in self.profiles.items() if r in ids}
        for recipient_id, event_type, channel in await session.execute(
            select(Preference.recipient_id, Preference.event_type, Preference.channel).where(
                Preference.recipient_id.in_(ids),
                Preference.event_type.in_(event_types),
                Preference.enabled.is_(False),
            )
        ):
            self.muted.setdefault(recipient_id, set()).add((event_type, channel))

    def rows(
        self, event: ReceivedEvent[Any], people: Sequence[domain.Addressee], now: datetime
    ) -> list[dict[str, Any]]:
        """The deliveries of one event: `now` is the clock the recipient's quiet hours are
        read against."""
        payload = event.payload
        event_type = payload.event_type
        household_id: uuid.UUID | None = getattr(payload, "household_id", None)
        household = self.households.get(household_id) if household_id else None
        circle = self._circle(payload)
        context: dict[str, Any] = {
            **payload.model_dump(),
            "household_ref": (
                domain.household_reference(
                    household_id, household.allocation_notice_number if household else None
                )
                if household_id
                else None
            ),
            "volunteer_name": (
                self.profiles[circle.volunteer].name if circle.volunteer in self.profiles else None
            ),
        }
        rows = []
        for person in people:
            profile = self.profiles.get(
                person.recipient_id, domain.RecipientProfile(person.recipient_id)
            )
            muted = {m for m in self.muted.get(person.recipient_id, ()) if m[0] == event_type}
            wanted = domain.channels(profile, event_type, muted)
            if not wanted:
                continue
            personal = {
                **context,
                "audience": person.audience.value,
                "recipient_name": profile.name,
                # Times in the text on the recipient's own clock, as their quiet hours.
                "time_zone": profile.times.time_zone,
            }
            message = messages.render(event_type, profile.language, personal)
            plan = domain.email_plan(event_type, profile.times, now)
            for channel in wanted:
                email = channel is Channel.EMAIL
                text = message
                if email and plan.status is DeliveryStatus.HELD:
                    # Held for the digest: written as one entry of it (no greeting of its own).
                    text = messages.render(event_type, profile.language, personal, entry=True)
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "event_id": event.id,
                        "event_type": event_type,
                        "recipient_id": person.recipient_id,
                        "channel": channel,
                        "household_id": household_id,
                        "volunteer_id": getattr(payload, "volunteer_id", None),
                        "language": text.language,
                        "title": text.title,
                        "body": text.body,
                        "address": profile.email if email else None,
                        "status": plan.status if email else DeliveryStatus.SENT,
                        "next_attempt_at": plan.next_attempt_at if email else None,
                        "sent_now": not email,
                    }
                )
        return rows


# --- the signed-in recipient -----------------------------------------------------------


def _linked_recipients(principal: Principal) -> Select[str]:
    return select(Recipient.id).where(Recipient.subject == principal.subject)


def _own_inbox(principal: Principal) -> ColumnElement[bool]:
    return NOTIFICATIONS.where(principal)


async def own_recipient_id(*, session: AsyncSession, principal: Principal) -> str:
    """The recipient a caller is: a volunteer entry linked to their login, else their subject."""
    linked = await session.scalar(_linked_recipients(principal).order_by(Recipient.id).limit(1))
    return linked or principal.subject


async def get_me(*, session: AsyncSession, principal: Principal) -> Recipient:
    recipient_id = await own_recipient_id(session=session, principal=principal)
    recipient = await session.get(Recipient, recipient_id)
    if recipient is None:
        raise NotFound("recipient")
    return recipient


async def put_me(*, session: AsyncSession, principal: Principal, me_in: MeIn) -> Recipient:
    _check_language(me_in.language)
    values = {
        "name": me_in.name or principal.name,
        "email": str(me_in.email) if me_in.email else None,
        "language": domain.template_language(me_in.language),
        # Refreshed on every call: the identity provider is where roles are decided.
        "roles": sorted(role.value for role in principal.roles),
        "updated_at": func.now(),
    }
    statement = insert(Recipient).values(
        id=principal.subject, kind=RecipientKind.STAFF, subject=principal.subject, **values
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=[Recipient.id], set_=values)
    )
    await audit(session, principal, "update", RECIPIENT, [principal.subject])
    await session.commit()
    recipient = await session.get(Recipient, principal.subject, populate_existing=True)
    assert recipient is not None
    return recipient


async def get_preferences(*, session: AsyncSession, principal: Principal) -> list[PreferenceOut]:
    recipient_id = await own_recipient_id(session=session, principal=principal)
    return await _preference_matrix(session, recipient_id)


async def put_preferences(
    *, session: AsyncSession, principal: Principal, preferences_in: PreferencesIn
) -> list[PreferenceOut]:
    problems = {
        f"preferences[{i}].event_type": "no notifications exist for this event type"
        for i, p in enumerate(preferences_in.preferences)
        if p.event_type not in domain.EVENT_TYPES
    }
    problems.update(
        {
            f"preferences[{i}].enabled": "this event always arrives and cannot be turned off"
            for i, p in enumerate(preferences_in.preferences)
            if domain.is_critical(p.event_type) and not p.enabled
        }
    )
    if problems:
        raise InvalidFields(problems)
    recipient_id = await own_recipient_id(session=session, principal=principal)
    settings = {(p.event_type, p.channel): p.enabled for p in preferences_in.preferences}
    await session.execute(delete(Preference).where(Preference.recipient_id == recipient_id))
    if settings:
        await session.execute(
            insert(Preference),
            [
                {"recipient_id": recipient_id, "event_type": t, "channel": c, "enabled": on}
                for (t, c), on in settings.items()
            ],
        )
    await session.commit()
    return await _preference_matrix(session, recipient_id)


async def _preference_matrix(session: AsyncSession, recipient_id: str) -> list[PreferenceOut]:
    stored = {
        (p.event_type, p.channel): p.enabled
        for p in await session.scalars(
            select(Preference).where(Preference.recipient_id == recipient_id)
        )
    }
    return [
        PreferenceOut(
            event_type=t,
            channel=c,
            enabled=domain.is_critical(t) or stored.get((t, c), True),
            critical=domain.is_critical(t),
        )
        for t in domain.EVENT_TYPES
        for c in Channel
    ]


async def get_delivery_times(*, session: AsyncSession, principal: Principal) -> Recipient:
    return await get_me(session=session, principal=principal)


async def put_delivery_times(
    *, session: AsyncSession, principal: Principal, times_in: DeliveryTimesIn
) -> Recipient:
    """Set when e-mails reach the caller; the digest timer follows at once."""
    problems: dict[str, str] = {}
    if not timing.is_time_zone(times_in.time_zone):
        problems["time_zone"] = "not a time zone; name one such as Europe/Berlin"
    if (times_in.quiet_from is None) != (times_in.quiet_until is None):
        problems["quiet_until" if times_in.quiet_until is None else "quiet_from"] = (
            "quiet hours need a start and an end"
        )
    elif times_in.quiet_from is not None and times_in.quiet_from == times_in.quiet_until:
        problems["quiet_until"] = "quiet hours must end at another time than they start"
    if problems:
        raise InvalidFields(problems)
    recipient = await get_me(session=session, principal=principal)
    recipient.time_zone = times_in.time_zone
    recipient.quiet_from = _minute(times_in.quiet_from)
    recipient.quiet_until = _minute(times_in.quiet_until)
    recipient.digest_at = _minute(times_in.digest_at)
    await session.flush()
    await digests.reschedule(session, recipient)
    await audit(session, principal, "update", RECIPIENT, [recipient.id])
    await session.commit()
    return recipient


def _minute(value: dt_time | None) -> dt_time | None:
    # Local wall times to the minute, without a zone (the recipient's zone is its own field).
    return value.replace(second=0, microsecond=0, tzinfo=None) if value is not None else None


# --- the inbox ------------------------------------------------------------------------------


async def get_inbox(
    *, session: AsyncSession, principal: Principal, unread_only: bool, limit: int, offset: int
) -> tuple[list[Delivery], int, int]:
    """A page of the caller's notifications, newest first; the total and the unread count."""
    scope = _own_inbox(principal)
    unread = Delivery.read_at.is_(None)
    query = select(Delivery).where(scope, unread) if unread_only else select(Delivery).where(scope)
    items, total = await count_and_page(
        session,
        query,
        order_by=(Delivery.created_at.desc(), Delivery.id.desc()),
        limit=limit,
        offset=offset,
    )
    unread_count = (
        total
        if unread_only
        else await session.scalar(select(func.count()).where(scope, unread)) or 0
    )
    await _audit_shown(session, principal, items, action="list")
    return items, total, unread_count


async def get_notification(
    *, session: AsyncSession, principal: Principal, notification_id: uuid.UUID
) -> Delivery:
    notification = await NOTIFICATIONS.get(session, principal, notification_id)
    await _audit_shown(session, principal, [notification], action="read")
    return notification


async def _audit_shown(
    session: AsyncSession, principal: Principal, shown: Sequence[Delivery], *, action: str
) -> None:
    """Audit notifications shown to their reader: as reads of the household they tell of
    (so that the household's trail shows who learnt what of it), else as themselves."""
    households = [item.household_id for item in shown if item.household_id is not None]
    others = [item.id for item in shown if item.household_id is None]
    for resource_type, ids in (("household", households), ("notification", others)):
        await audit(session, principal, action, resource_type, list(dict.fromkeys(ids)))
    await session.commit()


async def mark_read(
    *, session: AsyncSession, principal: Principal, notification_id: uuid.UUID
) -> Delivery:
    notification = await session.scalar(
        update(Delivery)
        .where(Delivery.id == notification_id, _own_inbox(principal))
        .values(read_at=func.coalesce(Delivery.read_at, func.now()))
        .returning(Delivery)
        .execution_options(populate_existing=True)
    )
    if notification is None:
        raise NotFound("notification")
    await session.commit()
    return notification


async def mark_all_read(
    *, session: AsyncSession, principal: Principal, until: datetime | None = None
) -> int:
    """Mark the caller's unread notifications read; returns how many were unread.

    `until` leaves out what arrived after it (the time the reader's page was made), so a
    notification that came in while the page was open is not marked read unseen.
    """
    conditions = [_own_inbox(principal), Delivery.read_at.is_(None)]
    if until is not None:
        conditions.append(Delivery.created_at <= until)
    marked = await session.scalars(
        update(Delivery).where(*conditions).values(read_at=func.now()).returning(Delivery.id)
    )
    count = len(marked.all())
    await session.commit()
    return count


# --- administration ------------------------------------------------------------------------


async def get_all_recipients(
    *,
    session: AsyncSession,
    principal: Principal,
    role: Role | None,
    kind: RecipientKind | None,
    limit: int,
    offset: int,
) -> tuple[list[Recipient], int]:
    query = RECIPIENTS.select(principal)
    if role is not None:
        query = query.where(Recipient.roles.contains([role.value]))
    if kind is not None:
        query = query.where(Recipient.kind == kind)
    recipients, total = await count_and_page(
        session, query, order_by=(Recipient.id,), limit=limit, offset=offset
    )
    await audit(session, principal, "list", RECIPIENT, [r.id for r in recipients])
    await session.commit()
    return recipients, total


async def get_recipient(
    *, session: AsyncSession, principal: Principal, recipient_id: str
) -> Recipient:
    recipient = await RECIPIENTS.get(session, principal, recipient_id)
    await audit(session, principal, "read", RECIPIENT, [recipient_id])
    await session.commit()
    return recipient


async def put_recipient(
    *, session: AsyncSession, principal: Principal, recipient_id: str, recipient_in: RecipientIn
) -> Recipient:
    kind = domain.recipient_kind(recipient_id)
    _check_language(recipient_in.language, domain.languages_for(kind))
    subject = recipient_in.subject
    if kind is RecipientKind.STAFF:
        # A staff entry is read by its own login only; pointing it elsewhere would hand
        # one person's inbox to another.
        if subject not in (None, recipient_id):
            raise InvalidFields({"subject": "a staff entry's subject is its id"})
        subject = recipient_id
    elif subject is not None:
        taken = await session.scalar(
            select(Recipient.id).where(Recipient.subject == subject, Recipient.id != recipient_id)
        )
        if taken is not None:
            raise Conflict(
                "this login already reads another recipient's inbox", code="subject-taken"
            )
    values = {
        "name": recipient_in.name,
        "email": str(recipient_in.email) if recipient_in.email else None,
        "language": domain.template_language(
            recipient_in.language, available=domain.languages_for(kind)
        ),
        "roles": sorted({role.value for role in recipient_in.roles}),
        "subject": subject,
        "updated_at": func.now(),
    }
    statement = insert(Recipient).values(id=recipient_id, kind=kind, **values)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[Recipient.id], set_=values)
    )
    await audit(session, principal, "update", RECIPIENT, [recipient_id])
    try:
        await session.commit()
    except IntegrityError as error:  # linked to another recipient meanwhile
        raise Conflict(
            "this login already reads another recipient's inbox", code="subject-taken"
        ) from error
    recipient = await session.get(Recipient, recipient_id, populate_existing=True)
    assert recipient is not None
    return recipient


async def delete_recipient(
    *, session: AsyncSession, principal: Principal, recipient_id: str
) -> None:
    """Remove a directory entry and its settings; delivered notifications stay."""
    result = await session.execute(
        delete(Recipient)
        .where(Recipient.id == recipient_id, RECIPIENTS.where(principal))
        .returning(Recipient.id)
    )
    if result.scalar() is None:
        raise NotFound("recipient")
    await session.execute(delete(Preference).where(Preference.recipient_id == recipient_id))
    await audit(session, principal, "delete", RECIPIENT, [recipient_id])
    await session.commit()


async def get_deliveries(
    *,
    session: AsyncSession,
    principal: Principal,
    status: DeliveryStatus | None,
    channel: Channel | None,
    recipient_id: str | None,
    event_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Delivery], int]:
    query = DELIVERIES.select(principal)
    if status is not None:
        query = query.where(Delivery.status == status)
    if channel is not None:
        query = query.where(Delivery.channel == channel)
    if recipient_id is not None:
        query = query.where(Delivery.recipient_id == recipient_id)
    if event_id is not None:
        query = query.where(Delivery.event_id == event_id)
    deliveries, total = await count_and_page(
        session,
        query.options(selectinload(Delivery.attempt_log)),
        order_by=(Delivery.created_at.desc(), Delivery.id.desc()),
        limit=limit,
        offset=offset,
    )
    await audit(session, principal, "list", "delivery", [d.id for d in deliveries])
    await session.commit()
    return deliveries, total


async def retry_delivery(
    *, session: AsyncSession, principal: Principal, delivery_id: uuid.UUID
) -> Delivery:
    """Give a failed e-mail a new round of attempts (after the address or relay was fixed)."""
    retried = await session.scalar(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            DELIVERIES.where(principal),
            Delivery.channel == Channel.EMAIL,
            Delivery.status == DeliveryStatus.FAILED,
        )
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=func.now())
        .returning(Delivery.id)
    )
    if retried is None:
        await DELIVERIES.get(session, principal, delivery_id)  # 404 unless it exists
        raise Conflict("only a failed e-mail can be retried", code="not-failed")
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": EMAIL_NOTIFY_CHANNEL})
    await audit(session, principal, "retry", "delivery", [delivery_id])
    await session.commit()
    return await _delivery_with_log(session, delivery_id)


async def _delivery_with_log(session: AsyncSession, delivery_id: uuid.UUID) -> Delivery:
    delivery = await session.scalar(
        select(Delivery)
        .where(Delivery.id == delivery_id)
        .options(selectinload(Delivery.attempt_log))
        .execution_options(populate_existing=True)
    )
    assert delivery is not None
    return delivery


def _check_language(language: str, available: tuple[str, ...] = domain.LANGUAGES) -> None:
    if domain.template_language(language, available) != language.split("-")[0].lower():
        raise InvalidFields(
            {"language": f"texts exist in {', '.join(available)}; choose one of them"}
        )
