"""An agenda pasted as text, one item per line, read as a tree: nesting by indentation or by the
numbering each line starts with (1. / (1) / ① / ア …), the marks taken off the titles because the
site numbers items itself (1, 2 at the top, ①, ② below; see pdf.contents.numbered).

Pure: text in, lines out, no database and no request.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_SPACE = " \t\u3000"
# Indentation measured in half-width columns: a full-width space is two, a tab four.
_WIDTH = {" ": 1, "\u3000": 2, "\t": 4}
_D = "[0-9０-９]+"
_KANJI = "[一二三四五六七八九十]+"
_KATA = "[アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン]"
_LATIN = "[a-zａ-ｚ]"
_AFTER = f"(?:[.．、,，:：]|(?=[{_SPACE}]))"  # a mark ends with a stop or before a space
# (style, pattern): the first that matches names the line's numbering style. Lines numbered in
# one style are siblings; a new style met below a numbered line starts a level under it.
_MARKS = [
    ("decimal", re.compile(f"{_D}(?:[.．\\-－‐]{_D})+[.．]?(?=[{_SPACE}])")),
    ("(1)", re.compile(f"[(（]{_D}[)）]")),
    ("(ア)", re.compile(f"[(（]{_KATA}[)）]")),
    ("(a)", re.compile(f"[(（]{_LATIN}[)）]")),
    ("(一)", re.compile(f"[(（]{_KANJI}[)）]")),
    ("①", re.compile("[①-⑳㉑-㉟㊱-㊿]")),
    ("1)", re.compile(f"{_D}[)）]")),
    ("1.", re.compile(f"{_D}{_AFTER}")),
    ("一、", re.compile(f"{_KANJI}[、.．]")),
    ("ア", re.compile(f"{_KATA}{_AFTER}")),
    ("a.", re.compile(f"{_LATIN}(?:[.．)）]|(?=[{_SPACE}]))")),
    ("議題", re.compile(f"議題[{_SPACE}]*{_D}{_AFTER}?")),
    ("・", re.compile("[・･•●○◎■□◆◇▪▶►*＊\\-‐－]")),
]


@dataclass(frozen=True)
class Line:
    depth: int  # 0 at the top, 1 for a sub-item…
    title: str
    number: int  # the line's number in the pasted text, from 1, for messages


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char not in _WIDTH:
            break
        width += _WIDTH[char]
    return width


def _style(text: str) -> tuple[str | None, str]:
    """The numbering style the text starts with (None if unnumbered) and the title after it."""
    for name, pattern in _MARKS:
        found = pattern.match(text)
        if found:
            title = text[found.end():].lstrip(_SPACE + ":：")
            if title:
                # A bullet style is its own mark: ・ and ■ are two levels.
                return (name + found.group() if name == "・" else name), title
    return None, text


def parse(text: str, max_depth: int = 1) -> list[Line]:
    """The non-blank lines of `text` with their depth (deeper levels than max_depth are put at
    max_depth, in order) and their titles without numbering marks."""
    lines: list[Line] = []
    frames: list[tuple[int, str | None]] = []  # the open levels: (indent, style) from the top
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.strip(_SPACE)
        if not content:
            continue
        indent = _indent(raw)
        style, title = _style(content)
        known = [i for i, (_indent_of, s) in enumerate(frames) if style is not None and s == style]
        if known:  # another line in a style already open: a sibling at that level
            depth = known[-1]
            del frames[depth + 1:]
            frames[depth] = (min(indent, frames[depth][0]), style)
        else:
            while frames and frames[-1][0] > indent:
                frames.pop()
            if frames and frames[-1][0] == indent and (style is None or frames[-1][1] is None):
                frames[-1] = (indent, style)  # same indentation, nothing says it is deeper: a sibling
            else:
                frames.append((indent, style))  # deeper indentation, or a new numbering under one
            depth = len(frames) - 1
        lines.append(Line(min(depth, max_depth), title, number))
    return lines
