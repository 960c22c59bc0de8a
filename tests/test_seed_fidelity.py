"""The demo says what the seed documents say, in their order: each test reads the facts it checks
from a document's text in tests/seeds/ (by regular expressions on the text, not by copying the
answers here) and finds them, in the printed order, on the demo's pages and in its exports.

The text comes from PDFs: line breaks and stray spaces fall anywhere, so both sides are compared
with all whitespace removed (squash). Each test counts the facts it checks (FACTS, by seed)."""
from __future__ import annotations

import html
import io
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa
from conftest import sign_in, text
from icalendar import Calendar

from consortium.demo.loader import DEMO_PASSWORD
from consortium.japanese import to_tokyo
from consortium.models import Consortium, Meeting, User

SEEDS = Path(__file__).parent / "seeds"
FACTS: Counter[str] = Counter()  # facts checked, by seed


def document(seed: str) -> str:
    """The text of the seed document whose file name starts with seed (000 … 003)."""
    [path] = SEEDS.glob(f"{seed}_*.txt")
    return path.read_text(encoding="utf-8")


def squash(value: str) -> str:
    return re.sub(r"\s+", "", value)


def page_text(response) -> str:
    """What a reader sees of a page: the text without tags or entities."""
    assert response.status_code == 200, response.status_code
    body = re.sub(r"<(script|style)\b.*?</\1>", "", text(response), flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.get_data())).pages)


def ics_event(response):
    assert response.status_code == 200
    [event] = Calendar.from_ical(response.get_data()).walk("VEVENT")
    return event


class InOrder:
    """Finds facts in a text one after another, each after the one before, and counts them."""

    def __init__(self, seed: str, haystack: str, where: str):
        self.seed, self.text, self.where, self.at = seed, squash(haystack), where, 0

    def see(self, *facts: str) -> None:
        for fact in facts:
            found = self.text.find(squash(fact), self.at)
            assert found >= 0, f"{self.where}: not found after position {self.at}: {fact!r}"
            self.at = found + len(squash(fact))
            FACTS[self.seed] += 1


def section(doc: str, start: str, end: str) -> str:
    """The document's text between two headings."""
    return doc[doc.index(start) + len(start):doc.index(end, doc.index(start))]


def consortium(db, name: str) -> Consortium:
    return db.session.execute(sa.select(Consortium).where(Consortium.name == name)).scalar_one()


def meeting(db, title: str) -> Meeting:
    return db.session.execute(sa.select(Meeting).where(Meeting.title == title)).scalar_one()


def sign_in_as(client, db, email: str) -> None:
    sign_in(client, db.session.execute(sa.select(User).where(User.email == email)).scalar_one(), DEMO_PASSWORD)


def era_year(era: str, year: str) -> int:
    """Western year of 平成/令和 N年 (元年 is not used in these documents)."""
    return {"平成": 1988, "令和": 2018}[era] + int(year)


# ---------------------------------------------------------------------------------------------
# 003: Setagaya ward report on its council (令和5年9月5日)


def setagaya_seats(doc: str) -> list[tuple[str, str, str, str]]:
    """The roster's rows: (seat mark, 団体等 as printed or '', name, title in brackets or '')."""
    rows = re.findall(r"^([①-⑳])\t([^\t]*)\t([^（\n]+?)\s*(?:（(.+)）)?\s*$", doc, flags=re.M)
    return [(mark, group.strip(), name.strip(), title) for mark, group, name, title in rows]


def test_003_setagaya_roster_meetings_minutes_and_schedule_as_printed(client, db, demo):
    doc = document("003")
    council = consortium(db, re.search(r"「(.+?)」委員名簿", doc).group(1))
    seats = setagaya_seats(doc)
    assert [mark for mark, *_ in seats] == [chr(ord("①") + i) for i in range(17)]
    note = re.search(r"（(順不同、敬称略)）", doc).group(1)

    # The consortium page prints the roster as the report does: mark, 団体等, name（title）.
    shown = page_text(client.get(f"/consortia/{council.id}"))
    page = InOrder("003", shown, "consortium page")
    page.see(f"（{note}）")
    for mark, group, name, title in seats:
        page.see(mark, *([group] if group else []), name, *([f"（{title}）"] if title else []))

    # The 主旨 sentence and the four points of the ordinance (別紙), as printed.
    purpose = re.search(r"区では、.+?審議を行ってきた。", doc).group(0)
    ordinance = [line.replace("**", "") for line in re.findall(r"^- (.+?)\s*$", section(doc, "⑰", "「世田谷区地域経済の持続可能な発展条例」と"), flags=re.M)]
    assert len(ordinance) == 4
    page = InOrder("003", shown, "consortium page (purpose)")
    page.see(purpose, *ordinance)

    # The later milestones at month precision, from 今後のスケジュール（予定）.
    schedule = re.findall(r"^(?:(令和)(\d+)年)?\t(\d+)月(?:(\d+)日)?\t(.+?)\s*$", section(doc, "5 今後のスケジュール", "委員名簿"), flags=re.M)
    assert len(schedule) == 5
    page = InOrder("003", shown, "consortium page (milestones)")
    era = year = None  # a row without its year is in the year of the row above
    dated = []  # (year, month, day, what) of the scheduled meetings
    for row_era, row_year, month, day, what in schedule:
        era, year = (row_era, row_year) if row_era else (era, year)
        if day:
            dated.append((era_year(era, year), int(month), int(day), what))
        else:
            page.see(f"{era_year(era, year)}年）{month}月", what)

    # Meetings 1–4 (これまでの経過) and 5–6 (予定): each page gives the day, the topic, and the
    # status the report gives (held, or still 開催予定); the calendar file has the day.
    progress = re.findall(r"\((\d)\) 第(\d)回 \| (?:(令和)(\d+)年)?(\d+)月(\d+)日 \|\s*(?:\}\s*)?(.*?)\s*\|", doc)
    assert [int(n) for _, n, *_ in progress] == [1, 2, 3, 4]
    topic = None
    for _, number, _era, _year, month, day, said in progress:
        topic = said or topic
        dated.insert(int(number) - 1, (2023, int(month), int(day), topic))
    for number, (year, month, day, what) in enumerate(dated, start=1):
        held = number <= len(progress)
        shown = meeting(db, f"第{number}回 地域経済の持続可能な発展を目指す会議")
        meeting_page = InOrder("003", page_text(client.get(f"/meetings/{shown.id}")), f"meeting {number}")
        meeting_page.see(f"第{number}回", f"{year}年）{month}月{day}日", "開催済み" if held else "開催予定")
        if held:
            meeting_page.see(what)
        else:
            assert re.fullmatch(rf"第{number}回「(.+)」", what).group(1) in shown.title
        event = ics_event(client.get(f"/meetings/{shown.id}.ics"))
        assert event.decoded("dtstart").isoformat() == f"{year}-{month:02}-{day:02}"
        FACTS["003"] += 1

    # The 26 main points, word for word and in order, on the minutes page and in its PDF.
    points = re.findall(r"^- ・ (.+?)\s*$", section(doc, "3 主な議論の概要", "これらの議論を踏まえ"), flags=re.M)
    assert len(points) == 26 and sum(p.endswith("ではないかな。") for p in points) == 2
    fourth = meeting(db, "第4回 地域経済の持続可能な発展を目指す会議")
    InOrder("003", page_text(client.get(f"/meetings/{fourth.id}/minutes")), "minutes page").see(*points)
    InOrder("003", pdf_text(client.get(f"/meetings/{fourth.id}/minutes.pdf")), "minutes PDF").see(*points)

    # The exports: the roster PDF as printed, the CSV with the names in the printed order.
    roster_pdf = InOrder("003", pdf_text(client.get(f"/consortia/{council.id}/roster.pdf")), "roster PDF")
    roster_pdf.see(note)
    for mark, _group, name, title in seats:
        roster_pdf.see(mark, name, *([title] if title else []))
    csv = InOrder("003", text(client.get(f"/consortia/{council.id}/roster.csv")), "roster CSV")
    csv.see(*(name for _mark, _group, name, _title in seats))

    # The secretariat's roster page keeps the printed order too.
    sign_in_as(client, db, "setagaya@example.jp")
    InOrder("003", page_text(client.get(f"/consortia/{council.id}/roster")), "roster page").see(
        *(name for _mark, _group, name, _title in seats)
    )


# ---------------------------------------------------------------------------------------------
# 001: Keidanren 地域協創アクションプログラム (2021年11月)


def keidanren_items(doc: str) -> dict[int, tuple[str, str | None]]:
    """The numbered action items by number: (title without bold marks, pillar or None). A pillar
    heads the bullet lines that follow it without a blank line; item 10 stands alone."""
    items, pillar = {}, None
    for line in section(doc, "基本的理念", "連携先・内容一覧").splitlines():
        if match := re.fullmatch(r"- (\d+) (.+)", line.strip()):
            items[int(match.group(1))] = (match.group(2).replace("**", ""), pillar)
        else:
            pillar = line.strip() or None
    return items


def test_001_keidanren_items_and_partners_as_printed(client, db, demo):
    doc = document("001")
    programme = consortium(db, re.search(r"「(地域協創アクションプログラム)」を策定", doc).group(1))
    items = keidanren_items(doc)
    assert sorted(items) == list(range(1, 11)) and items[10][1] is None
    rows = re.findall(r"^(\d*)\t([^\t\n]+)\t([^\t\n]+)$", doc.split("項目\t連携先\t連携概要", 1)[1], flags=re.M)
    assert len(rows) == 21

    shown = page_text(client.get(f"/consortia/{programme.id}"))
    page = InOrder("001", shown, "consortium page")
    # 策定 month, the two bullets of the 趣旨, the four 基本的理念.
    year, month = re.search(r"(\d{4})年(\d+)月策定", doc).groups()
    page.see(f"{year}年）{month}月")
    page.see(*re.findall(r"^- ・ (.+?)\s*$", doc.split("基本的理念")[0], flags=re.M))
    ideals = [squash(p) for p in section(doc, "基本的理念", "新たな仕事の機会を生み出し続ける").split("\n\n") if p.strip()]
    assert len(ideals) == 4
    page.see(*ideals)

    # The partner list in the printed order, under each numbered item with its pillar: each 連携先
    # as printed (or, where one line names two bodies, each of them) with its 連携概要.
    page = InOrder("001", shown, "consortium page (partners)")
    item = None
    for number, partners, outline in rows:
        if number:
            item = int(number)
            title, pillar = items[item]
            page.see(f"項目{item}", title, *([f"（{pillar}）"] if pillar else []))
        if squash(partners) in page.text[page.at:page.text.find(squash(outline), page.at)]:
            page.see(partners, outline)
        else:  # two bodies on one line are two partners: the 連携概要 is printed once, after the first
            first, *others = re.split(r"[ ・]", partners)
            page.see(first, outline, *others)

    csv = InOrder("001", text(client.get(f"/consortia/{programme.id}/roster.csv")), "roster CSV")
    csv.see(*(outline for _number, _partners, outline in rows))


# ---------------------------------------------------------------------------------------------
# 002: Kanto industrial competitiveness council (平成26年5月30日)

# The table names the second project by its two parts; the release's heading joins them.
TABLE_TITLE = {
    "戦略的医療機器産業集積（クラスター）・戦略的航空機産業集積（クラスター）ネットワーク形成事業":
        "「戦略的医療機器産業集積(クラスター)ネットワーク形成事業」及び「戦略的航空機産業集積(クラスター)ネットワーク形成事業」",
}


def test_002_model_case_proposers_and_joint_secretariat_as_printed(client, db, demo):
    doc = document("002")
    projects = re.findall(r"^\(\d\) (.+?)【別紙\d】", doc, flags=re.M)
    assert len(projects) == 2
    table = dict(re.findall(r"^([^\t\n]+)\t([^\t\n]+?)\s*$", doc.split("提案者\tタイトル", 1)[1], flags=re.M))
    for heading, table_title in TABLE_TITLE.items():
        assert heading in projects and table_title in table.values()
    counts = []
    for heading in projects:
        title = TABLE_TITLE.get(heading, heading)
        [proposers] = [p for p, t in table.items() if t == title]
        names = proposers.split("、")
        counts.append(len(names))
        project = consortium(db, heading)
        InOrder("002", page_text(client.get(f"/consortia/{project.id}")), heading).see(heading, *names)
        InOrder("002", text(client.get(f"/consortia/{project.id}/roster.csv")), f"{heading} CSV").see(*names)
        InOrder("002", pdf_text(client.get(f"/consortia/{project.id}/roster.pdf")), f"{heading} PDF").see(*names)
    assert counts == [29, 48]

    # The council's secretariat: two bodies, each with its staff and telephone, as printed.
    council_name = re.search(r"【(.+?) 事務局】", doc).group(1)
    contact = [line for line in section(doc, "事務局】", "関東地域 地域資源広域連携ブランディング事業【概要】").splitlines() if line.strip()]
    council = consortium(db, council_name)
    InOrder("002", page_text(client.get(f"/consortia/{council.id}")), "council page").see(*contact)


# ---------------------------------------------------------------------------------------------
# 000: NAGANO×KANTO consortium launch (平成30年5月11日)


def test_000_kick_off_members_schedule_and_contact_as_printed(client, db, demo):
    doc = document("000")
    name = re.search(r"（(NAGANO×KANTO 地域 SDGs コンソーシアム)）", doc).group(1)
    nagano = db.session.execute(
        sa.select(Consortium).where(sa.func.replace(Consortium.name, " ", "") == squash(name))
    ).scalar_one()
    overview = section(doc, "2. キックオフ会議開催概要", "（本発表資料のお問合せ先）")
    field = {key: value.strip() for key, value in re.findall(r"^(名 称|日 時|場 所|主 催)：(.+)$", overview, flags=re.M)}
    era, year, month, day, start, end = re.fullmatch(
        r"(平成) (\d+) 年 (\d+) 月 (\d+) 日 \S+ (\d+:\d+)～(\d+:\d+)", field["日 時"]
    ).groups()
    hosts = field["主 催"].split("、")
    agenda = re.findall(r"^(?:議題等：)?(\(\d\)) ([^（\n]+?)(?:（(.+)）)?\s*$", overview, flags=re.M)
    assert [label for label, *_ in agenda] == ["(1)", "(2)", "(3)", "(4)", "(5)"]
    theme = re.search(r"^(テーマ：.+)$", overview, flags=re.M).group(1)

    kick_off = db.session.execute(
        sa.select(Meeting).where(sa.func.replace(Meeting.title, " ", "") == squash(field["名 称"]))
    ).scalar_one()
    shown = page_text(client.get(f"/meetings/{kick_off.id}"))
    page = InOrder("000", shown, "kick-off page")
    page.see(field["名 称"], f"{era_year(era, year)}年）{month}月{day}日", f"{start}–{end}", field["場 所"])
    page.see(re.search(r"※(公開形式)にて開催", overview).group(1))
    # Each item with its presenters (names, titles, bodies: their order within an item differs).
    for (label, title, presenters), following in zip(agenda, [*agenda[1:], None]):
        page.see(label, title)
        upto = page.text.find(squash(following[0]), page.at) if following else len(page.text)
        for word in re.split(r"[、・\s]+", presenters):
            if word:
                assert squash(word) in page.text[page.at:upto], (label, word)
                FACTS["000"] += 1
        if title == "基調講演":
            page.see(theme)

    event = ics_event(client.get(f"/meetings/{kick_off.id}.ics"))
    assert squash(str(event["summary"])) == squash(field["名 称"])
    assert event.decoded("dtstart").strftime("%Y-%m-%d %H:%M") == f"{era_year(era, year)}-{int(month):02}-{int(day):02} {start}"
    assert event.decoded("dtend").strftime("%H:%M") == end
    assert squash(str(event["location"])) == squash(field["場 所"])
    FACTS["000"] += 4
    described = InOrder("000", str(event["description"]), "kick-off .ics")
    for label, title, _presenters in agenda:
        described.see(label, title)

    # The consortium page: hosts, the planned members in order, the results report, the contact.
    members_text = section(doc, "2. コンソーシアム参画メンバー（予定）", "3. 当面の主なスケジュール")
    members = [m.strip() for m in re.sub(r"\s*等\s*$", "", members_text.strip()).split("、")]
    assert len(members) == 13
    page = InOrder("000", page_text(client.get(f"/consortia/{nagano.id}")), "consortium page")
    page.see(*hosts)
    page.see(*re.findall(r"^- \(\d\) (.+?)\s*$", section(doc, "1. 内容", "2. コンソーシアム参画メンバー"), flags=re.M))
    page.see("予定")
    for member in members:
        # 「慶應義塾大学大学院 蟹江憲史教授」 is a person: the roster prints the name, then（affiliation title）.
        person = re.fullmatch(r"(\S+大学院) (\S+)(教授)", member)
        page.see(*((person[2], person[1], person[3]) if person else (member,)))
    report = re.search(r"(平成) (\d+) 年 (\d+) 月 (地域 SDGs コンソーシアムの検討結果の成果報告会)", doc).groups()
    page.see(f"{era_year(report[0], report[1])}年）{report[2]}月", report[3])
    page.see(*(line for line in section(doc, "（本発表資料のお問合せ先）", "【地域").splitlines() if line.strip()))

    # About five stakeholder meetings from June 2018: shown, and marked as estimated (推定) on the
    # consortium's list, each page and each calendar entry.
    era, year, month, times = re.search(r"(平成) (\d+) 年 (\d+) 月以降 ステークホルダーミーティング（計 (\d+) 回程度）", doc).groups()
    stakeholder = db.session.execute(
        sa.select(Meeting).where(Meeting.consortium_id == nagano.id, Meeting.title.like("ステークホルダーミーティング%"))
        .order_by(Meeting.starts_at)
    ).scalars().all()
    assert len(stakeholder) == int(times)
    assert (to_tokyo(stakeholder[0].starts_at).year, to_tokyo(stakeholder[0].starts_at).month) == (era_year(era, year), int(month))
    listing = page_text(client.get(f"/consortia/{nagano.id}/meetings"))
    assert listing.count("（推定）") == int(times)
    InOrder("000", listing, "meetings list").see(f"{era_year(era, year)}年）{month}月（推定）")
    for shown_meeting in stakeholder:
        assert "（推定）" in page_text(client.get(f"/meetings/{shown_meeting.id}"))
        assert "推定" in str(ics_event(client.get(f"/meetings/{shown_meeting.id}.ics"))["description"])
        FACTS["000"] += 2


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    """Print the facts checked by seed (seen with -s)."""
    yield
    print("\nfacts checked:", dict(sorted(FACTS.items())))
