"""Meetings, their agenda, presenters, documents and attendance."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from .base import (
    DatePrecision,
    LabelledEnum,
    NumberedTitle,
    TimestampMixin,
    UTCDateTime,
    Versioned,
    str_enum,
)

if TYPE_CHECKING:
    from .consortia import Consortium, Membership
    from .minutes import Minutes
    from .organisations import Organization
    from .people import Person
    from .polls import Poll


class MeetingKind(LabelledEnum):
    KICK_OFF = ("kick_off", _l("Kick-off meeting"))
    REGULAR = ("regular", _l("Regular meeting"))
    STAKEHOLDER = ("stakeholder", _l("Stakeholder meeting"))
    WORKSHOP = ("workshop", _l("Workshop"))
    SEMINAR = ("seminar", _l("Seminar"))
    RESULTS_REPORT = ("results_report", _l("Results report"))
    OTHER = ("other", _l("Other"))


class MeetingStatus(LabelledEnum):
    TENTATIVE = ("tentative", _l("Tentative"))
    SCHEDULED = ("scheduled", _l("Scheduled"))
    HELD = ("held", _l("Held"))
    POSTPONED = ("postponed", _l("Postponed"))
    CANCELLED = ("cancelled", _l("Cancelled"))


class Meeting(Versioned, TimestampMixin, db.Model):
    __tablename__ = "meeting"
    __table_args__ = (
        sa.CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("number IS NULL OR number > 0", name="number_positive"),
        sa.CheckConstraint("precision <> 'fiscal_year' OR ends_at IS NOT NULL", name="fiscal_years_end"),
        sa.CheckConstraint("observers IS NULL OR observers >= 0", name="observers_not_negative"),
        sa.Index("ix_meeting_consortium_starts", "consortium_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a consortium with meetings cannot be deleted by accident.
    consortium_id: Mapped[int] = mapped_column(sa.ForeignKey("consortium.id", ondelete="RESTRICT"))
    number: Mapped[int | None]  # 第5回
    title: Mapped[str] = mapped_column(sa.String(300))
    # None when the source does not say what kind of meeting it is (shown as 記載なし).
    kind: Mapped[MeetingKind | None] = mapped_column(str_enum(MeetingKind, "meeting_kind"), default=MeetingKind.REGULAR)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A meeting known only by its date (第2回 5月29日), month (6月以降) or fiscal years (a seminar a
    # three-year programme plans without a date) says so.
    precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision, "meeting_precision"), default=DatePrecision.MINUTE
    )
    # A date inferred rather than given (5 meetings "about every 1.5 months" laid out by month):
    # shown with 推定 beside it wherever the date is; setting a new time clears it.
    date_estimated: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    room: Mapped[str | None] = mapped_column(sa.String(200))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    is_public: Mapped[bool] = mapped_column(default=True)  # 公開形式
    # False when the source does not say whether the meeting is open (公開/非公開): the page says
    # 記載なし instead of claiming either; is_public then only decides who may see it here.
    public_stated: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), default=MeetingStatus.SCHEDULED
    )
    description: Mapped[str | None] = mapped_column(sa.Text)
    # Rises with each change calendar clients care about; they see it as SEQUENCE.
    sequence: Mapped[int] = mapped_column(default=0)
    observers: Mapped[int | None]  # 傍聴者, recorded with the attendance
    # The attendance form's version (the attendance and observers), apart from the meeting's own,
    # so that saving one does not make the other's open form stale.
    attendance_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # When the secretariat was mailed that this meeting is past but still 開催予定 (once per
    # meeting; a new time clears it).
    not_held_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unversioned = Versioned.unversioned | {
        "observers", "attendance_version", "date_estimated", "public_stated", "not_held_reminded_at"
    }

    consortium: Mapped[Consortium] = relationship(back_populates="meetings")
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    documents: Mapped[list[Document]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Document.position"
    )
    minutes: Mapped[Minutes | None] = relationship(back_populates="meeting", passive_deletes="all")
    # When its minutes last changed, loaded with the meeting where asked (minutes/queries.py VERSION).
    minutes_version: Mapped[datetime | None] = query_expression()
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    polls: Mapped[list[Poll]] = relationship(back_populates="meeting", cascade="all, delete-orphan")

    @hybrid_property
    def dated(self) -> bool:
        """Whether the meeting has a day, or at least a month, that calendars and invitations can use."""
        return self.precision != DatePrecision.FISCAL_YEAR

    @hybrid_property
    def past_from(self) -> datetime:
        """When the meeting moves from the upcoming to the past ones: its start, or the end of its
        fiscal years when it is known only to them (a seminar of 2026年度 is upcoming all year)."""
        return self.starts_at if self.dated else self.ends_at

    @past_from.inplace.expression
    @classmethod
    def _past_from_expression(cls) -> sa.ColumnElement[datetime]:
        return sa.case((cls.precision == DatePrecision.FISCAL_YEAR, cls.ends_at), else_=cls.starts_at)

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.starts_at:%Y-%m-%d} {self.title[:20]}>"


class AgendaItem(Versioned, NumberedTitle, db.Model):
    """An item of a meeting's agenda; one level of nesting (10.1 under 10)."""

    __tablename__ = "agenda_item"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes IS NULL OR duration_minutes > 0", name="duration_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"))
    label: Mapped[str | None] = mapped_column(sa.String(20))  # (1), 議題2, 10.1
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    note: Mapped[str | None] = mapped_column(sa.Text)  # e.g. テーマ：…
    duration_minutes: Mapped[int | None]
    is_public: Mapped[bool] = mapped_column(default=True)
    result: Mapped[str | None] = mapped_column(sa.Text)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    parent: Mapped[AgendaItem | None] = relationship(remote_side="AgendaItem.id")
    presenters: Mapped[list[AgendaPresenter]] = relationship(
        back_populates="agenda_item", cascade="all, delete-orphan", order_by="AgendaPresenter.position"
    )
    documents: Mapped[list[Document]] = relationship(back_populates="agenda_item")

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.label} {self.title[:20]}>"


class AgendaPresenter(db.Model):
    """Who presents an item: a person or a body, with the title printed beside them."""

    __tablename__ = "agenda_presenter"
    __table_args__ = (
        sa.CheckConstraint(
            "(person_id IS NULL) <> (organization_id IS NULL)", name="person_xor_organization"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    title: Mapped[str | None] = mapped_column(sa.String(200))  # 長野県知事
    position: Mapped[int] = mapped_column(default=0)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="presenters")
    person: Mapped[Person | None] = relationship()
    organization: Mapped[Organization | None] = relationship()

    @property
    def name(self) -> str:
        return self.person.full_name if self.person else self.organization.name

    def __repr__(self) -> str:
        return f"<AgendaPresenter {self.id} {self.name}>"


class DocumentType(LabelledEnum):
    AGENDA = ("agenda", _l("Agenda (議事次第)"))
    MATERIAL = ("material", _l("Material"))
    REFERENCE = ("reference", _l("Reference material"))
    MINUTES = ("minutes", _l("Minutes"))
    SUMMARY = ("summary", _l("Summary of proceedings"))
    ROSTER = ("roster", _l("Roster"))


class DocumentAccess(LabelledEnum):
    INHERIT = ("inherit", _l("Whoever may see the meeting"))
    MEMBERS = ("members", _l("Members of the consortium"))


class Document(Versioned, TimestampMixin, db.Model):
    """An uploaded file of a meeting or one of its agenda items; bytes live outside the web root."""

    __tablename__ = "document"
    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_item.id", ondelete="SET NULL"), index=True
    )
    doc_type: Mapped[DocumentType] = mapped_column(
        str_enum(DocumentType, "document_type"), default=DocumentType.MATERIAL
    )
    label: Mapped[str | None] = mapped_column(sa.String(20))  # 資料1, 資料2-1
    title: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(255))  # as uploaded
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    checksum: Mapped[str] = mapped_column(sa.String(64))  # SHA-256, hex
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)  # random name on disk
    access: Mapped[DocumentAccess] = mapped_column(
        str_enum(DocumentAccess, "document_access"), default=DocumentAccess.INHERIT
    )
    position: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # The text inside the file, for search: None until extracted, "" when there is none to read.
    extracted_text: Mapped[str | None] = mapped_column(sa.Text)
    # Written by extraction, shown in no form: a form left open stays good across it.
    unversioned = Versioned.unversioned | {"extracted_text"}

    meeting: Mapped[Meeting] = relationship(back_populates="documents")
    agenda_item: Mapped[AgendaItem | None] = relationship(back_populates="documents")

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.label} {self.filename}>"


class Reply(LabelledEnum):
    ATTEND = ("attend", _l("Attending"))
    ABSENT = ("absent", _l("Not attending"))
    PROXY = ("proxy", _l("Sending a proxy"))
    ONLINE = ("online", _l("Attending online"))


class Presence(LabelledEnum):
    PRESENT = ("present", _l("Present"))
    ABSENT = ("absent", _l("Absent"))
    EXCUSED = ("excused", _l("Excused"))
    REPRESENTED = ("represented", _l("Represented by a stand-in"))


class Attendance(db.Model):
    """One member's invitation, reply and actual presence for one meeting."""

    __tablename__ = "attendance"
    __table_args__ = (
        sa.UniqueConstraint("meeting_id", "membership_id"),
        sa.CheckConstraint(
            "presence <> 'represented' OR stand_in IS NOT NULL", name="stand_in_named"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    membership_id: Mapped[int] = mapped_column(
        sa.ForeignKey("membership.id", ondelete="CASCADE"), index=True
    )
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[Reply | None] = mapped_column(str_enum(Reply, "attendance_reply"))
    reply_note: Mapped[str | None] = mapped_column(sa.Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    presence: Mapped[Presence | None] = mapped_column(str_enum(Presence, "attendance_presence"))
    stand_in: Mapped[str | None] = mapped_column(sa.String(200))  # 代理出席者

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    membership: Mapped[Membership] = relationship()

    def __repr__(self) -> str:
        return f"<Attendance m={self.meeting_id} ms={self.membership_id} {self.reply} {self.presence}>"

