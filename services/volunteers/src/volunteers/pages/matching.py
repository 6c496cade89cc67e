"""Making a volunteer a household's mentor, from either side: the volunteer's page names
the household by its notice number, the household's page offers suggested mentors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from teilhabe import ui
from teilhabe.api.dependencies import DbSession
from teilhabe.auth import Principal
from teilhabe.clock import today

from volunteers import service
from volunteers.domain import ClearanceRules
from volunteers.schemas import HouseholdOut, MatchIn, SuggestionOut, VolunteerOut

CLEARANCE_REQUIRED = ui.N_(
    "This household has minors. Its mentor needs an inspected extended police clearance"
    " (§ 72a SGB VIII) without a relevant conviction that is still valid when the"
    " mentorship starts. Record the clearance on the volunteer's page first."
)
ALREADY_MATCHED = ui.N_("This volunteer already mentors this household.")
# How near a suggested mentor lives (domain.postcode_distance); unknown says nothing.
DISTANCE_WORDS = {
    0: ui.N_("same postcode"),
    1: ui.N_("lives nearby"),
    2: ui.N_("lives in the region"),
    3: ui.N_("lives further away"),
    4: ui.N_("lives far away"),
}


def match_conflicts(refused_at: str) -> dict[str, tuple[str, str]]:
    """The use case's refusals, said at the field `refused_at`: a household with minors
    needs a mentor with a valid clearance, and one volunteer mentors one household once
    at a time."""
    return {
        "clearance-required": (refused_at, CLEARANCE_REQUIRED),
        "already-matched": (refused_at, ALREADY_MATCHED),
    }


async def match(
    form: ui.FormAction,
    session: DbSession,
    principal: Principal,
    data: Mapping[str, Any],
    *,
    household_at: str,
    rules: ClearanceRules,
) -> VolunteerOut | None:
    """Make the volunteer the household's mentor and answer the mentor, or None with the
    errors in `form`; an unknown household is said at `household_at`."""
    shown = form.fields
    form.fields = [*shown, "household_id"]
    created = None
    match_in = form.model(MatchIn, data)
    if match_in is not None:
        created = await form.call(
            service.match(
                session=session,
                principal=principal,
                match_in=match_in,
                today=today(),
                rules=rules,
            )
        )
    form.fields = shown
    if "household_id" in form.errors:
        form.errors.setdefault(household_at, form.errors.pop("household_id"))
    if created is None:
        return None
    mentor = await service.get(
        session=session, principal=principal, volunteer_id=created.volunteer_id
    )
    return VolunteerOut.model_validate(mentor)


def mentor_choices(
    page_texts: ui.Texts, suggestions: Sequence[SuggestionOut]
) -> list[tuple[str, str]]:
    """Radio buttons of the suggested mentors: name, languages, those shared."""
    choices = []
    for suggestion in suggestions:
        label = page_texts.gettext("%(name)s – speaks %(languages)s") % {
            "name": suggestion.display_name,
            "languages": _language_list(page_texts, suggestion.languages),
        }
        if suggestion.shared_languages:
            label += " (%s)" % (
                page_texts.gettext("shared: %(languages)s")
                % {"languages": _language_list(page_texts, suggestion.shared_languages)}
            )
        if suggestion.distance in DISTANCE_WORDS:
            label += ", " + page_texts.gettext(DISTANCE_WORDS[suggestion.distance])
        if suggestion.running_mentorships:
            label += ", " + page_texts.ngettext(
                "%(num)s mentorship running",
                "%(num)s mentorships running",
                suggestion.running_mentorships,
            ) % {"num": suggestion.running_mentorships}
        choices.append((str(suggestion.volunteer_id), label))
    return choices


def matched_message(page_texts: ui.Texts, mentor: VolunteerOut, household: HouseholdOut) -> str:
    return page_texts.gettext("%(name)s is now the mentor of household %(number)s.") % {
        "name": mentor.display_name,
        "number": household.allocation_notice_number or household.household_id,
    }


def _language_list(page_texts: ui.Texts, codes: Sequence[str]) -> str:
    return ui.language_names(codes, page_texts.locale) or "–"
