"""How the audit log names a row's fields: by the label of the form that edits them.

A column edited through a form is named as that form names it, so the log and the form agree;
columns no form shows (keys, times set by the system) are named here.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from ..attendance.forms import AttendanceForm, PresenceRow
from ..consortia.forms import (
    ConsortiumForm,
    GroupForm,
    MembershipForm,
    MilestoneForm,
    TargetForm,
    TargetReportForm,
)
from ..directory.forms import OrganizationForm, PersonForm
from ..documents.forms import DocumentForm
from ..invitations.forms import ReplyForm
from ..meetings.forms import AgendaItemForm, MeetingForm
from ..minutes.forms import ActionForm, CommentForm, DecisionForm, MinutesForm, PointForm, SignatoryForm
from ..opendata.forms import TermsForm
from ..polls.forms import AnswerFormBase, PollForm
from ..tokens.forms import TokenForm
from .forms import EditUserForm, GrantForm, NewUserForm

# The forms that edit each kind of row, first form first.
FORMS = {
    "ActionItem": (ActionForm,),
    "ApiToken": (TokenForm,),
    "AgendaItem": (AgendaItemForm,),
    "Attendance": (PresenceRow, ReplyForm),
    "Consortium": (ConsortiumForm,),
    "Decision": (DecisionForm,),
    "DiscussionPoint": (PointForm,),
    "Document": (DocumentForm,),
    "Grant": (GrantForm,),
    "Meeting": (MeetingForm, AttendanceForm),
    "Membership": (MembershipForm,),
    "Milestone": (MilestoneForm,),
    "Minutes": (MinutesForm,),
    "MinutesApproval": (SignatoryForm,),
    "MinutesComment": (CommentForm,),
    "OpenDataTerms": (TermsForm,),
    "Organization": (OrganizationForm,),
    "Person": (PersonForm,),
    "Poll": (PollForm,),
    "PollResponse": (AnswerFormBase,),
    "RosterGroup": (GroupForm,),
    "Target": (TargetForm,),
    "TargetReport": (TargetReportForm,),
    "User": (NewUserForm, EditUserForm),
}

# Columns no form names, or that a form shows under a name of its own (a typed name for an id).
COLUMNS = {
    "agenda_item_id": _l("Agenda item"),
    "answer": _l("Answer"),
    "answered_at": _l("Answered at"),
    "approved_at": _l("Approved at"),
    "checksum": _l("Checksum"),
    "chosen_slot_id": _l("The date chosen"),
    "code": _l("Code"),
    "consortium_id": _l("Consortium"),
    "content_type": _l("File type"),
    "done_at": _l("Done at"),
    "email": _l("Email"),
    "ends_at": _l("Ends at"),
    "filename": _l("File name"),
    "group_id": _l("Roster group"),
    "invited_at": _l("Invited at"),
    "kind": _l("Kind"),
    "last_login_at": _l("Last sign-in"),
    "meeting_id": _l("Meeting"),
    "membership_id": _l("Member"),
    "minutes_id": _l("Minutes"),
    "name": _l("Name"),
    "name_en": _l("English name"),
    "on_behalf_of_id": _l("Sits for"),
    "organization_id": _l("Organisation"),
    "owner_id": _l("Person responsible"),
    "owner_label": _l("Person responsible"),
    "parent_id": _l("Part of"),
    "password_hash": _l("Password"),
    "calendar_token": _l("Calendar feed address"),
    "person_id": _l("Person"),
    "poll_id": _l("Date poll"),
    "position": _l("Order"),
    "precision": _l("How exactly is the date known?"),
    "published_at": _l("Published at"),
    "replied_at": _l("Replied at"),
    "reply": _l("Reply"),
    "reply_note": _l("Note with the reply"),
    "reported_at": _l("Reported at"),
    "sent_at": _l("Sent at"),
    "subject": _l("Subject"),
    "message": _l("The mail"),
    "state": _l("State"),
    "attempts": _l("Tries"),
    "error": _l("Last failure"),
    "delivered_at": _l("Handed to the mail server at"),
    "date_estimated": _l("The date is estimated"),
    "digest": _l("Token (kept as a hash)"),
    "prefix": _l("Starts with"),
    "revoked_at": _l("Revoked at"),
    "public_stated": _l("Whether it is public is stated"),
    "not_held_reminded_at": _l("Secretariat reminded that it is not marked held"),
    "sequence": _l("Calendar update number"),
    "size": _l("Size (bytes)"),
    "slot_id": _l("Proposed date"),
    "speaker_id": _l("Speaker"),
    "speaker_label": _l("Speaker"),
    "starts_at": _l("Starts at"),
    "status": _l("Status"),
    "storage_key": _l("Stored file"),
    "target_id": _l("Target"),
    "term_end": _l("Term to"),
    "term_start": _l("Term from"),
    "title": _l("Title"),
    "uploaded_by_id": _l("Uploaded by"),
    "user_id": _l("Account"),
    "version": _l("Version"),
    "attendance_version": _l("Attendance version"),
}

# Keys of events written by audit.record() (merges, transfers, imports, workflow steps) that are no column.
EXTRAS = {
    "approvals_cleared": _l("Signatures cleared"),
    "capacity": _l("Capacity"),
    "created": _l("Rows added"),
    "duplicate_id": _l("Duplicate merged"),
    "filled": _l("Fields filled from the duplicate"),
    "member": _l("Member"),
    "memberships": _l("Roster entries"),
    "on": _l("From"),
    "owner_of": _l("Action items they are responsible for"),
    "people": _l("People of the organisation"),
    "presenters": _l("Agenda items presented"),
    "rows": _l("Rows read"),
    "sat_for": _l("Roster entries sitting for it"),
    "speaker_of": _l("Discussion points they made"),
    "updated": _l("Rows changed"),
}


def _form_label(form, name: str):
    field = getattr(form, name, None)
    if not isinstance(field, UnboundField):
        return None
    # Lazy strings are compared with None: their truth would translate them outside a request.
    label = field.kwargs.get("label")
    return label if label is not None else (field.args[0] if field.args else None)


def label_of(kind: str, name: str):
    """The label of a field of a kind of row, or None when nothing names it."""
    for form in FORMS.get(kind, ()):
        label = _form_label(form, name)
        if label is not None:
            return label
    return COLUMNS.get(name, EXTRAS.get(name))
