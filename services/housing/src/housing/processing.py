"""What housing processes of whom and for what (the record of processing, Art. 30 GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Fields, Personal, Processing

_PLACING = "accommodating the household in the city's sites"
_BASIS = "Art. 6(1)(e) GDPR, FlüAG NRW, § 12 KAG NRW"
_HOUSEHOLD = Personal(
    "the household (reference, allocation, size, team) as intake tells it",
    _PLACING,
    _BASIS,
    ("notifications, agencies by subscription (by event household.moved_in, .moved_out)",),
)
_PLACEMENT = Personal(
    "where and since when the household lives, and why it moved",
    _PLACING,
    _BASIS,
    ("intake, notifications (by event household.moved_in, .moved_out)",),
)
_PROTECTION = Personal(
    "protection needs (e.g. violence, health): Art. 9 GDPR",
    "placing the household only where it is safe",
    "Art. 9(2)(b) GDPR",
)
_ARRIVAL = Personal(
    "when the household arrived and who of it came",
    _PLACING,
    _BASIS,
    ("intake (by event household.arrived, household.not_arrived)",),
)
_PERSON = Personal(
    "a household's person by intake's reference and age group (no name)",
    "knowing who lives in each unit, and where a person lives",
    _BASIS,
)
_REASON = Personal("a staff member's reason about the household", _PLACING, _BASIS)
_STAFF = Personal(
    "staff member acting (user name)",
    "who did what in a case (accountability)",
    "Art. 5(2), 6(1)(e) GDPR, § 18 DSG NRW",
)

PROCESSING = Processing(
    activity="accommodation of allocated households in the city's sites",
    purposes=(
        "Placing the households allocated to the city in the beds of its sites by urgency, "
        "reserving, moving and ending placements, and charging the accommodation fees.",
    ),
    legal_basis=(
        "Art. 6(1)(e) GDPR with the FlüAG NRW and § 12 KAG NRW (fees); Art. 9(2)(b) GDPR "
        "for protection needs"
    ),
    data_subjects=(
        "allocated households and their members (by reference, size and age group, never by name)",
    ),
    categories=(
        DataCategory(
            "household",
            "allocation notice number and date, expected arrival, size and number of minors, "
            "team, waiting status and priority with its reason, the day it arrived and how "
            "many persons came",
        ),
        DataCategory(
            "household member",
            "intake's reference of the person, age group, whether the person came on arrival",
        ),
        DataCategory(
            "household",
            "protection needs (e.g. barrier-free, women only) and the reasons for placing it "
            "in a unit lacking them",
            "Art. 9 GDPR (health), where a need reveals it",
        ),
        DataCategory(
            "household", "placements and reservations: site, unit, beds, dates, who placed it"
        ),
    ),
    fields=(
        Fields(
            "waiting_household",
            _HOUSEHOLD.of(
                "household_id",
                "allocation_notice_number",
                "allocated_on",
                "expected_arrival_on",
                "member_count",
                "team",
            )
            | _PROTECTION.of("needs_accessible_housing")
            | _REASON.of("priority_reason")
            | _ARRIVAL.of("arrived_on", "arrived_person_count")
            | _STAFF.of("priority_raised_by", "arrival_recorded_by"),
        ),
        Fields(
            "placement",
            _HOUSEHOLD.of("household_id")
            | _PLACEMENT.of("moved_in_on", "moved_out_on", "move_out_reason")
            | _REASON.of("split_reason", "protection_override_reason")
            | _STAFF.of("placed_by"),
        ),
        Fields(
            "reservation",
            _HOUSEHOLD.of("household_id")
            | _REASON.of("split_reason", "protection_override_reason")
            | _STAFF.of("reserved_by"),
            not_personal=("end_reason",),
        ),
        Fields(
            "household_member",
            _HOUSEHOLD.of("household_id")
            | _PERSON.of("member_id", "age_group")
            | _ARRIVAL.of("arrived"),
        ),
        Fields(
            "household_protection_need",
            _HOUSEHOLD.of("household_id") | _PROTECTION.of("code") | _STAFF.of("recorded_by"),
        ),
        # The city's sites and what they offer: no person.
        Fields("site", {}, not_personal=("name", "address")),
        Fields("unit", {}, not_personal=("name", "protections")),
        Fields("bed", {}, not_personal=("label",)),
        Fields("closure", {}, not_personal=("starts_on", "ends_on", "reason")),
        Fields(
            "protection_need_kind", {}, not_personal=("code", "label_de", "label_en", "requires")
        ),
        Fields("unit_protection_kind", {}, not_personal=("code", "label_de", "label_en")),
    ),
)
