"""What courses processes of whom and for what (the record of processing, Art. 30 GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Processing

PROCESSING = Processing(
    activity="language and education offers for allocated refugees",
    purposes=(
        "Offering integration, language and other courses to the members of allocated "
        "households, enrolling them, recording their attendance and their results.",
    ),
    legal_basis="Art. 6(1)(e) GDPR with § 44 AufenthG and §§ 8, 14 IntV",
    data_subjects=(
        "members of allocated households (by their id, age group and languages)",
        "staff planning courses (user names)",
    ),
    categories=(
        DataCategory("member", "age group, languages, household and team"),
        DataCategory(
            "member",
            "enrolments and waitlist places, attendance per session, completion and result "
            "(e.g. the DTZ level)",
        ),
        DataCategory("staff", "user name of who created, enrolled, recorded"),
    ),
    external_recipients=(
        "the BAMF and the immigration office, for integration courses as the IntV requires "
        "(by the coordinators, outside this system)",
    ),
)
