"""Forms of the meetings area: meetings, agenda items, presenters and moves."""
from __future__ import annotations

import unicodedata

from datetime import date, datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput, TextArea

from ..directory.matching import find_organization, find_people, person_label, typed_id
from ..extensions import db
from ..forms import Form, ends_after_start, enum_choices, normalise_line, optional_id, options
from ..japanese import fiscal_year, to_tokyo, tokyo_datetime
from ..lines import typed_text
from ..models import AgendaItem, DatePrecision, Meeting, MeetingKind, MeetingStatus, Organization, Person
from ..versions import VersionedForm, VersionField
from . import outline

PRECISIONS = options([
    (DatePrecision.MINUTE.value, _l("Date and time are known")),
    (DatePrecision.DAY.value, _l("Only the date is known")),
    (DatePrecision.MONTH.value, _l("Only the month is known")),
    (DatePrecision.FISCAL_YEAR.value, _l("Only the fiscal year is known")),
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
        description=_l("In Japan time. When only the month or the fiscal year is known, any day of it will do."),
    )
    last_fiscal_year = IntegerField(
        _l("Last fiscal year"),
        validators=[Optional(), NumberRange(min=1900, max=2200, message=_l("Enter a year such as 2026."))],
        description=_l("Only when the fiscal year is known and the meeting may fall in any of several: the last of them."),
    )
    start_time = TimeField(
        _l("Starts at"), format=TIME_FORMATS, validators=[Optional()],
        description=_l("Leave the times empty when only the date, the month or the fiscal year is known."),
    )
    end_time = TimeField(_l("Ends at"), format=TIME_FORMATS, validators=[Optional()])

    @property
    def times_known(self) -> bool:
        return self.precision.data == DatePrecision.MINUTE.value

    def validate_last_fiscal_year(self, field):
        if field.data is not None and self.day.data is not None and field.data < fiscal_year(self.day.data):
            raise ValidationError(_l("Enter a fiscal year no earlier than the date's (%(year)d).", year=fiscal_year(self.day.data)))

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
        if self.precision.data != DatePrecision.FISCAL_YEAR.value:
            self.last_fiscal_year.errors = []  # means nothing unless only the fiscal year is known
        self._errors = None
        return not any(field.errors for field in self) and not self.form_errors

    def when(self) -> tuple[DatePrecision, datetime, datetime | None] | None:
        """The precision and the aware start and end as typed, or None while the fields do not say
        when (nothing typed yet, or something wrong in them)."""
        fields = (self.precision, self.day, self.start_time, self.end_time, self.last_fiscal_year)
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
        elif precision is DatePrecision.FISCAL_YEAR:
            first = fiscal_year(day)
            starts_at = tokyo_datetime(first, 4, 1)
            ends_at = tokyo_datetime((self.last_fiscal_year.data or first) + 1, 4, 1)
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
    # The blank choice keeps a kind the source does not give unknown when the meeting is edited.
    kind = SelectField(_l("Kind"), choices=enum_choices(MeetingKind, _l("Not stated")), default=MeetingKind.REGULAR.value)
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
            elif meeting.precision is DatePrecision.FISCAL_YEAR:
                kwargs.setdefault("last_fiscal_year", fiscal_year(to_tokyo(meeting.ends_at).date()) - 1)
        super().__init__(obj=meeting, **kwargs)

    def values(self) -> dict:
        """The meeting's attributes as typed, with times in Japan time made aware."""
        precision, starts_at, ends_at = self.when()
        return {
            "number": self.number.data,
            "title": self.title.data,
            "kind": MeetingKind(self.kind.data) if self.kind.data else None,
            "status": MeetingStatus(self.status.data),
            "precision": precision,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "venue": self.venue.data,
            "room": self.room.data,
            "address": self.address.data,
            "online_url": self.online_url.data,
            "is_public": self.is_public.data,
            "public_stated": True,  # whoever saves the form has said open or closed
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


# ---------------------------------------------------------------------------------------------
# The whole agenda on one page

AGENDA_BLANK_ROWS = 3  # empty rows offered without JavaScript; with it, "Add a row" makes more
AGENDA_MAX_ROWS = 200
LEVELS = options([("0", _l("Top-level item")), ("1", _l("Sub-item of the item above"))])


class AgendaRowForm(Form):
    """One item of the agenda editor; the id says which stored item it edits, none for a new one."""

    class Meta:
        csrf = False  # the enclosing form carries the token

    id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    version = VersionField()
    title = StringField(_l("Title"), validators=[Length(max=300)])
    level = SelectField(_l("Level"), choices=LEVELS, default="0")
    position = IntegerField(
        _l("Order"),
        validators=[Optional(), NumberRange(min=1, max=999, message=_l("Enter a whole number from 1 to 999."))],
    )
    is_public = BooleanField(_l("Open to the public"), default=True)
    delete = BooleanField(_l("Remove this item"))

    def is_blank(self) -> bool:
        return self.id.data is None and not self.title.data

    @property
    def kept(self) -> bool:
        return not self.is_blank() and not self.delete.data


class PastedLinesField(Field):
    """Text pasted as lines, kept with its leading spaces (they say the nesting): the house's text
    normalisation (NFC, plain line ends, no controls) without the strip of the first line."""

    widget = TextArea()

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        self.data = typed_text(unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n"))

    def _value(self):
        return self.data or ""


def pasted_items(field: PastedLinesField, kept: int = 0) -> list[outline.Line]:
    """The agenda items pasted in a field, nested one level at most, with the field's errors added
    for a line too long or too many items (beside the `kept` ones already on the agenda)."""
    if not field.data or field.errors:
        return []
    lines = outline.parse(field.data, max_depth=1)
    for line in lines:
        if len(normalise_line(line.title) or "") > 300:
            field.errors.append(_l("Line %(num)d is longer than 300 characters.", num=line.number))
    if len(lines) + kept > AGENDA_MAX_ROWS:
        field.errors.append(_l("An agenda holds at most %(num)d items.", num=AGENDA_MAX_ROWS))
    return lines


def pasted_plan(lines: list[outline.Line]) -> list[tuple[None, str, bool, bool]]:
    """Pasted lines as new items of an agenda plan (services.save_agenda): public, nested as typed."""
    return [(None, normalise_line(line.title), line.depth > 0, True) for line in lines]


class NewMeetingForm(MeetingForm):
    """A meeting planned with its agenda in the same submit, pasted as text."""

    agenda = PastedLinesField(
        _l("Agenda, pasted as text (optional)"),
        validators=[Length(max=20000)],
        description=_l(
            "One item per line. Indent a line, or number it in a second style (1. then (1), ① or ア), to make "
            "it a sub-item. The numbers are taken off: the agenda is numbered for you. It can be edited afterwards."
        ),
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.pasted = pasted_items(self.agenda)
        return valid and not self.agenda.errors


class AgendaForm(Form):
    """Every item of a meeting's agenda at once, in the order of the rows (or of their Order
    numbers), and lines pasted as text that are added at the end."""

    items = FieldList(FormField(AgendaRowForm), label=_l("Agenda items"), max_entries=AGENDA_MAX_ROWS)
    paste = PastedLinesField(
        _l("Add items pasted as text"),
        validators=[Length(max=20000)],
        description=_l(
            "One item per line, added after the rows above. Indent a line (spaces or a tab), or number it "
            "in a second style (1. then (1), ① or ア), to make it a sub-item of the line above it. "
            "The numbers are taken off: the agenda is numbered for you."
        ),
    )

    def __init__(self, *args, in_minutes: frozenset[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.in_minutes = in_minutes  # items the minutes refer to: they cannot be removed
        self.pasted: list[outline.Line] = []

    def add_blank_rows(self) -> None:
        for _ in range(AGENDA_BLANK_ROWS):
            if len(self.items) < AGENDA_MAX_ROWS:
                self.items.append_entry()

    def ordered_rows(self) -> list[AgendaRowForm]:
        """The rows as the agenda will hold them: by Order number where typed, else as shown. A row
        given another row's number goes before it: the page numbers its rows 1, 2, 3…, so a
        number that differs from the row's own place is the one the user typed."""

        def key(pair):
            place, row = pair[0] + 1, pair[1]
            number = row.position.data or place
            return number, number == place, place

        return [row for _index, row in sorted(enumerate(entry.form for entry in self.items), key=key)]

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        has_top = False
        for row in self.ordered_rows():
            if row.is_blank():
                continue
            if row.delete.data:
                if row.id.data in self.in_minutes:
                    row.delete.errors.append(
                        _l("The minutes record discussion or decisions under this item, so it is kept. Edit its title instead.")
                    )
                continue
            if not row.title.data:
                row.title.errors.append(_l("Enter the title, or tick “Remove this item”."))
            if row.level.data == "1" and not has_top:
                row.level.errors.append(_l("A sub-item needs a top-level item above it."))
            has_top = has_top or row.level.data == "0"
        self.pasted = pasted_items(self.paste, sum(1 for entry in self.items if entry.form.kept))
        # The list took a copy of its rows' errors when it validated them, before the checks above.
        self.items.errors = [entry.errors for entry in self.items] if any(entry.errors for entry in self.items) else []
        self._errors = None
        return not self.errors

    def plan(self) -> list[tuple[int | None, str, bool, bool]]:
        """The agenda to save, in order: (stored item id or None, title, is a sub-item, is public);
        pasted lines last, public like the meeting's other new items."""
        rows = [
            (row.id.data, row.title.data, row.level.data == "1", row.is_public.data)
            for row in self.ordered_rows()
            if row.kept
        ]
        return rows + pasted_plan(self.pasted)

    def removed_ids(self) -> list[int]:
        return [entry.form.id.data for entry in self.items if entry.form.id.data is not None and entry.form.delete.data]
