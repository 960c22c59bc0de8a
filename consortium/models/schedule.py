"""A consortium's schedule beyond meetings: milestones, and targets (KPIs) by fiscal year."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import DatePrecision, LabelledEnum, TimestampMixin, UTCDateTime, Versioned, str_enum, utcnow
from .consortia import Consortium


class Milestone(Versioned, TimestampMixin, db.Model):
    """A dated step that is not a meeting (区民生活常任委員会 報告, 成果報告会, 2018年度内に判断)."""

    __tablename__ = "milestone"
    __table_args__ = (
        sa.CheckConstraint("precision IN ('day', 'month', 'fiscal_year')", name="day_month_or_fiscal_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consortium.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(300))
    on: Mapped[date]  # the first of the month (1 April of the fiscal year) when only that is known
    precision: Mapped[DatePrecision] = mapped_column(
        str_enum(DatePrecision, "milestone_precision"), default=DatePrecision.DAY
    )
    # A deadline within the period rather than a step on it: 2018年度内, 11月中, 12月4日まで.
    within: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    note: Mapped[str | None] = mapped_column(sa.Text)

    consortium: Mapped[Consortium] = relationship(back_populates="milestones")

    def __repr__(self) -> str:
        return f"<Milestone {self.id} {self.on} {self.title[:20]}>"


class TargetKind(LabelledEnum):
    """Whether a KPI is a number, words only, or still to be set (2017年度以降のKPIは改めて設定)."""

    NUMERIC = ("numeric", _l("A number"))
    QUALITATIVE = ("qualitative", _l("In words only"))
    TO_BE_SET = ("to_be_set", _l("To be set"))


class Comparator(LabelledEnum):
    """How a target value is meant, as documents write it: 10機関以上, 50件程度."""

    EXACTLY = ("exactly", _l("Exactly"))
    AT_LEAST = ("at_least", _l("At least (以上)"))
    AT_MOST = ("at_most", _l("At most (以下)"))
    ABOUT = ("about", _l("About (程度)"))


class Target(Versioned, TimestampMixin, db.Model):
    """A KPI: what, how much, by the end of which fiscal year (年度, April–March). Results so far
    (実績) are its reports; a baseline is only what a document calls one."""

    __tablename__ = "target"
    __table_args__ = (
        sa.CheckConstraint(
            "fiscal_year_from IS NULL OR fiscal_year IS NULL OR fiscal_year_from <= fiscal_year",
            name="fiscal_year_order",
        ),
        sa.CheckConstraint("kind = 'numeric' OR target_value IS NULL", name="value_only_if_numeric"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consortium_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consortium.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[TargetKind] = mapped_column(
        str_enum(TargetKind, "target_kind"), default=TargetKind.NUMERIC, server_default=TargetKind.NUMERIC.value
    )
    comparator: Mapped[Comparator] = mapped_column(
        str_enum(Comparator, "target_comparator"), default=Comparator.EXACTLY, server_default=Comparator.EXACTLY.value
    )
    target_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    unit: Mapped[str | None] = mapped_column(sa.String(20))
    fiscal_year_from: Mapped[int | None]  # counted from this fiscal year, when the KPI says so
    fiscal_year: Mapped[int | None]  # to be reached by the end of this fiscal year
    baseline_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    baseline_fiscal_year: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)

    consortium: Mapped[Consortium] = relationship(back_populates="targets")
    reports: Mapped[list[TargetReport]] = relationship(
        back_populates="target", cascade="all, delete-orphan", order_by="TargetReport.fiscal_year"
    )

    def __repr__(self) -> str:
        return f"<Target {self.id} FY{self.fiscal_year} {self.title[:20]}>"


class TargetReport(Versioned, db.Model):
    """Progress against a target, one per fiscal year."""

    __tablename__ = "target_report"
    __table_args__ = (sa.UniqueConstraint("target_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(sa.ForeignKey("target.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    value: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(sa.Text)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    target: Mapped[Target] = relationship(back_populates="reports")

    def __repr__(self) -> str:
        return f"<TargetReport {self.target_id} FY{self.fiscal_year} {self.value}>"
