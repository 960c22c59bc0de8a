"""Seed 004, 関東経済産業局の戦略プログラム2017, read against its pages: every platform and network
the document names is a child of the programme, in the document's order, and every KPI statement
(under 【重要業績評価指標（KPI）】) shows its values on the page of the platform it belongs to, in the
document's order; every seminar, forum and business matching it plans is a meeting of that page,
known only to the programme's fiscal years (日付未定) and kept out of calendars. The text has PDF
line breaks and stray spaces: both sides are compared with whitespace removed and in NFKC form
(１ = 1, （ = ()."""
from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa

from consortium.models import Consortium


DOCUMENT = Path(__file__).parent / "seeds" / "004_62e296b0c9d2f106.txt"
PROGRAMME = "関東経済産業局の戦略プログラム2017"

# The document's platforms, networks and projects, by the name it gives each; the test checks
# that they are in the document in this order and that no quoted name is missing.
PLATFORMS = (
    "航空機産業クラスター間ネットワーク",
    "関東地域としての支援プラットフォーム",
    "革新的な医薬品創出に向けたオープンイノベーション促進のためのプラットフォーム",
    "地方版IoT推進ラボ",
    "関東地域における水素・燃料電池分野のプラットフォーム",
    "環境エコシステムネットワーク",
    "産学官金等の連携による一気通貫の地域支援プラットフォーム",
    "公設試験研究機関の広域連携による技術支援ネットワーク",
    "CREATIVE-KANTO",
    "絹のみち広域連携プロジェクト",
    "地域資源の広域連携事業",
    "海外展開を目指す地域資源事業者の支援ネットワーク",
    "事業引継ぎ支援センター",
    "関東地域1都10県の地域の支援機関と連携した支援プラットフォーム",
    "女性起業家支援ネットワーク",
    "関東スマコミ連携体",
    "中小企業向け省エネプラットフォーム",
)

# Bodies the document names but the programme does not build: partners, on these pages.
PARTNERS = {
    "新輸出大国コンソーシアム": "海外展開を目指す地域資源事業者の支援ネットワーク",
    "信州シルクロード連携協議会": "絹のみち広域連携プロジェクト",
    "よろず支援拠点地域支援機関連携フォーラム": PROGRAMME,
    "中小企業支援ネットワーク会議": PROGRAMME,
    "日本医療研究開発機構(AMED)": "関東地域としての支援プラットフォーム",
}

# Each KPI statement by its opening words, the page it belongs on (None: a heading over the
# statements below it), and for statements without a value the words the page must show.
# The statement runs to the next opening; its values are read from its text.
STATEMENTS = (
    ("新たなビジネス連携の創出が可能なプラットフォームとして、クラスター連携ネットワーク", "航空機産業クラスター間ネットワーク", ()),
    ("飯田・新潟地域等における一貫受注生産体制", "航空機産業クラスター間ネットワーク", ()),
    ("大手・中堅Tier1企業のサプライチェーン", "航空機産業クラスター間ネットワーク", ()),
    ("新規参入企業を2014年度から2018年度まで", "航空機産業クラスター間ネットワーク", ()),
    ("関東地域としての支援プラットフォームを2018年度までに構築する", "関東地域としての支援プラットフォーム", ()),
    ("市場拡大に資する医療機器開発・改良案件", "関東地域としての支援プラットフォーム", ()),
    ("新規参入企業を2014年度から2018年度まで", "関東地域としての支援プラットフォーム", ()),
    ("革新的な医薬品創出に向けたオープンイノベーション", PLATFORMS[2], ()),
    ("バイオベンチャーと製薬企業等との連携による創薬開発プロジェクト", PLATFORMS[2], ()),
    ("2016年度中に、地方版IoT推進ラボなど", "地方版IoT推進ラボ", ("2017年度以降のKPI",)),
    ("ロボット新戦略では", PROGRAMME, ("ロボット新戦略", "KPI")),
    ("水素・燃料電池の利活用拡大を目指して", PLATFORMS[4], ("水素需給の現状", "2017年度以降のKPI")),
    ("環境分野でのイノベーションを推進するためのプラットフォーム", "環境エコシステムネットワーク", ("2017年度以降のKPI",)),
    ("中核企業や新たな成長産業群の創出に向けて", PLATFORMS[6], ()),
    ("2016年度から2018年度までの間にクリエイティブ人材等を活用", "CREATIVE-KANTO", ()),
    ("「CREATIVE-KANTO」を通じて地域資源事業者", "CREATIVE-KANTO", ()),
    ("地域としての稼ぐ力の向上を目指す取組", "CREATIVE-KANTO", ()),
    ("地域資源事業者の新製品・サービスの創出等を20件", "絹のみち広域連携プロジェクト", ()),
    ("広域観光周遊ルートを開発し", "絹のみち広域連携プロジェクト", ("観光消費額を増加させる",)),
    ("「CREATIVE-KANTO」の取組と連動する形でクリエイティブ人材等の新規発掘", "地域資源の広域連携事業", ()),
    ("「CREATIVE-KANTO」の取組とも連動する形で、2016年度から2018年度までの3年間で、関東地域の地方自治体", PROGRAMME, ("ふるさと名物応援宣言",)),
    ("「CREATIVE-KANTO」の取組とも連動する形で、地域資源事業者の海外販路開拓", PLATFORMS[11], ()),
    ("生産性及び収益力向上の取組については", PROGRAMME, ("経営力向上計画", "ダイバーシティ経営")),
    ("新陳代謝の促進に向けた取組については、次のとおり。", None, ()),
    ("事業引継ぎ支援センターの取組を通じて", "事業引継ぎ支援センター", ()),
    ("地方自治体が策定する創業支援事業計画を通じた支援による創業", PROGRAMME, ()),
    ("2016年度は、地域において有望ベンチャー企業への支援力を向上させる", PLATFORMS[13], ("有望ベンチャー支援の方向性", "2017年度以降のKPI")),
    ("また、女性起業のワンストップ支援体制を整備するため", "女性起業家支援ネットワーク", ("女性起業のワンストップ支援体制", "2017年度以降のKPI")),
    ("関東経済産業局の支援により地方自治体において地方創生の具体的なアクション", PROGRAMME, ()),
    ("関東地方整備局と連携して、2018年度までにエネルギー分野を含めた港湾BCP", PROGRAMME, ("港湾BCPを策定する",)),
    ("2018年度までに関東地域におけるスマートコミュニティの成功モデル", "関東スマコミ連携体", ()),
    ("関東地域1都10県全てで、2018年度までに中小企業向け省エネプラットフォーム", PLATFORMS[16], ("中小企業向け省エネプラットフォームを構築する",)),
    ("民生部門向けに省エネ技術・サービスを提供する事業者とのビジネスマッチング", PLATFORMS[16], ()),
)

KPI_HEADING = "【重要業績評価指標（KPI）】"
# A value as the document prints it: a number and the unit it counts. 1都10県 counts no target.
QUANTITY = re.compile(r"(?<![\d.])(\d+)(件|社|名|学会|機関|事業者|自治体|箇所|地域)(以上|以下|程度)?")
# A parenthesis giving a result so far (「2015年度までの実績19社」「2015年度時点では8件」), not a target.
RESULT_SO_FAR = re.compile(r"\([^()]*(?:実績|時点)[^()]*\)")


def flat(value: str) -> str:
    """Whitespace gone, NFKC, and no thousands separators (10,387 = 10387)."""
    value = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))
    return re.sub(r"(?<=\d),(?=\d{3})", "", value)


def page_text(markup: str) -> str:
    return flat(html.unescape(re.sub(r"<[^>]+>", "", markup)))


@pytest.fixture(scope="module")
def document() -> str:
    return flat(DOCUMENT.read_text(encoding="utf-8"))


def kpi_text(document: str) -> str:
    """The KPI sections, in order, each once (the hydrogen KPI is printed again as 【再掲】)."""
    blocks = re.findall(f"{re.escape(flat(KPI_HEADING))}(.*?){re.escape(flat('③具体的な取組'))}", document)
    return "".join(dict.fromkeys(blocks))


def statements(document: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """Each statement's text, its page and the words it must show, in document order."""
    kpis = kpi_text(document)
    starts, cursor = [], 0
    for opening, _page, _words in STATEMENTS:
        found = kpis.find(flat(opening), cursor)
        assert found >= 0, f"not a KPI statement of the document, in this order: {opening}"
        starts.append(found)
        cursor = found + 1
    ends = starts[1:] + [len(kpis)]
    return [(kpis[s:e], page, words) for (_o, page, words), s, e in zip(STATEMENTS, starts, ends)]


def consortium_page(client, db, name: str) -> str:
    consortium = db.session.execute(sa.select(Consortium).filter_by(name=name)).scalar_one()
    return client.get(f"/consortia/{consortium.id}").get_data(as_text=True)


def targets_table(markup: str) -> str:
    start = markup.index('id="targets"')
    return page_text(markup[start : markup.index("</table>", start)])


def test_every_platform_the_document_names_is_a_child_of_the_programme_in_its_order(client, db, demo, document):
    positions = [document.find(flat(name)) for name in PLATFORMS]
    assert -1 not in positions and positions == sorted(positions), "PLATFORMS is not the document's order"
    quoted = set(re.findall(r"[「(]([^」()「]{2,40}?(?:ネットワーク|プラットフォーム|プロジェクト|連携体|センター|フォーラム|-KANTO))[」)]", document))
    assert quoted <= {flat(name) for name in (*PLATFORMS, *PARTNERS)}, "a name the document quotes is missing"

    programme = page_text(consortium_page(client, db, PROGRAMME))
    shown = [programme.find(flat(name)) for name in PLATFORMS]
    assert -1 not in shown and shown == sorted(shown)
    for name in PLATFORMS:
        assert flat(name) in page_text(consortium_page(client, db, name))


def test_partners_the_document_names_are_on_the_pages_that_work_with_them(client, db, demo, document):
    for partner, page in PARTNERS.items():
        assert flat(partner) in document
        assert flat(partner) in page_text(consortium_page(client, db, page))


def statement_tables(client, db, document):
    """Each statement with the targets table of its page."""
    tables: dict[str, str] = {}
    for statement, page, words in statements(document):
        if page is not None:
            if page not in tables:
                tables[page] = targets_table(consortium_page(client, db, page))
            yield statement, page, words, tables[page]


def test_every_kpi_statement_shows_its_values_on_its_platform_in_document_order(client, db, demo, document):
    raw_kpis = "".join(re.findall(f"{KPI_HEADING}(.*?)③", DOCUMENT.read_text(encoding="utf-8"), re.S))
    bullets = {flat(line)[:8] for line in re.findall(r"^・(.*)$", raw_kpis, re.M)}
    assert len(bullets) > 20 and bullets <= {flat(opening)[:8] for opening, _page, _words in STATEMENTS}

    cursors: dict[str, int] = {}
    checked = 0
    for statement, page, words, table in statement_tables(client, db, document):
        cursors.setdefault(page, 0)
        values = ["".join(quantity) for quantity in QUANTITY.findall(RESULT_SO_FAR.sub("", statement))]
        assert values or words, f"a statement with nothing to check: {statement[:30]}"
        for word in map(flat, words):  # in a title or note: searched from the statement's first row on
            assert word in statement, f"not the document's words: {word}"
            assert word in table[cursors[page] :], f"{page}: {word} missing or out of the document's order"
            checked += 1
        for value in values:
            found = re.search(rf"(?<![\d.]){re.escape(value)}", table[cursors[page] :])
            assert found, f"{page}: {value} missing or out of the document's order"
            cursors[page] += found.end()
            checked += 1
    assert checked == 61


# The document's ways of saying a KPI is to be set later.
TO_BE_SET = re.compile(r"改めて(?:目標値の)?(?:検討・)?設定|KPI設定を行う")
SPAN = re.compile(r"(\d{4})年度から(\d{4})年度まで")


def test_kpis_read_as_the_document_prints_them(client, db, demo, document):
    """Results so far under their fiscal year, spans 2016年度 – 2018年度, 今後設定 for each KPI still
    to be set, and the programme's decision 2018年度内."""
    checked = 0
    to_be_set: dict[str, int] = {}
    for statement, page, _words, table in statement_tables(client, db, document):
        for result in RESULT_SO_FAR.findall(statement):
            fy = re.search(r"(\d{4})年度", result).group(1)
            for value in ("".join(q) for q in QUANTITY.findall(result)):
                assert re.search(rf"{fy}年度\(平成\d+年度\):{value}", table), f"{page}: result {result}"
                checked += 1
        for start, end in SPAN.findall(statement):
            assert re.search(rf"{start}年度\(平成\d+年度\)–{end}年度", table), f"{page}: {start}–{end}"
            checked += 1
        to_be_set[page] = to_be_set.get(page, 0) + len(TO_BE_SET.findall(statement))
    for page, count in to_be_set.items():
        table = targets_table(consortium_page(client, db, page))
        assert table.count("今後設定") == count, page
        checked += count
    decision = flat("最終年度となる 2018年度内に検討のうえ判断する")
    assert decision in document
    assert re.search(r"<strong>2018年度内\(平成30年度\)</strong>2019年度以降の継続", flat(consortium_page(client, db, PROGRAMME)))
    checked += 1
    assert checked == 26


# The seminars, forums and business matchings the document says the programme will hold, in the
# document's order: the page they are on, their title (a 取組 heading or a phrase of the sentence),
# the words that say it is held, and the first and last words of the sentence(s) that describe it.
# The 水素 section is printed twice (1.(6), and 4.(3) 【再掲】) for the same platform: its events
# are there once.
PLANNED = (
    (PLATFORMS[0], "セミナー等による普及・展開", "セミナー等による普及・展開を図る",
     "ロードマップの策定に当たっては", "セミナー等による普及・展開を図る。"),
    (PLATFORMS[0], "航空機産業分野における販路拡大のためのビジネスマッチングの開催", "ビジネスマッチングを開催する",
     "今後増大する世界の航空機需要", "の分野で実施する。"),
    (PLATFORMS[0], "全国の航空機産業クラスターを対象としたフォーラム", "フォーラムを開催する",
     "また、航空機産業の最新動向や", "フォーラムを開催する。"),
    (PLATFORMS[3], "生産の効率化・サプライチェーンの最適化を図っている先進的な事例等を紹介するセミナー・フォーラム", "セミナー・フォーラム等を開催する",
     "機器間・工程間・部門間・工場間・企業間等をつなぐ", "に係る普及啓発を行う。"),
    (PLATFORMS[3], "IoTプラットフォームビジネスに係る先進的な事例等を紹介するセミナー・フォーラム", "セミナー・フォーラム等を開催し",
     "IoT 関連市場における新たなビジネスモデル", "事業化するために必要な取組を行う。"),
    (PLATFORMS[4], "水素に関するセミナー等の開催", "セミナーや研究会等を開催する",
     "国や各地域の取組等に関する情報提供", "セミナーや研究会等を開催する。"),
    (PLATFORMS[4], "大手セットメーカーとのビジネスマッチング会", "ビジネスマッチング会等を実施する",
     "中堅・中小企業による新たな事業展開を支援するため", "ビジネスマッチング会等を実施する。"),
    (PLATFORMS[7], "利活用のためのセミナー", "セミナーを開催する",
     "また、設備機器の活用を促進するため", "利活用のためのセミナーを開催する。"),
    (PLATFORMS[6], "戦略分野に進出する中堅・中小企業を対象にした知財セミナー", "知財セミナーを開催し",
     "航空機、医療、IoT、ロボット等の戦略分野", "知財の重要性を周知する。"),
    ("CREATIVE-KANTO", "地域資源を活用した取組手法を学ぶセミナー", "セミナー開催",
     "また、「CREATIVE-KANTO」が提供する支援策", "人材育成等を提供する。"),
    (PROGRAMME, "「ふるさと名物応援宣言」を働きかけるセミナー", "セミナー等を開催する",
     "地方自治体等に対して、「ふるさと名物応援宣言」", "制度改善を行う。"),
    (PROGRAMME, "セミナー等の開催を通じて事例の横展開", "セミナー等の開催",
     "また、他省庁の認定案件も含めて", "経営力向上の取組の普及を進める。"),
    (PROGRAMME, "「ダイバーシティ経営」に関する意識啓発セミナー", "意識啓発セミナーを実施する",
     "多様な人材が持つ能力を最大限発揮", "意識啓発セミナーを実施する。"),
    (PROGRAMME, "地域経済分析手法のアウトリーチ活動", "(セミナーの開催など)",
     "更に、地方自治体や地域金融機関、大学等からのニーズ", "（セミナーの開催など）。"),
    (PROGRAMME, "エネルギー関係中小企業の BCP 策定支援", "(セミナー開催等)",
     "エネルギー関係の中小企業（LPガス販売事業者等）", "情報提供（セミナー開催等）を行う。"),
    (PLATFORMS[15], "スマートコミュニティ構想を有する地方自治体とソリューションを有する事業者とのマッチング会", "マッチング会を実施する",
     "スマートコミュニティの事業主体となるコンソーシアム", "マッチングもあわせて実施する。"),
    (PLATFORMS[15], "スマートコミュニティの先行事例をもとに運営主体の検討方法や地域の理解の醸成方法などをテーマとしたセミナー", "セミナーを開催する",
     "スマートコミュニティの先行事例をもとに", "セミナーを開催する。"),
    (PLATFORMS[16], "民生部門を対象とした省エネに係る情報提供等を行うセミナーや商談会", "セミナーや商談会を実施する",
     "民生部門においては、当該部門の事業者", "ビジネスマッチングを実施する。"),
    (PLATFORMS[16], "省エネ技術開発促進に向けてのビジネスマッチング", "ビジネスマッチングを実施する",
     "民生部門においては、当該部門の事業者", "ビジネスマッチングを実施する。"),
)
MEETING_LINK = re.compile(r'<a href="/meetings/(\d+)">([^<]+)</a>')


def planned(document: str) -> list[tuple[str, str, str, str]]:
    """Each planned event's page, title, held words and description as the document prints them,
    in its order: each description starts no earlier than the one before and says the event is
    held; each title is printed after the one before and before the end of its own description."""
    events, since_description, since_title = [], 0, 0
    for page, title, held, opening, closing in PLANNED:
        start = document.find(flat(opening), since_description)
        assert start >= 0, f"not the document's words, in this order: {opening}"
        end = document.find(flat(closing), start) + len(flat(closing))
        assert flat(held) in document[start:end], f"{title}: not said to be held"
        at = document.find(flat(title), since_title)
        assert 0 <= at < end, f"not the document's words, in this order: {title}"
        events.append((page, flat(title), flat(held), document[start:end]))
        since_description, since_title = start, at + 1
    return events


def programme_years(document: str) -> str:
    """「2016年度(平成28年度)〜2018年度(平成30年度)」: the programme's three years (当面3年間),
    ending with its final year (最終年度となる2018年度)."""
    assert "当面3年間の重点取組" in document
    last = int(re.search(r"最終年度となる(\d{4})年度", document).group(1))
    return "〜".join(f"{fy}年度(平成{fy - 1988}年度)" for fy in (last - 2, last))


def unfolded(feed) -> str:
    """An iCalendar body with its long lines joined again (RFC 5545 folds them at 75 octets)."""
    assert feed.status_code == 200
    body = feed.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR")
    return flat(body.replace("\r\n ", "").replace("\\,", ","))


def consortium_id(db, name: str) -> int:
    return db.session.execute(sa.select(Consortium.id).filter_by(name=name)).scalar_one()


def test_planned_seminars_forums_and_matchings_are_meetings_of_fiscal_2016_to_2018_without_a_date(client, db, demo, document):
    """Each event the document plans is on its platform's page under the programme's fiscal years
    and 日付未定; its own page shows the document's sentence, what the document does not say as
    記載なし, and no calendar link; no calendar feed holds it."""
    years = programme_years(document)
    undated = flat(f"{years}(日付未定)")
    events = planned(document)
    checked = 0

    # A calendar feed holds a consortium's whole history: a meeting of 2018 with a day is there.
    control = unfolded(client.get(f"/consortia/{consortium_id(db, 'NAGANO×KANTO 地域SDGsコンソーシアム')}/calendar.ics"))
    assert flat("長野県・関東経済産業局の連携による地域SDGsコンソーシアムキックオフ会議") in control
    programme_feed = unfolded(client.get(f"/consortia/{consortium_id(db, PROGRAMME)}/calendar.ics"))

    pages: dict[str, str] = {}
    for name in (PROGRAMME, *PLATFORMS):
        pages[name] = consortium_page(client, db, name)
        expected = sum(page == name for page, *_event in events)
        assert page_text(pages[name]).count(flat("日付未定")) == expected, f"{name}: {expected} planned events"
        checked += 1

    for page, title, held, description in events:
        markup = pages[page]
        assert undated + title in page_text(markup), f"{page}: {title} without {years}(日付未定)"
        checked += 1
        if document.count(description) == 2:
            assert page_text(markup).count(title) == 1, f"{title}: printed twice, entered once"  # 【再掲】
            checked += 1
        [meeting_id] = {id_ for id_, shown in MEETING_LINK.findall(markup) if flat(html.unescape(shown)) == title}
        meeting = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
        shown = page_text(meeting)
        assert description in shown, f"{title}: the document's sentence"
        assert f"日付{undated}" in shown and "状況開催予定" in shown
        # The document names a kind only when it says セミナー, and never says who may attend.
        assert ("種別セミナー" if "セミナー" in held else "種別記載なし") in shown, title
        assert "公開・非公開記載なし" in shown, title
        checked += 4
        assert f"/meetings/{meeting_id}.ics" not in meeting and "webcal:" not in meeting
        assert "日付が決まると、カレンダーに追加できます。" in shown
        assert client.get(f"/meetings/{meeting_id}.ics").status_code == 404
        checked += 1
        own_feed = unfolded(client.get(f"/consortia/{consortium_id(db, page)}/calendar.ics"))
        assert title not in programme_feed and title not in own_feed, f"{title}: in a calendar feed"
        checked += 1
    assert checked == 18 + 19 * 7 + 2


def test_planned_events_are_listed_on_each_page_in_document_order(client, db, demo, document):
    """Each page lists its planned events in the document's order (they share their fiscal years)."""
    events = planned(document)
    for name in {page for page, *_event in events}:
        markup = consortium_page(client, db, name)
        shown = [flat(html.unescape(title)) for _id, title in MEETING_LINK.findall(markup)]
        titles = [title for page, title, *_rest in events if page == name]
        assert [title for title in shown if title in titles] == titles, name
