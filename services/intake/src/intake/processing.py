"""What intake processes of whom and for what (the record of processing, Art. 30 GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Processing

PROCESSING = Processing(
    activity="reception and social care of refugees allocated to the city",
    purposes=(
        "Receiving the households the state allocates to the city, recording their members "
        "and their residence status, and their social care by the city's caseworkers "
        "(case notes, follow-ups, appointments).",
        "Recording consents to share data with partner agencies, and requests to erase "
        "a person's data.",
    ),
    legal_basis=(
        "Art. 6(1)(c), (e) GDPR with § 50 AsylG, § 12a AufenthG, the FlüAG NRW and the "
        "DSG NRW; Art. 9(2)(b), (h) GDPR for health needs; consents by Art. 6(1)(a), 7 GDPR"
    ),
    data_subjects=(
        "members of allocated households (adults and minors)",
        "the city's staff (caseworkers, team leads, data-protection officer)",
    ),
    categories=(
        DataCategory(
            "household",
            "allocation notice number and date, allocating authority, expected arrival, "
            "team and caseworker, housing status",
        ),
        DataCategory(
            "member",
            "given and family name, date of birth, sex, nationality, languages, residence "
            "status with its history and expiry",
        ),
        DataCategory(
            "member",
            "special needs (e.g. a disability, barrier-free housing), case notes of the "
            "social care",
            "Art. 9 GDPR (health), as the care needs it",
        ),
        DataCategory(
            "member", "consents to share with an agency for a purpose, with their evidence"
        ),
        DataCategory(
            "household",
            "appointments with it or a member: time, place, interpreter and language, "
            "caseworker; follow-ups with their reason",
        ),
        DataCategory("staff", "user name, name, roles and teams, last sign-in"),
    ),
    external_recipients=(
        "the immigration office and the Bezirksregierung, as the law requires (by the "
        "caseworkers, outside this system)",
    ),
)
