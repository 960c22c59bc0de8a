"""Accounts and their per-consortium grants."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import LabelledEnum, TimestampMixin, UTCDateTime, Versioned, str_enum

if TYPE_CHECKING:
    from .consortia import Consortium
    from .people import Person


class GrantRole(LabelledEnum):
    SECRETARIAT = ("secretariat", _l("Secretariat"))
    MEMBER = ("member", _l("Member"))


class User(UserMixin, Versioned, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    display_name: Mapped[str] = mapped_column(sa.String(100))
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), unique=True
    )
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # What the user changes on their own, not in the administrator's form.
    unversioned = Versioned.unversioned | {"password_hash", "calendar_token", "last_login_at"}

    person: Mapped[Person | None] = relationship(back_populates="user")
    grants: Mapped[list[Grant]] = relationship(back_populates="user", cascade="all, delete-orphan")
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id"
    )

    @property
    def is_active(self) -> bool:
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Grant(db.Model):
    """A user's role in one consortium."""

    __tablename__ = "grant"
    __table_args__ = (sa.UniqueConstraint("user_id", "consortium_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    consortium_id: Mapped[int] = mapped_column(sa.ForeignKey("consortium.id", ondelete="CASCADE"), index=True)
    role: Mapped[GrantRole] = mapped_column(str_enum(GrantRole, "grant_role"))

    user: Mapped[User] = relationship(back_populates="grants")
    consortium: Mapped[Consortium] = relationship(back_populates="grants")

    def __repr__(self) -> str:
        return f"<Grant user={self.user_id} c={self.consortium_id} {self.role.value}>"


class TokenScope(LabelledEnum):
    READ = ("read", _l("Read"))
    WRITE = ("write", _l("Read and write"))


class ApiToken(TimestampMixin, db.Model):
    """A personal access token to the API: it acts as its user, no further than its scope.

    Only a hash of the token is kept; its first characters (prefix) tell the owner which is which.
    A write token limited to a consortium writes there only; it reads whatever its user may see.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(12))
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256 of the token, hex
    scope: Mapped[TokenScope] = mapped_column(str_enum(TokenScope, "token_scope"), default=TokenScope.READ)
    consortium_id: Mapped[int | None] = mapped_column(sa.ForeignKey("consortium.id", ondelete="CASCADE"))
    last_used_on: Mapped[date | None]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="api_tokens")
    consortium: Mapped[Consortium | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"
