"""The poll's mails: the invitation with a personal link, the reminder and the decision.

Each goes once per member (mail.notices). Members have no language setting, so mails are in Japanese.
"""
from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

from flask import url_for

from ..consortia.invitees import Invitee
from ..japanese import format_date_ja, to_tokyo
from ..mail import notices
from ..mail.compose import address, compose_from
from ..models import Poll, PollSlot
from ..personal_links import make_token

INVITATION, REMINDER, DECISION = "poll_invitation", "poll_reminder", "poll_decision"
LINK_KIND = "poll"


def answer_url(poll: Poll, invitee: Invitee) -> str:
    """The invitee's personal link to answer the poll."""
    return url_for("polls.answer", poll_token=make_token(LINK_KIND, poll.id, invitee.membership.id), _external=True)


def slot_text(slot: PollSlot) -> str:
    """令和12年（2030年）10月1日（火） 14:00〜16:00"""
    starts = to_tokyo(slot.starts_at)
    end = f"〜{to_tokyo(slot.ends_at):%H:%M}" if slot.ends_at else "〜"
    return f"{format_date_ja(starts.date())} {starts:%H:%M}{end}"


def respond_by_text(poll: Poll) -> str | None:
    return format_date_ja(to_tokyo(poll.respond_by).date()) if poll.respond_by else None


def about(kind: str, poll: Poll) -> dict:
    """What a SentNotice of this kind about the poll is keyed by (mail.notices)."""
    return {"kind": kind, "poll_id": poll.id}


def sent_to(kind: str, poll: Poll) -> set[int]:
    """The memberships this kind of mail about the poll has already gone to."""
    return notices.sent_to(about(kind, poll))


def pending(kind: str, poll: Poll, invitees: list[Invitee]) -> list[Invitee]:
    """Invitees with an address whom this kind of mail has not reached yet."""
    return notices.pending(about(kind, poll), invitees)


def deliver(kind: str, poll: Poll, recipients: list[Invitee], build: Callable[[Invitee], EmailMessage]) -> int:
    """Record and send one mail per recipient; the caller commits (or rolls back when sending fails)."""
    return notices.deliver(about(kind, poll), recipients, build)


def _message(template: str, invitee: Invitee, subject: str, **context) -> EmailMessage:
    to = address(invitee.contact.full_name, invitee.email)
    return compose_from(template, to, subject, invitee=invitee, slot_text=slot_text, **context)


def invitation(poll: Poll) -> Callable[[Invitee], EmailMessage]:
    subject = f"【日程調整】{poll.title} ご都合をお知らせください"

    def build(invitee: Invitee) -> EmailMessage:
        return _message(
            "polls_invitation", invitee, subject,
            poll=poll, url=answer_url(poll, invitee), respond_by=respond_by_text(poll),
        )

    return build


def reminder(poll: Poll) -> Callable[[Invitee], EmailMessage]:
    respond_by = respond_by_text(poll)
    subject = f"【日程調整・ご回答のお願い】{poll.title}（{respond_by}まで）"

    def build(invitee: Invitee) -> EmailMessage:
        return _message(
            "polls_reminder", invitee, subject, poll=poll, url=answer_url(poll, invitee), respond_by=respond_by
        )

    return build


def decision(poll: Poll) -> Callable[[Invitee], EmailMessage]:
    when = slot_text(poll.chosen_slot)
    subject = f"【日程決定】{poll.meeting.title} {when}"
    url = url_for("meetings.show", meeting_id=poll.meeting_id, _external=True)

    def build(invitee: Invitee) -> EmailMessage:
        return _message("polls_decision", invitee, subject, poll=poll, when=when, url=url)

    return build


def send_pending(poll: Poll, invitees: list[Invitee]) -> int:
    """Send what the poll's state calls for and has not gone yet: the invitation while it is open,
    the decision once a slot is picked. Returns how many mails went."""
    if poll.is_open:
        return deliver(INVITATION, poll, pending(INVITATION, poll, invitees), invitation(poll))
    if poll.chosen_slot is not None:
        return deliver(DECISION, poll, pending(DECISION, poll, invitees), decision(poll))
    return 0
