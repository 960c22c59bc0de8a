"""The minutes editor and the small forms of the review and approval workflow."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from ..forms import Form
from ..models import ActionStatus, AgendaItem

BLANK_ROWS = 3  # empty rows offered under each list; save to get more
MAX_ROWS = 500
TEXT_MAX = 5000
BODY_MAX = 200_000


def int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


def _typed(field) -> bool:
    """Whether anything was typed or chosen, even something that failed to parse (a bad date)."""
    raw = field.raw_data[0] if field.raw_data else ""
    return bool(field.data) or bool(isinstance(raw, str) and raw.strip())


class _Row(Form):
    """One row of a list in the editor; the row's id says which stored row it edits."""

    class Meta:
        csrf = False  # the enclosing form carries the token

    id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    text = TextAreaField(_l("Text"), validators=[Length(max=TEXT_MAX)])
    delete = BooleanField(_l("Delete this row"))

    # Fields that, all empty, make a row one of the blank rows offered for new entries.
    typed = ("text",)

    def is_blank(self) -> bool:
        return self.id.data is None and not self.delete.data and not any(_typed(self[name]) for name in self.typed)

    def validate_text(self, field):
        if not field.data and not self.delete.data and not self.is_blank():
            raise ValidationError(_l("Enter the text of this row, or tick “Delete this row”."))


class PointForm(_Row):
    speaker = StringField(
        _l("Speaker"),
        validators=[Length(max=200)],
        description=_l("A name as in the directory links the person; anything else (a role, “secretariat”) is kept as typed."),
    )
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int_or_none, choices=[])
    typed = ("text", "speaker", "agenda_item_id")


class DecisionForm(_Row):
    agenda_item_id = SelectField(_l("Agenda item"), coerce=int_or_none, choices=[])
    typed = ("text", "agenda_item_id")


class ActionForm(_Row):
    owner = StringField(
        _l("Owner"),
        validators=[Length(max=200)],
        description=_l("A name as in the directory links the person; anything else is kept as typed."),
    )
    due_on = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(
        _l("Status"), choices=[SelectChoice(s.value, s.label) for s in ActionStatus], default=ActionStatus.OPEN.value
    )
    typed = ("text", "owner", "due_on")


class MinutesForm(Form):
    """Everything of the minutes on one page; the version it was loaded at guards against overwriting."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])
    heading = StringField(
        _l("Heading"),
        validators=[Length(max=300)],
        description=_l("For example: summary of the main points of discussion."),
    )
    source_note = TextAreaField(
        _l("Source"), validators=[Length(max=2000)], description=_l("Where the text comes from, if not from this meeting's own record.")
    )
    body = TextAreaField(_l("Text of the minutes"), validators=[Length(max=BODY_MAX)])
    points = FieldList(FormField(PointForm), label=_l("Discussion points"), max_entries=MAX_ROWS)
    decisions = FieldList(FormField(DecisionForm), label=_l("Decisions"), max_entries=MAX_ROWS)
    actions = FieldList(FormField(ActionForm), label=_l("Action items"), max_entries=MAX_ROWS)
    paste_points = TextAreaField(
        _l("Add discussion points pasted as text"),
        validators=[Length(max=BODY_MAX)],
        description=_l("One point per line, added after the rows above."),
    )
    paste_decisions = TextAreaField(
        _l("Add decisions pasted as text"),
        validators=[Length(max=BODY_MAX)],
        description=_l("One decision per line, added after the rows above."),
    )

    def set_agenda_items(self, items: list[AgendaItem]) -> None:
        """Offer the meeting's agenda items in each point and decision."""
        choices = agenda_choices(items)
        for entry in [*self.points, *self.decisions]:
            entry.agenda_item_id.choices = choices

    def validate_paste_points(self, field):
        _paste_fits(field, len(self.points))

    def validate_paste_decisions(self, field):
        _paste_fits(field, len(self.decisions))

    def add_blank_rows(self) -> None:
        for rows in (self.points, self.decisions, self.actions):
            for _ in range(BLANK_ROWS):
                if len(rows) < MAX_ROWS:
                    rows.append_entry()

    def content(self) -> dict:
        """What was submitted, as plain values, blank rows left out."""

        def rows(entries, keys):
            return [
                {key: entry[key].data for key in ("id", "delete", "text", *keys)}
                for entry in (e.form for e in entries)
                if not entry.is_blank()
            ]

        def pasted(field, keys):
            blank = {"id": None, "delete": False, **dict.fromkeys(keys)}
            return [blank | {"text": line} for line in pasted_lines(field.data)]

        return {
            "heading": self.heading.data,
            "body": self.body.data,
            "source_note": self.source_note.data,
            "points": rows(self.points, ("speaker", "agenda_item_id")) + pasted(self.paste_points, ("speaker", "agenda_item_id")),
            "decisions": rows(self.decisions, ("agenda_item_id",)) + pasted(self.paste_decisions, ("agenda_item_id",)),
            "actions": rows(self.actions, ("owner", "due_on", "status")),
        }


def pasted_lines(text: str | None) -> list[str]:
    """The non-blank lines of a paste box, each a row's text."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _paste_fits(field, rows: int) -> None:
    lines = pasted_lines(field.data)
    if rows + len(lines) > MAX_ROWS:
        raise ValidationError(_l("A list holds at most %(num)d rows.", num=MAX_ROWS))
    for number, line in enumerate(field.data.splitlines() if field.data else [], start=1):
        if len(line.strip()) > TEXT_MAX:
            raise ValidationError(_l("Line %(num)d is longer than %(max)d characters.", num=number, max=TEXT_MAX))


def agenda_choices(items: list[AgendaItem]) -> list[SelectChoice]:
    return [SelectChoice("", _l("(no agenda item)"))] + [SelectChoice(str(item.id), agenda_choice_label(item)) for item in items]


def row_templates(items: list[AgendaItem]) -> dict[str, _Row]:
    """A blank row of each list, named with __index__ for static/rows.js to number."""
    templates = {
        name: form_class(formdata=None, prefix=f"{name}-__index__-")
        for name, form_class in (("points", PointForm), ("decisions", DecisionForm), ("actions", ActionForm))
    }
    for name in ("points", "decisions"):
        templates[name].agenda_item_id.choices = agenda_choices(items)
    return templates


def agenda_choice_label(item: AgendaItem) -> str:
    label = item.numbered_title
    label = label if len(label) <= 60 else label[:59] + "…"
    return f"{label} ({_l('Closed')})" if not item.is_public else label


def editor_data(minutes) -> dict:
    """The stored minutes as the editor's initial data."""
    if minutes is None:
        return {"version": 0}
    return {
        "version": minutes.version,
        "heading": minutes.heading,
        "body": minutes.body,
        "source_note": minutes.source_note,
        "points": [
            {
                "id": p.id,
                "text": p.text,
                "speaker": p.speaker.full_name if p.speaker else p.speaker_label,
                "agenda_item_id": p.agenda_item_id,
            }
            for p in minutes.points
        ],
        "decisions": [{"id": d.id, "text": d.text, "agenda_item_id": d.agenda_item_id} for d in minutes.decisions],
        "actions": [
            {
                "id": a.id,
                "text": a.text,
                "owner": a.owner.full_name if a.owner else a.owner_label,
                "due_on": a.due_on,
                "status": a.status.value,
            }
            for a in minutes.action_items
        ],
    }


class CommentForm(Form):
    body = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(_l("Write your comment.")), Length(max=2000)],
        description=_l("For example, a correction to what you are recorded as saying."),
    )


class SignatoryForm(Form):
    user_id = SelectField(
        _l("Signatory"), coerce=int_or_none, choices=[], validators=[DataRequired(_l("Choose who signs."))]
    )
    capacity = StringField(
        _l("Capacity"),
        validators=[DataRequired(_l("Enter the capacity in which they sign.")), Length(max=50)],
        description=_l("For example chair, or signing member."),
    )

    def set_users(self, users) -> None:
        self.user_id.choices = [SelectChoice("", _l("Choose…"))] + [SelectChoice(str(u.id), u.display_name) for u in users]


class RemoveSignatoryForm(Form):
    approval_id = IntegerField(validators=[InputRequired()])


class ActionDoneForm(Form):
    action_id = IntegerField(validators=[InputRequired()])
