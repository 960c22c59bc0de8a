"""Minutes: the editor, optimistic locking and the conflict page, revisions, the 議事録 and 議事要旨."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from consortium.minutes import queries
from consortium.minutes.summary import closed_item_ids, leave_out_closed
from consortium.minutes.text import minutes_as_text
from consortium.models import (
    ActionItem,
    ActionStatus,
    AgendaItem,
    Decision,
    DiscussionPoint,
    GrantRole,
    Minutes,
    MinutesRevision,
    MinutesStatus,
)
from conftest import text


def english(client) -> None:
    """Read the site in English, so messages are compared with their msgids."""
    client.get("/language/en?next=/")


def editor_form(version: int, points=(), decisions=(), actions=(), **fields) -> dict:
    """The editor's POST data: top fields, then each list's rows as FieldList names them."""
    data = {"version": version, "heading": "", "body": "", "source_note": ""}
    data.update(fields)
    for name, rows in (("points", points), ("decisions", decisions), ("actions", actions)):
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{name}-{i}-{key}"] = value
    return data


@pytest.fixture()
def setting(db, make_consortium, make_meeting, make_user):
    """A consortium with a meeting of one open and one closed agenda item, its secretariat and a member."""
    consortium = make_consortium()
    meeting = make_meeting(consortium)
    open_item = AgendaItem(meeting=meeting, label="議題1", title="報告", position=1)
    closed_item = AgendaItem(meeting=meeting, label="議題2", title="人事案件", position=2, is_public=False)
    db.session.add_all([open_item, closed_item])
    db.session.commit()
    return {
        "consortium": consortium,
        "meeting": meeting,
        "open_item": open_item,
        "closed_item": closed_item,
        "secretariat": make_user({consortium: GrantRole.SECRETARIAT}, display_name="事務局 一郎"),
        "member": make_user({consortium: GrantRole.MEMBER}),
    }


def stored(db, meeting) -> Minutes | None:
    db.session.expire_all()
    return db.session.execute(sa.select(Minutes).where(Minutes.meeting_id == meeting.id)).scalar_one_or_none()


def edit_url(meeting) -> str:
    return f"/meetings/{meeting.id}/minutes/edit"


def test_first_save_creates_draft_minutes_with_points_decisions_and_actions(client, db, login, post, setting, make_person):
    person = make_person(family_name="鈴木", given_name="花子")
    meeting = setting["meeting"]
    login(setting["secretariat"])
    response = post(
        edit_url(meeting),
        editor_form(
            0,
            heading="主な議論の概要",
            body="開会の挨拶があった。",
            points=[
                {"text": "観光の連携が必要。", "speaker": "鈴木　花子", "agenda_item_id": setting["open_item"].id},
                {"text": "予算の説明があった。", "speaker": "事務局"},
            ],
            decisions=[{"text": "案のとおり承認。", "agenda_item_id": setting["open_item"].id}],
            actions=[{"text": "次回日程の調整", "owner": "事務局", "due_on": "2030-05-01", "status": "open"}],
        ),
    )
    assert response.status_code == 302
    minutes = stored(db, meeting)
    assert minutes.status is MinutesStatus.DRAFT and minutes.heading == "主な議論の概要"
    first, second = minutes.points
    assert (first.speaker_id, first.speaker_label, first.position) == (person.id, None, 1)  # matched despite the full-width space
    assert (second.speaker_id, second.speaker_label, second.position) == (None, "事務局", 2)
    assert minutes.decisions[0].agenda_item_id == setting["open_item"].id
    assert minutes.action_items[0].due_on == date(2030, 5, 1) and minutes.action_items[0].owner_label == "事務局"
    revision = db.session.execute(sa.select(MinutesRevision)).scalar_one()
    assert revision.version == minutes.version and revision.user_id == setting["secretariat"].id
    assert "鈴木 花子：観光の連携が必要。" in revision.content


def test_editor_shows_stored_rows_and_blank_rows_to_add(client, db, login, setting):
    minutes = Minutes(meeting=setting["meeting"], points=[DiscussionPoint(text="既存の発言", position=1)])
    db.session.add(minutes)
    db.session.commit()
    login(setting["secretariat"])
    page = text(client.get(edit_url(setting["meeting"])))
    assert "既存の発言" in page
    assert 'name="points-3-text"' in page and 'name="points-4-text"' not in page  # one stored, three blank
    assert f'name="version" type="hidden" value="{minutes.version}"' in page


def test_blank_rows_are_skipped_and_ticked_rows_deleted(client, db, login, post, setting):
    meeting = setting["meeting"]
    minutes = Minutes(
        meeting=meeting,
        points=[DiscussionPoint(text="残す", position=1), DiscussionPoint(text="消す", position=2)],
    )
    db.session.add(minutes)
    db.session.commit()
    keep, drop = (p.id for p in minutes.points)
    login(setting["secretariat"])
    response = post(
        edit_url(meeting),
        editor_form(
            minutes.version,
            points=[
                {"id": drop, "text": "消す", "delete": "y"},
                {"text": "新しい発言"},
                {"text": "", "speaker": ""},
                {"id": keep, "text": "残す（修正）"},
            ],
        ),
    )
    assert response.status_code == 302
    points = stored(db, meeting).points
    assert [(p.text, p.position) for p in points] == [("新しい発言", 1), ("残す（修正）", 2)]
    assert db.session.get(DiscussionPoint, drop) is None


def test_a_row_with_a_speaker_but_no_text_is_refused_not_dropped(client, db, login, post, setting):
    login(setting["secretariat"])
    english(client)
    response = post(edit_url(setting["meeting"]), editor_form(0, points=[{"text": "", "speaker": "佐藤委員"}]))
    assert response.status_code == 422
    assert "Enter the text of this row" in text(response) and 'value="佐藤委員"' in text(response)
    assert stored(db, setting["meeting"]) is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"heading": "議" * 301}, "Field cannot be longer than 300 characters."),
        ({"actions": [{"text": "調整", "due_on": "2030-13-45", "status": "open"}]}, "Not a valid date value."),
        ({"points": [{"text": "発" * 5001}]}, "Field cannot be longer than 5000 characters."),
    ],
    ids=["heading-too-long", "wrong-date", "point-too-long"],
)
def test_bad_input_is_refused_and_what_was_typed_is_kept(client, db, login, post, setting, fields, message):
    login(setting["secretariat"])
    english(client)
    data = editor_form(0, body="消えてはならない本文", **fields)
    response = post(edit_url(setting["meeting"]), data)
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert "消えてはならない本文" in page
    assert stored(db, setting["meeting"]) is None


def test_an_agenda_item_of_another_meeting_is_refused(client, db, login, post, setting, make_meeting):
    other_item = AgendaItem(meeting=make_meeting(setting["consortium"]), title="別の会議の議題")
    db.session.add(other_item)
    db.session.commit()
    login(setting["secretariat"])
    response = post(edit_url(setting["meeting"]), editor_form(0, decisions=[{"text": "決定", "agenda_item_id": other_item.id}]))
    assert response.status_code == 422
    assert stored(db, setting["meeting"]) is None


def test_script_tags_are_rendered_inert(client, db, login, post, setting):
    meeting = setting["meeting"]
    login(setting["secretariat"])
    post(edit_url(meeting), editor_form(0, body="<script>alert(1)</script>", points=[{"text": "<b>太字</b>", "speaker": "<i>委員</i>"}]))
    page = text(client.get(f"/meetings/{meeting.id}/minutes"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>太字</b>" not in page and "&lt;i&gt;委員&lt;/i&gt;" in page


def test_editor_refuses_a_post_without_csrf_token(client, db, login, post, setting):
    login(setting["secretariat"])
    assert post(edit_url(setting["meeting"]), editor_form(0, body="本文"), csrf=False).status_code == 400
    assert stored(db, setting["meeting"]) is None


@pytest.mark.parametrize("role", ["member", "outside_secretariat"])
def test_a_member_or_another_consortiums_secretariat_may_not_edit(client, db, login, post, setting, make_consortium, make_user, role):
    if role == "member":
        user = setting["member"]
    else:
        user = make_user({make_consortium(): GrantRole.SECRETARIAT})
    login(user)
    assert client.get(edit_url(setting["meeting"])).status_code == 403
    assert post(edit_url(setting["meeting"]), editor_form(0, body="本文")).status_code == 403
    assert stored(db, setting["meeting"]) is None


@pytest.fixture()
def two_editors(db, setting, make_user):
    """Stored minutes at some version, and a second secretariat user."""
    minutes = Minutes(meeting=setting["meeting"], body="元の本文", points=[DiscussionPoint(text="元の発言", position=1)])
    db.session.add(minutes)
    db.session.commit()
    second = make_user({setting["consortium"]: GrantRole.SECRETARIAT}, display_name="事務局 二郎")
    return minutes, setting["secretariat"], second


def test_second_save_from_the_same_version_gets_a_conflict_page_with_both_texts(client, db, login, post, setting, two_editors):
    minutes, first, second = two_editors
    loaded = minutes.version  # both editors open the page at this version
    point_id = minutes.points[0].id
    meeting = setting["meeting"]
    login(first)
    english(client)
    assert post(edit_url(meeting), editor_form(loaded, body="一郎の本文", points=[{"id": point_id, "text": "一郎の発言"}])).status_code == 302
    login(second)
    response = post(edit_url(meeting), editor_form(loaded, body="二郎の本文", points=[{"id": point_id, "text": "二郎の発言"}]))
    page = text(response)
    assert response.status_code == 409
    assert "一郎の本文" in page and "一郎の発言" in page  # what is stored
    assert "二郎の本文" in page and "二郎の発言" in page  # what the second editor sent
    assert "Saved by 事務局 一郎" in page
    after_first = stored(db, meeting)
    assert after_first.body == "一郎の本文" and after_first.points[0].text == "一郎の発言"
    # The form on the page carries the second editor's text at the current version: saving it again works.
    assert f'name="version" type="hidden" value="{after_first.version}"' in page
    merged = post(edit_url(meeting), editor_form(after_first.version, body="一郎と二郎の本文", points=[{"id": point_id, "text": "二郎の発言"}]))
    assert merged.status_code == 302
    assert stored(db, meeting).body == "一郎と二郎の本文"


def test_rows_another_editor_added_meanwhile_survive_a_merged_save(client, db, login, post, setting, two_editors):
    minutes, first, second = two_editors
    loaded, point_id, meeting = minutes.version, minutes.points[0].id, setting["meeting"]
    login(first)
    post(edit_url(meeting), editor_form(loaded, body="元の本文", points=[{"id": point_id, "text": "元の発言"}, {"text": "一郎が足した発言"}]))
    current = stored(db, meeting).version
    login(second)
    post(edit_url(meeting), editor_form(current, body="二郎の本文", points=[{"id": point_id, "text": "元の発言"}]))
    assert [p.text for p in stored(db, meeting).points] == ["元の発言", "一郎が足した発言"]


def test_a_save_overtaken_at_flush_is_a_conflict_too(client, db, login, post, setting, two_editors, monkeypatch):
    """Another save landing between the version check and the write is caught by the version column."""
    from consortium.minutes import services

    minutes, first, _second = two_editors
    meeting = setting["meeting"]
    real_save = services.save_minutes

    def overtaken(*args, **kwargs):
        with db.engine.begin() as other_editor:
            other_editor.execute(
                sa.update(Minutes.__table__).where(Minutes.__table__.c.id == minutes.id).values(body="割り込んだ本文", version=Minutes.__table__.c.version + 1)
            )
        return real_save(*args, **kwargs)

    monkeypatch.setattr(services, "save_minutes", overtaken)
    login(first)
    response = post(edit_url(meeting), editor_form(minutes.version, body="私の本文"))
    assert response.status_code == 409
    assert "割り込んだ本文" in text(response) and "私の本文" in text(response)
    assert stored(db, meeting).body == "割り込んだ本文"


def test_a_workflow_step_between_loading_and_saving_is_no_conflict(client, db, login, post, setting):
    meeting = setting["meeting"]
    login(setting["secretariat"])
    post(edit_url(meeting), editor_form(0, body="第1版"))
    loaded = stored(db, meeting).version
    post(f"/meetings/{meeting.id}/minutes/review")
    assert stored(db, meeting).version > loaded  # the status change raised the version …
    response = post(edit_url(meeting), editor_form(loaded, body="第2版"))
    assert response.status_code == 302  # … but changed no text, so the save goes through
    assert stored(db, meeting).body == "第2版" and stored(db, meeting).status is MinutesStatus.IN_REVIEW


def test_approved_minutes_must_be_reopened_before_editing(client, db, login, post, setting):
    meeting = setting["meeting"]
    db.session.add(Minutes(meeting=meeting, body="承認済み", status=MinutesStatus.APPROVED))
    db.session.commit()
    login(setting["secretariat"])
    english(client)
    page = text(client.get(edit_url(meeting)))
    assert "Reopen them first" in page and 'name="body"' not in page
    response = post(edit_url(meeting), editor_form(stored(db, meeting).version, body="書き換え"))
    assert response.status_code == 409
    assert "書き換え" in text(response)  # kept on the page, not saved
    assert stored(db, meeting).body == "承認済み"


def test_saving_without_a_change_makes_no_new_version(client, db, login, post, setting):
    meeting = setting["meeting"]
    login(setting["secretariat"])
    post(edit_url(meeting), editor_form(0, body="本文"))
    version = stored(db, meeting).version
    assert post(edit_url(meeting), editor_form(version, body="本文")).status_code == 302
    assert stored(db, meeting).version == version
    assert db.session.execute(sa.select(sa.func.count(MinutesRevision.id))).scalar_one() == 1


def test_history_lists_versions_newest_first_with_a_readable_diff(client, db, login, post, setting):
    meeting = setting["meeting"]
    login(setting["secretariat"])
    english(client)
    post(edit_url(meeting), editor_form(0, body="一行目\n<em>二行目</em>"))
    first = stored(db, meeting).version
    post(edit_url(meeting), editor_form(first, body="一行目\n三行目"))
    second = stored(db, meeting).version
    login(setting["member"])
    page = text(client.get(f"/meetings/{meeting.id}/minutes/history"))
    assert page.index(f"Changes in version {second}") < page.index(f"Changes in version {first}")
    assert "事務局 一郎" in page
    diff = text(client.get(f"/meetings/{meeting.id}/minutes/history?rev={second}"))
    assert "<del>- &lt;em&gt;二行目&lt;/em&gt;</del>" in diff
    assert "<ins>+ 三行目</ins>" in diff
    assert "<em>二行目</em>" not in diff


def test_history_answers_400_for_a_revision_that_is_not_a_number(client, login, setting, db):
    db.session.add(Minutes(meeting=setting["meeting"]))
    db.session.commit()
    login(setting["member"])
    assert client.get(f"/meetings/{setting['meeting'].id}/minutes/history?rev=abc").status_code == 400


def test_history_is_for_members(client, login, setting, make_user, make_consortium):
    login(make_user({make_consortium(): GrantRole.MEMBER}))
    assert client.get(f"/meetings/{setting['meeting'].id}/minutes/history").status_code == 403


def test_minutes_as_text_is_stable_and_complete(db, setting, make_person):
    person = make_person(family_name="高橋", given_name="健")
    minutes = Minutes(
        meeting=setting["meeting"],
        heading="議事概要",
        body="本文一行目\n本文二行目",
        points=[DiscussionPoint(text="一行目\n二行目", speaker=person, agenda_item=setting["open_item"], position=1)],
        decisions=[Decision(text="承認", agenda_item=setting["open_item"], position=1)],
        action_items=[ActionItem(text="報告書作成", owner_label="事務局", due_on=date(2030, 6, 30), status=ActionStatus.DONE, position=1)],
    )
    db.session.add(minutes)
    db.session.commit()
    assert minutes_as_text(minutes) == (
        "見出し：議事概要\n"
        "\n【本文】\n本文一行目\n本文二行目\n"
        "\n【主な発言】\n1. （議題1）高橋 健：一行目\n   二行目\n"
        "\n【決定事項】\n1. （議題1）承認\n"
        "\n【対応事項】\n1. [完了] 報告書作成（担当：事務局、期限：2030-06-30）\n"
    )


@pytest.fixture()
def published(db, setting):
    """Published minutes with a point and a decision under each agenda item, and an action item."""
    minutes = Minutes(
        meeting=setting["meeting"],
        status=MinutesStatus.PUBLISHED,
        body="本文は公開できない部分を含む",
        points=[
            DiscussionPoint(text="公開議題での発言", agenda_item=setting["open_item"], position=1),
            DiscussionPoint(text="非公開議題での発言", agenda_item=setting["closed_item"], position=2),
        ],
        decisions=[
            Decision(text="公開の決定", agenda_item=setting["open_item"], position=1),
            Decision(text="非公開の決定", agenda_item=setting["closed_item"], position=2),
        ],
        action_items=[ActionItem(text="非公開の対応", position=1)],
    )
    db.session.add(minutes)
    setting["meeting"].observers = 5
    db.session.commit()
    return minutes


def test_the_public_summary_leaves_out_closed_items_members_see_them(client, login, setting, published):
    url = f"/meetings/{setting['meeting'].id}/minutes"
    public = text(client.get(url))
    assert "議事要旨" in public and "傍聴者：5名" in public
    assert "公開議題での発言" in public and "公開の決定" in public
    assert "非公開議題での発言" not in public and "非公開の決定" not in public and "人事案件" not in public
    # Neither the free text nor the action items name an agenda item: with a closed one, they stay out.
    assert "本文は公開できない部分を含む" not in public and "非公開の対応" not in public
    login(setting["member"])
    full = text(client.get(url))
    assert "<h1>議事録" in full
    assert "非公開議題での発言" in full and "非公開の決定" in full and "本文は公開できない部分を含む" in full
    assert "非公開の対応" in full


def test_a_member_can_see_the_public_summary_as_the_public_does(client, login, setting, published):
    login(setting["member"])
    page = text(client.get(f"/meetings/{setting['meeting'].id}/minutes?public=1"))
    assert "議事要旨" in page and "非公開議題での発言" not in page


def test_without_closed_items_the_summary_shows_body_and_actions(client, db, setting, published):
    setting["closed_item"].is_public = True
    db.session.commit()
    page = text(client.get(f"/meetings/{setting['meeting'].id}/minutes"))
    assert "本文は公開できない部分を含む" in page and "非公開の対応" in page


def test_draft_minutes_are_not_shown_outside_the_consortium(client, db, login, setting, make_user, make_consortium):
    db.session.add(Minutes(meeting=setting["meeting"], body="下書きの本文", status=MinutesStatus.IN_REVIEW))
    db.session.commit()
    url = f"/meetings/{setting['meeting'].id}/minutes"
    english(client)
    page = text(client.get(url))
    assert "下書きの本文" not in page and "have not been published yet" in page
    login(make_user({make_consortium(): GrantRole.SECRETARIAT}))
    assert "下書きの本文" not in text(client.get(url))
    login(setting["member"])
    assert "下書きの本文" in text(client.get(url))


def test_closed_items_include_sub_items_of_a_closed_item(db, setting):
    child = AgendaItem(meeting=setting["meeting"], parent=setting["closed_item"], title="内訳", position=3)
    db.session.add(child)
    db.session.commit()
    items = queries.agenda_items(setting["meeting"].id)
    assert closed_item_ids(items) == {setting["closed_item"].id, child.id}
    point = DiscussionPoint(text="内訳の発言", agenda_item_id=child.id)
    open_items, points = leave_out_closed(items, [point])
    assert open_items == [setting["open_item"]] and points == []


def test_reading_page_query_count_does_not_grow_with_the_points(client, db, login, make_consortium, make_meeting, make_user, make_person, count_queries):
    consortium = make_consortium()
    member = make_user({consortium: GrantRole.SECRETARIAT})

    def queries_for(n: int) -> int:
        meeting = make_meeting(consortium)
        item = AgendaItem(meeting=meeting, title="議題", position=1)
        minutes = Minutes(meeting=meeting, status=MinutesStatus.IN_REVIEW)
        db.session.add_all([item, minutes])
        people = [make_person() for _ in range(2 * n)]
        for i in range(n):
            minutes.points.append(DiscussionPoint(text=f"発言{i}", speaker=people[i], agenda_item=item, position=i))
            minutes.decisions.append(Decision(text=f"決定{i}", agenda_item=item, position=i))
            minutes.action_items.append(ActionItem(text=f"対応{i}", owner=people[n + i], position=i))
        db.session.commit()
        with count_queries() as statements:
            assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 200
        return len(statements)

    login(member)
    assert queries_for(1) == queries_for(25) <= 16


def test_points_and_decisions_pasted_one_per_line_follow_the_rows(client, db, login, post, setting):
    login(setting["secretariat"])
    data = editor_form(0, points=[{"text": "最初の発言"}], paste_points="観光の連携\n\n  予算の説明  \n", paste_decisions="案のとおり承認")
    data["points-7-text"] = "後から足した行"  # a row added in the browser: its index need not follow on
    assert post(edit_url(setting["meeting"]), data).status_code == 302
    minutes = stored(db, setting["meeting"])
    assert [p.text for p in minutes.points] == ["最初の発言", "後から足した行", "観光の連携", "予算の説明"]
    assert [d.text for d in minutes.decisions] == ["案のとおり承認"]


def test_the_editor_keeps_a_blank_row_of_each_list_for_adding_rows_in_the_browser(client, login, setting):
    login(setting["secretariat"])
    page = text(client.get(edit_url(setting["meeting"])))
    for name in ("points", "decisions", "actions"):
        assert f'<template id="{name}-template">' in page and f'name="{name}-__index__-text"' in page
        assert f'data-rows="{name}-rows" data-next-index="3"' in page
