"""Use cases of volunteers: one transaction each, the event staged in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, time
from typing import Any

from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from teilhabe import clock
from teilhabe.api.problems import Conflict, InvalidFields, NotFound, raise_refusal
from teilhabe.audit.auditor import Auditor
from teilhabe.auth import Principal
from teilhabe.clock import on_day
from teilhabe.events.households import HouseholdAssigned, HouseholdMembersChanged
from teilhabe.events.volunteers import (
    ClearanceReinspectionDue,
    MentorshipEnded,
    VolunteerKeyIssued,
    VolunteerMatched,
    VolunteerRegistered,
)
from teilhabe.messaging.outbox import Outbox
from teilhabe.queries import contains, count_and_page, like_literal
from teilhabe.sealing import encode_key, issue_key, seal
from teilhabe.timers import cancel, schedule

from volunteers import domain
from volunteers.dependencies import HOUSEHOLDS, MATCHES, VOLUNTEERS
from volunteers.models import (
    Household,
    Match,
    PoliceClearance,
    Volunteer,
    audit_log,
    messaging,
    subject_key,
)
from volunteers.schemas import (
    ClearanceIn,
    ClearanceOut,
    HouseholdBrief,
    HouseholdOut,
    MatchIn,
    MentorOut,
    SuggestionOut,
    VolunteerIn,
)

outbox = Outbox(messaging.outbox, source="/teilhabe/volunteers")
audit = Auditor(audit_log)
VOLUNTEER = "volunteer"
CLEARANCE = "police_clearance"
MATCH = "match"
HOUSEHOLD = "household"
# The purge runs on a timer, not on anyone's behalf; its deletions are audited under this.
PURGE_PRINCIPAL = Principal(subject="system:clearance-purge", roles=frozenset())
# Timers of a clearance (teilhabe.timers), keyed by volunteer: the reminder to inspect a
# new one, and the deletion §72a para. 5 SGB VIII demands.
CLEARANCE_REINSPECTION = "clearance_reinspection"
CLEARANCE_DELETION = "clearance_deletion"
# Reminders reach the office at the start of a working day; deletion at the day's start.
REMINDER_TIME = time(7, 0)


async def register(
    *, session: AsyncSession, principal: Principal, volunteer_in: VolunteerIn
) -> Volunteer:
    volunteer = Volunteer(
        id=uuid.uuid4(), registered_by=principal.subject, **volunteer_in.model_dump(mode="json")
    )
    session.add(volunteer)
    try:
        await session.flush()
    except IntegrityError as error:
        taken = "subject" if "uq_volunteer_subject" in str(error.orig) else "email"
        raise Conflict(
            f"a volunteer with this {taken} is already registered", code="duplicate-volunteer"
        ) from error
    # Contact and matching facts only: the clearance never leaves this service. Name and
    # address are sealed with the volunteer's key, which goes first to the readers.
    key = await issue_key(session, subject_key, volunteer.id)
    await outbox.add(session, VolunteerKeyIssued(volunteer_id=volunteer.id, key=encode_key(key)))
    await outbox.add(
        session,
        VolunteerRegistered(
            volunteer_id=volunteer.id,
            display_name=seal(key, volunteer.id, volunteer.display_name),
            email=seal(key, volunteer.id, volunteer.email),
            preferred_language=volunteer.preferred_language,
            languages=tuple(volunteer.languages),
            skills=tuple(volunteer.skills),
            account_subject=volunteer.subject,
        ),
    )
    await audit(session, principal, "create", VOLUNTEER, [volunteer.id])
    await session.commit()
    return volunteer


async def get_all(
    *,
    session: AsyncSession,
    principal: Principal,
    language: str | None,
    skill: str | None,
    limit: int,
    offset: int,
    action: str = "list",
) -> tuple[list[Volunteer], int]:
    """Volunteers by name, filtered; audited as `action` ("export" for a download)."""
    query: Select[Any] = VOLUNTEERS.select(principal)
    if language:
        query = query.where(Volunteer.languages.contains([language]))
    if skill:
        tag = func.unnest(Volunteer.skills).column_valued("tag")
        query = query.where(exists(select(tag).where(tag.ilike(contains(skill)))))
    volunteers, total = await count_and_page(
        session,
        query,
        order_by=(Volunteer.display_name, Volunteer.id),
        limit=limit,
        offset=offset,
    )
    await audit(session, principal, action, VOLUNTEER, [v.id for v in volunteers])
    await session.commit()
    return volunteers, total


async def get(*, session: AsyncSession, principal: Principal, volunteer_id: uuid.UUID) -> Volunteer:
    volunteer = await VOLUNTEERS.get(session, principal, volunteer_id)
    await audit(session, principal, "read", VOLUNTEER, [volunteer.id])
    await session.commit()
    return volunteer


async def get_own(*, session: AsyncSession, principal: Principal) -> Volunteer:
    volunteer = await session.scalar(
        select(Volunteer).where(Volunteer.subject == principal.subject)
    )
    if volunteer is None:
        raise NotFound("volunteer record of this account")
    await audit(session, principal, "read", VOLUNTEER, [volunteer.id])
    await session.commit()
    return volunteer


async def record_clearance(
    *,
    session: AsyncSession,
    principal: Principal,
    volunteer_id: uuid.UUID,
    clearance_in: ClearanceIn,
    today: date,
    rules: domain.ClearanceRules,
) -> ClearanceOut:
    """Record an inspected clearance, replacing an earlier one (a re-inspection)."""
    await VOLUNTEERS.get(session, principal, volunteer_id, for_update=True)
    problems = domain.clearance_problems(
        inspected_on=clearance_in.inspected_on, issued_on=clearance_in.issued_on, today=today
    )
    if problems:
        raise InvalidFields(problems)
    clearance = await session.get(PoliceClearance, volunteer_id, with_for_update=True)
    if clearance is None:
        clearance = PoliceClearance(volunteer_id=volunteer_id)
        session.add(clearance)
    clearance.inspected_on = clearance_in.inspected_on
    clearance.issued_on = clearance_in.issued_on
    clearance.relevant_conviction = clearance_in.relevant_conviction
    clearance.delete_after = domain.clearance_delete_after(
        inspected_on=clearance.inspected_on,
        mentorships=await _mentorships(session, volunteer_id),
        take_up_months=rules.take_up_months,
    )
    await _schedule_reinspection(session, clearance, rules)
    await _schedule_deletion(session, clearance)
    await audit(session, principal, "record", CLEARANCE, [volunteer_id])
    await session.commit()
    return _clearance_out(clearance, today, rules)


async def get_clearance(
    *,
    session: AsyncSession,
    principal: Principal,
    volunteer_id: uuid.UUID,
    today: date,
    rules: domain.ClearanceRules,
) -> ClearanceOut:
    await VOLUNTEERS.get(session, principal, volunteer_id)
    clearance = await session.get(PoliceClearance, volunteer_id)
    if clearance is None:
        raise NotFound("police clearance")
    await audit(session, principal, "read", CLEARANCE, [volunteer_id])
    await session.commit()
    return _clearance_out(clearance, today, rules)


async def delete_clearance(
    *, session: AsyncSession, principal: Principal, volunteer_id: uuid.UUID
) -> None:
    """Delete at once, e.g. when the volunteer does not take up the activity after all."""
    await VOLUNTEERS.get(session, principal, volunteer_id)
    deleted = await session.scalar(
        delete(PoliceClearance)
        .where(PoliceClearance.volunteer_id == volunteer_id)
        .returning(PoliceClearance.volunteer_id)
    )
    if deleted is None:
        raise NotFound("police clearance")
    await _cancel_clearance_timers(session, [volunteer_id])
    await audit(session, principal, "delete", CLEARANCE, [volunteer_id])
    await session.commit()


async def purge_expired_clearances(*, session: AsyncSession, today: date) -> int:
    """Delete every clearance whose deletion day has come; returns how many went."""
    purged = list(
        await session.scalars(
            delete(PoliceClearance)
            .where(PoliceClearance.delete_after <= today)
            .returning(PoliceClearance.volunteer_id)
        )
    )
    await _cancel_clearance_timers(session, purged)
    await audit(session, PURGE_PRINCIPAL, "purge", CLEARANCE, purged)
    await session.commit()
    return len(purged)


async def delete_clearance_when_due(
    *, session: AsyncSession, volunteer_id: uuid.UUID, today: date
) -> bool:
    """The deletion timer fired: delete the clearance if its deletion day has come.

    Runs in the timer worker's transaction; returns whether a record was deleted.
    """
    clearance = await session.get(PoliceClearance, volunteer_id, with_for_update=True)
    if clearance is None or domain.is_retained(clearance.delete_after, today=today):
        return False  # gone already, or kept longer since: that rescheduled the timer
    await session.delete(clearance)
    await cancel(session, CLEARANCE_REINSPECTION, str(volunteer_id))
    await audit(session, PURGE_PRINCIPAL, "purge", CLEARANCE, [volunteer_id])
    return True


async def remind_clearance_reinspection(
    *, session: AsyncSession, volunteer_id: uuid.UUID, due_on: date, rules: domain.ClearanceRules
) -> None:
    """The reminder's timer fired: tell the coordinators, unless the clearance changed."""
    clearance = await session.get(PoliceClearance, volunteer_id)
    if clearance is None:
        return
    expires_on = domain.clearance_expires_on(
        clearance.issued_on, validity_years=rules.validity_years
    )
    if expires_on != due_on or clearance.relevant_conviction:
        return  # a re-inspection since scheduled a reminder of its own
    await outbox.add(session, ClearanceReinspectionDue(volunteer_id=volunteer_id, due_on=due_on))


async def _schedule_reinspection(
    session: AsyncSession, clearance: PoliceClearance, rules: domain.ClearanceRules
) -> None:
    facts = domain.Clearance(
        clearance.inspected_on, clearance.issued_on, clearance.relevant_conviction
    )
    remind_on = domain.reinspection_reminder_on(
        facts,
        validity_years=rules.validity_years,
        lead_days=rules.reminder_days,
    )
    key = str(clearance.volunteer_id)
    if remind_on is None:
        await cancel(session, CLEARANCE_REINSPECTION, key)
        return
    due_on = domain.clearance_expires_on(clearance.issued_on, validity_years=rules.validity_years)
    await schedule(
        session,
        CLEARANCE_REINSPECTION,
        key,
        on_day(remind_on, REMINDER_TIME),
        {"due_on": due_on.isoformat()},
    )


async def _schedule_deletion(session: AsyncSession, clearance: PoliceClearance) -> None:
    """Deleted at the start of its deletion day; no timer while the activity runs."""
    key = str(clearance.volunteer_id)
    if clearance.delete_after is None:
        await cancel(session, CLEARANCE_DELETION, key)
    else:
        await schedule(session, CLEARANCE_DELETION, key, on_day(clearance.delete_after))


async def _cancel_clearance_timers(session: AsyncSession, volunteer_ids: Sequence[object]) -> None:
    keys = [str(volunteer_id) for volunteer_id in volunteer_ids]
    await cancel(session, CLEARANCE_REINSPECTION, *keys)
    await cancel(session, CLEARANCE_DELETION, *keys)


async def match(
    *,
    session: AsyncSession,
    principal: Principal,
    match_in: MatchIn,
    today: date,
    rules: domain.ClearanceRules,
) -> Match:
    # Lock order everywhere: volunteer, then clearance, then match. Holding the
    # clearance row keeps a purge or a deletion from removing it under a new match.
    volunteer = await session.scalar(
        VOLUNTEERS.select(principal)
        .where(Volunteer.id == match_in.volunteer_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if volunteer is None:
        raise InvalidFields({"volunteer_id": "no volunteer with this id"})
    household = await session.scalar(
        HOUSEHOLDS.select(principal).where(Household.household_id == match_in.household_id)
    )
    if household is None:
        raise InvalidFields(
            {
                "household_id": "no household with this id is known here yet: households arrive"
                " with intake's household.assigned event, which may not have been received"
                " yet; try again shortly, or check the id"
            }
        )
    clearance = await session.get(PoliceClearance, volunteer.id, with_for_update=True)
    already_matched = await session.scalar(
        select(
            exists().where(
                Match.volunteer_id == volunteer.id,
                Match.household_id == household.household_id,
                Match.ended_on.is_(None),
            )
        )
    )
    refusal = domain.match_refusal(
        household_has_minors=household.has_minors,
        clearance=usable_clearance(clearance, today),
        started_on=match_in.started_on,
        today=today,
        validity_years=rules.validity_years,
        already_matched=bool(already_matched),
    )
    if refusal is not None:
        raise_refusal(refusal)
    new_match = Match(
        id=uuid.uuid4(),
        volunteer_id=volunteer.id,
        household_id=household.household_id,
        started_on=match_in.started_on,
        matched_by=principal.subject,
    )
    session.add(new_match)
    await session.flush()
    await _renew_deletion_day(session, clearance, rules)
    await outbox.add(
        session,
        VolunteerMatched(
            match_id=new_match.id,
            volunteer_id=volunteer.id,
            household_id=household.household_id,
            matched_on=new_match.started_on,
        ),
    )
    await audit(session, principal, "create", MATCH, [new_match.id])
    await session.commit()
    return new_match


async def end_match(
    *,
    session: AsyncSession,
    principal: Principal,
    match_id: uuid.UUID,
    ended_on: date,
    rules: domain.ClearanceRules,
) -> Match:
    volunteer_id = (await MATCHES.get(session, principal, match_id)).volunteer_id
    await session.get(Volunteer, volunteer_id, with_for_update=True)
    clearance = await session.get(PoliceClearance, volunteer_id, with_for_update=True)
    ending = await session.get(Match, match_id, with_for_update=True)
    assert ending is not None  # a match goes only with its volunteer, locked above
    refusal = domain.end_match_problem(
        started_on=ending.started_on, ended_on=ended_on, already_ended=ending.ended_on is not None
    )
    if refusal is not None:
        raise_refusal(refusal)
    ending.ended_on = ended_on
    await session.flush()
    await _renew_deletion_day(session, clearance, rules)
    # Notifications stops addressing the former mentor about the household.
    await outbox.add(
        session,
        MentorshipEnded(
            match_id=ending.id,
            volunteer_id=ending.volunteer_id,
            household_id=ending.household_id,
            matched_on=ending.started_on,
            ended_on=ended_on,
        ),
    )
    await audit(session, principal, "end", MATCH, [ending.id])
    await session.commit()
    return ending


async def get_matches(
    *,
    session: AsyncSession,
    principal: Principal,
    volunteer_id: uuid.UUID | None,
    household_id: uuid.UUID | None,
    running_only: bool,
) -> list[Match]:
    query = MATCHES.select(principal).order_by(Match.started_on.desc(), Match.id)
    if volunteer_id is not None:
        query = query.where(Match.volunteer_id == volunteer_id)
    if household_id is not None:
        query = query.where(Match.household_id == household_id)
    if running_only:
        query = query.where(Match.ended_on.is_(None))
    matches = list(await session.scalars(query))
    await audit(session, principal, "list", MATCH, [m.id for m in matches])
    await session.commit()
    return matches


async def get_volunteer_matches(
    *, session: AsyncSession, principal: Principal, volunteer_id: uuid.UUID | None
) -> list[Match]:
    """One volunteer's matches (None: the caller's own), if the principal may see them."""
    if volunteer_id is None:
        own = select(Volunteer).where(Volunteer.subject == principal.subject)
        volunteer = await session.scalar(own)
        if volunteer is None:
            raise NotFound("volunteer")
    else:
        volunteer = await VOLUNTEERS.get(session, principal, volunteer_id)
    matches = list(
        await session.scalars(
            MATCHES.select(principal)
            .where(Match.volunteer_id == volunteer.id)
            .order_by(Match.started_on.desc(), Match.id)
        )
    )
    await audit(session, principal, "list", MATCH, [m.id for m in matches])
    await session.commit()
    return matches


async def suggest_mentors(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    today: date,
    limit: int,
    rules: domain.ClearanceRules,
    postcode: str | None = None,
) -> list[SuggestionOut]:
    """Volunteers who may mentor the household, best first (domain.rank_mentors); the
    household's `postcode`, if staff give it, ranks those living nearby higher."""
    household = await HOUSEHOLDS.get(session, principal, household_id)
    running = select(Match.volunteer_id).where(
        Match.household_id == household_id, Match.ended_on.is_(None)
    )
    load = (
        select(func.count())
        .where(Match.volunteer_id == Volunteer.id, Match.ended_on.is_(None))
        .scalar_subquery()
    )
    query = (
        select(Volunteer, load, PoliceClearance)
        .outerjoin(PoliceClearance, PoliceClearance.volunteer_id == Volunteer.id)
        .where(Volunteer.id.not_in(running))
    )
    if household.languages:
        query = query.where(Volunteer.languages.overlap(household.languages))
    prospects = [
        domain.MentorProspect(
            volunteer_id=volunteer.id,
            display_name=volunteer.display_name,
            languages=tuple(volunteer.languages),
            postcode=volunteer.postcode,
            available_weekdays=tuple(volunteer.available_weekdays),
            running_mentorships=int(mentorships),
            clearance=usable_clearance(clearance, today),
        )
        for volunteer, mentorships, clearance in await session.execute(query)
    ]
    chosen = domain.rank_mentors(
        prospects,
        household_languages=household.languages,
        household_postcode=postcode,
        household_has_minors=household.has_minors,
        today=today,
        validity_years=rules.validity_years,
    )[:limit]
    await audit(session, principal, "suggest", VOLUNTEER, [c.prospect.volunteer_id for c in chosen])
    await session.commit()
    return [
        SuggestionOut(
            volunteer_id=c.prospect.volunteer_id,
            display_name=c.prospect.display_name,
            languages=list(c.prospect.languages),
            shared_languages=list(c.shared_languages),
            distance=c.distance,
            available_weekdays=[domain.Weekday(d) for d in c.prospect.available_weekdays],
            running_mentorships=c.prospect.running_mentorships,
        )
        for c in chosen
    ]


async def spoken_languages(*, session: AsyncSession) -> list[str]:
    """Every language some registered volunteer speaks (codes, no one's record)."""
    code = func.unnest(Volunteer.languages).label("code")
    return sorted(set(await session.scalars(select(code).distinct())))


async def get_households(
    *,
    session: AsyncSession,
    principal: Principal,
    notice_number: str | None,
    limit: int,
    offset: int,
    rules: domain.ClearanceRules,
) -> tuple[list[HouseholdOut], int]:
    """Households known here, newest first, with their current mentors."""
    query: Select[Any] = HOUSEHOLDS.select(principal)
    if notice_number:
        query = query.where(Household.allocation_notice_number.ilike(contains(notice_number)))
    households, total = await count_and_page(
        session,
        query,
        order_by=(Household.received_at.desc(), Household.household_id),
        limit=limit,
        offset=offset,
    )
    found = await _with_mentors(session, households, rules)
    await audit(session, principal, "list", HOUSEHOLD, [h.household_id for h in households])
    await session.commit()
    return found, total


async def get_household(
    *,
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    rules: domain.ClearanceRules,
) -> HouseholdOut:
    household = await HOUSEHOLDS.get(session, principal, household_id)
    [found] = await _with_mentors(session, [household], rules)
    await audit(session, principal, "read", HOUSEHOLD, [household_id])
    await session.commit()
    return found


async def find_household(
    *,
    session: AsyncSession,
    principal: Principal,
    allocation_notice_number: str,
    rules: domain.ClearanceRules,
) -> HouseholdOut | None:
    """The household with this notice number, as typed or in other letter case."""
    # The exact number first (the index finds it), then as staff may have typed it.
    household = await session.scalar(
        HOUSEHOLDS.select(principal).where(
            Household.allocation_notice_number == allocation_notice_number
        )
    ) or await session.scalar(
        HOUSEHOLDS.select(principal)
        .where(Household.allocation_notice_number.ilike(like_literal(allocation_notice_number)))
        .order_by(Household.received_at.desc())
        .limit(1)
    )
    if household is None:
        return None
    [found] = await _with_mentors(session, [household], rules)
    await audit(session, principal, "read", HOUSEHOLD, [household.household_id])
    await session.commit()
    return found


async def get_household_briefs(
    *, session: AsyncSession, principal: Principal, household_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, HouseholdBrief]:
    """Household id → what a mentorship needs of it (notice number, minors, languages);
    a volunteer gets only the households they mentor now. Audited."""
    query = HOUSEHOLDS.select(principal).where(Household.household_id.in_(household_ids))
    briefs = {
        household.household_id: HouseholdBrief.model_validate(household)
        for household in await session.scalars(query)
    }
    await audit(session, principal, "read", HOUSEHOLD, list(briefs))
    await session.commit()
    return briefs


async def remember_households(
    *, session: AsyncSession, events: Sequence[HouseholdAssigned]
) -> None:
    """Keep what matching needs of newly allocated households (once, whatever the redelivery)."""
    if not events:
        return
    # executemany form: one cached statement whatever the number of events.
    await session.execute(
        insert(Household).on_conflict_do_nothing(index_elements=["household_id"]),
        [
            {
                "household_id": event.household_id,
                "allocation_notice_number": event.allocation_notice_number,
                "has_minors": event.minor_count > 0,
                "languages": sorted({code for m in event.members for code in m.languages}),
            }
            for event in events
        ],
    )


async def record_member_changes(
    *, session: AsyncSession, events: Sequence[HouseholdMembersChanged]
) -> None:
    """A household's members changed in intake: whether it has minors now, its languages.
    A change older than the one applied is ignored, whatever the order of arrival."""
    for event in events:
        await session.execute(
            update(Household)
            .where(
                Household.household_id == event.household_id,
                Household.members_revision < event.revision,
            )
            .values(
                has_minors=event.minor_count > 0,
                languages=sorted({code for m in event.members for code in m.languages}),
                members_revision=event.revision,
            )
        )
        if await session.get(Household, event.household_id) is None:
            # The allocation is still on its way (retries may reorder): try again later.
            raise LookupError(f"household {event.household_id} not known yet")


async def _with_mentors(
    session: AsyncSession, households: Sequence[Household], rules: domain.ClearanceRules
) -> list[HouseholdOut]:
    """The households with the volunteers whose mentorship of them runs now."""
    mentors: dict[uuid.UUID, list[MentorOut]] = {h.household_id: [] for h in households}
    if mentors:
        with_minors = {h.household_id for h in households if h.has_minors}
        on = clock.today()
        rows = await session.execute(
            select(
                Match.household_id,
                Match.id,
                Match.volunteer_id,
                Volunteer.display_name,
                Match.started_on,
                PoliceClearance,
            )
            .join(Volunteer, Volunteer.id == Match.volunteer_id)
            .outerjoin(PoliceClearance, PoliceClearance.volunteer_id == Match.volunteer_id)
            .where(Match.household_id.in_(list(mentors)), Match.ended_on.is_(None))
            .order_by(Match.started_on, Volunteer.display_name)
        )
        for household_id, match_id, volunteer_id, name, started_on, clearance in rows:
            mentors[household_id].append(
                MentorOut(
                    match_id=match_id,
                    volunteer_id=volunteer_id,
                    display_name=name,
                    started_on=started_on,
                    # A household with minors (a birth, a reunited child) needs a mentor
                    # cleared for minors (§72a SGB VIII): one without is flagged.
                    needs_clearance=domain.mentor_needs_clearance(
                        household_has_minors=household_id in with_minors,
                        clearance=usable_clearance(clearance, on),
                        on=on,
                        rules=rules,
                    ),
                )
            )
    return [
        HouseholdOut(
            household_id=h.household_id,
            allocation_notice_number=h.allocation_notice_number,
            has_minors=h.has_minors,
            languages=list(h.languages),
            mentors=mentors[h.household_id],
        )
        for h in households
    ]


async def _mentorships(session: AsyncSession, volunteer_id: uuid.UUID) -> list[domain.Mentorship]:
    rows = await session.execute(
        select(Match.started_on, Match.ended_on).where(Match.volunteer_id == volunteer_id)
    )
    return [domain.Mentorship(started_on, ended_on) for started_on, ended_on in rows]


async def _renew_deletion_day(
    session: AsyncSession, clearance: PoliceClearance | None, rules: domain.ClearanceRules
) -> None:
    """Reset the clearance's deletion day after the volunteer's mentorships changed."""
    if clearance is None:
        return
    clearance.delete_after = domain.clearance_delete_after(
        inspected_on=clearance.inspected_on,
        mentorships=await _mentorships(session, clearance.volunteer_id),
        take_up_months=rules.take_up_months,
    )
    await _schedule_deletion(session, clearance)


def usable_clearance(clearance: PoliceClearance | None, today: date) -> domain.Clearance | None:
    """The stored clearance as the rules see it (domain.visible_clearance)."""
    if clearance is None:
        return None
    return domain.visible_clearance(
        domain.Clearance(
            inspected_on=clearance.inspected_on,
            issued_on=clearance.issued_on,
            relevant_conviction=clearance.relevant_conviction,
        ),
        delete_after=clearance.delete_after,
        today=today,
    )


def _clearance_out(
    clearance: PoliceClearance, today: date, rules: domain.ClearanceRules
) -> ClearanceOut:
    return ClearanceOut(
        volunteer_id=clearance.volunteer_id,
        inspected_on=clearance.inspected_on,
        issued_on=clearance.issued_on,
        relevant_conviction=clearance.relevant_conviction,
        expires_on=domain.clearance_expires_on(
            clearance.issued_on, validity_years=rules.validity_years
        ),
        may_work_with_minors=domain.may_work_with_minors(
            usable_clearance(clearance, today), on=today, validity_years=rules.validity_years
        ),
        delete_after=clearance.delete_after,
    )
