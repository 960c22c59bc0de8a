"""Organisations: one row per real body across the whole site."""
from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, TimestampMixin, Versioned, maintain_search_text, str_enum

if TYPE_CHECKING:
    from .consortia import Membership
    from .people import Person


class OrganizationKind(LabelledEnum):
    NATIONAL_GOVERNMENT = ("national_government", _l("National government"))
    PREFECTURE = ("prefecture", _l("Prefecture"))
    MUNICIPALITY = ("municipality", _l("Municipality"))
    UNIVERSITY = ("university", _l("University"))
    FINANCIAL_INSTITUTION = ("financial_institution", _l("Financial institution"))
    BUSINESS_ASSOCIATION = ("business_association", _l("Business association"))
    COMPANY = ("company", _l("Company"))
    FOUNDATION = ("foundation", _l("Foundation or public corporation"))
    NPO = ("npo", _l("NPO"))
    SPORTS_CLUB = ("sports_club", _l("Sports league or club"))
    OTHER = ("other", _l("Other"))


class Organization(Versioned, TimestampMixin, db.Model):
    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name_kana: Mapped[str | None] = mapped_column(sa.String(200))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[OrganizationKind] = mapped_column(
        str_enum(OrganizationKind, "organization_kind"), default=OrganizationKind.OTHER
    )
    prefecture: Mapped[str | None] = mapped_column(sa.String(10))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    people: Mapped[list[Person]] = relationship(back_populates="organization")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization", foreign_keys="Membership.organization_id"
    )

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name}>"


maintain_search_text(Organization, "name", "name_kana", "name_en")
# The directory lists organisations by reading (the name when it has none); the index in that
# order lets any page of a hundred thousand start where the previous one ended.
Organization.directory_order = (sa.func.coalesce(Organization.name_kana, Organization.name), Organization.id)
sa.Index("ix_organization_directory_order", *Organization.directory_order)
