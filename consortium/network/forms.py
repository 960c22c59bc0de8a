"""The network page's filters: a GET form, read from the query string."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from ..extensions import db
from ..forms import fits_integer_column, options
from ..models import Organization, Theme
from .queries import Filters

# Prefectures offered as regions: those organisations name (47, but typed by hand, so bounded).
REGIONS_OFFERED = 100


class NetworkForm(FlaskForm):
    class Meta:
        csrf = False

    CONDITIONS = ("theme", "region", "year", "consortium")

    theme = SelectField(_l("Theme"), validators=[Optional()])
    region = SelectField(_l("Region (prefecture)"), validators=[Optional()])
    year = IntegerField(
        _l("Fiscal year (年度)"),
        validators=[Optional(), NumberRange(min=1900, max=2100, message=_l("Enter a fiscal year between 1900 and 2100."))],
        description=_l("Seats held during that fiscal year, e.g. 2024 for 令和6年度; today's seats when empty."),
    )
    consortium = IntegerField(_l("Consortium"), validators=[Optional(), fits_integer_column, NumberRange(min=1)])

    def __init__(self):
        super().__init__(formdata=request.args)
        themes = db.session.execute(sa.select(Theme.id, Theme.name).order_by(Theme.position, Theme.id)).all()
        self.theme.choices = options(themes, _l("Any theme"))
        regions = db.session.execute(
            sa.select(Organization.prefecture)
            .where(Organization.prefecture.is_not(None))
            .distinct()
            .order_by(Organization.prefecture)
            .limit(REGIONS_OFFERED)
        ).scalars()
        self.region.choices = options(((name, name) for name in regions), _l("Any region"))

    def filters(self) -> Filters:
        return Filters(
            theme_id=int(self.theme.data) if self.theme.data else None,
            region=self.region.data or None,
            fiscal_year=self.year.data,
            consortium_id=self.consortium.data,
        )
