"""What may stand in one line of text, for the forms that take it in and the writers of mail
headers and calendars that put it out."""
from __future__ import annotations

import re

# Every C0 and C1 control (tab, line feed, carriage return, NUL among them), DEL, and Unicode's
# line and paragraph separators: none belongs in a name or a title, and PostgreSQL refuses NUL.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# What free text keeps of them: tab and line feed (line ends are made \n before this runs).
_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]+")


def typed_line(text: str) -> str:
    """A one-line input as a browser sends it: line breaks and other controls dropped, as a browser
    drops them from a text input, so a script's post saves what a browser's would. A tab (a cell
    pasted from a spreadsheet) becomes a space, so the words either side stay apart."""
    return _CONTROLS.sub("", text.replace("\t", " "))


def typed_text(text: str) -> str:
    """Free text with its tabs and line feeds, and no other control."""
    return _TEXT_CONTROLS.sub("", text)


def printed_line(text: str) -> str:
    """A stored line made safe for a mail header or a calendar's one-line property: each run of
    controls becomes a space. Rows saved before inputs were cleaned may hold a line feed."""
    return _CONTROLS.sub(" ", text).strip()
