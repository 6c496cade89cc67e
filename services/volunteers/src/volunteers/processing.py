"""What volunteers processes of whom and for what (the record of processing, Art. 30 GDPR)."""

from __future__ import annotations

from teilhabe.processing import DataCategory, Processing

PROCESSING = Processing(
    activity="volunteer mentoring of allocated households",
    purposes=(
        "Registering volunteers, checking their police clearance before they work with "
        "minors, and matching them with households as mentors.",
    ),
    legal_basis=(
        "Art. 6(1)(a), (e) GDPR; § 72a SGB VIII with Art. 10 GDPR for the police clearance"
    ),
    data_subjects=(
        "volunteers",
        "allocated households (by their id, languages and whether minors live there)",
    ),
    categories=(
        DataCategory(
            "volunteer",
            "name, e-mail address, phone, preferred language, languages, skills, "
            "availability, user name",
        ),
        DataCategory(
            "volunteer",
            "police clearance: when inspected and issued, whether a relevant conviction is "
            "recorded (never its content)",
            "Art. 10 GDPR (criminal convictions)",
        ),
        DataCategory("household", "languages, minors living there, mentorships with dates"),
    ),
)
