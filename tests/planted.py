"""A distinct word in every private place of the site, and viewers with and without a right to
each: the search and the API must each find exactly what the pages show."""
from __future__ import annotations

import secrets
from datetime import date

import pytest

from consortium.models import (
    ActionItem,
    AgendaItem,
    Decision,
    DiscussionPoint,
    Document,
    DocumentAccess,
    GrantRole,
    Minutes,
    MinutesStatus,
    Visibility,
)


def material(meeting, title: str, **values) -> Document:
    return Document(
        meeting=meeting, title=title, filename="m.pdf", content_type="application/pdf", size=1,
        checksum="0" * 64, storage_key=secrets.token_hex(16), **values,
    )


@pytest.fixture()
def planted(db, make_consortium, make_meeting, make_person, make_organization, make_member, make_user):
    """A distinct word in every private place, and viewers with and without a right to each.

    Returns (places, viewers): places maps each word to the viewers who may find it."""
    council = make_consortium(name="公開の協議会")
    closed_body = make_consortium(name="非公開の部会ＰＷ０１", purpose="目的ＰＷ０２", visibility=Visibility.MEMBERS)
    other = make_consortium(name="別の協議会")

    open_meeting = make_meeting(council, title="公開の会議")
    closed_meeting = make_meeting(council, title="非公開会議ＰＷ０３", is_public=False)
    body_meeting = make_meeting(closed_body, title="部会の会議ＰＷ０４")
    open_item = AgendaItem(meeting=open_meeting, title="公開議題", position=1)
    closed_item = AgendaItem(meeting=open_meeting, title="人事案件ＰＷ０５", position=2, is_public=False)
    under_closed = AgendaItem(meeting=open_meeting, title="子議題ＰＷ０６", position=3, parent=closed_item)
    closed_meeting_item = AgendaItem(meeting=closed_meeting, title="非公開会議の議題ＰＷ０７", position=1)
    db.session.add_all([open_item, closed_item, under_closed, closed_meeting_item])

    published = Minutes(meeting_id=open_meeting.id, status=MinutesStatus.PUBLISHED, heading="議事の概要", body="本文ＰＷ０８")
    published.points = [
        DiscussionPoint(text="公開の発言 ＯＰ１", agenda_item=open_item, position=1),
        DiscussionPoint(text="非公開議題の発言ＰＷ０９", agenda_item=closed_item, position=2),
        DiscussionPoint(text="子議題の発言ＰＷ１０", agenda_item=under_closed, position=3),
        DiscussionPoint(text="議題のない発言ＰＷ１１", position=4),
    ]
    published.decisions = [Decision(text="非公開議題の決定ＰＷ１２", agenda_item=closed_item, position=1),
                           Decision(text="公開の決定 ＯＰ２", agenda_item=open_item, position=2)]
    published.action_items = [ActionItem(text="宿題ＰＷ１３", position=1)]
    draft_meeting = make_meeting(council, title="下書きの会議")
    draft = Minutes(meeting_id=draft_meeting.id, status=MinutesStatus.DRAFT, body="下書き本文ＰＷ１４")
    draft.points = [DiscussionPoint(text="下書きの発言ＰＷ１５", position=1)]
    closed_minutes = Minutes(meeting_id=closed_meeting.id, status=MinutesStatus.PUBLISHED, body="非公開会議の議事録ＰＷ１６")
    db.session.add_all([published, draft, closed_minutes])

    db.session.add_all([
        material(open_meeting, "公開資料 ＯＰ３"),
        material(open_meeting, "会員限定資料ＰＷ１７", access=DocumentAccess.MEMBERS),
        material(open_meeting, "非公開議題の資料ＰＷ１８", agenda_item=closed_item),
        material(open_meeting, "中身のある資料", extracted_text="会員限定の中身ＰＷ１９", access=DocumentAccess.MEMBERS),
        material(closed_meeting, "非公開会議の資料ＰＷ２０"),
        material(body_meeting, "部会の資料ＰＷ２１"),
    ])
    insider = make_person(family_name="部会員ＰＷ２２", email="secret-pw-23@example.jp", phone="090-1234-5678",
                          private_note="内部メモＰＷ２４")
    make_member(closed_body, person=insider, description="部会での連携概要ＰＷ２５")
    make_member(council, organization=make_organization(name="公開団体"), description="公開の連携概要 ＯＰ４")
    make_member(council, organization=make_organization(name="退任団体"), description="退任した団体の概要ＰＷ２６",
                term_start=date(2020, 4, 1), term_end=date(2021, 3, 31))
    db.session.commit()

    viewers = {
        "anonymous": None,
        "member elsewhere": make_user({other: GrantRole.MEMBER}),
        "secretariat elsewhere": make_user({other: GrantRole.SECRETARIAT}),
        "council member": make_user({council: GrantRole.MEMBER}),
        "council secretariat": make_user({council: GrantRole.SECRETARIAT}),
        "body member": make_user({closed_body: GrantRole.MEMBER}),
        "administrator": make_user(is_admin=True),
    }
    council_only = {"council member", "council secretariat", "administrator"}
    body_only = {"body member", "administrator"}
    places = {
        "ＰＷ０１": body_only, "ＰＷ０２": body_only, "ＰＷ０３": council_only, "ＰＷ０４": body_only,
        "ＰＷ０５": council_only, "ＰＷ０６": council_only, "ＰＷ０７": council_only, "ＰＷ０８": council_only,
        "ＰＷ０９": council_only, "ＰＷ１０": council_only, "ＰＷ１１": council_only, "ＰＷ１２": council_only,
        "ＰＷ１３": council_only, "ＰＷ１４": council_only, "ＰＷ１５": council_only, "ＰＷ１６": council_only,
        "ＰＷ１７": council_only, "ＰＷ１８": council_only, "ＰＷ１９": council_only, "ＰＷ２０": council_only,
        "ＰＷ２１": body_only,
        # On a members-only roster: secretariats keep the shared directory and see every person.
        "ＰＷ２２": body_only | {"secretariat elsewhere", "council secretariat"},
        "secret-pw-23": set(), "090-1234-5678": set(), "ＰＷ２４": set(),  # contact details: in no index
        "ＰＷ２５": body_only,
        "ＰＷ２６": {"council secretariat", "administrator"},  # a former member: the roster page's
    }
    everyone = set(viewers)
    places.update({"ＯＰ１": everyone, "ＯＰ２": everyone, "ＯＰ３": everyone, "ＯＰ４": everyone})
    return places, viewers
