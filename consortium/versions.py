"""No lost update: every form of an existing row carries the version the row was read at.

A save whose version is not the row's any more is refused (409) with one page for every form:
field by field, what the user sent beside what is stored now, and their input again in a form
based on the current version, so they can merge and save again. The same page answers a save
that lost the race at the database (StaleDataError: the row moved between the check and the
write, or a row written on the way did).

The minutes keep their own conflict page: they compare whole texts, not fields.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask import Flask, g, render_template
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict
from wtforms import BooleanField, FieldList, FileField, FormField, IntegerField
from wtforms.fields.choices import SelectFieldBase
from wtforms.widgets import HiddenInput

from .api import errors as api_errors
from .audit import SIGN_IN
from .extensions import db
from .filters import clock, short_date
from .forms import positive_int
from .models import AuditEvent, User
from .models.base import Versioned as VersionedRow


class VersionField(IntegerField):
    """The hidden version of the row the form was read at."""

    widget = HiddenInput()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.type = "HiddenField"  # the loops that print every visible field leave it to hidden_tag()

    def process_formdata(self, valuelist):
        # A post without it (or with garbage) was read at no known version, so it is refused as stale.
        self.data = positive_int(valuelist[0]) if valuelist else None


class VersionedForm:
    """Mixin for the form of an existing row: the version field, and how the form was built, so
    the conflict page can build it again from the stored row.

    Forms built with obj=row read the version from it; forms built from data= put "version" in it.
    """

    version = VersionField()

    def __new__(cls, *args, **kwargs):
        form = super().__new__(cls)
        form._built_with = (args, kwargs)
        return form

    def as_stored(self):
        """The same form filled with what is stored now."""
        args, kwargs = self._built_with
        return type(self)(*args, **{**kwargs, "formdata": None})


class StaleEdit(Exception):
    """A form read at another version than the row's was posted."""


def check(form: VersionedForm, row: VersionedRow, counter: str = "version") -> None:
    """Refuse a save of `form` unless it was read at `row`'s current version: raise StaleEdit,
    which answers with the conflict page. Call it after validation, before writing. `counter`
    names another column when a part of the row is versioned apart (a meeting's attendance)."""
    g.versioned_edit = (form, row, counter)  # for a StaleDataError at commit
    if form.version.data != getattr(row, counter):
        raise StaleEdit()


@dataclass
class Difference:
    label: str
    yours: str
    stored: str

    @property
    def differs(self) -> bool:
        return self.yours != self.stored


def readable(field) -> str:
    """A field's value as the user sees it: a choice by its label, a date as printed."""
    data = field.data
    if isinstance(field, BooleanField):
        return _("Yes") if data else _("No")
    if isinstance(field, SelectFieldBase):
        return "、".join(str(choice[1]) for choice in field.iter_choices() if choice[2] and choice[0] not in ("", None))
    if data is None or data == "":
        return ""
    if isinstance(data, datetime):
        return f"{short_date(data)} {clock(data)}"
    if isinstance(data, date):
        return short_date(data)
    if isinstance(data, time):
        return data.strftime("%H:%M")
    return str(data)


def _leaves(form, prefix: str = ""):
    """(name, label, field) of every field a user fills in, sub-forms and lists unfolded."""
    for field in form:
        if field.type in ("CSRFTokenField", "HiddenField", "SubmitField") or isinstance(field, FileField):
            continue
        label = f"{prefix}{field.label.text}"
        if isinstance(field, FormField):
            yield from _leaves(field.form, f"{label}：")
        elif isinstance(field, FieldList):
            for number, entry in enumerate(field, start=1):
                if isinstance(entry, FormField):
                    yield from _leaves(entry.form, f"{label} {number}：")
                else:
                    yield entry.name, f"{label} {number}", entry
        else:
            yield field.name, label, field


def differences(yours, stored) -> list[Difference]:
    """Field by field, the user's input beside the stored value."""
    stored_fields = {name: field for name, _label, field in _leaves(stored)}
    rows = []
    for name, label, field in _leaves(yours):
        if name in stored_fields:
            rows.append(Difference(label, readable(field), readable(stored_fields[name])))
    return rows


def last_save(row: VersionedRow) -> sa.Row | None:
    """When the audit log last saw the row change, and who changed it (None when unknown)."""
    return db.session.execute(
        sa.select(AuditEvent.occurred_at, User.display_name)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.entity_type == type(row).__name__, AuditEvent.entity_id == row.id)
        .where(AuditEvent.action != SIGN_IN)  # a sign-in changes no version
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()


def row_name(row: VersionedRow) -> str | None:
    for attribute in ("numbered_title", "title", "full_name", "display_name", "name"):
        value = getattr(row, attribute, None)
        if isinstance(value, str):
            return value
    return None


def conflict_page(_error=None):
    """Answer a stale save: 409 with the comparison and the user's input in a current form (through
    the API, its JSON error: the caller reads the row again)."""
    db.session.rollback()  # nothing of the refused save is kept; the rows read again are current
    if api_errors.is_api_request():
        return api_errors.error_response(Conflict())
    edit = g.pop("versioned_edit", None)
    if edit is None:  # a one-click step (a move, a deletion) met a row changed meanwhile
        return render_template("conflict.html", form=None), 409
    form, row, counter = edit
    stored = form.as_stored()
    form.version.data = getattr(row, counter)
    form.version.raw_data = [str(form.version.data)]
    return (
        render_template(
            "conflict.html",
            form=form,
            differences=differences(form, stored),
            last=last_save(row),
            name=row_name(row),
        ),
        409,
    )


def init_app(app: Flask) -> None:
    app.register_error_handler(StaleEdit, conflict_page)
    app.register_error_handler(StaleDataError, conflict_page)
