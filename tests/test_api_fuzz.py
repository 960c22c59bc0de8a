"""Schemathesis against the live application's own OpenAPI document, on the demo data: no server
error and no answer that breaks the document's schemas, anonymous and with a secretariat's token.

Each operation is driven by Hypothesis here rather than by schemathesis' pytest plugin, whose
lazy fixtures do not run on this pytest."""
from __future__ import annotations

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from consortium.models import Grant, GrantRole, TokenScope, User
from consortium.tokens import services as tokens

# Every check but one: a cursor is opaque, so a string the document allows can still be one this
# API never wrote (400), as a damaged page link is on the pages.
EXCLUDED = [positive_data_acceptance]
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def secretariat_token(db) -> dict:
    user = db.session.execute(
        sa.select(User).join(User.grants).where(Grant.role == GrantRole.SECRETARIAT).limit(1)
    ).scalar_one()
    _row, token = tokens.issue(user, "fuzz", TokenScope.WRITE, None)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


# schemathesis' WSGI transport never closes an answer, so a material's file stays open until collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("caller", ["anonymous", "token"])
def test_the_api_keeps_its_own_document(app, db, demo, caller):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = secretariat_token(db) if caller == "token" else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        @given(case=operation.as_strategy())
        @FUZZ
        def call(case):
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)

        call()
