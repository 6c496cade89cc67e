"""The notification texts: every event type in every language, and the fallback."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from notifications import domain, messages
from notifications.messages import TEMPLATES
from teilhabe.events.catalogue import EventPayload
from teilhabe.events.courses import (
    Attendance,
    CourseAttendanceRecorded,
    CourseCompleted,
    CourseEnrolled,
    CourseWaitlisted,
    CourseWithdrawn,
    OfferKind,
    SeatOffered,
    SeatOfferExpired,
)
from teilhabe.events.households import (
    AgeGroup,
    AllocatedMember,
    CaseworkerAssigned,
    FollowUpDue,
    HouseholdAssigned,
    ResidenceObligationEnding,
    ResidenceStatusChanged,
    ResidenceStatusExpiring,
)
from teilhabe.events.housing import (
    CapacityChange,
    ClosureReason,
    HouseholdMovedIn,
    HouseholdMovedOut,
    MoveOutReason,
    SiteKind,
    UnitCapacityChanged,
)
from teilhabe.events.volunteers import (
    ClearanceReinspectionDue,
    HelpRequestAccepted,
    HelpRequested,
    HelpRequestWithdrawn,
    MentorshipEnded,
    ShiftCancelled,
    VolunteerMatched,
    VolunteerRegistered,
)
from teilhabe.ui.i18n import read_catalogue

HOUSEHOLD = uuid.UUID("0b5e4a1c-0000-4000-8000-000000000001")
MEMBER = uuid.UUID("0b5e4a1c-0000-4000-8000-0000000000aa")

SAMPLES: dict[str, EventPayload] = {
    "household.assigned": HouseholdAssigned(
        household_id=HOUSEHOLD,
        allocation_notice_number="BRA-2026-0815",
        allocated_on=date(2026, 11, 20),
        expected_arrival_on=date(2026, 11, 27),
        member_count=3,
        minor_count=1,
        members=(
            AllocatedMember(member_id=MEMBER, age_group=AgeGroup.ADULT),
            AllocatedMember(member_id=uuid.uuid4(), age_group=AgeGroup.ADULT),
            AllocatedMember(member_id=uuid.uuid4(), age_group=AgeGroup.SCHOOL),
        ),
    ),
    "caseworker.assigned": CaseworkerAssigned(
        household_id=HOUSEHOLD, caseworker_id="cw-anna", previous_caseworker_id="cw-old"
    ),
    "household.moved_in": HouseholdMovedIn(
        household_id=HOUSEHOLD,
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        site_kind=SiteKind.COMMUNAL_HOUSING,
        unit_id=uuid.uuid4(),
        bed_count=3,
        moved_in_on=date(2026, 11, 28),
    ),
    "household.moved_out": HouseholdMovedOut(
        household_id=HOUSEHOLD,
        placement_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        unit_id=uuid.uuid4(),
        moved_out_on=date(2027, 3, 1),
        reason=MoveOutReason.TRANSFER,
    ),
    "course.enrolled": CourseEnrolled(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title="Integrationskurs A1 – Vormittag",
        course_kind=OfferKind.INTEGRATION_COURSE,
        starts_on=date(2027, 1, 11),
        household_id=HOUSEHOLD,
        member_id=MEMBER,
    ),
    "course.waitlisted": CourseWaitlisted(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title="Sprachcafé St. Viktor",
        course_kind=OfferKind.LANGUAGE_CAFE,
        household_id=HOUSEHOLD,
        member_id=MEMBER,
        waitlist_position=4,
    ),
    "course.attendance_recorded": CourseAttendanceRecorded(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title="Integrationskurs A1 – Vormittag",
        session_id=uuid.uuid4(),
        held_on=date(2027, 1, 12),
        household_id=HOUSEHOLD,
        member_id=MEMBER,
        attendance=Attendance.EXCUSED,
    ),
    "course.completed": CourseCompleted(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title="Integrationskurs A1 – Vormittag",
        course_kind=OfferKind.INTEGRATION_COURSE,
        household_id=HOUSEHOLD,
        member_id=MEMBER,
        completed_on=date(2027, 6, 30),
        result="B1",
    ),
    "course.withdrawn": CourseWithdrawn(
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title="Sprachcafé St. Viktor",
        course_kind=OfferKind.LANGUAGE_CAFE,
        household_id=HOUSEHOLD,
        member_id=MEMBER,
        withdrawn_on=date(2026, 12, 3),
        was_waitlisted=True,
    ),
    "course.seat_offered": SeatOffered(
        offer_id=uuid.uuid4(),
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title="Integrationskurs A1 – Vormittag",
        course_kind=OfferKind.INTEGRATION_COURSE,
        household_id=HOUSEHOLD,
        member_id=MEMBER,
        expires_at=datetime(2026, 12, 6, 11, 0, tzinfo=UTC),
    ),
    "course.seat_offer_expired": SeatOfferExpired(
        offer_id=uuid.uuid4(),
        enrollment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        course_title="Integrationskurs A1 – Vormittag",
        household_id=HOUSEHOLD,
        member_id=MEMBER,
        expired_at=datetime(2026, 12, 6, 11, 0, tzinfo=UTC),
    ),
    "volunteer.matched": VolunteerMatched(
        match_id=uuid.uuid4(),
        volunteer_id=uuid.uuid4(),
        household_id=HOUSEHOLD,
        matched_on=date(2026, 12, 2),
    ),
    "mentorship.ended": MentorshipEnded(
        match_id=uuid.uuid4(),
        volunteer_id=uuid.uuid4(),
        household_id=HOUSEHOLD,
        matched_on=date(2026, 12, 2),
        ended_on=date(2027, 3, 31),
    ),
    "volunteer.registered": VolunteerRegistered.model_construct(
        volunteer_id=uuid.uuid4(),
        display_name="Greta M.",
        email="greta@example.org",
        preferred_language="de",
        languages=("de", "en", "ar"),
        skills=("Begleitung zu Ämtern",),
    ),
    "member.residence_status_expiring": ResidenceStatusExpiring(
        household_id=HOUSEHOLD, member_id=MEMBER, expires_on=date(2027, 2, 1)
    ),
    "member.residence_obligation_ending": ResidenceObligationEnding(
        household_id=HOUSEHOLD, member_id=MEMBER, ends_on=date(2027, 3, 1)
    ),
    "follow_up.due": FollowUpDue(
        household_id=HOUSEHOLD,
        follow_up_id=uuid.uuid4(),
        caseworker_id="cw-anna",
        due_on=date(2026, 12, 4),
    ),
    "member.residence_status_changed": ResidenceStatusChanged(
        household_id=HOUSEHOLD,
        member_id=MEMBER,
        residence_status="aufenthaltserlaubnis",
        previous_residence_status="aufenthaltsgestattung",
        valid_from=date(2026, 12, 1),
        expires_on=date(2029, 11, 30),
    ),
    "volunteer.clearance_reinspection_due": ClearanceReinspectionDue(
        volunteer_id=uuid.uuid4(), due_on=date(2027, 2, 1)
    ),
    "unit.capacity_changed": UnitCapacityChanged(
        site_id=uuid.uuid4(),
        unit_id=uuid.uuid4(),
        site_name="Übergangswohnheim Lüdinghauser Straße",
        unit_name="A1",
        change=CapacityChange.CLOSED,
        beds=4,
        beds_changed=1,
        closed_from=date(2026, 12, 7),
        closed_until=date(2026, 12, 18),
        closure_reason=ClosureReason.QUARANTINE,
        households_to_move=1,
    ),
    "shift.cancelled": ShiftCancelled(
        shift_id=uuid.uuid4(),
        facility_id=uuid.uuid4(),
        facility_name="Begegnungscafé St. Viktor",
        title="Kinderbetreuung",
        starts_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 8, 11, 0, tzinfo=UTC),
        volunteer_ids=(uuid.uuid4(),),
    ),
    "help_request.opened": HelpRequested(
        help_request_id=uuid.uuid4(),
        language_needed="ar",
        skill_needed="Dolmetschen",
        starts_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
        volunteer_ids=(uuid.uuid4(),),
    ),
    "help_request.accepted": HelpRequestAccepted(
        help_request_id=uuid.uuid4(),
        volunteer_id=uuid.uuid4(),
        requested_by="cw-anna",
        language_needed="ar",
        skill_needed="Dolmetschen",
        starts_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
    ),
    "help_request.withdrawn": HelpRequestWithdrawn(
        help_request_id=uuid.uuid4(),
        volunteer_id=uuid.uuid4(),
        starts_at=datetime(2026, 12, 8, 9, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
    ),
}


def context(event_type: str, audience: domain.Audience) -> dict[str, Any]:
    payload = SAMPLES[event_type]
    return {
        **payload.model_dump(),
        "household_ref": "BRA-2026-0815" if hasattr(payload, "household_id") else None,
        "volunteer_name": "Greta M.",
        "audience": audience.value,
        "recipient_name": "Anna Schmidt",
    }


CASES = [
    (event_type, audience, language)
    for event_type, audiences in domain.RULES.items()
    for rule in audiences
    # A rule with a fallback addresses people under either audience.
    for audience in domain.FALLBACK_AUDIENCES.get(rule, (rule,))
    for language in domain.LANGUAGES
]


@pytest.mark.parametrize(("event_type", "audience", "language"), CASES)
def test_every_text_renders(event_type: str, audience: domain.Audience, language: str) -> None:
    message = messages.render(event_type, language, context(event_type, audience))
    assert message.language == language
    assert message.title
    assert "\n" not in message.title
    assert message.body.startswith("Guten Tag Anna Schmidt," if language == "de" else "Hello Anna")
    assert "Teilhabe" in message.body
    # References only: no member of the household is named or numbered.
    assert str(MEMBER) not in message.body
    assert "{{" not in message.body
    assert "{%" not in message.body


def test_german_and_english_texts_differ_and_speak_the_readers_dates() -> None:
    german = messages.render(
        "course.enrolled", "de", context("course.enrolled", domain.Audience.CASEWORKER)
    )
    english = messages.render(
        "course.enrolled", "en", context("course.enrolled", domain.Audience.CASEWORKER)
    )
    assert german.title == "Platz in „Integrationskurs A1 – Vormittag“ für Haushalt BRA-2026-0815"
    assert "Beginn: 11.01.2027." in german.body
    assert "Integrationskurs" in german.body
    assert (
        english.title == 'A place in "Integrationskurs A1 – Vormittag" for household BRA-2026-0815'
    )
    assert "Starts on 11 January 2027." in english.body


def test_a_language_without_texts_falls_back_to_german() -> None:
    for preferred in ("zz", "pl", None):
        message = messages.render(
            "volunteer.matched", preferred, context("volunteer.matched", domain.Audience.VOLUNTEER)
        )
        assert message.language == "de"
        assert message.title == "Ihre Patenschaft für Haushalt BRA-2026-0815"
    # An occasion only staff hear of has no Arabic text: German.
    staff_only = messages.render(
        "household.assigned", "ar", context("household.assigned", domain.Audience.CASEWORKER)
    )
    assert staff_only.language == "de"


# What volunteers hear of: every text they may receive, in each of their languages.
VOLUNTEER_CASES = [
    (event_type, audience, language)
    for event_type, audiences in domain.RULES.items()
    for audience in audiences
    if audience
    in (domain.Audience.MENTORS, domain.Audience.VOLUNTEER, domain.Audience.NAMED_VOLUNTEERS)
    for language in domain.VOLUNTEER_LANGUAGES
]
GREETINGS = {
    "de": "Guten Tag Anna Schmidt,",
    "en": "Hello Anna Schmidt,",
    "ar": "مرحبًا Anna Schmidt،",
    "fa": "سلام Anna Schmidt،",
    "uk": "Добрий день, Anna Schmidt!",
    "ru": "Здравствуйте, Anna Schmidt!",
    "tr": "Merhaba Anna Schmidt,",
}


@pytest.mark.parametrize(("event_type", "audience", "language"), VOLUNTEER_CASES)
def test_every_text_for_volunteers_exists_in_their_languages(
    event_type: str, audience: domain.Audience, language: str
) -> None:
    message = messages.render(event_type, language, context(event_type, audience))
    assert message.language == language
    assert message.title
    if hasattr(SAMPLES[event_type], "household_id"):
        assert "BRA-2026-0815" in message.title
    assert message.body.startswith(GREETINGS[language])
    assert "Teilhabe" in message.body
    assert str(MEMBER) not in message.body
    assert "{{" not in message.body


def test_a_digest_exists_in_every_language_and_speaks_the_readers_dates() -> None:
    entry = messages.render(
        "volunteer.matched",
        "uk",
        context("volunteer.matched", domain.Audience.VOLUNTEER),
        entry=True,
    )
    assert not entry.body.startswith("Добрий день")
    assert "Teilhabe" not in entry.body, "an entry has no footer of its own"
    for language in domain.VOLUNTEER_LANGUAGES:
        digest = messages.render_digest(
            language, day=date(2027, 1, 4), entries=[entry], recipient_name="Anna Schmidt"
        )
        assert digest.language == language
        assert digest.body.startswith(GREETINGS[language])
        assert entry.title in digest.body
    assert (
        messages.render_digest("ru", day=date(2027, 1, 4), entries=[], recipient_name=None).title
        == "Ваши уведомления за 4 января 2027\u202fг."
    )


def test_texts_are_worded_for_their_audience() -> None:
    for_mentor = messages.render(
        "household.moved_in", "de", context("household.moved_in", domain.Audience.MENTORS)
    )
    for_caseworker = messages.render(
        "household.moved_in", "de", context("household.moved_in", domain.Audience.CASEWORKER)
    )
    assert "den Sie als Pate oder Patin begleiten" in for_mentor.body
    assert "Gemeinschaftsunterkunft" in for_mentor.body
    assert "3 Betten" in for_caseworker.body
    matched = messages.render(
        "volunteer.matched", "en", context("volunteer.matched", domain.Audience.CASEWORKER)
    )
    assert "Greta M. has been the mentor" in matched.body


def test_an_allocation_with_school_age_children_mentions_school_duty() -> None:
    message = messages.render(
        "household.assigned", "de", context("household.assigned", domain.Audience.CASEWORKER)
    )
    assert "Schulpflicht" in message.body
    assert "barrierefrei" not in message.body, "a health-related need stays in housing"
    assert "Ankunft erwartet: 27.11.2027" not in message.body
    assert "Ankunft erwartet: 27.11.2026" in message.body


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    values = context("course.waitlisted", domain.Audience.CASEWORKER)
    del values["waitlist_position"]
    with pytest.raises(Exception, match="waitlist_position"):
        messages.render("course.waitlisted", "de", values)


def test_a_reminder_to_every_caseworker_says_why_it_reached_them() -> None:
    event_type = "member.residence_status_expiring"
    own = messages.render(event_type, "de", context(event_type, domain.Audience.CASEWORKER))
    everyone = messages.render(event_type, "de", context(event_type, domain.Audience.CASEWORKERS))
    assert "01.02.2027" in own.body
    assert "alle Fallverantwortlichen" not in own.body
    assert "alle Fallverantwortlichen" in everyone.body


def test_a_changed_residence_status_is_named_in_words_with_its_dates() -> None:
    event_type = "member.residence_status_changed"
    message = messages.render(event_type, "de", context(event_type, domain.Audience.CASEWORKER))
    assert "Aufenthaltserlaubnis, gültig bis 30.11.2029" in message.body
    assert "ab dem 01.12.2026" in message.body
    assert "bisher Aufenthaltsgestattung" in message.body


def test_a_closure_tells_housing_officers_what_is_closed_when_and_who_must_move() -> None:
    event_type = "unit.capacity_changed"
    values = context(event_type, domain.Audience.HOUSING_OFFICERS)
    german = messages.render(event_type, "de", values)
    assert german.title == (
        "Übergangswohnheim Lüdinghauser Straße, Wohneinheit A1: 1 Bett gesperrt "
        "vom 07.12.2026 bis 18.12.2026"
    )
    assert "Quarantäne" in german.body
    assert "Ein Haushalt wohnt dort und braucht einen Umzug" in german.body
    whole = messages.render(event_type, "en", {**values, "beds_changed": 4})
    assert whole.title.endswith("unit A1: closed from 7 December 2026 to 18 December 2026")
    added = messages.render(
        event_type, "de", {**values, "change": "beds_added", "beds_changed": 2, "beds": 6}
    )
    assert added.title.endswith("Wohneinheit A1: 2 Betten hinzugefügt")
    assert "jetzt 6 Betten" in added.body


def test_languages_are_named_in_the_readers_words() -> None:
    audience = domain.RULES["volunteer.registered"][0]
    german = messages.render(
        "volunteer.registered", "de", context("volunteer.registered", audience)
    )
    assert "Sprachen: Deutsch, Englisch, Arabisch" in german.body
    english = messages.render(
        "volunteer.registered", "en", context("volunteer.registered", audience)
    )
    assert "Languages: German, English, Arabic" in english.body


def test_shift_and_help_texts_say_the_time_in_the_citys_zone() -> None:
    text = messages.render(
        "help_request.opened",
        "de",
        context("help_request.opened", domain.Audience.NAMED_VOLUNTEERS),
    )
    assert "08.12.2026, 10:00 Uhr" in text.body
    assert "Arabisch" in text.body
    text = messages.render(
        "shift.cancelled", "en", context("shift.cancelled", domain.Audience.NAMED_VOLUNTEERS)
    )
    assert "8 December 2026, 10:00" in text.title
    assert "12:00" in text.body


def _settings_page_title(language: str) -> str:
    """The settings page's title as the tool shows it in `language` (German beside the
    volunteers' languages, which the tool does not speak)."""
    tool_language = language if language in domain.LANGUAGES else domain.DEFAULT_LANGUAGE
    catalogue = read_catalogue(TEMPLATES / "locale", tool_language)
    if catalogue is None or not (found := catalogue.get("Settings")) or not found.string:
        return "Settings"
    return str(found.string)


@pytest.mark.parametrize("language", domain.VOLUNTEER_LANGUAGES)
def test_footers_name_the_settings_page_as_the_tool_calls_it(language: str) -> None:
    title = _settings_page_title(language)
    message = messages.render(
        "volunteer.matched", language, context("volunteer.matched", domain.Audience.VOLUNTEER)
    )
    footer = message.body.rsplit("-- \n", 1)[1]
    assert any(f"{open_}{title}{close}" in footer for open_, close in QUOTES), footer
    assert "Benachrichtigungen" not in footer
    assert "Notifications" not in footer
    digest = messages.render_digest(language, day=date(2027, 1, 4), entries=[], recipient_name=None)
    assert any(f"{open_}{title}{close}" in digest.body for open_, close in QUOTES)


QUOTES = (("„", "“"), ('"', '"'), ("«", "»"), ("“", "”"))


@pytest.mark.parametrize(
    ("starts_at", "in_london", "in_berlin"),
    [
        # British summer time (UTC+1) against Berlin's (UTC+2), before the night to
        # Sunday 25 October 2026 ...
        (datetime(2026, 10, 24, 11, 0, tzinfo=UTC), "24.10.2026, 12:00 Uhr", "13:00"),
        # ... and winter time (UTC+0 against UTC+1) after it.
        (datetime(2026, 10, 26, 12, 0, tzinfo=UTC), "26.10.2026, 12:00 Uhr", "13:00"),
        # Spring: Berlin and London both move on 28 March 2027.
        (datetime(2027, 3, 29, 11, 0, tzinfo=UTC), "29.03.2027, 12:00 Uhr", "13:00"),
    ],
)
def test_times_are_written_on_the_readers_own_clock_across_a_change(
    starts_at: datetime, in_london: str, in_berlin: str
) -> None:
    values = {
        **context("shift.cancelled", domain.Audience.NAMED_VOLUNTEERS),
        "starts_at": starts_at,
        "ends_at": starts_at.replace(hour=starts_at.hour + 2),
    }
    london = messages.render("shift.cancelled", "de", {**values, "time_zone": "Europe/London"})
    assert in_london in london.title
    assert f"bis {int(in_london[-9:-7]) + 2}:00 Uhr" in london.body
    berlin = messages.render("shift.cancelled", "de", values)  # no zone known: the city's
    assert f", {in_berlin} Uhr" in berlin.title
    # A deadline's day and time too.
    offer = {
        **context("course.seat_offered", domain.Audience.CASEWORKER),
        "expires_at": starts_at,
        "time_zone": "Europe/London",
    }
    assert in_london in messages.render("course.seat_offered", "de", offer).body


def test_a_withdrawn_request_tells_who_took_it_not_to_come() -> None:
    event_type = "help_request.withdrawn"
    took = messages.render(event_type, "de", context(event_type, domain.Audience.VOLUNTEER))
    assert took.title == (
        "Hilfeanfrage zurückgezogen: Sie brauchen am 08.12.2026, 10:00 Uhr nicht zu kommen"
    )
    assert "die Sie\nübernommen hatten" in took.body
    offered = messages.render(
        event_type, "ar", context(event_type, domain.Audience.NAMED_VOLUNTEERS)
    )
    assert offered.language == "ar"
    assert "لم يعد بالإمكان قبوله" in offered.body
    assert domain.is_critical(event_type)
