"""The form that names and scopes a new personal access token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from ..forms import Form, enum_choices, optional_id, options
from ..models import TokenScope


class TokenForm(Form):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Name the token after what will use it.")), Length(max=100)],
        description=_l("What will use it, e.g. 区ウェブサイトの会議一覧"),
    )
    scope = RadioField(_l("May"), choices=enum_choices(TokenScope), default=TokenScope.READ.value)
    consortium_id = SelectField(
        _l("Writes to"),
        coerce=optional_id,
        description=_l("A token that may write writes to this consortium only. Reading is not limited: the token reads what you may see."),
    )

    def __init__(self, managed: list[tuple[int, str]], may_write: bool, **kwargs):
        """`managed`: the (id, name) of the consortia the user runs as secretariat; `may_write`:
        whether the user writes anywhere (a secretariat, an administrator)."""
        super().__init__(**kwargs)
        self.managed, self.may_write = managed, may_write
        self.consortium_id.choices = options(managed, _l("Every consortium I run"))

    def validate_scope(self, field):
        if field.data == TokenScope.WRITE.value and not self.may_write:
            raise ValidationError(_l("Only a consortium's secretariat can write through the API: choose Read."))

    def validate_consortium_id(self, field):
        if field.data is not None and field.data not in {cid for cid, _name in self.managed}:
            raise ValidationError(_l("Choose one of the consortia you run."))
