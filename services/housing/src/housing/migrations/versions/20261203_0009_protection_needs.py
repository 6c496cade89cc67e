"""protection needs: the lists as data, households' flags, units' protections, overrides

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The first lists (NRW's violence-protection concept for refugee accommodation names the
# groups); a city changes them as data.
UNIT_PROTECTIONS = [
    ("women_only", "nur für Frauen und ihre Kinder", "women and their children only"),
    ("lockable", "abschließbar", "lockable"),
    ("family", "für Familien mit kleinen Kindern", "for families with small children"),
    ("supervised", "mit Betreuung vor Ort", "with staff on site"),
]
PROTECTION_NEEDS = [
    ("women_alone", "allein reisende Frauen", "women travelling alone", ["women_only", "lockable"]),
    (
        "small_children",
        "Familien mit kleinen Kindern",
        "families with small children",
        ["family"],
    ),
    ("lgbtiq", "LSBTIQ*-Personen", "LGBTIQ* persons", ["lockable"]),
    ("disability", "Menschen mit Behinderungen", "persons with disabilities", []),
    ("violence", "Betroffene von Gewalt", "survivors of violence", ["lockable"]),
    (
        "minor_of_age",
        "unbegleitete Minderjährige, die volljährig werden",
        "unaccompanied minors reaching majority",
        ["supervised"],
    ),
]


def upgrade() -> None:
    kinds = op.create_table(
        "unit_protection_kind",
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("label_de", sa.String(200), nullable=False),
        sa.Column("label_en", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_unit_protection_kind")),
    )
    needs = op.create_table(
        "protection_need_kind",
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("label_de", sa.String(200), nullable=False),
        sa.Column("label_en", sa.String(200), nullable=False),
        sa.Column(
            "requires", postgresql.ARRAY(sa.String(50)), server_default="{}", nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_protection_need_kind")),
    )
    op.create_table(
        "household_protection_need",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column(
            "recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["waiting_household.household_id"],
            name=op.f("fk_household_protection_need_household_id_waiting_household"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["code"],
            ["protection_need_kind.code"],
            name=op.f("fk_household_protection_need_code_protection_need_kind"),
        ),
        sa.PrimaryKeyConstraint("household_id", "code", name=op.f("pk_household_protection_need")),
    )
    op.add_column(
        "unit",
        sa.Column(
            "protections", postgresql.ARRAY(sa.String(50)), server_default="{}", nullable=False
        ),
    )
    op.add_column("waiting_household", sa.Column("team", sa.String(200), nullable=True))
    op.add_column("placement", sa.Column("protection_override_reason", sa.Text(), nullable=True))
    op.add_column("reservation", sa.Column("protection_override_reason", sa.Text(), nullable=True))
    op.bulk_insert(
        kinds,
        [
            {"code": code, "label_de": de, "label_en": en, "position": n}
            for n, (code, de, en) in enumerate(UNIT_PROTECTIONS)
        ],
    )
    op.bulk_insert(
        needs,
        [
            {"code": code, "label_de": de, "label_en": en, "requires": requires, "position": n}
            for n, (code, de, en, requires) in enumerate(PROTECTION_NEEDS)
        ],
    )


def downgrade() -> None:
    op.drop_column("reservation", "protection_override_reason")
    op.drop_column("placement", "protection_override_reason")
    op.drop_column("waiting_household", "team")
    op.drop_column("unit", "protections")
    op.drop_table("household_protection_need")
    op.drop_table("protection_need_kind")
    op.drop_table("unit_protection_kind")
