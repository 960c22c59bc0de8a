"""Minutes workflow: review and comments (発言者確認), signatories and approval (会議録署名),
publication, reopening, and action items that stay open across meetings until done."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from flask import render_template

from consortium.minutes.queries import open_action_items
from consortium.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    AuditEvent,
    GrantRole,
    Minutes,
    MinutesApproval,
    MinutesComment,
    MinutesStatus,
    Role,
)
from consortium.models.base import utcnow
from conftest import text


def english(client) -> None:
    client.get("/language/en?next=/")


@pytest.fixture()
def board(db, make_consortium, make_meeting, make_member, make_person, make_user):
    """A consortium whose chair has an account, a signing member, another member, the secretariat,
    and a meeting with draft minutes."""
    consortium = make_consortium()
    chair_person = make_person(family_name="座長", given_name="一")
    make_member(consortium, person=chair_person, role=Role.CHAIR)
    meeting = make_meeting(consortium)
    minutes = Minutes(meeting=meeting, body="議事の経過", status=MinutesStatus.DRAFT)
    db.session.add(minutes)
    db.session.commit()
    return {
        "consortium": consortium,
        "meeting": meeting,
        "minutes": minutes,
        "chair": make_user({consortium: GrantRole.MEMBER}, person=chair_person, display_name="座長 一"),
        "signer": make_user({consortium: GrantRole.MEMBER}, display_name="署名 委員"),
        "member": make_user({consortium: GrantRole.MEMBER}, display_name="一般 委員"),
        "secretariat": make_user({consortium: GrantRole.SECRETARIAT}, display_name="事務局"),
    }


def url(board, step: str = "") -> str:
    return f"/meetings/{board['meeting'].id}/minutes" + (f"/{step}" if step else "")


def current(db, board) -> Minutes:
    db.session.expire_all()
    return db.session.get(Minutes, board["minutes"].id)


def actions_of(db, action: str) -> list[AuditEvent]:
    return db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == action)).scalars().all()


def test_full_workflow_from_draft_to_published(client, db, login, post, board):
    english(client)
    login(board["secretariat"])
    assert post(url(board, "review")).status_code == 302
    assert current(db, board).status is MinutesStatus.IN_REVIEW
    assert [a.user_id for a in current(db, board).approvals] == [board["chair"].id]  # the chair, added by itself
    post(url(board, "signatories"), {"user_id": board["signer"].id, "capacity": "署名委員"})

    login(board["member"])
    post(url(board, "comments"), {"body": "私の発言の趣旨を補足してください。"})
    assert "私の発言の趣旨を補足してください。" in text(client.get(url(board)))

    login(board["chair"])
    post(url(board, "approve"))
    assert current(db, board).status is MinutesStatus.IN_REVIEW  # one signatory still to sign
    login(board["signer"])
    response = post(url(board, "approve"))
    assert "Every signatory has now approved them" in text(client.get(response.headers["Location"]))
    minutes = current(db, board)
    assert minutes.status is MinutesStatus.APPROVED
    assert all(a.approved_at is not None for a in minutes.approvals)

    client.delete_cookie("session")
    assert "議事の経過" not in text(client.get(url(board)))  # approved is not yet published
    login(board["secretariat"])
    post(url(board, "publish"))
    minutes = current(db, board)
    assert minutes.status is MinutesStatus.PUBLISHED and minutes.published_at is not None
    client.delete_cookie("session")
    assert "議事の経過" in text(client.get(url(board)))
    assert {e.action for e in db.session.execute(sa.select(AuditEvent)).scalars()} >= {"review", "designate", "approve", "approved", "publish"}


def test_members_see_who_approved_and_when(client, db, login, post, board):
    minutes = board["minutes"]
    minutes.status = MinutesStatus.IN_REVIEW
    minutes.approvals.append(MinutesApproval(user=board["chair"], capacity="座長", approved_at=utcnow()))
    minutes.approvals.append(MinutesApproval(user=board["signer"], capacity="署名委員"))
    db.session.commit()
    english(client)
    login(board["member"])
    page = text(client.get(url(board)))
    assert "座長 一" in page and "Approved on" in page and "<time" in page
    assert "署名 委員" in page and "Not yet approved" in page


def test_a_non_signatory_cannot_approve_and_is_told_why(client, db, login, post, board):
    board["minutes"].status = MinutesStatus.IN_REVIEW
    board["minutes"].approvals.append(MinutesApproval(user=board["signer"], capacity="署名委員"))
    db.session.commit()
    english(client)
    login(board["member"])
    response = post(url(board, "approve"))
    assert response.status_code == 302
    assert "You are not a signatory of these minutes" in text(client.get(response.headers["Location"]))
    assert current(db, board).approvals[0].approved_at is None
    assert actions_of(db, "approve") == []


def test_publishing_before_approval_is_refused(client, db, login, post, board):
    english(client)
    login(board["secretariat"])
    post(url(board, "review"))
    response = post(url(board, "publish"))
    assert response.status_code == 302
    assert "Only approved minutes can be published" in text(client.get(response.headers["Location"]))
    assert current(db, board).status is MinutesStatus.IN_REVIEW
    client.delete_cookie("session")
    assert "議事の経過" not in text(client.get(url(board)))


def test_approval_needs_the_minutes_in_review(client, db, login, post, board):
    board["minutes"].approvals.append(MinutesApproval(user=board["signer"], capacity="署名委員"))
    db.session.commit()
    english(client)
    login(board["signer"])
    response = post(url(board, "approve"))
    assert "only while they are in review" in text(client.get(response.headers["Location"]))
    assert current(db, board).approvals[0].approved_at is None


def test_reopening_sends_the_minutes_back_to_draft_and_clears_approvals(client, db, login, post, board):
    minutes = board["minutes"]
    minutes.status = MinutesStatus.PUBLISHED
    minutes.published_at = utcnow()
    minutes.approvals.append(MinutesApproval(user=board["chair"], capacity="座長", approved_at=utcnow()))
    db.session.commit()
    login(board["secretariat"])
    assert post(url(board, "reopen")).status_code == 302
    minutes = current(db, board)
    assert minutes.status is MinutesStatus.DRAFT and minutes.published_at is None
    assert [a.approved_at for a in minutes.approvals] == [None]
    assert actions_of(db, "reopen")[0].before == {"status": "published"}
    client.delete_cookie("session")
    assert "議事の経過" not in text(client.get(url(board)))


def test_comments_only_while_in_review(client, db, login, post, board):
    english(client)
    login(board["member"])
    response = post(url(board, "comments"), {"body": "下書きへの意見"})
    assert response.status_code == 302
    assert "only while the minutes are in review" in text(client.get(response.headers["Location"]))
    assert db.session.execute(sa.select(MinutesComment)).first() is None


@pytest.mark.parametrize(
    "body, message",
    [("", "Write your comment."), ("意" * 2001, "Field cannot be longer than 2000 characters.")],
    ids=["missing", "too-long"],
)
def test_a_bad_comment_is_refused_and_kept(client, db, login, post, board, body, message):
    board["minutes"].status = MinutesStatus.IN_REVIEW
    db.session.commit()
    english(client)
    login(board["member"])
    response = post(url(board, "comments"), {"body": body})
    assert response.status_code == 422
    assert message in text(response) and body in text(response)
    assert db.session.execute(sa.select(MinutesComment)).first() is None


def test_a_comment_with_a_script_tag_is_shown_inert(client, db, login, post, board):
    board["minutes"].status = MinutesStatus.IN_REVIEW
    db.session.commit()
    login(board["member"])
    post(url(board, "comments"), {"body": "<script>alert(1)</script>"})
    page = text(client.get(url(board)))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_workflow_posts_need_a_csrf_token(client, db, login, post, board):
    login(board["secretariat"])
    assert post(url(board, "review"), csrf=False).status_code == 400
    assert current(db, board).status is MinutesStatus.DRAFT


@pytest.mark.parametrize("step", ["review", "publish", "reopen", "signatories", "actions/done"])
def test_members_may_not_run_secretariat_steps(client, login, post, board, step):
    login(board["member"])
    assert post(url(board, step)).status_code == 403


def test_another_consortiums_secretariat_may_not_send_for_review(client, db, login, post, board, make_user, make_consortium):
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))
    assert post(url(board, "review")).status_code == 403
    assert current(db, board).status is MinutesStatus.DRAFT


def test_only_users_of_the_consortium_can_be_signatories(client, db, login, post, board, make_user, make_consortium):
    outsider = make_user({make_consortium(): GrantRole.MEMBER})
    login(board["secretariat"])
    response = post(url(board, "signatories"), {"user_id": outsider.id, "capacity": "署名委員"})
    assert response.status_code == 422
    assert 'value="署名委員"' in text(response)
    assert current(db, board).approvals == []


def test_designating_the_first_signatory_adds_the_chair(client, db, login, post, board):
    login(board["secretariat"])
    post(url(board, "signatories"), {"user_id": board["signer"].id, "capacity": "署名委員"})
    capacities = {a.user_id: a.capacity for a in current(db, board).approvals}
    assert capacities == {board["chair"].id: "座長", board["signer"].id: "署名委員"}


def test_a_signatory_can_be_removed_and_the_rest_complete_the_approval(client, db, login, post, board):
    minutes = board["minutes"]
    minutes.status = MinutesStatus.IN_REVIEW
    minutes.approvals.append(MinutesApproval(user=board["chair"], capacity="座長", approved_at=utcnow()))
    absent = MinutesApproval(user=board["signer"], capacity="署名委員")
    minutes.approvals.append(absent)
    db.session.commit()
    login(board["secretariat"])
    assert post(url(board, "signatories/remove"), {"approval_id": absent.id}).status_code == 302
    minutes = current(db, board)
    assert [a.user_id for a in minutes.approvals] == [board["chair"].id]
    assert minutes.status is MinutesStatus.APPROVED


def test_a_signatory_of_other_minutes_cannot_be_removed_here(client, db, login, post, board, make_meeting):
    other = Minutes(meeting=make_meeting(board["consortium"]))
    approval = MinutesApproval(user=board["signer"], capacity="署名委員")
    other.approvals.append(approval)
    db.session.add(other)
    db.session.commit()
    english(client)
    login(board["secretariat"])
    response = post(url(board, "signatories/remove"), {"approval_id": approval.id})
    assert "not on these minutes" in text(client.get(response.headers["Location"]))
    assert db.session.get(MinutesApproval, approval.id) is not None


@pytest.fixture()
def actions(db, board, make_meeting):
    """Open action items in this meeting's draft minutes and in an earlier meeting's published minutes."""
    earlier = make_meeting(board["consortium"])
    published = Minutes(meeting=earlier, status=MinutesStatus.PUBLISHED, published_at=utcnow())
    db.session.add(published)
    late = ActionItem(text="前回からの宿題", owner_label="事務局", due_on=date(2030, 9, 1))
    published.action_items.append(late)
    soon = ActionItem(text="今回の対応", due_on=date(2030, 5, 1))
    board["minutes"].action_items.append(soon)
    done = ActionItem(text="済んだ対応", status=ActionStatus.DONE)
    board["minutes"].action_items.append(done)
    db.session.commit()
    return {"earlier": earlier, "late": late, "soon": soon, "done": done}


def test_open_action_items_across_meetings_soonest_first(app, db, board, actions):
    with app.test_request_context():
        from flask_login import login_user

        login_user(board["member"])
        assert [a.text for a in open_action_items(board["consortium"].id)] == ["今回の対応", "前回からの宿題"]


def test_the_public_sees_only_open_action_items_of_published_minutes(app, db, board, actions):
    with app.test_request_context():
        assert [a.text for a in open_action_items(board["consortium"].id)] == ["前回からの宿題"]


def test_action_items_of_a_meeting_with_a_closed_item_stay_with_the_members(app, db, board, actions):
    db.session.add(AgendaItem(meeting=actions["earlier"], title="非公開の議題", is_public=False))
    db.session.commit()
    with app.test_request_context():
        assert open_action_items(board["consortium"].id) == []


def test_an_action_item_stays_listed_until_marked_done(client, app, db, login, post, board, actions):
    with app.test_request_context():
        from flask_login import login_user

        login_user(board["secretariat"])
        html = render_template("minutes/_open_actions.html", open_actions=open_action_items(board["consortium"].id), can_mark_done=True)
    assert "前回からの宿題" in html and "今回の対応" in html and "済んだ対応" not in html
    assert f'action="/meetings/{actions["earlier"].id}/minutes/actions/done"' in html
    login(board["secretariat"])
    response = post(
        f"/meetings/{actions['earlier'].id}/minutes/actions/done",
        {"action_id": actions["late"].id, "next": f"/consortia/{board['consortium'].id}"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/consortia/{board['consortium'].id}")
    db.session.expire_all()
    late = db.session.get(ActionItem, actions["late"].id)
    assert late.status is ActionStatus.DONE and late.done_at is not None
    with app.test_request_context():
        from flask_login import login_user

        login_user(board["secretariat"])
        assert [a.text for a in open_action_items(board["consortium"].id)] == ["今回の対応"]


def test_an_action_item_of_another_meeting_cannot_be_marked_done_here(client, db, login, post, board, actions):
    english(client)
    login(board["secretariat"])
    response = post(url(board, "actions/done"), {"action_id": actions["late"].id})
    assert "not in these minutes" in text(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(ActionItem, actions["late"].id).status is ActionStatus.OPEN


def test_marking_done_is_a_new_version_so_an_open_editor_cannot_undo_it(client, db, login, post, board, actions):
    loaded = current(db, board).version
    login(board["secretariat"])
    post(url(board, "actions/done"), {"action_id": actions["soon"].id})
    response = post(
        url(board, "edit"),
        {
            "version": loaded,
            "body": "議事の経過",
            "actions-0-id": actions["soon"].id,
            "actions-0-text": "今回の対応",
            "actions-0-status": "open",
        },
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(ActionItem, actions["soon"].id).status is ActionStatus.DONE


def test_the_meeting_page_partial_shows_status_links_steps_and_the_text(app, db, board):
    from consortium.minutes.queries import agenda_items, load_minutes
    from consortium.minutes.summary import minutes_view

    meeting = board["meeting"]
    with app.test_request_context(f"/meetings/{meeting.id}"):
        view = minutes_view(load_minutes(meeting.id), agenda_items(meeting.id), full=True)
        html = render_template("minutes/_on_meeting.html", meeting=meeting, minutes_view=view, is_member=True, is_secretariat=True)
    assert "議事の経過" in html
    assert f'href="/meetings/{meeting.id}/minutes/history"' in html
    assert f'action="/meetings/{meeting.id}/minutes/review"' in html
    assert f'name="next" value="/meetings/{meeting.id}"' in html


def test_the_meeting_page_partial_gives_the_public_the_summary_only(app, db, board):
    from consortium.minutes.queries import agenda_items, load_minutes
    from consortium.minutes.summary import minutes_view
    from consortium.models import DiscussionPoint

    meeting = board["meeting"]
    closed = AgendaItem(meeting=meeting, title="非公開の議題", is_public=False)
    db.session.add(closed)
    board["minutes"].status = MinutesStatus.PUBLISHED
    board["minutes"].points.append(DiscussionPoint(text="非公開の発言", agenda_item=closed))
    db.session.commit()
    with app.test_request_context(f"/meetings/{meeting.id}"):
        view = minutes_view(load_minutes(meeting.id), agenda_items(meeting.id), full=False)
        html = render_template("minutes/_on_meeting.html", meeting=meeting, minutes_view=view, is_member=False, is_secretariat=False)
    assert "非公開の発言" not in html and "議事の経過" not in html
    assert f'href="/meetings/{meeting.id}/minutes"' in html and "/history" not in html and "<form" not in html
