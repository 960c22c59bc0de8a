"""Consortia, their themes, roster groups and memberships (the association object)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..japanese import today_tokyo
from .base import LabelledEnum, NumberedTitle, TimestampMixin, Versioned, maintain_search_text, str_enum

if TYPE_CHECKING:
    from .accounts import Grant
    from .meetings import Meeting
    from .organisations import Organization
    from .people import Person
    from .schedule import Milestone, Target


class ConsortiumKind(LabelledEnum):
    CONSORTIUM = ("consortium", _l("Consortium"))
    COUNCIL = ("council", _l("Council"))
    PROGRAMME = ("programme", _l("Programme"))
    PLATFORM = ("platform", _l("Platform"))
    NETWORK = ("network", _l("Network"))
    PROJECT = ("project", _l("Project"))


class ConsortiumStatus(LabelledEnum):
    PLANNED = ("planned", _l("Planned"))
    ACTIVE = ("active", _l("Active"))
    CONCLUDED = ("concluded", _l("Concluded"))


class Visibility(LabelledEnum):
    PUBLIC = ("public", _l("Public"))
    MEMBERS = ("members", _l("Members only"))


class Role(LabelledEnum):
    HOST = ("host", _l("Host"))
    CHAIR = ("chair", _l("Chair"))
    VICE_CHAIR = ("vice_chair", _l("Vice-chair"))
    MEMBER = ("member", _l("Member"))
    ADVISER = ("adviser", _l("Adviser"))
    OBSERVER = ("observer", _l("Observer"))
    SECRETARIAT = ("secretariat", _l("Secretariat"))
    PARTNER = ("partner", _l("Partner"))
    PROPOSER = ("proposer", _l("Proposer"))


consortium_theme = sa.Table(
    "consortium_theme",
    db.metadata,
    sa.Column("consortium_id", sa.ForeignKey("consortium.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Theme(db.Model):
    """A theme to file consortia under: one of the 17 SDGs, or a topic."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(default=0)

    consortia: Mapped[list[Consortium]] = relationship(
        secondary=consortium_theme, back_populates="themes"
    )

    def __repr__(self) -> str:
        return f"<Theme {self.code}>"


class Consortium(Versioned, TimestampMixin, db.Model):
    __tablename__ = "consortium"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(100))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[ConsortiumKind] = mapped_column(str_enum(ConsortiumKind, "consortium_kind"))
    status: Mapped[ConsortiumStatus] = mapped_column(
        str_enum(ConsortiumStatus, "consortium_status"), default=ConsortiumStatus.ACTIVE
    )
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, "consortium_visibility"), default=Visibility.PUBLIC
    )
    purpose: Mapped[str | None] = mapped_column(sa.Text)  # 趣旨
    background: Mapped[str | None] = mapped_column(sa.Text)
    period_start: Mapped[date | None]
    period_end: Mapped[date | None]
    # The source's own words for the roster, e.g. 順不同・敬称略.
    roster_note: Mapped[str | None] = mapped_column(sa.String(100))
    contact: Mapped[str | None] = mapped_column(sa.Text)  # secretariat's public contact
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consortium.id", ondelete="RESTRICT"), index=True
    )
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    parent: Mapped[Consortium | None] = relationship(
        back_populates="children", remote_side="Consortium.id"
    )
    children: Mapped[list[Consortium]] = relationship(back_populates="parent")
    themes: Mapped[list[Theme]] = relationship(
        secondary=consortium_theme, back_populates="consortia", order_by="Theme.position"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="consortium", cascade="all, delete-orphan", order_by="Membership.position"
    )
    groups: Mapped[list[RosterGroup]] = relationship(
        back_populates="consortium", cascade="all, delete-orphan", order_by="RosterGroup.position"
    )
    # Meetings are never deleted with their consortium: the database refuses.
    meetings: Mapped[list[Meeting]] = relationship(
        back_populates="consortium", passive_deletes="all"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="consortium", cascade="all, delete-orphan", order_by="Milestone.on"
    )
    targets: Mapped[list[Target]] = relationship(
        back_populates="consortium", cascade="all, delete-orphan", order_by="Target.position"
    )
    grants: Mapped[list[Grant]] = relationship(
        back_populates="consortium", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC

    def __repr__(self) -> str:
        return f"<Consortium {self.id} {self.short_name or self.name}>"


maintain_search_text(Consortium, "name", "short_name", "name_en")


class RosterGroup(Versioned, NumberedTitle, db.Model):
    """A heading the roster is grouped under: a programme's numbered item, or a pillar above it."""

    __tablename__ = "roster_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consortium.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("roster_group.id", ondelete="CASCADE")
    )
    label: Mapped[str | None] = mapped_column(sa.String(20))  # 項目 number as printed
    title: Mapped[str] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)

    consortium: Mapped[Consortium] = relationship(back_populates="groups")
    parent: Mapped[RosterGroup | None] = relationship(remote_side="RosterGroup.id")
    memberships: Mapped[list[Membership]] = relationship(back_populates="group")

    def __repr__(self) -> str:
        return f"<RosterGroup {self.id} {self.label} {self.title[:20]}>"


class Membership(Versioned, TimestampMixin, db.Model):
    """A person or an organisation in a consortium, with everything the roster prints."""

    __tablename__ = "membership"
    __table_args__ = (
        sa.CheckConstraint(
            "(person_id IS NULL) <> (organization_id IS NULL)", name="person_xor_organization"
        ),
        sa.CheckConstraint("on_behalf_of_id IS NULL OR person_id IS NOT NULL", name="on_behalf_of_person"),
        sa.CheckConstraint("seat IS NULL OR seat > 0", name="seat_positive"),
        sa.CheckConstraint("term_end IS NULL OR term_start IS NULL OR term_end >= term_start", name="term_order"),
        # A seat is held by one current member; former holders keep theirs in the history.
        sa.Index(
            "uq_membership_current_seat",
            "consortium_id",
            "seat",
            unique=True,
            sqlite_where=sa.text("term_end IS NULL AND seat IS NOT NULL"),
            postgresql_where=sa.text("term_end IS NULL AND seat IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consortium.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="RESTRICT"), index=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    on_behalf_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "membership_role"), default=Role.MEMBER)
    seat: Mapped[int | None]
    category: Mapped[str | None] = mapped_column(sa.String(100))  # 学識経験者, 区民（公募）…
    title: Mapped[str | None] = mapped_column(sa.String(300))  # as printed on the roster
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("roster_group.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str | None] = mapped_column(sa.Text)  # 連携概要
    position: Mapped[int] = mapped_column(default=0)
    term_start: Mapped[date | None]
    term_end: Mapped[date | None]

    consortium: Mapped[Consortium] = relationship(back_populates="memberships")
    person: Mapped[Person | None] = relationship(back_populates="memberships")
    organization: Mapped[Organization | None] = relationship(
        back_populates="memberships", foreign_keys=[organization_id]
    )
    on_behalf_of: Mapped[Organization | None] = relationship(foreign_keys=[on_behalf_of_id])
    group: Mapped[RosterGroup | None] = relationship(back_populates="memberships")

    @property
    def name(self) -> str:
        return self.person.full_name if self.person else self.organization.name

    # A term covers the days from its start to its end, both included; either may be open. Terms are
    # dated, not switched: a transfer entered in March for 1 April takes effect on that day by itself.
    @hybrid_method
    def in_term(self, day: date) -> bool:
        return (self.term_start is None or self.term_start <= day) and (self.term_end is None or self.term_end >= day)

    @in_term.expression
    def in_term(cls, day) -> sa.ColumnElement[bool]:  # a date, or an SQL expression of one
        return sa.and_(
            sa.or_(cls.term_start.is_(None), cls.term_start <= day),
            sa.or_(cls.term_end.is_(None), cls.term_end >= day),
        )

    @property
    def is_current(self) -> bool:
        return self.in_term(today_tokyo())

    @property
    def is_pending(self) -> bool:
        """Entered ahead: the term starts after today."""
        return self.term_start is not None and self.term_start > today_tokyo()

    @property
    def leaves_on(self) -> date | None:
        """The first day off the roster: the day after the term's last."""
        return self.term_end + timedelta(days=1) if self.term_end is not None else None

    @hybrid_property
    def has_ended(self) -> bool:
        """A former seat: its term's last day is past."""
        return self.term_end is not None and self.term_end < today_tokyo()

    @has_ended.expression
    def has_ended(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.term_end.is_not(None), cls.term_end < today_tokyo())

    def __repr__(self) -> str:
        return f"<Membership {self.id} {self.role.value} c={self.consortium_id}>"
