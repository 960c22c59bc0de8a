"""Forms of the meetings area: meetings, agenda items, presenters and moves."""
from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..directory.matching import find_organization, find_people, person_label, typed_id
from ..extensions import db
from ..forms import Form, ends_after_start, enum_choices, optional_id, options
from ..japanese import to_tokyo, tokyo_datetime
from ..models import AgendaItem, DatePrecision, Meeting, MeetingKind, MeetingStatus, Organization, Person
from ..versions import VersionedForm

PRECISIONS = options([
    (DatePrecision.MINUTE.value, _l("Date and time are known")),
    (DatePrecision.DAY.value, _l("Only the date is known")),
    (DatePrecision.MONTH.value, _l("Only the month is known")),
])
# Browsers send HH:MM, or HH:MM:SS when a step below a minute is set.
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


def web_address(form, field):
    """Only http(s) links: anything else (javascript:, file:) must never become a link on a page."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(_l("Enter a web address starting with https:// or http://."))


class WhenForm(Form):
    """When a meeting takes place, typed in Japan time: the meeting form's date and time fields,
    which the scheduling check also reads on their own."""

    precision = RadioField(
        _l("How exactly is the date known?"), choices=PRECISIONS, default=DatePrecision.MINUTE.value
    )
    day = DateField(
        _l("Date"),
        validators=[DataRequired(_l("Enter the date."))],
        description=_l("In Japan time. When only the month is known, any day of that month will do."),
    )
    start_time = TimeField(
        _l("Starts at"), format=TIME_FORMATS, validators=[Optional()],
        description=_l("Leave the times empty when only the date or the month is known."),
    )
    end_time = TimeField(_l("Ends at"), format=TIME_FORMATS, validators=[Optional()])

    @property
    def times_known(self) -> bool:
        return self.precision.data == DatePrecision.MINUTE.value

    def validate_end_time(self, field):
        if self.times_known:
            ends_after_start("start_time")(self, field)

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        if self.times_known:
            if self.start_time.data is None and not self.start_time.errors:
                self.start_time.errors.append(_l("Enter the start time, or choose that only the date is known."))
        else:
            # Without a known time the time fields mean nothing, so nothing typed there can be wrong.
            self.start_time.errors, self.end_time.errors = [], []
        self._errors = None
        return not any(field.errors for field in self) and not self.form_errors

    def when(self) -> tuple[DatePrecision, datetime, datetime | None] | None:
        """The precision and the aware start and end as typed, or None while the fields do not say
        when (nothing typed yet, or something wrong in them)."""
        fields = (self.precision, self.day, self.start_time, self.end_time)
        if any(field.errors for field in fields) or self.day.data is None:
            return None
        precision = DatePrecision(self.precision.data)
        day: date = self.day.data
        if precision is DatePrecision.MINUTE:
            start, end = self.start_time.data, self.end_time.data
            if start is None:
                return None
            starts_at = tokyo_datetime(day.year, day.month, day.day, start.hour, start.minute)
            ends_at = tokyo_datetime(day.year, day.month, day.day, end.hour, end.minute) if end else None
        elif precision is DatePrecision.DAY:
            starts_at, ends_at = tokyo_datetime(day.year, day.month, day.day), None
        else:
            starts_at, ends_at = tokyo_datetime(day.year, day.month, 1), None
        return precision, starts_at, ends_at


class MeetingForm(VersionedForm, WhenForm):
    number = IntegerField(
        _l("Number"),
        validators=[Optional(), NumberRange(min=1, max=999, message=_l("Enter a whole number from 1 to 999."))],
        description=_l("5 for the 5th meeting; leave empty when meetings are not numbered."),
    )
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=enum_choices(MeetingKind), default=MeetingKind.REGULAR.value)
    status = SelectField(_l("Status"), choices=enum_choices(MeetingStatus), default=MeetingStatus.SCHEDULED.value)
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    online_url = URLField(
        _l("Online meeting link"),
        validators=[Optional(), Length(max=500), web_address],
        description=_l("Shown to members only."),
    )
    is_public = BooleanField(
        _l("Open to the public"), default=True, description=_l("A closed meeting is shown to members of the consortium only.")
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=10000)])

    def __init__(self, meeting: Meeting | None = None, **kwargs):
        if meeting is not None:
            starts = to_tokyo(meeting.starts_at)
            kwargs.setdefault("day", starts.date())
            kwargs.setdefault("precision", meeting.precision.value)
            if meeting.precision is DatePrecision.MINUTE:
                kwargs.setdefault("start_time", starts.time())
                if meeting.ends_at is not None:
                    kwargs.setdefault("end_time", to_tokyo(meeting.ends_at).time())
        super().__init__(obj=meeting, **kwargs)

    def values(self) -> dict:
        """The meeting's attributes as typed, with times in Japan time made aware."""
        precision, starts_at, ends_at = self.when()
        return {
            "number": self.number.data,
            "title": self.title.data,
            "kind": MeetingKind(self.kind.data),
            "status": MeetingStatus(self.status.data),
            "precision": precision,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "venue": self.venue.data,
            "room": self.room.data,
            "address": self.address.data,
            "online_url": self.online_url.data,
            "is_public": self.is_public.data,
            "description": self.description.data,
        }


class AgendaItemForm(VersionedForm, Form):
    label = StringField(
        _l("Label"), validators=[Optional(), Length(max=20)], description=_l("As printed, for example (1), “Item 2” or 10.1.")
    )
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=300)])
    parent_id = SelectField(
        _l("Under item"),
        coerce=optional_id,
        invalid_choice_message=_l("Choose a top-level item of this meeting."),
        description=_l("Sub-items go one level deep only."),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
    duration_minutes = IntegerField(
        _l("Minutes allotted"),
        validators=[Optional(), NumberRange(min=1, max=24 * 60, message=_l("Enter a number of minutes from 1 to 1440."))],
    )
    is_public = BooleanField(
        _l("Open to the public"),
        default=True,
        description=_l("Closed items, and the materials and minutes under them, are shown to members only."),
    )
    result = TextAreaField(_l("Result"), validators=[Optional(), Length(max=10000)])

    def __init__(self, top_level: list[AgendaItem], item: AgendaItem | None = None, has_children: bool = False, **kwargs):
        super().__init__(obj=item, **kwargs)
        self.item = item
        self.has_children = has_children
        self.parent_id.choices = options(
            [(i.id, i.numbered_title) for i in top_level if item is None or i.id != item.id],
            _l("— none: a top-level item —"),
        )

    def validate_parent_id(self, field):
        if field.data is not None and self.has_children:
            raise ValidationError(_l("This item has sub-items, so it cannot go under another item. Move its sub-items first."))

    def values(self) -> dict:
        return {
            name: getattr(self, name).data
            for name in ("label", "title", "parent_id", "note", "duration_minutes", "is_public", "result")
        }


PRESENTER_KINDS = options([("person", _l("A person")), ("organization", _l("An organisation"))])


class PresenterForm(Form):
    # Named apart from the item form's fields: both forms are on one page, and ids must be unique.
    presenter_kind = RadioField(_l("The presenter is"), choices=PRESENTER_KINDS, default="person")
    presenter_name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the name of the person or organisation.")), Length(max=200)],
        description=_l("As in the directory: family name, a space, given name for a person. #123 picks an entry by its number."),
    )
    presenter_title = StringField(
        _l("Title as printed"), validators=[Optional(), Length(max=200)], description=_l("For example the governor of the prefecture.")
    )

    who: Person | Organization | None = None

    def validate_presenter_name(self, field):
        """Find the one directory entry the name means; the secretariat adds missing ones there first."""
        model = Person if self.presenter_kind.data == "person" else Organization
        if (number := typed_id(field.data)) is not None:
            self.who = db.session.get(model, number)
            if self.who is None:
                raise ValidationError(_l("There is no entry #%(id)s in the directory.", id=number))
            return
        if model is Organization:
            self.who = find_organization(field.data)
            if self.who is None:
                raise ValidationError(_l("%(name)s is not in the directory. Add it there first.", name=field.data))
            return
        people = find_people(field.data)
        if not people:
            raise ValidationError(_l("%(name)s is not in the directory. Add them there first.", name=field.data))
        if len(people) > 1:
            raise ValidationError(
                _l(
                    "Several people are called %(name)s: %(numbers)s. Type # and the number of the one you mean.",
                    name=field.data,
                    numbers="; ".join(person_label(p) for p in people),
                )
            )
        self.who = people[0]


class RemovePresenterForm(Form):
    presenter_id = IntegerField(validators=[DataRequired()])


class MoveForm(Form):
    direction = SelectField(choices=options([("up", _l("Up")), ("down", _l("Down"))]), validators=[DataRequired()])
