"""Text as search compares it, and the grams its index is made of.

Japanese has no spaces between words, so the index cannot be of words: it holds every character
and every pair of neighbouring characters (uni- and bigrams) of the folded text, and a term is
found through the pairs it is made of, then checked as a whole (`LIKE`). Any term of one
character or more is found this way, 観光 as well as a long one, at any place in a word.

Folding makes variants equal: full and half width (ＳＤＧｓ, ｶﾝｺｳ), upper and lower case, and
katakana and hiragana (カンコウ finds かんこう). It works character by character, so a position
in the folded text leads back to the same place in the text as typed (for snippets); a kana and
its voiced sound mark count as one character.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

# Katakana ァ (U+30A1) to ヶ (U+30F6) sit 0x60 above their hiragana; ヷ–ヺ and ー have none.
KATAKANA = range(0x30A1, 0x30F7)
# How much of a row's text the index holds: a material of a thousand pages is found by its first
# hundred thousand characters, and its row stays a few hundred kilobytes.
INDEXED_CHARACTERS = 100_000


# Half-width (ﾞ ﾟ) and combining voiced sound marks: they belong to the kana before them.
VOICED_MARKS = "\uff9e\uff9f\u3099\u309a"


@lru_cache(maxsize=65536)
def fold_cluster(cluster: str) -> str:
    folded = unicodedata.normalize("NFKC", cluster).casefold()
    return "".join(chr(ord(c) - 0x60) if ord(c) in KATAKANA else c for c in folded)


def _clusters(text: str):
    """(start, end) of each character with the marks that belong to it (ﾊﾞ is one: バ)."""
    start = 0
    for end in range(1, len(text) + 1):
        if end == len(text) or not (text[end] in VOICED_MARKS or unicodedata.combining(text[end])):
            yield start, end
            start = end


def folded_with_places(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The folded text, and for each of its characters the span of the text (NFC) it came from."""
    text = unicodedata.normalize("NFC", text)
    folded, places = [], []
    for start, end in _clusters(text):
        for c in fold_cluster(text[start:end]):
            folded.append(c)
            places.append((start, end))
    return "".join(folded), places


def fold(text: str) -> str:
    """The text as the index and the queries compare it."""
    return folded_with_places(text)[0]


def grams(folded: str) -> set[str]:
    """Every character and every pair of neighbours within each run of the text without spaces."""
    found: set[str] = set()
    for piece in folded[:INDEXED_CHARACTERS].split():
        found.update(piece)
        found.update(piece[i : i + 2] for i in range(len(piece) - 1))
    return found


def term_grams(term: str) -> list[str]:
    """The grams a (folded, spaceless) term must all be in the index under: its pairs, or itself
    when it is one character."""
    return [term] if len(term) == 1 else sorted({term[i : i + 2] for i in range(len(term) - 1)})


def terms(query: str) -> list[str]:
    """The folded terms of what a visitor typed: words apart by spaces must each be found."""
    return list(dict.fromkeys(fold(query).split()))
