"""One form action for every staff page: read, check, call the use case, answer.

A page that changes something does the same steps each time: read the submitted form
(checking its token), collect what is wrong with what was typed, build the API's request
model, call the same use case as the API, and then either confirm and send the browser
on (flash, 303) or undo the transaction and show the page again with every error next to
its field (422). `FormAction` carries a form through these steps, so that a page says
only what is its own: which fields, which use case, which page to show again.

    form = await ui.FormAction.read(request, session, fields=FIELDS, conflicts=CONFLICTS)
    values = form.values(FIELDS)
    data: dict[str, Any] = {"split_reason": values["split_reason"] or None}
    form.put_choice(data, "unit_id", values["unit_id"])
    form.put_date(data, "moved_in_on", values["moved_in_on"])
    body = form.model(PlacementIn, data)
    if body is not None:
        placed = await form.call(service.place(session=session, placement_in=body))
        if placed is not None:
            return form.done(ui.page_path(request, "ui_home"), form.texts.gettext("…"))
    return await form.again(lambda errors: _place_page(request, values, errors=errors))

A refusal of the use case (`ProblemError`, or a `ValidationError` raised while building
its input) becomes errors at the fields; "not found" is not a refusal of the form and
goes on to the tool's 404 page. A form with several steps (adding a row) simply answers
before calling anything; checks that need the database add their errors with `refuse`
before the call, so that staff see everything in one round.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData

from teilhabe.api.problems import ProblemError
from teilhabe.ui import forms
from teilhabe.ui.formatting import parse_time
from teilhabe.ui.forms import CHOOSE, REQUIRED, FormErrors, in_field_order, read_form
from teilhabe.ui.i18n import Texts
from teilhabe.ui.rendering import flash, texts

Model = TypeVar("Model", bound=BaseModel)
Result = TypeVar("Result")
PageWithErrors = Callable[[FormErrors], Awaitable[Response]]


class FormAction:
    """A submitted form on its way to the use case, and the errors found on the way.

    `fields` are the form's field keys in the order they stand on the page (errors are
    shown in that order, and a refusal naming `members[0].sex` lands on `members-0-sex`);
    `hints` and `conflicts` say refusals in the page's own words (see `problem_errors`).
    `status` is what the page answers when it is shown again: 422 for a form with fields,
    409 for a button whose action is refused by the record's state.
    """

    def __init__(
        self,
        request: Request,
        session: AsyncSession,
        form: FormData | None = None,
        *,
        fields: Sequence[str] = (),
        hints: Mapping[str, str] | None = None,
        conflicts: Mapping[str, tuple[str, str]] | None = None,
        status: int = 422,
    ) -> None:
        self.request = request
        self.session = session
        self.form = form if form is not None else FormData()
        self.fields: Sequence[str] = fields
        self.hints = hints
        self.conflicts = conflicts
        self.status = status
        self.texts: Texts = texts(request)
        self.errors: FormErrors = {}

    @classmethod
    async def read(
        cls,
        request: Request,
        session: AsyncSession,
        *,
        fields: Sequence[str] = (),
        hints: Mapping[str, str] | None = None,
        conflicts: Mapping[str, tuple[str, str]] | None = None,
        status: int = 422,
    ) -> FormAction:
        """The submitted form, once its token shows it came from this session's page."""
        return cls(
            request,
            session,
            await read_form(request),
            fields=fields,
            hints=hints,
            conflicts=conflicts,
            status=status,
        )

    # --- what was typed ---------------------------------------------------------------

    def text(self, key: str) -> str:
        """A text field's value, stripped; empty if absent."""
        return forms.text(self.form, key)

    def values(self, keys: Collection[str]) -> dict[str, str]:
        """The text of each field in `keys`, as typed, to show it again."""
        return {key: self.text(key) for key in keys}

    def put_choice(
        self, data: dict[str, Any], name: str, typed: str, *, key: str | None = None
    ) -> None:
        """A required choice into `data[name]`; nothing chosen is "please choose"."""
        if typed:
            data[name] = typed
        else:
            self.refuse(key or name, CHOOSE)

    def put_date(
        self,
        data: dict[str, Any],
        name: str,
        typed: str,
        *,
        key: str | None = None,
        required: bool = True,
    ) -> None:
        """A date typed as DD.MM.YYYY into `data[name]` (see `forms.put_date`)."""
        forms.put_date(data, name, typed, self.errors, self.texts, key=key, required=required)

    def put_time(
        self, data: dict[str, Any], name: str, typed: str, *, message: str, key: str | None = None
    ) -> None:
        """A time of day typed as HH:MM (or H.MM) into `data[name]` (see
        `formatting.parse_time`); left empty it is required, typed wrongly it is refused
        with `message`, the page's own words for how to type it."""
        try:
            data[name] = parse_time(typed)
        except ValueError:
            self.refuse(key or name, message if typed else REQUIRED)

    def put_whole_number(
        self, data: dict[str, Any], name: str, typed: str, *, key: str | None = None
    ) -> None:
        """A whole number typed in the page's language into `data[name]`."""
        forms.put_whole_number(data, name, typed, self.errors, self.texts, key=key)

    # --- what is wrong ------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """Nothing found wrong so far."""
        return not self.errors

    def refuse(self, key: str, message: str) -> None:
        """An error at field `key` (a message id); a field keeps the first it was given."""
        self.errors.setdefault(key, self.texts.fill(self.texts.gettext(message)))

    def add_problem(
        self, problem: ProblemError | ValidationError, *, fields: Sequence[str] | None = None
    ) -> None:
        """A refusal as errors at the fields; a field already in error keeps its own."""
        found = (
            forms.validation_errors(
                problem, self.texts, fields=fields or self.fields, hints=self.hints
            )
            if isinstance(problem, ValidationError)
            else forms.problem_errors(
                problem,
                self.texts,
                fields=fields or self.fields,
                hints=self.hints,
                conflicts=self.conflicts,
            )
        )
        self.errors = {**found, **self.errors}

    def rename(self, keys: Mapping[str, str]) -> None:
        """Move errors to the fields that show them (a model's `units-0-beds` → `beds`)."""
        self.errors = {keys.get(key, key): message for key, message in self.errors.items()}

    def model(
        self,
        model: type[Model],
        data: Mapping[str, Any],
        *,
        fields: Sequence[str] | None = None,
    ) -> Model | None:
        """The API's request model from `data`, or None with every error that prevents it.

        What the page found itself (a date typed wrongly, nothing chosen) says more than
        the model's "missing" for the same field and wins; with any error there is no model.
        """
        built, self.errors = forms.request_model(
            model,
            data,
            self.texts,
            fields=fields or self.fields,
            hints=self.hints,
            typed_errors=self.errors,
        )
        return built

    # --- the use case, and the answer ---------------------------------------------------

    async def call(self, use_case: Awaitable[Result]) -> Result | None:
        """The use case's result, or None when it refused (its errors are then the form's).

        A refused change is rolled back at once, so the page can read again at once.
        "Not found" is no refusal of this form: it goes on to the tool's 404 page.
        """
        try:
            return await use_case
        except ProblemError as problem:
            if problem.status == 404:
                raise
            await self.session.rollback()
            self.add_problem(problem)
        except ValidationError as error:
            await self.session.rollback()
            self.add_problem(error)
        return None

    def done(self, url: str, message: str | None = None) -> Response:
        """Confirm (shown once on the next page) and send the browser on, 303 See Other."""
        if message is not None:
            flash(self.request, message)
        return RedirectResponse(url, status_code=303)

    async def again(self, page: PageWithErrors) -> Response:
        """Undo whatever the transaction holds and show the page again with all errors.

        `page(errors)` renders it (errors in the order of the fields); it answers with
        `status` (422 unless told otherwise), since the form was not accepted.
        """
        await self.session.rollback()
        response = await page(in_field_order(self.errors, self.fields))
        response.status_code = self.status
        return response
