"""Forms of the administration: users, grants, merging duplicates, the audit log's filters."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..accounts.forms import email_field
from ..audit import SIGN_IN
from ..directory.forms import organization_from_text, person_from_text
from ..accounts.services import user_by_email
from ..extensions import db
from ..forms import Form, enum_choices, normalise_line, optional_id, options, positive_int
from ..japanese import search_key
from ..models import AuditEvent, Consortium, GrantRole, Organization, Person, User
from ..versions import VersionedForm
from .audit_subjects import KINDS, action_label, kind_label


def _consortium_choices(blank=None) -> list:
    return options(db.session.execute(sa.select(Consortium.id, Consortium.name).order_by(Consortium.name)).all(), blank)


class _PersonLink(Form):
    """A user's link to a person of the directory, typed by name or as #123."""

    person = StringField(
        _l("Linked person"),
        validators=[Optional(), Length(max=200)],
        description=_l("The person in the directory this account belongs to, if any: their name, or # and their number."),
    )

    user: User | None = None  # the account being edited, if any
    linked: Person | None = None  # the person the field names, once validated

    def validate_person(self, field):
        self.linked = None
        if not field.data:
            return
        current = self.user.person if self.user is not None else None
        if current is not None and search_key(current.full_name) == search_key(field.data):
            self.linked = current  # unchanged: no need to tell namesakes apart again
            return
        person = person_from_text(field.data)
        holder = db.session.execute(sa.select(User).where(User.person_id == person.id)).scalar_one_or_none()
        if holder is not None and holder is not self.user:
            raise ValidationError(
                _l("%(name)s is already linked to the account of %(user)s.", name=person.full_name, user=holder.display_name)
            )
        self.linked = person


class NewUserForm(_PersonLink):
    email = email_field()
    display_name = StringField(_l("Display name"), validators=[DataRequired(_l("Enter the name to show.")), Length(max=100)])
    is_admin = BooleanField(_l("Administrator (may change everything)"))
    consortium_id = SelectField(_l("Grant a role in"), coerce=optional_id, validators=[Optional()])
    role = SelectField(_l("Role there"), choices=lambda: enum_choices(GrantRole), default=GrantRole.MEMBER.value)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.consortium_id.choices = _consortium_choices(_l("— no consortium for now —"))

    def validate_email(self, field):
        if user_by_email(field.data) is not None:
            raise ValidationError(_l("An account with this email address already exists."))

    def values(self) -> dict:
        consortium = db.session.get(Consortium, self.consortium_id.data) if self.consortium_id.data else None
        return {
            "email": self.email.data,
            "display_name": self.display_name.data,
            "is_admin": self.is_admin.data,
            "person": self.linked,
            "consortium": consortium,
            "role": GrantRole(self.role.data),
        }


class EditUserForm(VersionedForm, _PersonLink):
    display_name = StringField(_l("Display name"), validators=[DataRequired(_l("Enter the name to show.")), Length(max=100)])
    active = BooleanField(_l("Active (may sign in)"))
    is_admin = BooleanField(_l("Administrator (may change everything)"))

    def __init__(self, user: User, **kwargs):
        # Not obj=user: its .person is a row, and this field holds a typed name.
        current = {
            "display_name": user.display_name,
            "active": user.active,
            "is_admin": user.is_admin,
            "person": user.person.full_name if user.person is not None else None,
            "version": user.version,
        }
        super().__init__(data=current, **kwargs)
        self.user = user

    def validate_active(self, field):
        if not field.data and self.user.id == current_user.id:
            raise ValidationError(_l("You cannot deactivate your own account."))

    def validate_is_admin(self, field):
        if not field.data and self.user.id == current_user.id:
            raise ValidationError(_l("You cannot remove your own administrator rights; ask another administrator."))

    def values(self) -> dict:
        return {
            "display_name": self.display_name.data,
            "active": self.active.data,
            "is_admin": self.is_admin.data,
            "person": self.linked,
        }


class GrantForm(Form):
    consortium_id = SelectField(
        _l("Consortium"),
        coerce=optional_id,
        validators=[InputRequired(_l("Choose a consortium."))],
    )
    role = SelectField(_l("Role"), choices=lambda: enum_choices(GrantRole), default=GrantRole.MEMBER.value)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.consortium_id.choices = _consortium_choices(_l("— choose —"))

    def validate_consortium_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a consortium."))


class RevokeForm(Form):
    grant_id = IntegerField(validators=[InputRequired()])


class _DuplicateField(FlaskForm):
    """Read the duplicate from the query string: choosing it changes nothing."""

    class Meta:
        csrf = False

    duplicate = StringField(
        _l("The duplicate"),
        validators=[Optional(), Length(max=200)],
        filters=[normalise_line],
        description=_l("Its name as in the directory, or # and its number. It is merged into the one shown above and then deleted."),
    )

    def __init__(self, kept, **kwargs):
        super().__init__(formdata=request.args, **kwargs)
        self.kept = kept
        self.found = None

    def find(self, text):
        raise NotImplementedError

    def validate_duplicate(self, field):
        if not field.data:
            return
        found = self.find(field.data)
        if found.id == self.kept.id:
            raise ValidationError(_l("This is the one to keep. Choose its duplicate."))
        self.found = found


class OrganizationDuplicateForm(_DuplicateField):
    def find(self, text) -> Organization:
        return organization_from_text(text)


class PersonDuplicateForm(_DuplicateField):
    def find(self, text) -> Person:
        # Duplicates usually share the name: leave out the one kept so the other is found.
        return person_from_text(text, exclude=self.kept)


class MergeForm(Form):
    """The confirmed merge: the duplicate's id, chosen on the preview, and the tick box."""

    duplicate_id = HiddenField(validators=[InputRequired(_l("Choose the duplicate first."))])
    confirm = BooleanField(_l("Yes, merge them"), validators=[DataRequired(_l("Tick the box to confirm."))])

    def validate_duplicate_id(self, field):
        if positive_int(field.data) is None:
            raise ValidationError(_l("Choose the duplicate first."))


class AuditFilterForm(FlaskForm):
    """The audit log's filters, from the query string: changes (by kind and action) or sign-ins."""

    class Meta:
        csrf = False

    show = SelectField(
        choices=options([("changes", _l("Changes")), ("sign_ins", _l("Sign-ins"))]), default="changes", validators=[Optional()]
    )
    entity_type = SelectField(_l("Kind of entry"), validators=[Optional()])
    action = SelectField(_l("Action"), validators=[Optional()])
    consortium_id = SelectField(_l("Consortium"), coerce=optional_id, validators=[Optional()])

    def __init__(self, with_consortia: bool, **kwargs):
        super().__init__(formdata=request.args, **kwargs)
        self.entity_type.choices = options(sorted(((name, kind_label(name)) for name in KINDS), key=lambda c: c[1]), _l("Anything"))
        actions = db.session.execute(
            sa.select(AuditEvent.action).where(AuditEvent.action != SIGN_IN).distinct().order_by(AuditEvent.action)
        ).scalars()
        self.action.choices = options([(a, action_label(a)) for a in actions], _l("Any action"))
        if with_consortia:
            self.consortium_id.choices = _consortium_choices(_l("Any consortium"))
        else:
            del self.consortium_id

    @property
    def sign_ins(self) -> bool:
        return self.show.data == "sign_ins"
