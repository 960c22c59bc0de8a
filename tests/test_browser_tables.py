"""Wide tables on a phone, read in Japanese (wider than English) with Japanese fonts: the page never
scrolls sideways, headers keep their line, and every table can be reached and scrolled by keyboard."""
import pytest
import sqlalchemy as sa
from browsing import PHONE, check_page, needs_chromium, read_in_japanese, sign_in

from consortium.audit import act_as
from datetime import datetime, timezone

from consortium.models import Consortium, GrantRole, Meeting, Minutes, MinutesApproval, MinutesStatus

pytestmark = needs_chromium

# Headers whose text is set on more lines than one and a half: broken a character a line.
BROKEN_HEADERS = """() => [...document.querySelectorAll('thead th')].filter(th => {
  const style = getComputedStyle(th);
  const text = th.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
  return text > 1.5 * parseFloat(style.lineHeight);
}).map(th => th.innerText)"""


def check_tables(page):
    """check_page, and no table header broken over lines."""
    check_page(page)
    assert page.evaluate(BROKEN_HEADERS) == [], page.url


@pytest.fixture()
def setagaya(db, demo):
    return db.session.execute(sa.select(Consortium).where(Consortium.name.startswith("世田谷区"))).scalar_one()


def test_the_roster_reads_on_a_phone_and_its_actions_are_reachable(live_server, page, setagaya, make_user):
    sign_in(page, live_server, make_user({setagaya: GrantRole.SECRETARIAT}))
    read_in_japanese(page, live_server)
    page.goto(f"{live_server}/consortia/{setagaya.id}/roster")
    check_tables(page)
    last_action = page.locator("#current ~ .table-wrap tbody tr").first.locator(".actions a").last
    last_action.focus()
    box = last_action.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"]


def test_the_audit_log_reads_on_a_phone(db, live_server, page, setagaya, make_user):
    admin = make_user(is_admin=True)
    act_as(admin.id)
    meeting = db.session.execute(sa.select(Meeting).where(Meeting.consortium_id == setagaya.id).limit(1)).scalar_one()
    meeting.online_url = "https://meet.example.jp/" + "a" * 120
    meeting.description = "長い説明" * 60
    db.session.commit()
    sign_in(page, live_server, admin)
    read_in_japanese(page, live_server)
    for address in ("/admin/audit", f"/admin/consortia/{setagaya.id}/audit", "/admin/audit?show=sign_ins"):
        page.goto(live_server + address)
        assert page.locator("ol.audit > li").count() > 0, address
        check_tables(page)


def test_the_signatories_of_published_minutes_read_on_a_phone(db, live_server, page, setagaya, make_user):
    secretariat = make_user({setagaya: GrantRole.SECRETARIAT}, display_name="世田谷区 経済産業部 産業連携交流推進課")
    chair = make_user({setagaya: GrantRole.MEMBER}, display_name="長山 宗広")
    meeting = db.session.execute(sa.select(Meeting).where(Meeting.consortium_id == setagaya.id).limit(1)).scalar_one()
    if meeting.minutes is None:
        meeting.minutes = Minutes(body="議事の概要")
    meeting.minutes.status = MinutesStatus.PUBLISHED
    meeting.minutes.published_at = datetime.now(timezone.utc)
    meeting.minutes.approvals = [
        MinutesApproval(user=chair, capacity="会長", approved_at=datetime.now(timezone.utc)),
        MinutesApproval(user=secretariat, capacity="署名委員"),
    ]
    db.session.commit()
    sign_in(page, live_server, secretariat)
    read_in_japanese(page, live_server)
    page.goto(f"{live_server}/meetings/{meeting.id}/minutes")
    assert page.locator("#signatories ~ .table-wrap tbody tr").count() == 2
    check_tables(page)
