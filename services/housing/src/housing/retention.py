"""How long housing keeps each kind of record (see teilhabe.retention)."""

from __future__ import annotations

from teilhabe.retention import Exempt, Follows, Retention, Rule

# Accommodation fees (Nutzungsgebühren) can be claimed for four years (§ 12 KAG NRW with
# §§ 169-171 AO): who lived where, and when, is kept that long after the move-out.
FEE_DAYS = 4 * 365
_RUNNING = (
    "EXISTS (SELECT 1 FROM placement p WHERE p.household_id = {table}.household_id "
    "AND p.moved_out_on IS NULL)"
)

RETENTION = Retention(
    [
        Exempt("site", "an accommodation (name, kind, address of the building); no person"),
        Exempt("unit", "a flat or room of a site; no person"),
        Exempt("bed", "a bed of a unit; no person"),
        Exempt("closure", "a unit or bed closed for a time, with the kind of reason; no person"),
        Rule(
            table="waiting_household",
            record="what placing a household takes (size, minors, barrier-free need)",
            clock_starts="its last placement ended (move-out), none running",
            clock="(SELECT max(p.moved_out_on) FROM placement p "
            "WHERE p.household_id = waiting_household.household_id)",
            where="NOT " + _RUNNING.format(table="waiting_household"),
            keep_days=FEE_DAYS,
            legal_basis="Art. 6(1)(e), 9(2)(b) GDPR; § 12 KAG NRW with §§ 169-171 AO",
        ),
        Rule(
            table="placement",
            record="who lived in which unit from when to when",
            clock_starts="the move-out, once its household's record is gone",
            clock="moved_out_on",
            where="NOT EXISTS (SELECT 1 FROM waiting_household w "
            "WHERE w.household_id = placement.household_id)",
            keep_days=FEE_DAYS,
            legal_basis="Art. 6(1)(e) GDPR; § 12 KAG NRW with §§ 169-171 AO",
        ),
        Follows(table="bed_occupancy", parent="placement", record="the beds a placement held"),
        Follows(
            table="household_protection_need",
            parent="waiting_household",
            record="a household's protection needs (flags from a list, recorded by its caseworker)",
        ),
        Follows(
            table="household_member",
            parent="waiting_household",
            record="a household's persons: intake's reference, age group, whether they came",
        ),
        Exempt("protection_need_kind", "the list of protection needs a household may have"),
        Exempt("unit_protection_kind", "the list of protections a unit may offer"),
        Rule(
            table="reservation",
            record="beds held for a household before its move-in",
            clock_starts="the reservation ended (moved in or cancelled)",
            clock="ended_at",
            keep_days=365,
            legal_basis="Art. 6(1)(e) GDPR (planning of accommodation)",
        ),
    ]
)
