"""Minutes of a meeting: discussion points, decisions, action items, approvals and history."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, TimestampMixin, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from .accounts import User
    from .meetings import AgendaItem, Meeting
    from .people import Person


class MinutesStatus(LabelledEnum):
    DRAFT = ("draft", _l("Draft"))
    IN_REVIEW = ("in_review", _l("In review"))
    APPROVED = ("approved", _l("Approved"))
    PUBLISHED = ("published", _l("Published"))


class Minutes(TimestampMixin, db.Model):
    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="RESTRICT"), unique=True
    )
    status: Mapped[MinutesStatus] = mapped_column(
        str_enum(MinutesStatus, "minutes_status"), default=MinutesStatus.DRAFT
    )
    heading: Mapped[str | None] = mapped_column(sa.String(300))  # e.g. 主な議論の概要
    body: Mapped[str | None] = mapped_column(sa.Text)  # free text of the full 議事録
    source_note: Mapped[str | None] = mapped_column(sa.Text)  # where the text comes from
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic locking: a save based on an older version is refused, not silently applied.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    meeting: Mapped[Meeting] = relationship(back_populates="minutes")
    points: Mapped[list[DiscussionPoint]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="DiscussionPoint.position"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="Decision.position"
    )
    action_items: Mapped[list[ActionItem]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="ActionItem.position"
    )
    approvals: Mapped[list[MinutesApproval]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan"
    )
    revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="MinutesRevision.version"
    )
    comments: Mapped[list[MinutesComment]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan", order_by="MinutesComment.created_at"
    )

    @property
    def is_published(self) -> bool:
        return self.status is MinutesStatus.PUBLISHED

    @property
    def is_final(self) -> bool:
        """Approved by its signatories: no longer a 案, though perhaps not yet published."""
        return self.status in (MinutesStatus.APPROVED, MinutesStatus.PUBLISHED)

    def __repr__(self) -> str:
        return f"<Minutes {self.id} meeting={self.meeting_id} {self.status.value}>"


class _MinutesEntry:
    """Columns shared by the ordered entries of minutes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.Text)


class DiscussionPoint(_MinutesEntry, db.Model):
    """A point made in discussion; tied to an agenda item so closed items stay out of the 議事要旨."""

    __tablename__ = "discussion_point"

    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="SET NULL"))
    speaker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"))
    speaker_label: Mapped[str | None] = mapped_column(sa.String(200))  # 委員, 事務局 … when unnamed

    minutes: Mapped[Minutes] = relationship(back_populates="points")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    speaker: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:
        return f"<DiscussionPoint {self.id} {self.text[:20]}>"


class Decision(_MinutesEntry, db.Model):
    __tablename__ = "decision"

    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="SET NULL"))

    minutes: Mapped[Minutes] = relationship(back_populates="decisions")
    agenda_item: Mapped[AgendaItem | None] = relationship()

    def __repr__(self) -> str:
        return f"<Decision {self.id} {self.text[:20]}>"


class ActionStatus(LabelledEnum):
    OPEN = ("open", _l("Open"))
    DONE = ("done", _l("Done"))


class ActionItem(_MinutesEntry, db.Model):
    """Who does what by when; stays open across meetings until done."""

    __tablename__ = "action_item"

    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="SET NULL"))
    owner_label: Mapped[str | None] = mapped_column(sa.String(200))  # 事務局 when no one person
    due_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(
        str_enum(ActionStatus, "action_status"), default=ActionStatus.OPEN, index=True
    )
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    minutes: Mapped[Minutes] = relationship(back_populates="action_items")
    owner: Mapped[Person | None] = relationship()

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} {self.status.value} {self.text[:20]}>"


class MinutesApproval(db.Model):
    """A signatory's approval (会議録署名): who, when, in which capacity."""

    __tablename__ = "minutes_approval"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    capacity: Mapped[str] = mapped_column(sa.String(50))  # 座長, 署名委員
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    minutes: Mapped[Minutes] = relationship(back_populates="approvals")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<MinutesApproval {self.minutes_id} user={self.user_id}>"


class MinutesRevision(db.Model):
    """A saved state of the minutes, to show history and a readable diff."""

    __tablename__ = "minutes_revision"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"))
    version: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    content: Mapped[str] = mapped_column(sa.Text)  # the minutes as text, for diffs

    minutes: Mapped[Minutes] = relationship(back_populates="revisions")
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MinutesRevision {self.minutes_id} v{self.version}>"


class MinutesComment(db.Model):
    """A reviewer's comment on draft minutes (発言者確認)."""

    __tablename__ = "minutes_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    minutes: Mapped[Minutes] = relationship(back_populates="comments")
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MinutesComment {self.id} minutes={self.minutes_id}>"
