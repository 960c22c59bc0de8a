"""The attendance form: one row per member on the page, and the number of observers."""
from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import FormField, IntegerField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from ..consortia.forms import whole_number
from ..forms import Form, enum_choices
from ..models import Attendance, Membership, Presence
from ..versions import VersionedForm
from .services import suggestion

MAX_OBSERVERS = 100_000


class ObserversField(IntegerField):
    """An IntegerField that answers text which is no number as its range check does (whole_number)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a whole number from %(min)d to %(max)d.", min=0, max=MAX_OBSERVERS)) from error


class PresenceRow(Form):
    """One member's presence; the CSRF token belongs to the form around it."""

    class Meta:
        csrf = False

    presence = SelectField(_l("Attendance"), choices=enum_choices(Presence, blank=_l("Not recorded")))
    stand_in = StringField(
        _l("Name of the stand-in"),
        validators=[Length(max=200, message=_l("Keep the name of the stand-in within 200 characters."))],
        description=_l("For 代理出席 only: who attended in the member's place."),
    )

    def validate_stand_in(self, field):
        if self.presence.data == Presence.REPRESENTED.value and not field.data:
            raise ValidationError(_l("Enter the name of the person who attended in the member's place (代理出席)."))


class AttendanceForm(VersionedForm, Form):
    observers = ObserversField(
        _l("Number of observers"),
        validators=[Optional(), whole_number(0, MAX_OBSERVERS)],
        description=_l("Members of the public who watched the meeting (傍聴者). Leave empty if not counted."),
    )
    rows: ClassVar[list[tuple[Membership, Attendance | None]]] = []

    def row(self, membership: Membership) -> PresenceRow:
        return self[f"m{membership.id}"].form

    def presences(self) -> dict[int, tuple[Presence | None, str | None]]:
        """Membership id → (presence, stand-in) of the rows the POST carried; a row it did not
        carry (a member who joined the page since it was loaded) is left as it is."""
        sent = {}
        for membership, _attendance in self.rows:
            row = self.row(membership)
            if row.presence.raw_data:
                sent[membership.id] = (Presence(row.presence.data) if row.presence.data else None, row.stand_in.data)
        return sent


    def fill(self, presence: str, membership_ids: set[int] | None = None) -> int:
        """Set the presence of the members given, or of every row left blank, in the form only
        (nothing is saved); return how many rows changed."""
        changed = 0
        for membership, _attendance in self.rows:
            select = self.row(membership).presence
            chosen = membership.id in membership_ids if membership_ids is not None else not select.data
            if chosen and select.data != presence:
                select.data = presence
                changed += 1
        return changed


def attendance_form(rows: list[tuple[Membership, Attendance | None]], observers: int | None, **kwargs) -> AttendanceForm:
    """The form for a page of members, filled with what is stored; where no presence is stored,
    with what the member's reply suggests."""

    class PageForm(AttendanceForm):
        pass

    data: dict = {"observers": observers}
    for membership, attendance in rows:
        setattr(PageForm, f"m{membership.id}", FormField(PresenceRow, label=membership.name))
        presence = (attendance.presence if attendance else None) or suggestion(attendance)
        data[f"m{membership.id}"] = {
            "presence": presence.value if presence else "",
            "stand_in": attendance.stand_in if attendance else None,
        }
    PageForm.rows = rows
    return PageForm(data=data, **kwargs)
