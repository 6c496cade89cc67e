"""Calendar feeds (iCalendar, RFC 5545) a member of staff subscribes to in their calendar.

Calendar clients fetch a subscription without signing in and cannot send a bearer token,
so the feed's address carries a secret of its own: a random token per holder, kept only
as its SHA-256 hash (a stolen database yields no working address), rotated by issuing a
new one and revoked by deleting it. An unknown token answers 404 like any missing record.

A feed names no person unless its holder chose so: the service's loader builds each
event's summary with or without names by `FeedHolder.show_names`. Every fetch is
audited as the holder reading the records the feed shows.

A service describes its feeds once, as `CalendarFeeds` (its tokens, its loader, its
audit): that gives the use cases every holder's feed shares (its state, a new address,
names or none, stopping it, each audited), the route serving the feeds, and their
addresses. `feed_link_routes` adds the API's routes that issue and stop one holder's
feed; the staff tools' pages have theirs in `teilhabe.ui.calendar_feeds`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.params import Depends as Dependency
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from teilhabe import clock
from teilhabe.api.dependencies import DbSession
from teilhabe.api.problems import NotFound
from teilhabe.api.schemas import ResponseModel
from teilhabe.audit.auditor import Auditor
from teilhabe.auth import Principal
from teilhabe.auth.dependencies import public_endpoint

CALENDAR_FEED_TABLE = "calendar_feed"
# What the audit trail names a change to a feed (its new address, names, stopping it).
RESOURCE = "calendar_feed"
# Where a service serves its feeds: on its app beside the API, not below the staff tool,
# since calendar clients have no staff session.
FEED_PATH = "/kalender/{token}.ics"
FEED_ROUTE = "calendar_feed_ics"
PRODUCT_ID = "-//Teilhabe//Calendar feed//DE"
# 32 random bytes: not guessable, and long enough that hashing without salt is safe.
TOKEN_BYTES = 32
ICS_MEDIA_TYPE = "text/calendar; charset=utf-8"


def define_calendar_feed_table(metadata: MetaData) -> Table:
    return Table(
        CALENDAR_FEED_TABLE,
        metadata,
        # One feed per holder (a staff subject): issuing again replaces its token.
        Column("holder", String(200), primary_key=True),
        Column("token_hash", String(64), nullable=False, unique=True),
        Column("show_names", Boolean, nullable=False, server_default=text("false")),
        Column("issued_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("last_fetched_at", DateTime(timezone=True)),
    )


# As the migrations create it (a snapshot: a later change needs a migration of its own).
CALENDAR_FEED_V1_DDL = (
    """CREATE TABLE calendar_feed (
        holder VARCHAR(200) NOT NULL,
        token_hash VARCHAR(64) NOT NULL,
        show_names BOOLEAN DEFAULT false NOT NULL,
        issued_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
        last_fetched_at TIMESTAMP WITH TIME ZONE,
        CONSTRAINT pk_calendar_feed PRIMARY KEY (holder),
        CONSTRAINT uq_calendar_feed_token_hash UNIQUE (token_hash))""",
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class FeedHolder:
    """Whose feed a token opens, and whether its events may name people."""

    subject: str
    show_names: bool


@dataclass(frozen=True)
class FeedState:
    """What the holder's own page shows of their feed (never the token: it is not kept)."""

    show_names: bool
    issued_at: datetime
    last_fetched_at: datetime | None


@dataclass(frozen=True)
class FeedTokens:
    """The feed tokens of one service, in its `calendar_feed` table."""

    table: Table

    async def issue(self, session: AsyncSession, holder: str, *, show_names: bool) -> str:
        """A new token for `holder`, replacing any earlier one (whose address stops
        working); returned once, to be shown to the holder, and kept only hashed."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        statement = insert(self.table).values(
            holder=holder,
            token_hash=token_hash(token),
            show_names=show_names,
            issued_at=clock.now(),
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[self.table.c.holder],
                set_={
                    "token_hash": statement.excluded.token_hash,
                    "show_names": statement.excluded.show_names,
                    "issued_at": statement.excluded.issued_at,
                    "last_fetched_at": None,
                },
            )
        )
        return token

    async def choose_names(self, session: AsyncSession, holder: str, *, show_names: bool) -> bool:
        """Change whether the feed names people, keeping its address; False if none."""
        result = await session.execute(
            update(self.table)
            .where(self.table.c.holder == holder)
            .values(show_names=show_names)
            .returning(self.table.c.holder)
        )
        return result.first() is not None

    async def revoke(self, session: AsyncSession, holder: str) -> bool:
        """The holder's address stops working; False if they had none."""
        result = await session.execute(
            delete(self.table).where(self.table.c.holder == holder).returning(self.table.c.holder)
        )
        return result.first() is not None

    async def state(self, session: AsyncSession, holder: str) -> FeedState | None:
        row = (
            await session.execute(select(self.table).where(self.table.c.holder == holder))
        ).first()
        if row is None:
            return None
        return FeedState(row.show_names, row.issued_at, row.last_fetched_at)

    async def holder_of(self, session: AsyncSession, token: str) -> FeedHolder | None:
        """Whose feed `token` opens (noting the fetch), or None."""
        if not token or len(token) > 200:
            return None
        row = (
            await session.execute(
                update(self.table)
                .where(self.table.c.token_hash == token_hash(token))
                .values(last_fetched_at=clock.now())
                .returning(self.table.c.holder, self.table.c.show_names)
            )
        ).first()
        return None if row is None else FeedHolder(row.holder, row.show_names)


@dataclass(frozen=True)
class CalendarEvent:
    """One entry of a feed: a timed event (`starts_at`) or a whole day (`day`).

    `resource_type`/`resource_id` name the record it shows, for the audit trail.
    """

    uid: str
    summary: str
    resource_type: str
    resource_id: object
    starts_at: datetime | None = None
    duration: timedelta = timedelta(hours=1)
    day: date | None = None
    location: str | None = None
    description: str | None = None
    status: str = "CONFIRMED"

    def __post_init__(self) -> None:
        if (self.starts_at is None) == (self.day is None):
            raise ValueError("a calendar event has either a start time or a day")
        if self.starts_at is not None and self.starts_at.tzinfo is None:
            raise ValueError("a calendar event's start must be timezone-aware")


def render_calendar(name: str, events: Sequence[CalendarEvent], *, stamp: datetime) -> bytes:
    """The feed as an iCalendar document (times in UTC: every client converts them)."""
    # Imported here: only serving a feed needs icalendar, not every process at its start.
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp.astimezone(UTC))
        event.add("summary", item.summary)
        if item.starts_at is not None:
            start = item.starts_at.astimezone(UTC)
            event.add("dtstart", start)
            event.add("dtend", start + item.duration)
        elif item.day is not None:
            event.add("dtstart", item.day)
            event.add("dtend", item.day + timedelta(days=1))
            event.add("transp", "TRANSPARENT")  # a day to see to something, not busy
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        event.add("status", item.status)
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body


@dataclass(frozen=True)
class FeedContent:
    """What a service's loader gives for a holder: as whom it read, and the events.

    `reader` is the holder as the service knows them (roles and teams, e.g. from their
    last sign-in), so the loader applies the same scope their pages do.
    """

    reader: Principal
    events: Sequence[CalendarEvent] = field(default_factory=tuple)


# Returns None when the holder may not have a feed (any more): answered 404.
FeedLoader = Callable[[AsyncSession, FeedHolder], Awaitable[FeedContent | None]]


def feed_router(
    *,
    path: str,
    name: str,
    tokens: FeedTokens,
    audit: Auditor,
    calendar_name: str,
    load: FeedLoader,
) -> APIRouter:
    """A router serving `GET path` (which takes `{token}`) as the holder's feed.

    Public by declaration, since the token in the path is the credential.
    """
    router = APIRouter(dependencies=[public_endpoint()], include_in_schema=False)

    @router.get(path, name=name, response_class=Response)
    async def feed(token: str, session: DbSession) -> Response:
        holder = await tokens.holder_of(session, token)
        content = None if holder is None else await load(session, holder)
        if content is None:
            await session.rollback()
            raise NotFound("calendar feed")
        by_type: dict[str, list[object]] = {}
        for event in content.events:
            by_type.setdefault(event.resource_type, []).append(event.resource_id)
        for resource_type, ids in by_type.items():
            await audit(session, content.reader, "read", resource_type, ids)
        await session.commit()
        body = render_calendar(calendar_name, content.events, stamp=clock.now())
        return Response(
            body,
            media_type=ICS_MEDIA_TYPE,
            headers={
                "Cache-Control": "private, no-store",
                "Referrer-Policy": "no-referrer",
                "Content-Disposition": 'inline; filename="calendar.ics"',
            },
        )

    return router


def feed_address(request: Request, path: str, token: str, *, root: str = "") -> str:
    """A feed's full address to hand to a calendar client: `path` is the feed route's
    template with `{token}`, `root` where the service's app is mounted."""
    return f"{request.url.scheme}://{request.url.netloc}{root}{path.format(token=token)}"


@dataclass(frozen=True)
class CalendarFeeds:
    """A service's calendar feeds: its tokens, what a feed shows (`load`) and its audit.

    The use cases take the holder whose feed it is, checked by the caller (an offer the
    caller runs, the caller themselves); each change is audited as the caller's, on the
    holder, and committed.
    """

    tokens: FeedTokens
    calendar_name: str
    load: FeedLoader
    audit: Auditor
    path: str = FEED_PATH

    async def state(self, session: AsyncSession, holder: str) -> FeedState | None:
        found = await self.tokens.state(session, holder)
        await session.commit()
        return found

    async def issue(
        self, session: AsyncSession, principal: Principal, holder: str, *, show_names: bool
    ) -> str:
        """A new address of the holder's feed (an earlier one stops working), shown once."""
        token = await self.tokens.issue(session, holder, show_names=show_names)
        await self.audit(session, principal, "create", RESOURCE, [holder])
        await session.commit()
        return token

    async def choose_names(
        self, session: AsyncSession, principal: Principal, holder: str, *, show_names: bool
    ) -> bool:
        """Whether the feed names people, keeping its address; False if it has none."""
        changed = await self.tokens.choose_names(session, holder, show_names=show_names)
        if changed:
            await self.audit(session, principal, "update", RESOURCE, [holder])
        await session.commit()
        return changed

    async def revoke(self, session: AsyncSession, principal: Principal, holder: str) -> bool:
        """The holder's address stops working; False if there was none."""
        revoked = await self.tokens.revoke(session, holder)
        if revoked:
            await self.audit(session, principal, "delete", RESOURCE, [holder])
        await session.commit()
        return revoked

    def router(self) -> APIRouter:
        """The route serving the feeds at `path`, whose token is the credential."""
        return feed_router(
            path=self.path,
            name=FEED_ROUTE,
            tokens=self.tokens,
            audit=self.audit,
            calendar_name=self.calendar_name,
            load=self.load,
        )

    def address(self, request: Request, token: str, *, root: str | None = None) -> str:
        """The full address of the feed `token` opens; `root` where the service's app is
        mounted, by default that of the API answering `request`."""
        mounted = request.scope.get("root_path", "") if root is None else root
        return feed_address(request, self.path, token, root=mounted)


@dataclass(frozen=True)
class FeedAccess:
    """One holder's feed as the caller may handle it: the service's use cases, bound to
    the caller and the holder, that check the caller's scope when called.

    `issue` takes `show_names` where the holder chooses whether their feed names people.
    """

    issue: Callable[..., Awaitable[str]]
    stop: Callable[[], Awaitable[bool]]

    @classmethod
    def of(
        cls,
        issue: Callable[..., Awaitable[str]],
        stop: Callable[..., Awaitable[bool]],
        /,
        **arguments: Any,
    ) -> FeedAccess:
        """The use cases `issue` and `stop`, each called with `arguments` (the session,
        the caller, the holder's id, as the use cases name them)."""
        return cls(partial(issue, **arguments), partial(stop, **arguments))


class CalendarLinkOut(ResponseModel):
    url: str = Field(description="The feed's address; keep it secret, it is the key.")


def feed_link_routes(
    router: APIRouter,
    *,
    path: str,
    feeds: CalendarFeeds,
    access: Callable[..., Any],
    names: tuple[str, str],
    summaries: tuple[str, str],
    dependencies: Sequence[Dependency] = (),
) -> None:
    """Add to `router` the API's `POST path` (a new address of a holder's feed, shown this
    once) and `DELETE path` (stopping it), named `names` and described by `summaries`.

    `access` is a dependency giving the holder's `FeedAccess`: it takes the route's path
    parameters and the caller, as the service's own routes would.
    """

    async def issue(request: Request, feed: FeedAccess) -> CalendarLinkOut:
        return CalendarLinkOut(url=feeds.address(request, await feed.issue()))

    async def stop(feed: FeedAccess) -> None:
        await feed.stop()

    for endpoint in (issue, stop):
        depends_on(endpoint, "feed", access)

    router.add_api_route(
        path,
        issue,
        methods=["POST"],
        name=names[0],
        summary=summaries[0],
        dependencies=list(dependencies),
    )
    router.add_api_route(
        path,
        stop,
        methods=["DELETE"],
        name=names[1],
        summary=summaries[1],
        status_code=status.HTTP_204_NO_CONTENT,
        dependencies=list(dependencies),
    )


def depends_on(
    endpoint: Callable[..., Any], parameter: str, dependency: Callable[..., Any]
) -> None:
    """Let `endpoint`'s `parameter` be given by `dependency`, as `Annotated[..., Depends()]`
    would: a route made by a factory cannot name its factory's argument in its signature
    (FastAPI resolves annotations in the module, not in the factory)."""
    annotation = endpoint.__annotations__[parameter]
    if isinstance(annotation, str):
        annotation = endpoint.__globals__[annotation]
    endpoint.__annotations__[parameter] = Annotated[annotation, Depends(dependency)]
