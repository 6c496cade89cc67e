"""HTTP API of intake: thin, every rule lives in domain.py and service.py."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status
from teilhabe.api.dependencies import DbSession
from teilhabe.api.schemas import Limit, Offset, Page
from teilhabe.clock import today
from teilhabe.scope import applies_scope

from intake import (
    appointments,
    casenotes,
    closure,
    consents,
    followups,
    members,
    obligations,
    referrals,
    service,
)
from intake.config import get_settings
from intake.dependencies import CONSENTS, HOUSEHOLDS, TEAM_HOUSEHOLDS, SocialCareStaff
from intake.domain import Due, MemberChangeReason
from intake.schemas import (
    AddendumIn,
    AddendumOut,
    AllocationIn,
    AllocationListIn,
    AppointmentIn,
    AppointmentOut,
    CaseworkerIn,
    ClosureIn,
    ConsentIn,
    ConsentOut,
    DueFollowUpOut,
    DueList,
    FollowUpIn,
    FollowUpOut,
    HouseholdOut,
    HouseholdSummary,
    ImportResult,
    MemberAddIn,
    MemberChangeOut,
    MemberCorrectionIn,
    NoteChangeIn,
    NoteIn,
    NoteOut,
    ObligationIn,
    ObligationLiftIn,
    ObligationOut,
    ReferralIn,
    ReferralOut,
    ReferralStateIn,
    ResidenceStatusIn,
    ResidenceStatusRecordOut,
    RevocationIn,
)

router = APIRouter(prefix="/households", tags=["households"])
follow_ups_router = APIRouter(prefix="/follow-ups", tags=["follow-ups"])


@router.post("", status_code=status.HTTP_201_CREATED, summary="Register an allocated household")
async def register_household(
    allocation: AllocationIn, session: DbSession, principal: SocialCareStaff
) -> HouseholdOut:
    household = await service.register(
        session=session, principal=principal, allocation=allocation, today=today()
    )
    return HouseholdOut.model_validate(household)


@router.post(
    "/import",
    status_code=status.HTTP_201_CREATED,
    summary="Register an allocation list in one go (all or none)",
)
async def import_allocations(
    allocation_list: AllocationListIn, session: DbSession, principal: SocialCareStaff
) -> ImportResult:
    households = await service.register_many(
        session=session,
        principal=principal,
        allocations=allocation_list.allocations,
        today=today(),
    )
    return ImportResult(imported=len(households), household_ids=[h.id for h in households])


@router.get("", summary="List households")
async def list_households(
    session: DbSession,
    principal: SocialCareStaff,
    q: Annotated[str | None, Query(max_length=100, description="Name or notice number")] = None,
    caseworker_id: str | None = None,
    housing_status: Annotated[str | None, Query(pattern="^(awaiting|housed|moved_out)$")] = None,
    allocated_from: date | None = None,
    allocated_to: date | None = None,
    arriving_from: Annotated[date | None, Query(description="Expected arrival from")] = None,
    arriving_to: Annotated[date | None, Query(description="Expected arrival until")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[HouseholdSummary]:
    households, total = await service.get_all(
        session=session,
        principal=principal,
        filters=service.HouseholdFilter(
            search=q,
            caseworker_id=caseworker_id,
            housing_status=housing_status,
            allocated_from=allocated_from,
            allocated_to=allocated_to,
            arriving_from=arriving_from,
            arriving_to=arriving_to,
        ),
        limit=limit,
        offset=offset,
    )
    items = [
        HouseholdSummary(
            id=h.id,
            allocation_notice_number=h.allocation_notice_number,
            allocated_on=h.allocated_on,
            expected_arrival_on=h.expected_arrival_on,
            team=h.team,
            caseworker_id=h.caseworker_id,
            housing_status=h.housing_status,
            member_count=len(h.members),
            head_of_household=f"{h.members[0].family_name}, {h.members[0].given_name}",
        )
        for h in households
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{household_id}",
    summary="Read a household with its members",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def read_household(
    household_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> HouseholdOut:
    household = await service.get(session=session, principal=principal, household_id=household_id)
    return HouseholdOut.model_validate(household)


@router.put(
    "/{household_id}/caseworker",
    summary="Assign the household's caseworker",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def assign_caseworker(
    household_id: uuid.UUID, body: CaseworkerIn, session: DbSession, principal: SocialCareStaff
) -> HouseholdOut:
    household = await service.assign_caseworker(
        session=session,
        principal=principal,
        household_id=household_id,
        caseworker_id=body.caseworker_id,
    )
    return HouseholdOut.model_validate(household)


# --- the household over time ------------------------------------------------------------


@router.post(
    "/{household_id}/members",
    status_code=status.HTTP_201_CREATED,
    summary="Add a member (a birth, a reunited relative)",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def add_member(
    household_id: uuid.UUID, body: MemberAddIn, session: DbSession, principal: SocialCareStaff
) -> HouseholdOut:
    household = await members.add_member(
        session=session, principal=principal, household_id=household_id, member=body, today=today()
    )
    return HouseholdOut.model_validate(household)


@router.patch(
    "/{household_id}/members/{member_id}",
    summary="Correct a member's facts",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def correct_member(
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    body: MemberCorrectionIn,
    session: DbSession,
    principal: SocialCareStaff,
) -> HouseholdOut:
    household = await members.correct_member(
        session=session,
        principal=principal,
        household_id=household_id,
        member_id=member_id,
        correction=body,
        today=today(),
    )
    return HouseholdOut.model_validate(household)


@router.delete(
    "/{household_id}/members/{member_id}",
    summary="Remove a member (moved out, deceased, registered in error)",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def remove_member(
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    reason: MemberChangeReason,
    session: DbSession,
    principal: SocialCareStaff,
) -> HouseholdOut:
    household = await members.remove_member(
        session=session,
        principal=principal,
        household_id=household_id,
        member_id=member_id,
        reason=reason,
        today=today(),
    )
    return HouseholdOut.model_validate(household)


@router.get(
    "/{household_id}/member-changes",
    summary="How the household's members changed since registration",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def list_member_changes(
    household_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> list[MemberChangeOut]:
    changes = await members.member_changes(
        session=session, principal=principal, household_id=household_id
    )
    return [MemberChangeOut.model_validate(change) for change in changes]


@router.post(
    "/{household_id}/members/{member_id}/residence-statuses",
    status_code=status.HTTP_201_CREATED,
    summary="Record a member's new residence status",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def change_residence_status(
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    body: ResidenceStatusIn,
    session: DbSession,
    principal: SocialCareStaff,
) -> ResidenceStatusRecordOut:
    record = await members.change_residence_status(
        session=session,
        principal=principal,
        household_id=household_id,
        member_id=member_id,
        change=body,
        today=today(),
    )
    return ResidenceStatusRecordOut.model_validate(record)


@router.get(
    "/{household_id}/members/{member_id}/residence-statuses",
    summary="A member's residence status history, oldest first",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def residence_status_history(
    household_id: uuid.UUID, member_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> list[ResidenceStatusRecordOut]:
    history = await members.residence_history(
        session=session, principal=principal, household_id=household_id, member_id=member_id
    )
    return [ResidenceStatusRecordOut.model_validate(record) for record in history]


@router.put(
    "/{household_id}/members/{member_id}/residence-obligation",
    summary="Record a member's residence obligation (Wohnsitzauflage, § 12a AufenthG)",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def record_residence_obligation(
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    body: ObligationIn,
    session: DbSession,
    principal: SocialCareStaff,
) -> ObligationOut:
    recorded = await obligations.record(
        session=session,
        principal=principal,
        household_id=household_id,
        member_id=member_id,
        obligation_in=body,
        today=today(),
    )
    return ObligationOut.model_validate(recorded)


@router.post(
    "/{household_id}/members/{member_id}/residence-obligation/lifting",
    summary="Record that a member's residence obligation ended early, and why",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def lift_residence_obligation(
    household_id: uuid.UUID,
    member_id: uuid.UUID,
    body: ObligationLiftIn,
    session: DbSession,
    principal: SocialCareStaff,
) -> ObligationOut:
    lifted = await obligations.lift(
        session=session,
        principal=principal,
        household_id=household_id,
        member_id=member_id,
        lift_in=body,
        today=today(),
    )
    return ObligationOut.model_validate(lifted)


@router.get(
    "/{household_id}/residence-obligations",
    summary="The residence obligations of the household's members",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def list_residence_obligations(
    household_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> list[ObligationOut]:
    _, found = await obligations.of_household(
        session=session, principal=principal, household_id=household_id
    )
    return [ObligationOut.model_validate(o) for o in found]


@router.post(
    "/{household_id}/referrals",
    status_code=status.HTTP_201_CREATED,
    summary="Refer a member to a partner agency or service, with a purpose",
    tags=["referrals"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def refer(
    household_id: uuid.UUID, body: ReferralIn, session: DbSession, principal: SocialCareStaff
) -> ReferralOut:
    referral = await referrals.refer(
        session=session,
        principal=principal,
        household_id=household_id,
        referral_in=body,
        today=today(),
        agencies=get_settings().consent_agencies,
    )
    return ReferralOut.model_validate(referral)


@router.get(
    "/{household_id}/referrals",
    summary="The household's referrals, newest first",
    tags=["referrals"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def list_referrals(
    household_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> list[ReferralOut]:
    _, found = await referrals.of_household(
        session=session, principal=principal, household_id=household_id
    )
    return [ReferralOut.model_validate(r) for r in found]


@router.post(
    "/{household_id}/referrals/{referral_id}/state",
    summary="Record that a referral was accepted, done or declined",
    tags=["referrals"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def change_referral_state(
    household_id: uuid.UUID,
    referral_id: uuid.UUID,
    body: ReferralStateIn,
    session: DbSession,
    principal: SocialCareStaff,
) -> ReferralOut:
    referral = await referrals.change_state(
        session=session,
        principal=principal,
        household_id=household_id,
        referral_id=referral_id,
        state_in=body,
        today=today(),
    )
    return ReferralOut.model_validate(referral)


@router.post(
    "/{household_id}/closure",
    summary="Close the household's case: moved away, naturalised or otherwise ended",
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def close_case(
    household_id: uuid.UUID, body: ClosureIn, session: DbSession, principal: SocialCareStaff
) -> HouseholdOut:
    closed = await closure.close(
        session=session,
        principal=principal,
        household_id=household_id,
        closure_in=body,
        today=today(),
    )
    return HouseholdOut.model_validate(closed)


@router.get(
    "/{household_id}/consents",
    summary="What the household's members agreed to share with which agency",
    tags=["consent"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def list_consents(
    household_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> list[ConsentOut]:
    found = await consents.list_consents(
        session=session, principal=principal, household_id=household_id
    )
    return [ConsentOut.model_validate(consent) for consent in found]


@router.post(
    "/{household_id}/consents",
    status_code=status.HTTP_201_CREATED,
    summary="Record a member's consent to share with an agency for a purpose",
    tags=["consent"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def grant_consent(
    household_id: uuid.UUID, body: ConsentIn, session: DbSession, principal: SocialCareStaff
) -> ConsentOut:
    consent = await consents.grant(
        session=session,
        principal=principal,
        household_id=household_id,
        consent=body,
        today=today(),
        agencies=get_settings().consent_agencies,
    )
    return ConsentOut.model_validate(consent)


@router.post(
    "/{household_id}/consents/{consent_id}/revocation",
    summary="Revoke a consent: nothing more about the person reaches the agency for it",
    tags=["consent"],
    dependencies=[applies_scope(CONSENTS)],
)
async def revoke_consent(
    household_id: uuid.UUID,
    consent_id: uuid.UUID,
    body: RevocationIn,
    session: DbSession,
    principal: SocialCareStaff,
) -> ConsentOut:
    consent = await consents.revoke(
        session=session,
        principal=principal,
        household_id=household_id,
        consent_id=consent_id,
        revoked_on=body.revoked_on,
        today=today(),
    )
    return ConsentOut.model_validate(consent)


# --- case notes (the household's own team only) -----------------------------------------


def _note_out(note: casenotes.Note) -> NoteOut:
    out = NoteOut.model_validate(note.note)
    out.addenda = [AddendumOut.model_validate(a) for a in note.addenda]
    return out


@router.post(
    "/{household_id}/notes",
    status_code=status.HTTP_201_CREATED,
    summary="Write a case note (seen by the household's team only)",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def write_note(
    household_id: uuid.UUID, body: NoteIn, session: DbSession, principal: SocialCareStaff
) -> NoteOut:
    note = await casenotes.write_note(
        session=session,
        principal=principal,
        household_id=household_id,
        note_in=body,
        today=today(),
    )
    return _note_out(casenotes.Note(note))


@router.get(
    "/{household_id}/notes",
    summary="The household's case notes, newest first, with their addenda",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def list_notes(
    household_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> list[NoteOut]:
    _, notes = await casenotes.notes_of(
        session=session, principal=principal, household_id=household_id
    )
    return [_note_out(note) for note in notes]


@router.patch(
    "/{household_id}/notes/{note_id}",
    summary="Change a case note (its author, for a short while after writing it)",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def change_note(
    household_id: uuid.UUID,
    note_id: uuid.UUID,
    body: NoteChangeIn,
    session: DbSession,
    principal: SocialCareStaff,
) -> NoteOut:
    note = await casenotes.change_note(
        session=session,
        principal=principal,
        household_id=household_id,
        note_id=note_id,
        change=body,
        today=today(),
    )
    return _note_out(casenotes.Note(note))


@router.post(
    "/{household_id}/notes/{note_id}/addenda",
    status_code=status.HTTP_201_CREATED,
    summary="Add to a case note that stands as written",
    dependencies=[applies_scope(TEAM_HOUSEHOLDS)],
)
async def add_addendum(
    household_id: uuid.UUID,
    note_id: uuid.UUID,
    body: AddendumIn,
    session: DbSession,
    principal: SocialCareStaff,
) -> AddendumOut:
    added = await casenotes.add_addendum(
        session=session,
        principal=principal,
        household_id=household_id,
        note_id=note_id,
        addendum=body,
        today=today(),
    )
    return AddendumOut.model_validate(added)


# --- follow-ups (Wiedervorlagen) --------------------------------------------------------


@router.post(
    "/{household_id}/follow-ups",
    status_code=status.HTTP_201_CREATED,
    summary="Set a follow-up: a day and a reason, on a caseworker's list",
    tags=["follow-ups"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def set_follow_up(
    household_id: uuid.UUID, body: FollowUpIn, session: DbSession, principal: SocialCareStaff
) -> FollowUpOut:
    follow_up = await followups.set_follow_up(
        session=session,
        principal=principal,
        household_id=household_id,
        follow_up_in=body,
        today=today(),
    )
    return FollowUpOut.model_validate(follow_up)


@router.get(
    "/{household_id}/follow-ups",
    summary="The household's follow-ups, open ones first",
    tags=["follow-ups"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def list_follow_ups(
    household_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> list[FollowUpOut]:
    _, found = await followups.of_household(
        session=session, principal=principal, household_id=household_id
    )
    return [FollowUpOut.model_validate(f) for f in found]


@router.post(
    "/{household_id}/follow-ups/{follow_up_id}/done",
    summary="Mark a follow-up done (its reminder is cancelled)",
    tags=["follow-ups"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def complete_follow_up(
    household_id: uuid.UUID,
    follow_up_id: uuid.UUID,
    session: DbSession,
    principal: SocialCareStaff,
) -> FollowUpOut:
    follow_up = await followups.complete(
        session=session,
        principal=principal,
        household_id=household_id,
        follow_up_id=follow_up_id,
        today=today(),
    )
    return FollowUpOut.model_validate(follow_up)


@follow_ups_router.get("/due", summary="My follow-ups: overdue, due today, due this week")
async def due_follow_ups(session: DbSession, principal: SocialCareStaff) -> DueList:
    items = await followups.due_list(session=session, principal=principal, today=today())

    def out(item: followups.DueItem) -> DueFollowUpOut:
        return DueFollowUpOut.model_validate(
            {
                **FollowUpOut.model_validate(item.follow_up).model_dump(),
                "allocation_notice_number": item.allocation_notice_number,
                "due": item.due,
            }
        )

    return DueList(
        overdue=[out(i) for i in items if i.due is Due.OVERDUE],
        today=[out(i) for i in items if i.due is Due.TODAY],
        this_week=[out(i) for i in items if i.due is Due.THIS_WEEK],
    )


# --- appointments -----------------------------------------------------------------------


@router.post(
    "/{household_id}/appointments",
    status_code=status.HTTP_201_CREATED,
    summary="Make an appointment (time, place, interpreter) with the household or a member",
    tags=["appointments"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def make_appointment(
    household_id: uuid.UUID, body: AppointmentIn, session: DbSession, principal: SocialCareStaff
) -> AppointmentOut:
    appointment = await appointments.make(
        session=session, principal=principal, household_id=household_id, appointment_in=body
    )
    return AppointmentOut.model_validate(appointment)


@router.get(
    "/{household_id}/appointments",
    summary="The household's appointments, latest first",
    tags=["appointments"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def list_appointments(
    household_id: uuid.UUID, session: DbSession, principal: SocialCareStaff
) -> list[AppointmentOut]:
    _, found = await appointments.of_household(
        session=session, principal=principal, household_id=household_id
    )
    return [AppointmentOut.model_validate(a) for a in found]


@router.post(
    "/{household_id}/appointments/{appointment_id}/cancellation",
    summary="Cancel an appointment (it stays on record as cancelled)",
    tags=["appointments"],
    dependencies=[applies_scope(HOUSEHOLDS)],
)
async def cancel_appointment(
    household_id: uuid.UUID,
    appointment_id: uuid.UUID,
    session: DbSession,
    principal: SocialCareStaff,
) -> AppointmentOut:
    appointment = await appointments.cancel(
        session=session,
        principal=principal,
        household_id=household_id,
        appointment_id=appointment_id,
    )
    return AppointmentOut.model_validate(appointment)
