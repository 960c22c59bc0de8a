"""The printed documents: 議事次第, 議事録 / 議事要旨 and 委員名簿 as PDF, through their routes.

The first tests render for real and read the PDFs back with pypdf (about half a second each);
the others stand a stub in for WeasyPrint to check the cache, conditional GET, the HTML, the
pages' links and the number of queries. The renderer itself is tested in test_pdf_render.py.
"""
from __future__ import annotations

import hashlib
import io
import re
import secrets
from datetime import date

import pypdf
import pytest
import sqlalchemy as sa
import weasyprint
from conftest import sign_in, text

from consortium.demo.loader import DEMO_PASSWORD
from consortium.japanese import format_date_ja, to_tokyo, tokyo_datetime
from consortium.models import (
    ActionItem,
    AgendaItem,
    AgendaPresenter,
    Attendance,
    DatePrecision,
    Decision,
    DiscussionPoint,
    Document,
    DocumentAccess,
    GrantRole,
    Meeting,
    Membership,
    Minutes,
    MinutesApproval,
    MinutesStatus,
    Person,
    Presence,
    Role,
    RosterGroup,
    User,
    Visibility,
)
from consortium.pdf import cache, contents, render

pytestmark = pytest.mark.usefixtures("pdf_cache")

DATE_JA = "令和8年（2026年）11月23日（月）"


@pytest.fixture()
def pdf_cache(app, tmp_path, monkeypatch):
    """Keep this test's rendered PDFs in its own folder."""
    folder = tmp_path / "pdf-cache"
    monkeypatch.setitem(app.config, "PDF_CACHE_FOLDER", str(folder))
    return folder


def material(meeting, label: str, title: str, **values) -> Document:
    """A material row; its file is never read by the PDFs."""
    return Document(
        meeting=meeting, label=label, title=title, filename=f"{label}.pdf", content_type="application/pdf",
        size=1, checksum="0" * 64, storage_key=secrets.token_hex(16), **values,
    )


@pytest.fixture()
def scene(db, make_consortium, make_meeting, make_person, make_organization, make_member, make_user):
    """A public council: a roster, a meeting with an open item (and a sub-item) and a closed one,
    materials (one for members, one under the closed item), and draft minutes with attendees (one
    by a stand-in, one absent), a point under each item, a decision and an action item."""
    consortium = make_consortium(name="世田谷区地域経済の持続可能な発展を目指す会議", roster_note="順不同、敬称略")
    bank = make_organization(name="世田谷区しんきん協議会")
    chair = make_person(family_name="長山", given_name="宗広")
    banker = make_person(family_name="中山", given_name="耕輝")
    citizen = make_person(family_name="大藤", given_name="清佳")
    absent = make_person(family_name="欠席", given_name="太郎")
    governor = make_person(family_name="阿部", given_name="守一")
    seats = [
        make_member(consortium, person=chair, seat=1, position=1, role=Role.CHAIR, category="学識経験者", title="駒澤大学経済学部教授"),
        make_member(consortium, person=banker, seat=8, position=2, on_behalf_of=bank, title="昭和信用金庫常勤理事"),
        make_member(consortium, person=citizen, seat=16, position=3, category="区民（公募）"),
        make_member(consortium, person=absent, seat=17, position=4, category="区民（公募）"),
    ]
    make_member(consortium, organization=make_organization(name="世田谷区"), role=Role.SECRETARIAT, title="経済産業部 産業連携交流推進課")
    meeting = make_meeting(
        consortium, title="第5回 地域経済の持続可能な発展を目指す会議",
        starts_at=tokyo_datetime(2026, 11, 23, 14), ends_at=tokyo_datetime(2026, 11, 23, 16),
        venue="世田谷区役所", room="第1会議室",
    )
    opening = AgendaItem(meeting=meeting, label="(1)", title="産業ビジョンの骨子について", position=1)
    sub = AgendaItem(meeting=meeting, title="骨子案の説明", position=1, parent=opening)
    closed = AgendaItem(meeting=meeting, label="(2)", title="委員の人事について", position=2, is_public=False)
    db.session.add_all([opening, sub, closed])
    db.session.flush()
    db.session.add_all([
        AgendaPresenter(agenda_item=opening, person=governor, title="長野県知事"),
        material(meeting, "資料1", "産業ビジョン骨子案", position=1),
        material(meeting, "資料2", "委員限りの参考データ", position=2, access=DocumentAccess.MEMBERS),
        material(meeting, "資料3", "人事案", position=3, agenda_item=closed),
    ])
    minutes = Minutes(meeting=meeting, heading="主な議論の概要", status=MinutesStatus.DRAFT)
    meeting.observers = 3
    minutes.points = [
        DiscussionPoint(text="商工農を中心とする産業をしっかりと後押しするべき。", agenda_item=opening, speaker=chair, position=1),
        DiscussionPoint(text="後任の委員は公募で選ぶべき。", agenda_item=closed, speaker_label="委員", position=2),
    ]
    minutes.decisions = [Decision(text="骨子案を了承した。", agenda_item=opening, position=1)]
    minutes.action_items = [ActionItem(text="素案を作成する。", owner_label="事務局", due_on=date(2027, 2, 1), position=1)]
    db.session.add(minutes)
    db.session.add_all([
        Attendance(meeting=meeting, membership=seats[1], presence=Presence.PRESENT),
        Attendance(meeting=meeting, membership=seats[0], presence=Presence.PRESENT),
        Attendance(meeting=meeting, membership=seats[2], presence=Presence.REPRESENTED, stand_in="大藤 一郎"),
        Attendance(meeting=meeting, membership=seats[3], presence=Presence.ABSENT),
    ])
    db.session.commit()
    return {
        "consortium": consortium,
        "meeting": meeting,
        "minutes": minutes,
        "member": make_user({consortium: GrantRole.MEMBER}),
    }


def read_pdf(response) -> pypdf.PdfReader:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.get_data()))


def page_texts(reader: pypdf.PdfReader) -> list[str]:
    """Each page's text, its lines joined: a name may wrap at the end of a line."""
    return [page.extract_text().replace("\n", "") for page in reader.pages]


def fonts_of(reader: pypdf.PdfReader) -> dict[str, set[str]]:
    """Every font the pages use: its BaseFont and the font-file keys of its descriptor."""
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            files = set(descriptor.get_object().keys()) & {"/FontFile", "/FontFile2", "/FontFile3"} if descriptor else set()
            fonts[str(font["/BaseFont"])] = files
    return fonts


def assert_a4_with_embedded_ipaex(reader: pypdf.PdfReader) -> None:
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1  # A4 portrait, in points
    fonts = fonts_of(reader)
    assert fonts, "no fonts in the PDF"
    for name, files in fonts.items():
        assert files, f"{name} is not embedded"
        assert re.fullmatch(r"/[A-Z]{6}\+IPAex(Mincho|Gothic)", name), f"{name} is not a shipped IPAex font"
    families = {name.split("+")[1] for name in fonts}
    assert families == {"IPAexMincho", "IPAexGothic"}  # text in Mincho, headings in Gothic


def test_agenda_for_the_public_prints_the_open_part_in_embedded_ipaex(client, scene):
    response = client.get(f"/meetings/{scene['meeting'].id}/agenda.pdf")
    reader = read_pdf(response)
    assert_a4_with_embedded_ipaex(reader)
    (text,) = page_texts(reader)
    for expected in (
        "世田谷区地域経済の持続可能な発展を目指す会議", "第5回", "次", DATE_JA, "14:00", "世田谷区役所 第1会議室",
        "(1) 産業ビジョンの骨子について（長野県知事 阿部 守一）", "① 骨子案の説明", "資料1", "産業ビジョン骨子案",
        "公開形式にて開催", "1 / 1",
    ):
        assert expected in text, expected
    for hidden in ("委員の人事について", "委員限りの参考データ", "人事案", "非公開"):
        assert hidden not in text
    assert reader.metadata.title == "第5回 地域経済の持続可能な発展を目指す会議 議事次第"
    assert response.headers["Cache-Control"] == "no-cache, public"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''" in disposition and "%E8%AD%B0%E4%BA%8B%E6%AC%A1%E7%AC%AC.pdf" in disposition  # 議事次第.pdf


def test_agenda_for_members_has_closed_items_and_members_only_materials(client, login, scene):
    login(scene["member"])
    response = client.get(f"/meetings/{scene['meeting'].id}/agenda.pdf")
    text = "".join(page_texts(read_pdf(response)))
    for expected in ("委員の人事について", "非公開", "委員限りの参考データ", "委員限り", "人事案"):
        assert expected in text, expected
    assert response.headers["Cache-Control"] == "no-cache, private"


def test_minutes_members_read_the_draft_in_full_and_the_public_the_published_summary(client, login, db, scene):
    meeting_id = scene["meeting"].id
    # Long enough to run over pages: the footer counts them.
    minutes = db.session.get(Minutes, scene["minutes"].id)
    minutes.points += [
        DiscussionPoint(text=f"第{n}の意見。" + "地域経済の持続可能な発展に向けて議論した。" * 4, position=10 + n)
        for n in range(40)
    ]
    db.session.commit()

    anonymous = client.get(f"/meetings/{meeting_id}/minutes.pdf")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].endswith(f"/meetings/{meeting_id}/minutes")

    login(scene["member"])
    response = client.get(f"/meetings/{meeting_id}/minutes.pdf")
    reader = read_pdf(response)
    assert_a4_with_embedded_ipaex(reader)
    pages = page_texts(reader)
    count = len(pages)
    assert count >= 2
    assert f"1 / {count}" in pages[0] and f"{count} / {count}" in pages[-1]
    text = "".join(pages)
    for expected in (
        "議事録（案）", "案", "主な議論の概要", DATE_JA, "傍聴者", "3名",
        "長山 宗広（駒澤大学経済学部教授）", "中山 耕輝（世田谷区しんきん協議会 昭和信用金庫常勤理事）",
        "大藤 清佳の代理　大藤 一郎", "商工農を中心とする産業をしっかりと後押しするべき。", "後任の委員は公募で選ぶべき。",
        "骨子案を了承した。", "素案を作成する。", "事務局", "令和9年（2027年）2月1日",
    ):
        assert expected in text, expected
    # Attendees in roster order (the chair, position 1, before the banker, whatever the rows'
    # order), then those represented by a stand-in, then the absentees.
    assert text.index("出席者") < text.index("長山 宗広") < text.index("中山 耕輝") < text.index("代理出席")
    assert text.index("代理出席") < text.index("大藤 清佳") < text.index("欠席者") < text.index("欠席 太郎")
    assert response.headers["Cache-Control"] == "no-cache, private"

    minutes = db.session.get(Minutes, scene["minutes"].id)
    minutes.status = MinutesStatus.PUBLISHED
    db.session.commit()
    public = client.application.test_client().get(f"/meetings/{meeting_id}/minutes.pdf")
    text = "".join(page_texts(read_pdf(public)))
    assert "議事要旨" in text and "議事録" not in text and "（案）" not in text
    assert "商工農を中心とする産業をしっかりと後押しするべき。" in text
    for hidden in ("後任の委員は公募で選ぶべき。", "委員の人事について", "素案を作成する。"):
        assert hidden not in text  # the closed item's discussion, and what names no item
    assert "非公開の議事に関する" in text
    assert public.headers["Cache-Control"] == "no-cache, public"


def test_the_demo_minutes_print_their_signatories_and_absentees(client, db, demo):
    """The demo's approved minutes carry the 会議録署名; its meeting with attendance in all four
    states lists those present, those represented with their stand-ins, and those away."""
    member = db.session.execute(sa.select(User).filter_by(email="nagayama@example.jp")).scalar_one()
    sign_in(client, member, DEMO_PASSWORD)
    meetings = db.session.execute(
        sa.select(Meeting).join(Meeting.consortium).where(Meeting.title.like("%地域経済の持続可能な発展を目指す会議"))
    ).scalars().all()

    (approved,) = [m for m in meetings if m.minutes and m.minutes.status is MinutesStatus.APPROVED]
    text = "".join(page_texts(read_pdf(client.get(f"/meetings/{approved.id}/minutes.pdf"))))
    assert "（案）" not in text and "確定前の案" not in text  # approved: final, though not yet published
    block = text[text.index("会議録署名"):]
    signatories = sorted(approved.minutes.approvals, key=lambda a: a.id)
    assert [a.capacity for a in signatories] == ["署名委員", "署名委員"]
    position = 0
    for approval in signatories:  # each in the order designated: capacity, name, day of approval
        for printed in (
            approval.capacity, approval.user.person.full_name,
            format_date_ja(to_tokyo(approval.approved_at).date(), False) + " 承認",
        ):
            assert block.index(printed, position) >= position, printed
            position = block.index(printed, position) + len(printed)

    (recorded,) = [m for m in meetings if any(a.presence is Presence.EXCUSED for a in m.attendances)]
    text = "".join(page_texts(read_pdf(client.get(f"/meetings/{recorded.id}/minutes.pdf"))))
    by_presence = {
        presence: [a for a in recorded.attendances if a.presence is presence] for presence in Presence
    }
    assert all(by_presence.values()), "the demo records attendance in all four states"
    absentees = text[text.index("欠席者"):text.index("傍聴者")]
    for away in by_presence[Presence.ABSENT] + by_presence[Presence.EXCUSED]:
        assert away.membership.person.full_name in absentees
    for present in by_presence[Presence.PRESENT]:
        assert present.membership.person.full_name not in absentees
    represented = text[text.index("代理出席"):text.index("欠席者")]
    for stand_in in by_presence[Presence.REPRESENTED]:
        assert f"{stand_in.membership.person.full_name}" in represented and "の代理" in represented
        assert stand_in.stand_in.replace(" ", "") in represented.replace(" ", "")
    assert "会議録署名" not in text  # no signatory designated yet


def test_the_signature_block_has_a_line_for_each_signatory_and_a_day_for_the_one_who_signed(
    client, db, login, scene, renders, make_user
):
    chair = db.session.execute(sa.select(Person).filter_by(family_name="長山")).scalar_one()
    minutes = db.session.get(Minutes, scene["minutes"].id)
    minutes.approvals = [
        MinutesApproval(user=make_user(person=chair, display_name="ながやま"), capacity="座長",
                        approved_at=tokyo_datetime(2026, 12, 1, 10)),
        MinutesApproval(user=make_user(display_name="市川 望美"), capacity="署名委員"),
    ]
    db.session.commit()
    login(scene["member"])
    client.get(f"/meetings/{scene['meeting'].id}/minutes.pdf")
    html = renders[0]
    block = re.sub(r"[ \n]+", " ", html[html.index('<section class="signatures">'):])  # ASCII spaces only: 「年　　月」 stays
    assert re.search(r"<th scope=\"row\">座長</th> <td class=\"name\">長山 宗広</td> <td class=\"line\"></td>"
                     r" <td class=\"date\">令和8年（2026年）12月1日 承認</td>", block)
    assert re.search(r"<th scope=\"row\">署名委員</th> <td class=\"name\">市川 望美</td> <td class=\"line\"></td>"
                     r" <td class=\"date\">年　　月　　日</td>", block)
    client.get(f"/meetings/{scene['meeting'].id}/minutes.pdf?public=1")
    assert '<section class="signatures">' not in renders[1]  # the summary is no place for signatures


def test_signing_renders_new_minutes(client, db, login, scene, renders, make_user):
    minutes = db.session.get(Minutes, scene["minutes"].id)
    minutes.approvals = [MinutesApproval(user=make_user(display_name="市川 望美"), capacity="署名委員")]
    db.session.commit()
    login(scene["member"])
    url = f"/meetings/{scene['meeting'].id}/minutes.pdf"
    client.get(url)
    approval = db.session.execute(sa.select(MinutesApproval)).scalar_one()
    approval.approved_at = tokyo_datetime(2026, 12, 2, 9)  # the minutes' own row and version stay as they were
    db.session.commit()
    client.get(url)
    assert len(renders) == 2 and "令和8年（2026年）12月2日 承認" in renders[1]


def test_roster_in_seat_order_with_its_note_groups_and_secretariat(client, db, scene, make_member, make_person):
    consortium = scene["consortium"]
    group = RosterGroup(consortium=consortium, label="4", title="地域の担い手")
    db.session.add(group)
    db.session.commit()
    make_member(consortium, person=make_person(family_name="吉田", given_name="亮介"), seat=15, position=5, group=group)
    reader = read_pdf(client.get(f"/consortia/{consortium.id}/roster.pdf"))
    assert_a4_with_embedded_ipaex(reader)
    (text,) = page_texts(reader)
    for expected in (
        "「世田谷区地域経済の持続可能な発展を目指す会議」委員名簿", "（順不同、敬称略）", "現在", "①", "⑧", "⑯",
        "学識経験者", "長山 宗広（駒澤大学経済学部教授）", "座長", "世田谷区しんきん協議会", "区民（公募）",
        "項目4", "地域の担い手", "吉田 亮介", "事務局", "世田谷区 経済産業部 産業連携交流推進課", "1 / 1",
    ):
        assert expected in text, expected
    assert text.index("長山 宗広") < text.index("中山 耕輝") < text.index("大藤 清佳") < text.index("吉田 亮介")


@pytest.mark.parametrize("path", ["/meetings/{meeting}/agenda.pdf", "/meetings/{meeting}/minutes.pdf", "/consortia/{consortium}/roster.pdf"])
def test_a_members_only_consortium_prints_nothing_for_the_public(client, db, scene, path):
    scene["consortium"].visibility = Visibility.MEMBERS
    db.session.commit()
    url = path.format(meeting=scene["meeting"].id, consortium=scene["consortium"].id)
    assert client.get(url).status_code == 404


def test_a_closed_meeting_prints_nothing_for_the_public(client, db, scene, make_user, login):
    scene["meeting"].is_public = False
    db.session.commit()
    assert client.get(f"/meetings/{scene['meeting'].id}/agenda.pdf").status_code == 404
    login(make_user())  # signed in, but not a member
    assert client.get(f"/meetings/{scene['meeting'].id}/agenda.pdf").status_code == 404


# ---------------------------------------------------------------------------------------------
# The cache, conditional GET and what goes into the HTML (WeasyPrint stubbed)


@pytest.fixture()
def renders(monkeypatch) -> list[str]:
    """Stand in for WeasyPrint: record the HTML of each rendering, answer a stub PDF made from it."""
    documents: list[str] = []

    class StubHTML:
        def __init__(self, string, url_fetcher):
            assert isinstance(url_fetcher, render.ShippedFontsOnly)
            documents.append(string)
            self.string = string

        def write_pdf(self, font_config):
            return b"%PDF-1.7\n% stub " + hashlib.sha256(self.string.encode()).hexdigest().encode()

    monkeypatch.setattr(weasyprint, "HTML", StubHTML)
    return documents


def agenda_url(scene) -> str:
    return f"/meetings/{scene['meeting'].id}/agenda.pdf"


def test_a_second_request_is_served_from_the_cache(client, scene, renders, pdf_cache):
    first = client.get(agenda_url(scene))
    second = client.get(agenda_url(scene))
    assert first.status_code == second.status_code == 200
    assert len(renders) == 1
    assert first.get_data() == second.get_data()
    etag = first.headers["ETag"].strip('"')
    assert re.fullmatch(r"[0-9a-f]{64}", etag) and second.headers["ETag"] == first.headers["ETag"]
    assert [p.name for p in pdf_cache.rglob("*") if p.is_file()] == [f"{etag}.pdf"]  # no half-written file left


def test_editing_the_meeting_or_its_agenda_renders_a_new_pdf(client, db, scene, renders):
    before = client.get(agenda_url(scene))
    meeting = db.session.get(Meeting, scene["meeting"].id)
    meeting.room = "第2会議室"
    db.session.commit()
    moved = client.get(agenda_url(scene))
    item = db.session.get(AgendaItem, meeting.agenda_items[0].id)
    item.title = "産業ビジョンの素案について"
    db.session.commit()
    retitled = client.get(agenda_url(scene))
    etags = {r.headers["ETag"] for r in (before, moved, retitled)}
    assert len(etags) == 3 and len({r.get_data() for r in (before, moved, retitled)}) == 3
    assert len(renders) == 3 and "第2会議室" in renders[1] and "産業ビジョンの素案について" in renders[2]
    client.get(agenda_url(scene))
    assert len(renders) == 3


def test_editing_the_minutes_renders_a_new_pdf(client, db, login, scene, renders):
    login(scene["member"])
    url = f"/meetings/{scene['meeting'].id}/minutes.pdf"
    before = client.get(url)
    minutes = db.session.get(Minutes, scene["minutes"].id)
    minutes.points.append(DiscussionPoint(text="事業承継は重要な課題。", position=9))
    db.session.commit()
    after = client.get(url)
    assert before.headers["ETag"] != after.headers["ETag"] and before.get_data() != after.get_data()
    assert len(renders) == 2 and "事業承継は重要な課題。" in renders[1]


def test_an_unchanged_pdf_answers_304_to_its_etag(client, scene, renders):
    first = client.get(agenda_url(scene))
    again = client.get(agenda_url(scene), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "no-cache, public"
    stale = client.get(agenda_url(scene), headers={"If-None-Match": '"0123"'})
    assert stale.status_code == 200 and stale.get_data() == first.get_data()
    assert len(renders) == 1


def test_the_document_is_japanese_whatever_the_visitor_reads(client, scene, renders, english):
    english_copy = client.get(agenda_url(scene))
    client.set_cookie("lang", "ja")
    japanese_copy = client.get(agenda_url(scene))
    assert english_copy.headers["ETag"] == japanese_copy.headers["ETag"] and len(renders) == 1
    assert "議事" in renders[0] and "配布資料" in renders[0] and 'lang="ja"' in renders[0]


@pytest.mark.parametrize(("precision", "printed", "absent"), [
    (DatePrecision.DAY, DATE_JA, "14:00"),
    (DatePrecision.MONTH, "令和8年（2026年）11月", "23日"),
])
def test_a_date_is_printed_as_far_as_it_is_known(client, db, scene, renders, precision, printed, absent):
    meeting = db.session.get(Meeting, scene["meeting"].id)
    meeting.precision = precision
    db.session.commit()
    client.get(agenda_url(scene))
    (html,) = renders
    assert printed in html and absent not in html


def test_a_members_only_roster_stays_out_of_shared_caches(client, db, login, scene, renders):
    scene["consortium"].visibility = Visibility.MEMBERS
    db.session.commit()
    login(scene["member"])
    response = client.get(f"/consortia/{scene['consortium'].id}/roster.pdf")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache, private"


def test_members_may_print_the_public_summary(client, login, scene, renders):
    login(scene["member"])
    response = client.get(f"/meetings/{scene['meeting'].id}/minutes.pdf?public=1")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache, private"  # a draft
    (html,) = renders
    assert "議事要旨（案）" in html and "後任の委員は公募で選ぶべき。" not in html
    assert "議事要旨" in response.headers["Content-Disposition"] or "%E8%AD%B0%E4%BA%8B%E8%A6%81%E6%97%A8" in response.headers["Content-Disposition"]


def test_text_typed_by_users_is_printed_as_text(client, db, scene, renders):
    meeting = db.session.get(Meeting, scene["meeting"].id)
    meeting.title = '<link rel="stylesheet" href="file:///etc/passwd"><img src="http://example.com/x.png">'
    db.session.commit()
    assert client.get(agenda_url(scene)).status_code == 200
    assert "&lt;link rel=&#34;stylesheet&#34; href=&#34;file:///etc/passwd&#34;&gt;" in renders[0]
    assert "<img" not in renders[0]


# ---------------------------------------------------------------------------------------------
# Links on the pages


def test_the_meeting_page_links_the_agenda_and_readable_minutes(client, db, login, scene, english):
    meeting_id = scene["meeting"].id
    page = text(client.get(f"/meetings/{meeting_id}"))
    assert f'href="/meetings/{meeting_id}/agenda.pdf"' in page and "Agenda (PDF)" in page
    assert "minutes.pdf" not in page  # the minutes are a draft
    login(scene["member"])
    page = text(client.get(f"/meetings/{meeting_id}"))
    assert f'href="/meetings/{meeting_id}/minutes.pdf"' in page and "Minutes (PDF)" in page


def test_the_minutes_page_links_the_pdf_it_shows(client, db, login, scene, english):
    meeting_id = scene["meeting"].id
    minutes = db.session.get(Minutes, scene["minutes"].id)
    minutes.status = MinutesStatus.PUBLISHED
    db.session.commit()
    page = text(client.get(f"/meetings/{meeting_id}/minutes"))
    assert f'href="/meetings/{meeting_id}/minutes.pdf"' in page and "Summary of proceedings (PDF)" in page
    login(scene["member"])
    assert "Minutes (PDF)" in text(client.get(f"/meetings/{meeting_id}/minutes"))
    page = text(client.get(f"/meetings/{meeting_id}/minutes?public=1"))
    assert f'href="/meetings/{meeting_id}/minutes.pdf?public=1"' in page and "Summary of proceedings (PDF)" in page


def test_the_consortium_page_links_the_roster(client, scene, english):
    consortium_id = scene["consortium"].id
    page = text(client.get(f"/consortia/{consortium_id}"))
    assert f'href="/consortia/{consortium_id}/roster.pdf"' in page and "Roster (PDF)" in page


# ---------------------------------------------------------------------------------------------
# Queries


def grow(db, scene, n: int) -> None:
    """Add n of every row each document prints: items with presenters, materials, points,
    decisions, action items, attendees and roster members in a group."""
    meeting = db.session.get(Meeting, scene["meeting"].id)
    minutes = db.session.get(Minutes, scene["minutes"].id)
    group = RosterGroup(consortium_id=meeting.consortium_id, title=f"部会{n}")
    for k in range(n):
        person = Person(family_name=f"発表{n}-{k}")
        membership = Membership(
            consortium_id=meeting.consortium_id, person=Person(family_name=f"委員{n}-{k}"), group=group,
            seat=100 + n + k, position=100 + k,
        )
        item = AgendaItem(meeting=meeting, title=f"議題{n}-{k}", position=10 + k)
        db.session.add_all([
            item,
            AgendaPresenter(agenda_item=item, person=person, title="部長"),
            material(meeting, f"資料{n}-{k}", f"資料{k}", position=10 + k),
            DiscussionPoint(minutes=minutes, text=f"意見{k}", speaker=person, agenda_item=item, position=10 + k),
            Decision(minutes=minutes, text=f"決定{k}", agenda_item=item, position=10 + k),
            ActionItem(minutes=minutes, text=f"対応{k}", owner=person, due_on=date(2027, 1, 1), position=10 + k),
            Attendance(meeting=meeting, membership=membership, presence=Presence.PRESENT),
        ])
    db.session.commit()


@pytest.mark.parametrize("path", ["/meetings/{meeting}/agenda.pdf", "/meetings/{meeting}/minutes.pdf", "/consortia/{consortium}/roster.pdf"])
def test_queries_do_not_grow_with_the_rows(client, db, login, scene, renders, count_queries, path):
    login(scene["member"])
    url = path.format(meeting=scene["meeting"].id, consortium=scene["consortium"].id)
    counts = []
    for n in (2, 38):
        grow(db, scene, n)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert len(renders) == 2
    assert counts[0] == counts[1], counts


def test_recording_attendance_renders_new_minutes(client, db, login, scene, renders):
    login(scene["member"])
    url = f"/meetings/{scene['meeting'].id}/minutes.pdf"
    client.get(url)
    absent = db.session.execute(sa.select(Attendance).where(Attendance.presence == Presence.ABSENT)).scalar_one()
    absent.presence = Presence.PRESENT
    db.session.commit()
    client.get(url)
    absentees = '<th scope="row">欠席者</th><td>欠席 太郎</td>'
    assert len(renders) == 2 and absentees in renders[0] and "欠席者" not in renders[1]


def test_an_unchanged_document_is_not_built_again(client, scene, renders, monkeypatch):
    built = []
    agenda = contents.agenda
    monkeypatch.setattr(contents, "agenda", lambda meeting: built.append(meeting.id) or agenda(meeting))
    first, second = client.get(agenda_url(scene)), client.get(agenda_url(scene))
    assert built == [scene["meeting"].id] and first.get_data() == second.get_data()


def test_an_edit_the_version_cannot_see_reaches_the_pdf_after_the_recheck(client, db, scene, renders, monkeypatch):
    client.get(agenda_url(scene))
    governor = db.session.execute(sa.select(Person).where(Person.family_name == "阿部")).scalar_one()
    governor.given_name = "守二"  # a directory edit: the meeting's updated_at stays
    db.session.commit()
    client.get(agenda_url(scene))
    assert len(renders) == 1  # the version is trusted for a minute
    monkeypatch.setattr(cache.versions, "max_age", 0)
    client.get(agenda_url(scene))
    assert len(renders) == 2 and "阿部 守二" in renders[1]
