"""Issue and revoke personal access tokens. Only a hash of a token is kept."""
from __future__ import annotations

import hashlib
import secrets

from ..extensions import db
from ..models import ApiToken, TokenScope, User
from ..models.base import utcnow

# A token's first characters say what it is (in logs, in a secret scanner) and which one it is.
MARK = "csm_"
PREFIX_LENGTH = len(MARK) + 6


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, name: str, scope: TokenScope, consortium_id: int | None) -> tuple[ApiToken, str]:
    """A new token for the user, and the token itself: shown once, never stored."""
    token = MARK + secrets.token_urlsafe(32)
    row = ApiToken(
        user=user, name=name, scope=scope, consortium_id=consortium_id if scope is TokenScope.WRITE else None,
        prefix=token[:PREFIX_LENGTH], digest=digest(token),
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke(row: ApiToken) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
