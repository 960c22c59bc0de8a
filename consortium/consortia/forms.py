"""Forms of the consortia area."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import Optional

from ..forms import SearchForm, enum_choices
from ..models import ConsortiumKind, ConsortiumStatus


class ConsortiumFilterForm(SearchForm):
    status = SelectField(_l("Status"), validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    theme = SelectField(_l("Theme"), validators=[Optional()])

    def __init__(self, themes, **kwargs):
        super().__init__(**kwargs)
        self.status.choices = enum_choices(ConsortiumStatus, _l("Any status"))
        self.kind.choices = enum_choices(ConsortiumKind, _l("Any kind"))
        self.theme.choices = [("", _l("Any theme"))] + [(t.code, t.name) for t in themes]
