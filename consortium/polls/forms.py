"""Forms of the polls area: the poll and its candidate slots, a member's answers, the pick."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    RadioField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms import Form as PlainForm
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ..filters import clock, short_date
from ..forms import FIRST_DATE, LAST_DATE, Form, options
from ..japanese import to_tokyo, today_tokyo, tokyo_datetime
from ..meetings.forms import TIME_FORMATS
from ..models import Answer, Poll, PollSlot
from ..versions import VersionedForm

# Empty rows offered for new candidate slots; rows left empty are ignored.
SLOT_ROWS = 5
ANSWER_CHOICES = options([
    (Answer.YES.value, _l("○ Available")),
    (Answer.MAYBE.value, _l("△ Not sure")),
    (Answer.NO.value, _l("× Not available")),
])


def slot_label(slot: PollSlot) -> str:
    """A slot as a short line: 2030/10/1（火） 14:00–16:00."""
    return when_label(slot.starts_at, slot.ends_at)


def when_label(starts_at: datetime, ends_at: datetime | None) -> str:
    """A slot's time, stored or typed, as a short line."""
    end = f"–{clock(ends_at)}" if ends_at else ""
    return f"{short_date(starts_at)} {clock(starts_at)}{end}"


class SlotRow(PlainForm):
    """One candidate slot, in Japan time; the CSRF token belongs to the form around it."""

    day = DateField(_l("Date"), validators=[Optional()])
    start_time = TimeField(_l("Starts at"), format=TIME_FORMATS, validators=[Optional()])
    end_time = TimeField(_l("Ends at"), format=TIME_FORMATS, validators=[Optional()])

    @property
    def is_empty(self) -> bool:
        return self.day.data is None and self.start_time.data is None and self.end_time.data is None and not any(
            f.errors for f in (self.day, self.start_time, self.end_time)
        )

    def validate_day(self, field):
        if field.data is not None and not FIRST_DATE <= field.data <= LAST_DATE:
            raise ValidationError(
                _l("Enter a date between %(first)d and %(last)d.", first=FIRST_DATE.year, last=LAST_DATE.year)
            )

    def validate(self, extra_validators=None) -> bool:
        """A row is empty or has its date and start time; Optional() lets each field be empty alone."""
        super().validate(extra_validators)
        if self.day.data is None and not self.day.errors and (self.start_time.data or self.end_time.data):
            self.day.errors.append(_l("Enter the date of this candidate."))
        if self.start_time.data is None and not self.start_time.errors and self.day.data is not None:
            self.start_time.errors.append(_l("Enter the start time of this candidate."))
        return not any(field.errors for field in self)

    def validate_end_time(self, field):
        if field.data is not None and self.start_time.data is not None and field.data <= self.start_time.data:
            raise ValidationError(_l("The end must be after the start."))

    def slot(self) -> tuple[datetime, datetime | None]:
        d: date = self.day.data
        starts = tokyo_datetime(d.year, d.month, d.day, self.start_time.data.hour, self.start_time.data.minute)
        end = self.end_time.data
        return starts, tokyo_datetime(d.year, d.month, d.day, end.hour, end.minute) if end else None


class PollForm(VersionedForm, Form):
    """A poll's title, message and respond-by date, and new candidate slots to add."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=300)])
    respond_by = DateField(
        _l("Respond by"),
        validators=[DataRequired(_l("Enter the date by which members should answer."))],
        description=_l("In Japan time; members who have not answered are reminded by email two days before."),
    )
    message = TextAreaField(
        _l("Message to the members"), validators=[Optional(), Length(max=5000)],
        description=_l("Sent with the poll, above the personal link."),
    )
    slots = FieldList(FormField(SlotRow), label=_l("Candidates"), min_entries=SLOT_ROWS)

    def __init__(self, poll: Poll | None = None, needs_slot: bool = True, **kwargs):
        if poll is not None:
            # Not obj=poll: a post without the date would leave the field the stored datetime.
            respond_by = to_tokyo(poll.respond_by).date() if poll.respond_by else None
            kwargs.setdefault("data", {"title": poll.title, "message": poll.message, "respond_by": respond_by, "version": poll.version})
        kwargs.setdefault("slots", [])  # the rows are for new candidates, never the poll's own
        super().__init__(**kwargs)
        self.poll, self.needs_slot = poll, needs_slot

    def validate_respond_by(self, field):
        kept = self.poll is not None and self.poll.respond_by and field.data == to_tokyo(self.poll.respond_by).date()
        if field.data is not None and field.data < today_tokyo() and not kept:
            raise ValidationError(_l("The respond-by date has passed. Choose today or a later date."))

    def validate_slots(self, field):
        if self.needs_slot and all(row.form.is_empty for row in field):
            raise ValidationError(_l("Enter at least one candidate: its date and start time."))

    def new_slots(self) -> list[tuple[datetime, datetime | None]]:
        """The rows that hold a whole slot; also on a form sent back with errors, to warn about them."""
        return [
            row.form.slot() for row in self.slots
            if row.form.day.data and row.form.start_time.data and not any(f.errors for f in row.form)
        ]

    def values(self) -> dict:
        d = self.respond_by.data
        # Members may answer until the respond-by day ends in Japan.
        respond_by = tokyo_datetime(d.year, d.month, d.day) + timedelta(days=1) - timedelta(minutes=1)
        return {"title": self.title.data, "message": self.message.data, "respond_by": respond_by}


class AnswerFormBase(Form):
    comment = TextAreaField(
        _l("Comment"), validators=[Optional(), Length(max=500, message=_l("Keep the comment within 500 characters."))],
        description=_l("For example: only online on the first date; can stay until 16:00."),
    )

    slots: ClassVar[list[PollSlot]] = []

    def answers(self) -> dict[int, Answer]:
        return {slot.id: Answer(self[f"slot_{slot.id}"].data) for slot in self.slots}


def answer_form(slots: list[PollSlot], answers: dict[int, Answer], comment: str | None, **kwargs) -> AnswerFormBase:
    """A form with one ○ / △ / × radio group per slot, filled with the member's earlier answers."""

    class AnswerForm(AnswerFormBase):
        pass

    values = [c.value for c in ANSWER_CHOICES]
    for slot in slots:
        label = slot_label(slot)
        required = _l("Choose ○, △ or × for %(slot)s.", slot=label)
        setattr(AnswerForm, f"slot_{slot.id}", RadioField(
            label, choices=ANSWER_CHOICES, validate_choice=False,
            validators=[InputRequired(required), _one_of(values, required)],
        ))
    AnswerForm.slots = slots
    data = {f"slot_{slot_id}": answer.value for slot_id, answer in answers.items()}
    data["comment"] = comment
    return AnswerForm(data=data, **kwargs)


def _one_of(values: list[str], message):
    def check(form, field):
        if field.data not in values:
            raise ValidationError(message)

    return check


class PickForm(Form):
    slot_id = RadioField(_l("The date to hold the meeting"), validate_choice=False)
    invite = BooleanField(
        _l("Also send the invitations, with the calendar file and the reply links, to every member with an email address"),
        default=True,
    )

    def __init__(self, slots: list[PollSlot], **kwargs):
        super().__init__(**kwargs)
        self.slot_id.choices = options([(s.id, slot_label(s)) for s in slots])
        self.by_id = {str(s.id): s for s in slots}

    def validate_slot_id(self, field):
        if field.data not in self.by_id:
            raise ValidationError(_l("Choose one of the candidates."))

    @property
    def slot(self) -> PollSlot:
        return self.by_id[self.slot_id.data]


class RemoveSlotForm(Form):
    slot_id = StringField(validators=[DataRequired()])
