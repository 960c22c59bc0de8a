"""Form pieces shared by every area: normalised input, list filters, choices."""
from __future__ import annotations

import unicodedata

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SearchField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .japanese import search_key


# Control characters other than tab and newline: PostgreSQL refuses NUL, and none belong in text.
CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10))


def normalise_line(value):
    """One line of text as typed in Japan: NFKC (full-width digits and letters become half-width,
    half-width katakana full-width), surrounding spaces gone, None when empty."""
    if value is None:
        return None
    value = unicodedata.normalize("NFKC", value).translate(CONTROL).strip()
    return value or None


def normalise_text(value):
    """Free text keeps its characters (①, ㈱) but gets composed forms and plain line ends."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n").translate(CONTROL).strip()
    return value or None


class Form(FlaskForm):
    """Every edit form: CSRF from Flask-WTF, and every text field normalised before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                normalise = normalise_text if issubclass(field_class, TextAreaField) else normalise_line
                options["filters"] = (normalise, *options.get("filters", ()))
            return unbound_field.bind(form=form, **options)


class SearchForm(FlaskForm):
    """A GET form for list filters: read from the query string, no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Name"), validators=[Optional(), Length(max=100)])

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


def enum_choices(enum_cls, blank=None) -> list[SelectChoice]:
    """Choices for a select of an enum's members, with an optional blank first choice."""
    choices = [SelectChoice(m.value, m.label) for m in enum_cls]
    return [SelectChoice("", blank)] + choices if blank is not None else choices


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
