"""Seed 004, 関東経済産業局の戦略プログラム2017, read against its pages: every platform and network
the document names is a child of the programme, in the document's order, and every KPI statement
(under 【重要業績評価指標（KPI）】) shows its values on the page of the platform it belongs to, in the
document's order. The text has PDF line breaks and stray spaces: both sides are compared with
whitespace removed and in NFKC form (１ = 1, （ = ()."""
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
