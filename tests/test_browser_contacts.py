"""Issue 17: the secretariat fills in its members' addresses on the contact sheet, in a real
browser (Debian's Chromium via Playwright), signed in as itself on the demo data."""
import pytest
import sqlalchemy as sa
from browsing import check_page, expect_flash, needs_chromium, read_in_japanese

from consortium.consortia.invitees import invitees
from consortium.demo.loader import DEMO_PASSWORD
from consortium.models import Consortium

pytestmark = needs_chromium


@pytest.fixture()
def setagaya(db, demo):
    return db.session.execute(sa.select(Consortium).where(Consortium.name.startswith("世田谷区"))).scalar_one()


def test_setagayas_secretariat_fills_three_addresses_in_one_submit(db, live_server, page, setagaya):
    reachable = sum(1 for i in invitees(setagaya.id) if i.email)
    page.goto(f"{live_server}/accounts/login")
    page.get_by_label("Email address").fill("setagaya@example.jp")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()

    page.goto(f"{live_server}/consortia/{setagaya.id}")
    page.get_by_role("link", name="Manage roster").click()
    page.get_by_role("link", name="Members' contact details").click()
    check_page(page)
    # The demo leaves two people and the ward's own seat without an address: the ward's row
    # names a new contact, the people's rows get theirs.
    rows = page.locator("form fieldset")
    assert rows.count() == 3
    names = rows.locator("legend").all_inner_texts()
    ward = rows.filter(has=page.locator("select"))
    ward.get_by_label("Or a new person's name").fill("世田谷 花子")
    ward.get_by_label("Email").fill("hanako@example.jp")
    for n, row in enumerate(rows.filter(has_not=page.locator("select")).all(), start=1):
        row.get_by_label("Email").fill(f"member{n}@example.jp")
    page.get_by_role("button", name="Save the contact details").click()
    expect_flash(page, "The contact details of 3 members have been saved.")
    # Filled in, they leave the list of those without an address.
    assert page.locator("form fieldset").count() == 0
    assert "Every current member can be reached by email." in page.content()
    assert len(names) == 3
    db.session.expire_all()
    assert sum(1 for i in invitees(setagaya.id) if i.email) == reachable + 3
    read_in_japanese(page, live_server)
    page.reload()
    check_page(page)
