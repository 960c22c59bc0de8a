"""The network page in a browser, in Japanese on a phone: reached from the header, explored by
keyboard (Tab to a node, the arrow keys along its lines, Enter to follow it), axe clean with a node
lit, no sideways scrolling; the organisation page it leads to likewise; and the picture without
JavaScript."""
import sqlalchemy as sa
from browsing import PHONE, check_page, needs_chromium, read_in_japanese, serious_violations
from playwright.sync_api import expect

from consortium.extensions import db
from consortium.models import Consortium

pytestmark = needs_chromium


def _focused(page) -> dict:
    return page.evaluate("({id: document.activeElement.id, href: document.activeElement.getAttribute('href') || ''})")


def test_a_visitor_walks_the_network_by_keyboard_and_follows_a_node(live_server, page, demo):
    read_in_japanese(page, live_server)
    page.goto(live_server)
    page.get_by_role("navigation", name="メイン").get_by_role("link", name="ネットワーク").click()
    expect(page.get_by_role("heading", name="団体ネットワーク")).to_be_visible()
    check_page(page)

    page.get_by_role("button", name="表示").focus()
    for _ in range(3):  # past the picture's key help, into the picture
        page.keyboard.press("Tab")
        if _focused(page)["id"].startswith("node-"):
            break
    first = _focused(page)
    assert first["id"].startswith("node-c"), first  # the consortium with the most organisations comes first
    page.keyboard.press("ArrowRight")
    along = _focused(page)
    assert along["id"].startswith("node-o"), along  # along a line, to one of its organisations
    name = page.locator(f"#{along['id']}").get_attribute("data-name")
    expect(page.locator("#network-status")).to_contain_text(name)
    check_page(page)  # with the node lit, the others faded

    page.keyboard.press("Enter")
    page.wait_for_url(f"**{along['href']}")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_role("heading", name="現在の所属")).to_be_visible()
    expect(page.get_by_role("heading", name="よく同席する団体")).to_be_visible()
    check_page(page)


def test_centred_on_a_consortium_it_answers_who_is_on_related_councils(live_server, page, demo):
    read_in_japanese(page, live_server)
    nagano = db.session.execute(sa.select(Consortium.id).where(Consortium.name.contains("地域SDGsコンソーシアム"))).scalar_one()
    page.goto(f"{live_server}/consortia/{nagano}")
    page.get_by_role("link", name="構成団体のネットワークと、関連する会議体にすでに参画している団体").click()
    related = page.get_by_role("region", name="関連する会議体にすでに参画している団体")
    expect(related.get_by_role("link", name="関東経済産業局", exact=True).first).to_be_visible()
    check_page(page)
    page.set_viewport_size({"width": 1280, "height": 900})  # the picture beside its tables
    assert serious_violations(page) == []


def test_the_picture_and_its_tables_work_without_javascript(browser, live_server, demo):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/network")
        node = page.locator("a.node.organisation").first
        href = node.get_attribute("href")
        node.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{href}")
        page.go_back()
        expect(page.get_by_role("region", name="図の団体").get_by_role("link").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
