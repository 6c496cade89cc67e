"""Settings of the intake service."""

from __future__ import annotations

from pydantic import Field
from teilhabe.messaging.inbound import InboundSettings
from teilhabe.settings_source import SettingsSource

from intake.domain import CourseEntitlement


class IntakeSettings(InboundSettings):
    service_name: str = "intake"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/teilhabe_intake"
    http_port: int = 8001
    consent_agencies: list[str] = Field(
        default=[],
        description="The partner agencies the city knows, which a consent or a referral may "
        "name: their names as registered in notifications' agency registry and on the broker, "
        'as JSON, e.g. ["jobcenter-kreis-coesfeld"]; a consent or referral naming another is '
        "refused at its field.",
    )
    residence_reminder_days: int = Field(
        default=56,
        ge=1,
        le=365,
        description="Days before a member's residence status expires that the caseworker "
        "is reminded (member.residence_status_expiring).",
    )
    obligation_reminder_days: int = Field(
        default=56,
        ge=1,
        le=365,
        description="Days before a member's residence obligation (§ 12a AufenthG) ends that "
        "the caseworker is reminded (member.residence_obligation_ending).",
    )
    integration_course_rules: dict[str, CourseEntitlement] = Field(
        default_factory=lambda: {
            "aufenthaltserlaubnis": CourseEntitlement.OBLIGED,
            "aufenthaltsgestattung": CourseEntitlement.ADMISSIBLE,
            "duldung": CourseEntitlement.ADMISSIBLE,
        },
        description="What each residence status gives towards the integration course "
        "(IntV; entitled, obliged or admissible on application): adults registered with it "
        "get the matching follow-up. The law changes, so this is a setting (JSON).",
    )
    case_note_edit_minutes: int = Field(
        default=30,
        ge=0,
        le=24 * 60,
        description="Minutes a case note's author may still change it; then only addenda.",
    )


# Read from the environment once; an app run in-process is given its own
# (teilhabe.settings_source).
get_settings: SettingsSource[IntakeSettings] = SettingsSource(IntakeSettings)
