"""The meeting's mails: the invitation (and its updates) with the .ics and reply links, the
cancellation, and the reminder to reply.

Each goes once per member and per version of the meeting (mail.notices keyed by SEQUENCE):
after a change of time or place, the invited members are due the new version. Members have
no language setting, so mails are in Japanese.
"""
from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app, url_for
from flask_babel import force_locale

from ..consortia.invitees import Invitee, invitee_of_person, invitees
from ..feeds import ical, publish
from ..filters import meeting_when
from ..mail import notices
from ..mail.compose import Attachment, address, compose_from
from ..models import Attendance, Meeting, MeetingStatus, Reply
from ..models.base import utcnow
from ..personal_links import make_token
from .services import attendance_by_member, invite, is_over

INVITATION, REMINDER, CANCELLATION = "meeting_invitation", "meeting_reminder", "meeting_cancellation"
LINK_KIND = "invitation"
# The reply links in each mail, in the order they are offered.
REPLIES = (Reply.ATTEND, Reply.ONLINE, Reply.PROXY, Reply.ABSENT)
REPLY_WORDS = {Reply.ATTEND: "出席", Reply.ONLINE: "オンラインで出席", Reply.PROXY: "代理出席", Reply.ABSENT: "欠席"}


def about(kind: str, meeting: Meeting) -> dict:
    """What a SentNotice of this kind about this version of the meeting is keyed by."""
    return {"kind": kind, "meeting_id": meeting.id, "sequence": meeting.sequence}


def reply_url(meeting: Meeting, invitee: Invitee, reply: Reply | None = None) -> str:
    """The invitee's personal reply page, with a reply chosen in advance (they still confirm)."""
    token = make_token(LINK_KIND, meeting.id, invitee.membership.id)
    return url_for("invitations.reply", invitation_token=token, reply=reply.value if reply else None, _external=True)


def own_invitation(meeting: Meeting, person_id: int) -> tuple[Attendance, str] | None:
    """The signed-in person's invitation to the meeting (their own seat, or an organisation they
    answer for) and their reply link, or None when they were not invited."""
    me = invitee_of_person(invitees(meeting.consortium_id), person_id)
    row = attendance_by_member(meeting.id).get(me.membership.id) if me else None
    if row is None or row.invited_at is None:
        return None
    return row, reply_url(meeting, me)


def invited(meeting: Meeting, everyone: list[Invitee], rows: dict[int, Attendance]) -> list[Invitee]:
    """The current members the meeting's invitation has gone to (rows: attendance_by_member)."""
    return [i for i in everyone if (row := rows.get(i.membership.id)) is not None and row.invited_at is not None]


def invite_everyone_reachable(meeting: Meeting) -> int:
    """Invite every current member with an address not invited yet (send_due mails them); how many."""
    everyone = invitees(meeting.consortium_id)
    rows = attendance_by_member(meeting.id)
    invited_ids = {i.membership.id for i in invited(meeting, everyone, rows)}
    return len(invite(meeting, [i.membership.id for i in everyone if i.email and i.membership.id not in invited_ids], rows))


def due_kind(meeting: Meeting) -> str:
    """What the invited are due now: the cancellation, or the meeting's latest version."""
    return CANCELLATION if meeting.status is MeetingStatus.CANCELLED else INVITATION


def due(meeting: Meeting, invited: list[Invitee]) -> list[Invitee]:
    """The invited who have not had what they are due. Nothing once the meeting has begun:
    marking it held, or correcting it afterwards, is no news to send."""
    if is_over(meeting, utcnow()):
        return []
    return notices.pending(about(due_kind(meeting), meeting), invited)


def _calendar(entry: ical.Entry, invitee: Invitee, method: str) -> Attachment:
    """The meeting as the invitee's calendar sees it: same UID and SEQUENCE as the feeds."""
    organizer = f"{entry.meeting.consortium.name} 事務局", parseaddr(current_app.config["MAIL_FROM"])[1]
    body = ical.invitation(
        entry, publish.uid_domain(), method, organizer, (invitee.contact.full_name, invitee.email), utcnow()
    )
    return Attachment("invite.ics", body, "text/calendar", (("method", method),))


def builder(kind: str, meeting: Meeting, rows: dict[int, Attendance], message: str | None = None
            ) -> Callable[[Invitee], EmailMessage]:
    """Build each invitee's mail of this kind. An invitation to someone who had an earlier
    version is an update; message is the secretariat's note with a first invitation."""
    earlier = notices.sent_to({"kind": INVITATION, "meeting_id": meeting.id})
    publish.load(Meeting.id == meeting.id)  # the agenda for the .ics, in one go
    entry = publish.entry(meeting, member=True)
    url = url_for("meetings.show", meeting_id=meeting.id, _external=True)
    method = "CANCEL" if kind == CANCELLATION else "REQUEST"

    def build(invitee: Invitee) -> EmailMessage:
        row = rows.get(invitee.membership.id)
        update = kind == INVITATION and invitee.membership.id in earlier
        with force_locale("ja"):
            context = {
                "kind": kind, "update": update, "meeting": meeting, "invitee": invitee,
                "reply": row.reply if row else None, "message": None if update else message,
                "links": [(REPLY_WORDS[r], reply_url(meeting, invitee, r)) for r in REPLIES],
                "url": url,
            }
            attachments = () if kind == REMINDER else (_calendar(entry, invitee, method),)
            to = address(invitee.contact.full_name, invitee.email)
            return compose_from("meeting_notice", to, _subject(kind, update, meeting), attachments, **context)

    return build


def _subject(kind: str, update: bool, meeting: Meeting) -> str:
    label = {
        INVITATION: "【変更のお知らせ】" if update else "【開催のご案内】",
        REMINDER: "【ご出欠のご回答のお願い】",
        CANCELLATION: "【開催中止のお知らせ】",
    }[kind]
    return f"{label}{ical.summary(meeting)}（{meeting_when(meeting, short=True)}）"


def send_due(meeting: Meeting, message: str | None = None) -> int:
    """Send the invited what they are due (see due). The caller commits (or rolls back when
    sending fails)."""
    rows = attendance_by_member(meeting.id)
    recipients = due(meeting, invited(meeting, invitees(meeting.consortium_id), rows))
    if not recipients:
        return 0
    kind = due_kind(meeting)
    return notices.deliver(about(kind, meeting), recipients, builder(kind, meeting, rows, message))
