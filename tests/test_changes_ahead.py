"""Roster changes entered ahead (人事異動): a transfer or the end of a term dated ahead shows as
pending to the secretariat, takes effect on its day by itself, and the roster prints as of a day."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pypdf
import pytest
import time_machine
import sqlalchemy as sa
from conftest import fresh, sign_in, text

from consortium.japanese import TOKYO, next_fiscal_year_start, today_tokyo
from consortium.demo.loader import DEMO_PASSWORD
from consortium.models import Consortium, GrantRole, Membership, User


def next_april_first() -> date:
    return next_fiscal_year_start(today_tokyo())


@pytest.fixture()
def council(make_consortium, make_member, make_person):
    """A public council whose seat ⑰ is held by 吉田 凌太, and its secretariat."""
    council = make_consortium(name="地域経済会議")
    holder = make_member(council, person=make_person(family_name="吉田", given_name="凌太"), seat=17, term_start=date(2024, 4, 1))
    return council, holder


def pdf_text(response) -> str:
    assert response.status_code == 200
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.get_data())).pages)


def test_a_transfer_dated_next_april_is_pending_until_then_and_takes_effect_on_the_day(
    client, db, post, login, make_user, council, english
):
    council, holder = council
    secretariat = make_user({council: GrantRole.SECRETARIAT})
    login(secretariat)
    april = next_april_first()
    response = post(
        f"/memberships/{holder.id}/transfer", {"name": "後任 花子", "create": "y", "on": april.isoformat()}, follow_redirects=True
    )
    assert "後任 花子 takes over the seat of 吉田 凌太 on" in text(response)
    assert fresh(db, Membership, holder.id).term_end == april - timedelta(days=1)

    # Before the day: the roster is today's, the change waits in the secretariat's list.
    public = text(client.get(f"/consortia/{council.id}"))
    assert "吉田 凌太" in public and "後任 花子" not in public
    manage = text(client.get(f"/consortia/{council.id}/roster"))
    ahead = manage[manage.index('id="ahead"'):manage.index('id="former"')]
    assert "後任 花子" in ahead and "吉田 凌太" in ahead and "joins" in ahead and "leaves" in ahead
    current = manage[manage.index('id="current"'):manage.index('id="ahead"')]
    assert "吉田 凌太" in current and "後任 花子" not in current

    # The secretariat prints the April roster in March.
    on = f"?on={april.isoformat()}"
    april_page = text(client.get(f"/consortia/{council.id}{on}"))
    assert "後任 花子" in april_page and "吉田 凌太" not in april_page and "⑰" in april_page
    april_pdf = pdf_text(client.get(f"/consortia/{council.id}/roster.pdf{on}"))
    assert "後任 花子" in april_pdf and "吉田 凌太" not in april_pdf

    # Others see today's roster whatever they ask: a transfer is not announced before its day.
    post("/accounts/logout")
    assert "後任 花子" not in text(client.get(f"/consortia/{council.id}{on}"))
    assert "後任 花子" not in pdf_text(client.get(f"/consortia/{council.id}/roster.pdf{on}"))

    # On the day, nobody does anything: the new member holds the seat.
    with time_machine.travel(datetime(april.year, 4, 1, 9, tzinfo=TOKYO), tick=False):
        public = text(client.get(f"/consortia/{council.id}"))
        assert "後任 花子" in public and "吉田 凌太" not in public and "⑰" in public
        printed = pdf_text(client.get(f"/consortia/{council.id}/roster.pdf"))
        assert "後任 花子" in printed and "吉田 凌太" not in printed
    # The day before, the former holder is still on it.
    with time_machine.travel(datetime(april.year, 3, 31, 23, 59, tzinfo=TOKYO), tick=False):
        assert "吉田 凌太" in text(client.get(f"/consortia/{council.id}"))


def test_a_second_change_of_a_seat_already_changing_is_refused_with_its_date(client, post, login, make_user, council, english):
    council, holder = council
    login(make_user({council: GrantRole.SECRETARIAT}))
    april = next_april_first()
    assert post(f"/memberships/{holder.id}/transfer", {"name": "後任 花子", "create": "y", "on": april.isoformat()}).status_code == 302
    response = client.get(f"/memberships/{holder.id}/transfer", follow_redirects=True)
    assert "already ends on" in text(response)


def test_a_term_ending_at_the_end_of_march_stays_on_the_roster_until_then(client, db, post, login, make_user, council, english):
    council, holder = council
    login(make_user({council: GrantRole.SECRETARIAT}))
    march_end = next_april_first() - timedelta(days=1)
    response = post(
        f"/memberships/{holder.id}/delete", {"how": "end", "last_day": march_end.isoformat(), "confirm": "y"}, follow_redirects=True
    )
    assert "until then it stays on the roster" in text(response)
    assert "吉田 凌太" in text(client.get(f"/consortia/{council.id}"))
    with time_machine.travel(datetime(march_end.year, 4, 1, 9, tzinfo=TOKYO), tick=False):
        assert "吉田 凌太" not in text(client.get(f"/consortia/{council.id}"))


def test_a_malformed_as_of_day_is_a_bad_request_for_the_secretariat(client, login, make_user, council):
    council, _ = council
    login(make_user({council: GrantRole.SECRETARIAT}))
    assert client.get(f"/consortia/{council.id}?on=2027-02-30").status_code == 400
    assert client.get(f"/consortia/{council.id}/roster.pdf?on=9999-01-01").status_code == 400


def test_the_demo_shows_a_transfer_waiting_for_the_next_first_of_april(client, db, demo, english):
    """The demo's working group hands seat 3 over on the next 1 April, whenever it is loaded."""
    setagaya = db.session.execute(sa.select(User).filter_by(email="setagaya@example.jp")).scalar_one()
    sign_in(client, setagaya, DEMO_PASSWORD)
    group = db.session.execute(sa.select(Consortium).filter_by(name="産業ビジョン検討部会（デモ）")).scalar_one()
    manage = text(client.get(f"/consortia/{group.id}/roster"))
    ahead = manage[manage.index('id="ahead"'):manage.index('id="former"')]
    assert "田中 美帆" in ahead and "大石 英司" in ahead
    april = next_april_first()
    april_page = text(client.get(f"/consortia/{group.id}?on={april.isoformat()}"))
    assert "田中 美帆" in april_page and "大石 英司" not in april_page
