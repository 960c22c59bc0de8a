"""A hit's title and the words around what was found, with the found terms marked."""
from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

from .folding import folded_with_places

# Characters shown before and after the first place found.
AROUND = 40


def title_of(text: str) -> str:
    """An entry's text starts with its row's title (search/index.py KINDS)."""
    return text.split("\n", 1)[0]


def _marked(text: str, spans: list[tuple[int, int]]) -> Markup:
    out, at = [], 0
    for start, end in spans:
        out += [escape(text[at:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def snippet(text: str, terms: list[str]) -> Markup:
    """About AROUND characters either side of the first term found, each term marked: the text
    as typed (its width, its kana), though matching ignored those differences."""
    text = unicodedata.normalize("NFC", text)
    folded, places = folded_with_places(text)
    found = []
    for term in terms:
        start = folded.find(term)
        while start >= 0:
            found.append((places[start][0], places[start + len(term) - 1][1]))
            start = folded.find(term, start + len(term))
    flat = text.replace("\n", " ")  # the same length: places still hold
    if not found:
        return escape(flat[: 2 * AROUND])
    found.sort()
    begin = max(0, found[0][0] - AROUND)
    end = min(len(flat), found[0][0] + 2 * AROUND)
    spans, last = [], begin
    for start, stop in found:
        if start >= last and stop <= end:
            spans.append((start - begin, stop - begin))
            last = stop
    return Markup("").join(
        [escape("…" if begin else ""), _marked(flat[begin:end], spans), escape("…" if end < len(flat) else "")]
    )
