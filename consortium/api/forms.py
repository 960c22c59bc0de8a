"""Writes through the API follow the site's own forms: a JSON body is posted to the form a
secretariat fills in, over what the form shows now, so the same cleaning and the same rules apply
and the same messages come back, in the caller's language."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest import abort
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FileField
from wtforms.fields.choices import SelectFieldBase

# marshmallow's own messages for a body of the wrong shape, given here so they are translated too.
SHAPE_MESSAGES = (
    _l("Missing data for required field."), _l("Unknown field."), _l("Field may not be null."), _l("Invalid input type."),
    _l("Not a valid integer."), _l("Not a valid string."), _l("Not a valid boolean."), _l("Not a valid date."),
    _l("Not a valid datetime."), _l("Not a valid number."), _l("Invalid value."), _l("Invalid input."),
)
_RANGE = re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.")
_CHOICE = re.compile(r"Must be one of: (.+)\.")


def translated(errors):
    """Validation messages (nested dicts and lists of them) in the caller's language."""
    if isinstance(errors, dict):
        return {key: translated(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translated(value) for value in errors]
    message = str(errors)
    if found := _RANGE.fullmatch(message):
        return _("Must be from %(min)s to %(max)s.", min=found[1], max=found[2])
    if found := _CHOICE.fullmatch(message):
        return _("Must be one of: %(choices)s.", choices=found[1])
    return _(message)


def _typed(value) -> str:
    """A value as a browser posts it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "y" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _as_posted(field) -> str:
    """A field's value as a browser would post it back unchanged."""
    return _typed(field.data) if isinstance(field, (BooleanField, SelectFieldBase)) else field._value()


def posted(form_class, body: dict, *args, files: dict | None = None, **kwargs):
    """The form as if a secretariat had posted it with the body's values (and files) over what it
    shows now (built from args and kwargs, e.g. the row being edited): validated, or 422 with its
    messages."""
    shown = form_class(*args, formdata=None, meta={"csrf": False}, **kwargs)
    # A field the form leaves out for this caller (contact details, a private note) is not theirs to set.
    refused = sorted(set(body) - {field.name for field in shown})
    if refused:
        abort(422, errors={"json": {name: [_("You may not set this here.")] for name in refused}})
    data = MultiDict({
        field.name: _as_posted(field) for field in shown if field.type != "CSRFTokenField" and not isinstance(field, FileField)
    })
    for name, value in body.items():
        data[name] = _typed(value)
    data.update(files or {})
    form = form_class(*args, formdata=data, meta={"csrf": False}, **kwargs)
    if not form.validate():
        # A message may carry a link to the page of what it names (Markup): here, its words.
        errors = {name: [Markup(m).striptags() for m in messages] for name, messages in form.errors.items()}
        abort(422, errors={"json": errors})
    return form


def unchanged_since_read(version: int | None, row, current: Callable[[], dict]) -> None:
    """409 with the row as stored now (current: its JSON), unless the body was read at the row's version."""
    if version != row.version:
        abort(409, message=_("Someone else changed this in the meantime: here is what is stored now."), current=current())
