"""Date polls (日程調整): candidate slots, each member's ○ / △ / × and comment, and the notices sent."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l, lazy_pgettext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, TimestampMixin, UTCDateTime, Versioned, str_enum, utcnow

if TYPE_CHECKING:
    from .consortia import Membership
    from .meetings import Meeting


class PollStatus(LabelledEnum):
    # Contexts: "Open" is also an action item's 未了, "Closed" a meeting's 非公開.
    OPEN = ("open", lazy_pgettext("date poll", "Open"))
    CLOSED = ("closed", lazy_pgettext("date poll", "Closed"))


class MailState(LabelledEnum):
    """Where a notice's mail is: waiting for a worker, being handed to SMTP, gone, or given up."""

    QUEUED = ("queued", _l("Waiting"))
    SENDING = ("sending", _l("Being sent"))
    SENT = ("sent", _l("Sent"))
    FAILED = ("failed", _l("Failed"))


class Answer(LabelledEnum):
    YES = ("yes", "○")
    MAYBE = ("maybe", "△")
    NO = ("no", "×")


class Poll(Versioned, TimestampMixin, db.Model):
    __tablename__ = "poll"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    message: Mapped[str | None] = mapped_column(sa.Text)  # sent with the poll
    # The last moment to answer: the end of the respond-by day in Tokyo.
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[PollStatus] = mapped_column(str_enum(PollStatus, "poll_status"), default=PollStatus.OPEN)
    chosen_slot_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("poll_slot.id", ondelete="SET NULL", use_alter=True)
    )

    meeting: Mapped[Meeting] = relationship(back_populates="polls")
    slots: Mapped[list[PollSlot]] = relationship(
        back_populates="poll",
        cascade="all, delete-orphan",
        order_by="PollSlot.starts_at",
        foreign_keys="PollSlot.poll_id",
    )
    chosen_slot: Mapped[PollSlot | None] = relationship(foreign_keys=[chosen_slot_id], post_update=True)
    responses: Mapped[list[PollResponse]] = relationship(back_populates="poll", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status is PollStatus.OPEN

    def __repr__(self) -> str:
        return f"<Poll {self.id} {self.status.value}>"


class PollSlot(db.Model):
    __tablename__ = "poll_slot"
    __table_args__ = (sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    poll: Mapped[Poll] = relationship(back_populates="slots", foreign_keys=[poll_id])
    answers: Mapped[list[PollAnswer]] = relationship(back_populates="slot", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<PollSlot {self.id} {self.starts_at}>"


class PollAnswer(db.Model):
    """One member's answer for one slot; answering again replaces it."""

    __tablename__ = "poll_answer"
    __table_args__ = (sa.UniqueConstraint("slot_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(sa.ForeignKey("poll_slot.id", ondelete="CASCADE"))
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    answer: Mapped[Answer] = mapped_column(str_enum(Answer, "poll_answer_value"))

    slot: Mapped[PollSlot] = relationship(back_populates="answers")
    membership: Mapped[Membership] = relationship()

    def __repr__(self) -> str:
        return f"<PollAnswer slot={self.slot_id} ms={self.membership_id} {self.answer.value}>"


class PollResponse(db.Model):
    """That a member has answered a poll, when, and their comment; answering again replaces it."""

    __tablename__ = "poll_response"
    __table_args__ = (sa.UniqueConstraint("poll_id", "membership_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("poll.id", ondelete="CASCADE"))
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str | None] = mapped_column(sa.String(500))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    poll: Mapped[Poll] = relationship(back_populates="responses")
    membership: Mapped[Membership] = relationship()

    def __repr__(self) -> str:
        return f"<PollResponse poll={self.poll_id} ms={self.membership_id}>"


class SentNotice(db.Model):
    """A mail that has gone to a member about something: each is sent once.

    The unique key makes a second run of `reminders send` (or a second click) send nothing twice.
    A notice names what it is about, a poll or a meeting, by a foreign key, so ids reused after a
    deletion never count as sent. A meeting's notices are per SEQUENCE: each version of the
    meeting is sent (and reminded of) once. Each unique key holds for its own kind of subject,
    the other subject's column being NULL.
    """

    __tablename__ = "sent_notice"
    __table_args__ = (
        sa.UniqueConstraint("kind", "poll_id", "membership_id"),
        sa.UniqueConstraint("kind", "meeting_id", "membership_id", "sequence"),
        sa.CheckConstraint("(poll_id IS NULL) <> (meeting_id IS NULL)", name="poll_xor_meeting"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # poll_invitation, poll_reminder, poll_decision; meeting_invitation, meeting_reminder, meeting_cancellation
    kind: Mapped[str] = mapped_column(sa.String(40))
    poll_id: Mapped[int | None] = mapped_column(sa.ForeignKey("poll.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(default=0)  # the meeting's SEQUENCE the notice went out at
    membership_id: Mapped[int] = mapped_column(sa.ForeignKey("membership.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))  # where it went
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when it was recorded and queued
    # The mail itself, kept so that a worker sends exactly what was composed, and a failed one can be retried.
    subject: Mapped[str | None] = mapped_column(sa.String(300))
    message: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    state: Mapped[MailState] = mapped_column(
        str_enum(MailState, "mail_state"), default=MailState.QUEUED, server_default=MailState.SENT.value, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(sa.Text)  # the last failure, as the mail server put it
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # handed to the mail server

    poll: Mapped[Poll | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    membership: Mapped[Membership] = relationship()

    def __repr__(self) -> str:
        return f"<SentNotice {self.kind} poll={self.poll_id} meeting={self.meeting_id} ms={self.membership_id}>"
