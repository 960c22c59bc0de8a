"""The administrator's form for the terms of the open data."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length

from ..forms import Form, enum_choices
from ..models import Licence
from ..versions import VersionedForm


class TermsForm(VersionedForm, Form):
    licence = RadioField(_l("Licence"), choices=enum_choices(Licence), default=Licence.CC_BY_4.value)
    attribution = StringField(
        _l("Attribution"),
        validators=[DataRequired(_l("Enter how users are to credit the data.")), Length(max=300)],
        description=_l("How users are to credit the data (出典), e.g. 出典：〇〇協議会事務局「委員名簿」"),
    )
