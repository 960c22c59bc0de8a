"""People. Role, title and seat live on Membership, never here."""
from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import TimestampMixin, Versioned, maintain_search_text

if TYPE_CHECKING:
    from .accounts import User
    from .consortia import Membership
    from .organisations import Organization


class Person(Versioned, TimestampMixin, db.Model):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(sa.String(100))
    given_name: Mapped[str | None] = mapped_column(sa.String(100))
    family_name_kana: Mapped[str | None] = mapped_column(sa.String(100))
    given_name_kana: Mapped[str | None] = mapped_column(sa.String(100))
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    title: Mapped[str | None] = mapped_column(sa.String(200))  # 肩書 outside any roster
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organization.id", ondelete="SET NULL"), index=True
    )
    # Private: never shown to the public, never in feeds or the API's public views.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    private_note: Mapped[str | None] = mapped_column(sa.Text)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    organization: Mapped[Organization | None] = relationship(back_populates="people")
    memberships: Mapped[list[Membership]] = relationship(back_populates="person")
    user: Mapped[User | None] = relationship(back_populates="person")

    @property
    def full_name(self) -> str:
        """Name as Japanese rosters print it: family, a space, given."""
        return f"{self.family_name} {self.given_name}" if self.given_name else self.family_name

    @property
    def full_name_kana(self) -> str | None:
        parts = [p for p in (self.family_name_kana, self.given_name_kana) if p]
        return " ".join(parts) or None

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name}>"


# Names are stored as typed; searches and duplicate checks match this folded copy.
maintain_search_text(Person, "family_name", "given_name", "family_name_kana", "given_name_kana", "name_en")
# The directory lists people by reading, family name first, as rosters are sorted (あいうえお順).
Person.directory_order = (
    sa.func.coalesce(Person.family_name_kana, Person.family_name),
    sa.func.coalesce(Person.given_name_kana, Person.given_name, ""),
    Person.id,
)
sa.Index("ix_person_directory_order", *Person.directory_order)
