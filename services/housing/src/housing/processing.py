"""What housing processes of whom and for what (the record of processing, Art. 30 GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Processing

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
    data_subjects=("allocated households (by their id and size, not by their members' names)",),
    categories=(
        DataCategory(
            "household",
            "allocation notice number and date, expected arrival, size and number of minors, "
            "team, waiting status and priority with its reason",
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
)
