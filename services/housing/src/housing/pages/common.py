"""What housing's page modules share: who may open them, labels, and the confirmations'
wording of where beds are."""

from __future__ import annotations

from typing import Annotated

from teilhabe import ui
from teilhabe.auth import Principal
from teilhabe.events.households import AgeGroup
from teilhabe.events.housing import SiteKind

from housing.dependencies import HousingStaff
from housing.schemas import UnitPlace

# The pages admit exactly whom the API admits.
Officer = Annotated[Principal, ui.page_roles(*ui.api_roles(HousingStaff))]

SITE_KIND_LABELS = {
    SiteKind.EMERGENCY_SHELTER: ui.N_("Emergency shelter"),
    SiteKind.COMMUNAL_HOUSING: ui.N_("Communal accommodation"),
    SiteKind.APARTMENT: ui.N_("Apartment"),
}
AGE_GROUP_LABELS = {
    AgeGroup.ADULT: ui.N_("Adult"),
    AgeGroup.SCHOOL: ui.N_("School child"),
    AgeGroup.KITA: ui.N_("Kita child"),
    AgeGroup.UNDER_THREE: ui.N_("Under three"),
}
# The labels of the forms about one household (placing, reserving, moving).
FIELD_LABELS = {
    "unit_id": ui.N_("Unit"),
    "moved_in_on": ui.N_("Moving in on"),
    "bed_count": ui.N_("Number of beds"),
    "split_reason": ui.N_("Reason for placing only part of the household"),
    "moved_out_on": ui.N_("Moving out on"),
    "reason": ui.N_("Reason for moving out"),
    "moved_on": ui.N_("Moving on"),
    "protection_override_reason": ui.N_("Reason to place despite the protection needed"),
}
# The rules' own messages (housing.domain, housing.service), for the catalogue.
RULE_MESSAGES = (
    ui.N_("no household with this id awaits accommodation"),
    ui.N_("no unit with this id"),
    ui.N_("more beds than household members"),
    ui.N_("placing part of a household needs a reason"),
    ui.N_("the household needs a barrier-free unit"),
    ui.N_("move-out cannot be before move-in"),
    ui.N_("the move-out lies too far in the past to be recorded"),
    ui.N_("the household lives in this unit already"),
    ui.N_(
        "the unit does not offer a protection the household needs; place it there only with a "
        "reason"
    ),
)
NOT_ENOUGH_BEDS = ("unit_id", ui.N_("This unit does not have enough free beds."))
ALREADY_MOVED_OUT = (ui.FORM, ui.N_("The household has already moved out."))


def where(place: UnitPlace | None, bed_count: int) -> dict[str, str | int]:
    """Where beds are (site, unit) and how many, for the confirmations."""
    return {
        "site": place.site if place else "",
        "unit": place.unit if place else "",
        "num": bed_count,
    }
