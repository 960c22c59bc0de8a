"""A past meeting never marked held is not shown silently as past: the meeting lists flag it to its
secretariat, and `flask reminders send` mails the secretariat about it once."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import fresh, text
from test_attendance import FUTURE, PAST, council  # noqa: F401 (fixture)
from test_invitations import plain, received, run_reminders

from consortium.demo.loader import DEMO_PASSWORD
from consortium.meetings.services import update_meeting
from consortium.models import Consortium, Meeting, MeetingStatus, User

BADGE = "No record that it was held"


def card(page: str, title: str) -> str:
    """The card of a meeting list (meetings/_list.html) that shows the title."""
    cards = [li for block in page.split('<ul class="cards">')[1:] for li in block.split("</ul>")[0].split("<li>")]
    [found] = [li for li in cards if title in li]
    return found


def lists_of(consortium) -> list[str]:
    return [f"/consortia/{consortium.id}", f"/consortia/{consortium.id}/meetings", "/meetings/?when=past"]


def test_the_lists_flag_a_past_meeting_still_scheduled_to_its_secretariat(client, db, login, council, make_meeting, english):
    make_meeting(council["consortium"], title="第4回 会議", starts_at=PAST - timedelta(days=60), status=MeetingStatus.HELD)
    login(council["secretariat"])
    for url in lists_of(council["consortium"]):
        page = text(client.get(url))
        assert BADGE in card(page, "第5回 会議"), url
        assert page.count(BADGE) == 1, url  # not on the held 第4回


@pytest.mark.parametrize("who", ["member", "outsider", None])
def test_others_see_the_meeting_listed_as_before(client, login, council, english, who):
    if who:
        login(council[who])
    for url in lists_of(council["consortium"]):
        page = text(client.get(url))
        assert "第5回 会議" in page and BADGE not in page, url


def test_the_secretariat_is_mailed_once_about_each_past_meeting_still_scheduled(app, db, council, make_meeting, smtp_server):
    make_meeting(council["consortium"], title="第6回 会議", starts_at=FUTURE)
    make_meeting(council["consortium"], title="第3回 会議", starts_at=PAST - timedelta(days=90), status=MeetingStatus.HELD)
    reminded = make_meeting(council["consortium"], title="第4回 会議", starts_at=PAST - timedelta(days=30))
    result = run_reminders(app)
    assert result.exit_code == 0, result.output
    assert "Reminders sent: 1." in result.output
    mail = received(smtp_server)[council["secretariat"].email]
    assert mail["Subject"] == "【開催済みの記録がありません】地域経済会議"
    body = plain(mail)
    assert body.index("第4回 会議") < body.index("第5回 会議")  # oldest first
    assert "第6回 会議" not in body and "第3回 会議" not in body
    assert f"https://consortium.example.jp/consortia/{council['consortium'].id}#not-held" in body
    assert f"https://consortium.example.jp/meetings/{reminded.id}" in body
    assert fresh(db, Meeting, reminded.id).not_held_reminded_at is not None

    # A daily run does not repeat it; a meeting newly past is mailed about on its own.
    assert "Reminders sent: 0." in run_reminders(app).output
    make_meeting(council["consortium"], title="第5回臨時 会議", starts_at=PAST + timedelta(days=1))
    assert "Reminders sent: 1." in run_reminders(app).output
    latest = plain(received(smtp_server, 1)[council["secretariat"].email])
    assert "第5回臨時 会議" in latest and "第4回 会議" not in latest


def test_a_reminder_leaves_the_meeting_unchanged_for_calendars_and_a_new_time_may_be_reminded_again(app, db, council, smtp_server):
    meeting = council["meeting"]
    before = fresh(db, Meeting, meeting.id)
    stamp, version = before.updated_at, before.version
    run_reminders(app)
    after = fresh(db, Meeting, meeting.id)
    assert (after.updated_at, after.version, after.sequence) == (stamp, version, before.sequence)

    update_meeting(after, {"starts_at": PAST + timedelta(days=7), "ends_at": None})
    db.session.commit()
    assert fresh(db, Meeting, meeting.id).not_held_reminded_at is None
    assert "Reminders sent: 1." in run_reminders(app).output


def test_the_demo_setagaya_secretariat_is_shown_and_mailed_meetings_5_and_6(app, client, db, demo, login, smtp_server, english):
    setagaya = db.session.execute(
        sa.select(Consortium).where(Consortium.name == "世田谷区地域経済の持続可能な発展を目指す会議")
    ).scalar_one()
    login(db.session.execute(sa.select(User).where(User.email == "setagaya@example.jp")).scalar_one(), DEMO_PASSWORD)
    page = text(client.get(f"/consortia/{setagaya.id}/meetings"))
    for number in (5, 6):
        assert BADGE in card(page, f"第{number}回 地域経済の持続可能な発展を目指す会議")
    run_reminders(app)
    body = plain(received(smtp_server)["setagaya@example.jp"])
    assert "第5回 地域経済の持続可能な発展を目指す会議" in body and "第6回 地域経済の持続可能な発展を目指す会議" in body
    assert "第4回" not in body  # held, as the report says
