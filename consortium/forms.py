"""Form pieces shared by every area: normalised input, list filters, choices."""
from __future__ import annotations

import unicodedata
from datetime import date

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SearchField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from .converters import LARGEST_ID
from .japanese import search_key
from .lines import typed_line, typed_text


def positive_int(raw) -> int | None:
    """The positive whole number a query string or a cell holds (ASCII digits, at most 9), or None.

    str.isdigit() alone accepts ² and other digits int() refuses, and any length.
    """
    raw = str(raw) if raw is not None else ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 and int(raw) > 0 else None


def normalise_line(value):
    """One line of text kept as typed: composed forms (NFC), so （仮称） stays full-width; no line
    break or other control (lines.typed_line); surrounding spaces gone; None when empty. Width and
    case are folded only where text is matched (japanese.search_key), never in what is stored."""
    return _line(value, "NFC")


def normalise_folded_line(value):
    """An address, number, link or search query: NFKC, so ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ or ０３－１２３４
    typed with the Japanese input method on is read as the ASCII it stands for."""
    return _line(value, "NFKC")


def _line(value, form: str):
    if value is None:
        return None
    value = typed_line(unicodedata.normalize(form, value)).strip()
    return value or None


def normalise_text(value):
    """Free text keeps its characters (①, ㈱) but gets composed forms, plain line ends, and no
    control but tab and line feed (lines.typed_text)."""
    if value is None:
        return None
    value = typed_text(unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")).strip()
    return value or None


# Dates the site can print in 和暦 and that make sense for a consortium's records.
FIRST_DATE, LAST_DATE = date(1873, 1, 1), date(2100, 12, 31)


# A value out of bounds stops the field's checks (StopValidation): the form's own checks that
# follow may query or compute with it, and SQLite and date arithmetic overflow.
def plausible_date(form, field):
    if field.data is not None and not FIRST_DATE <= field.data <= LAST_DATE:
        raise StopValidation(_l("Enter a date between %(first)d and %(last)d.", first=FIRST_DATE.year, last=LAST_DATE.year))


def fits_integer_column(form, field):
    """Numbers the database's INTEGER columns hold (PostgreSQL refuses more than 2**31 - 1)."""
    if field.data is not None and not -(LARGEST_ID + 1) <= field.data <= LARGEST_ID:
        raise StopValidation(_l("The number is too large."))


class Form(FlaskForm):
    """Every edit form: CSRF from Flask-WTF, every text field cleaned before validation (kept as
    typed; addresses, numbers and links read as ASCII), every date within the years the site can
    print, every whole number one the database holds."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                if issubclass(field_class, TextAreaField):
                    normalise = normalise_text
                elif issubclass(field_class, (EmailField, URLField, TelField)):
                    normalise = normalise_folded_line
                else:
                    normalise = normalise_line
                options["filters"] = (normalise, *options.get("filters", ()))
            if issubclass(field_class, DateField):
                options["validators"] = [*(unbound_field.kwargs.get("validators") or ()), plausible_date]
            if issubclass(field_class, IntegerField):
                options["validators"] = [fits_integer_column, *(unbound_field.kwargs.get("validators") or ())]
            return unbound_field.bind(form=form, **options)

    def hidden_tag(self, *fields):
        """The hidden fields without their ids: a page with two forms would say id="csrf_token" twice."""
        chosen = [getattr(self, f) if isinstance(f, str) else f for f in fields] if fields else list(self)
        return Markup("\n".join(f(id=False) for f in chosen if isinstance(f.widget, HiddenInput)))


class SearchForm(FlaskForm):
    """A GET form for list filters: read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name"), validators=[Optional(), Length(max=100)], filters=[normalise_folded_line])

    def __init__(self, **kwargs):
        super().__init__(formdata=request.args, **kwargs)

    @property
    def query_key(self) -> str:
        return search_key(self.q.data) if self.q.data else ""


class ConfirmForm(Form):
    """A deletion or other step that cannot be undone: the box must be ticked."""

    confirm = BooleanField(_l("Yes, I am sure"), validators=[DataRequired(_l("Tick the box to confirm."))])


class ButtonForm(Form):
    """A POST that carries nothing but its CSRF token: a workflow step, a move up or down."""


def checkboxes(label, **kwargs) -> SelectMultipleField:
    """A list of checkboxes, shown by the field macro as a fieldset."""
    return SelectMultipleField(
        label, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), **kwargs
    )


def options(pairs, blank=None) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox field from (value, label) pairs, with an optional
    blank first choice."""
    choices = [SelectChoice(str(value), label) for value, label in pairs]
    return [SelectChoice("", blank)] + choices if blank is not None else choices


def enum_choices(enum_cls, blank=None) -> list[SelectChoice]:
    """Choices for a select of an enum's members, with an optional blank first choice."""
    return options([(m.value, m.label) for m in enum_cls], blank)


def optional_id(value):
    """Coerce a select's value to an id; the blank choice is None."""
    if value in (None, "", "None"):
        return None
    return int(value)


def ends_after_start(start_field: str):
    """A validator for an end field: after the start, when both are given."""

    def check(form, field):
        start = getattr(form, start_field).data
        if field.data is not None and start is not None and field.data <= start:
            raise ValidationError(_l("The end must be after the start."))

    return check


def render_form(template: str, form, **context):
    """Render a form page: 200 when first shown, 422 when a submission failed validation.

    The form is re-rendered from what was posted, so nothing the user typed is lost.
    """
    status = 422 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status
