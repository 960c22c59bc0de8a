"""The search form: what to find, and where to look."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SearchField, SelectField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from ..forms import SearchForm, fits_integer_column, normalise_line, options, plausible_date
from .queries import KINDS, Filters


class FindForm(SearchForm):
    CONDITIONS = ("q", "kind", "consortium", "year", "since", "until", "sort")

    q = SearchField(_l("Words to find"), validators=[Optional(), Length(max=200)], filters=[normalise_line])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    consortium = IntegerField(_l("Consortium"), validators=[Optional(), fits_integer_column, NumberRange(min=1)])
    year = IntegerField(
        _l("Fiscal year (年度)"),
        validators=[Optional(), NumberRange(min=1900, max=2100, message=_l("Enter a fiscal year between 1900 and 2100."))],
        description=_l("The year in the Western calendar in which the fiscal year begins on 1 April, e.g. 2024 for 令和6年度."),
    )
    since = DateField(_l("From"), validators=[Optional(), plausible_date])
    until = DateField(_l("Until"), validators=[Optional(), plausible_date])
    sort = RadioField(
        _l("Sort by"), choices=options([("relevance", _l("Most relevant first")), ("date", _l("Newest first"))]), default="relevance",
        validators=[Optional()],
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.kind.choices = options(((k.name, k.label) for k in KINDS), _l("All kinds"))

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end cannot be before the start."))

    def filters(self) -> Filters:
        return Filters(
            consortium_id=self.consortium.data,
            fiscal_year=self.year.data,
            since=self.since.data,
            until=self.until.data,
            by_date=self.sort.data == "date",
        )
