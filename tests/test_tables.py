"""Every data table of the site sits in the one scrollable, keyboard-reachable region (wide_table)."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# Printed pages have no screen to scroll; the month grid becomes a list of days on a phone.
NOT_ON_SCREEN = {"pdf", "mail"}
OWN_LAYOUT = {"calendar/_month.html"}


def test_every_data_table_is_in_a_wide_table_region():
    unwrapped = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.split("/")[0] in NOT_ON_SCREEN or name in OWN_LAYOUT:
            continue
        source = path.read_text(encoding="utf-8")
        for table in re.finditer(r"<table\b", source):
            before = source[: table.start()]
            opened, closed = before.rfind("{% call wide_table("), before.rfind("{% endcall %}")
            if opened == -1 or closed > opened:
                unwrapped.append(f"{name}:{before.count(chr(10)) + 1}")
    assert unwrapped == []
