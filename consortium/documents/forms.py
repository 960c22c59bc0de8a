"""Forms of the documents area: a material's details, and its upload."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import Form
from ..forms import enum_choices, optional_id, options
from ..models import AgendaItem, Document, DocumentAccess, DocumentType
from ..versions import VersionedForm
from . import filetypes


def item_label(item: AgendaItem) -> str:
    """An item as listed in the select; a sub-item is set off by a dash under its parent."""
    text = item.numbered_title
    return f"— {text}" if item.parent_id is not None else text


class DocumentForm(VersionedForm, Form):
    """What is shown about a material and who may download it."""

    label = StringField(_l("Label"), validators=[Optional(), Length(max=20)], description=_l("As numbered from the agenda, for example “Material 1” or “Material 2-1”."))
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the title.")), Length(max=300)])
    doc_type = SelectField(_l("Type"), choices=enum_choices(DocumentType), default=DocumentType.MATERIAL.value)
    agenda_item_id = SelectField(
        _l("Agenda item"),
        coerce=optional_id,
        invalid_choice_message=_l("Choose an item of this meeting's agenda."),
        description=_l("A material under a closed item is shown to members only."),
    )
    access = SelectField(_l("Who may download it"), choices=enum_choices(DocumentAccess), default=DocumentAccess.INHERIT.value)

    def __init__(self, items: list[AgendaItem], document: Document | None = None, **kwargs):
        super().__init__(obj=document, **kwargs)
        self.agenda_item_id.choices = options([(i.id, item_label(i)) for i in items], _l("— none: the meeting as a whole —"))

    def values(self) -> dict:
        return {
            "label": self.label.data,
            "title": self.title.data,
            "doc_type": DocumentType(self.doc_type.data),
            "agenda_item_id": self.agenda_item_id.data,
            "access": DocumentAccess(self.access.data),
        }


class UploadForm(DocumentForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose the file to upload."))],
    )

    content: bytes = b""
    inspected: filetypes.Inspected | None = None

    def __init__(self, items: list[AgendaItem], **kwargs):
        super().__init__(items, **kwargs)
        self.limit = current_app.config["UPLOAD_MAX_BYTES"]
        self.file.description = _l(
            "PDF, Word, Excel, PowerPoint, PNG, JPEG, CSV or text; at most %(size)s.", size=filetypes.human_size(self.limit)
        )

    def validate_file(self, field):
        """Read at most one byte past the limit, then check the content against the name."""
        data = field.data.stream.read(self.limit + 1)
        if len(data) > self.limit:
            raise ValidationError(
                _l("The file is larger than %(size)s, the limit for materials. Make it smaller, or split it.", size=filetypes.human_size(self.limit))
            )
        try:
            self.inspected = filetypes.inspect(data, field.data.filename or "")
        except filetypes.Refused as refused:
            raise ValidationError(refused.args[0]) from None
        self.content = data
