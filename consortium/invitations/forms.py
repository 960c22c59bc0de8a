"""Forms of the invitations area: whom to invite, and an invitee's reply."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..consortia.invitees import Invitee
from ..contact import email_of
from ..forms import Form, checkboxes, options
from ..models import Reply

REPLY_CHOICES = options([
    (Reply.ATTEND.value, _l("Attending in person (出席)")),
    (Reply.ONLINE.value, _l("Attending online (オンライン)")),
    (Reply.PROXY.value, _l("A stand-in will attend (代理出席)")),
    (Reply.ABSENT.value, _l("Not attending (欠席)")),
])


class InviteForm(Form):
    """The members to invite, among those not invited yet who have an address, and a note."""

    members = checkboxes(_l("Members to invite"), validators=[DataRequired(_l("Choose at least one member to invite."))])
    message = TextAreaField(
        _l("Message"), validators=[Length(max=2000)],
        description=_l("Optional: a few lines put at the top of the invitation, such as where to find the materials."),
    )

    def __init__(self, candidates: list[Invitee], **kwargs):
        super().__init__(**kwargs)
        self.members.choices = options((i.membership.id, f"{i.name}（{email_of(i.contact)}）") for i in candidates)
        if not self.is_submitted():
            self.members.data = [str(i.membership.id) for i in candidates]

    def membership_ids(self) -> list[int]:
        return [int(value) for value in self.members.data]


class ReplyForm(Form):
    """An invitee's reply: attend, online, a stand-in (named, if known) or absent, and a note."""

    reply = RadioField(_l("Your reply"), choices=REPLY_CHOICES, validators=[DataRequired(_l("Choose your reply."))])
    stand_in = StringField(
        _l("Name of your stand-in"), validators=[Length(max=200)],
        description=_l("Only with a stand-in: who will attend in your place, and their title, if known."),
    )
    note = TextAreaField(
        _l("Note to the secretariat"), validators=[Length(max=500)],
        description=_l("Optional: for example, arriving late or leaving early."),
    )
