"""Form pieces shared by every area."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField
from wtforms.validators import Length, Optional

from .japanese import search_key


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


def enum_choices(enum_cls, blank) -> list[tuple[str, str]]:
    return [("", blank)] + [(m.value, m.label) for m in enum_cls]
