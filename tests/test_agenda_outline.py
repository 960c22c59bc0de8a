"""Reading a pasted agenda as a tree (consortium.meetings.outline)."""
from __future__ import annotations

import pytest

from consortium.meetings.outline import parse


def tree(text: str, max_depth: int = 1) -> list[tuple[int, str]]:
    return [(line.depth, line.title) for line in parse(text, max_depth)]


def test_plain_lines_are_top_level_items_and_blank_lines_are_skipped():
    assert tree("開会\n\n  \n議事\r\n閉会\n") == [(0, "開会"), (0, "議事"), (0, "閉会")]


@pytest.mark.parametrize("indent", ["  ", "\u3000", "\t", "    "])
def test_indentation_nests(indent):
    text = f"開会\n議事\n{indent}報告事項\n{indent}意見交換\n閉会"
    assert tree(text) == [(0, "開会"), (0, "議事"), (1, "報告事項"), (1, "意見交換"), (0, "閉会")]


def test_numbering_styles_nest_in_order_of_appearance_without_indentation():
    text = "1. 開会\n2. 議事\n(1) 報告\n(2) 意見交換\n3. 閉会"
    assert tree(text) == [(0, "開会"), (0, "議事"), (1, "報告"), (1, "意見交換"), (0, "閉会")]


def test_full_width_numbering_reads_as_its_half_width_form():
    text = "１．開会\n２．議事\n（１）報告\n（２）意見交換\n３．閉会"
    assert tree(text) == [(0, "開会"), (0, "議事"), (1, "報告"), (1, "意見交換"), (0, "閉会")]


def test_circled_and_katakana_marks_under_numbers():
    text = "1　議事\n①　地域の担い手\n②　広域連携\n2　その他\nア　連絡事項\nイ　次回日程"
    assert tree(text) == [
        (0, "議事"), (1, "地域の担い手"), (1, "広域連携"), (0, "その他"), (1, "連絡事項"), (1, "次回日程"),
    ]


def test_a_word_starting_with_a_katakana_or_a_number_is_not_a_mark():
    assert tree("アンケート結果\n2025年度の計画") == [(0, "アンケート結果"), (0, "2025年度の計画")]


def test_decimal_numbers_and_agenda_labels_are_taken_off():
    assert tree("議題1 報告\n10.1 進捗\n議題２：意見交換") == [(0, "報告"), (1, "進捗"), (0, "意見交換")]


def test_unnumbered_lines_around_numbered_ones_at_the_same_indentation_stay_siblings():
    text = "開会\n1. 報告\n2. 議事\n閉会"
    assert tree(text) == [(0, "開会"), (0, "報告"), (0, "議事"), (0, "閉会")]


def test_deeper_levels_than_the_agenda_holds_become_sub_items():
    text = "1. 議事\n(1) 報告\n① 県から\n② 市から\n2. 閉会"
    assert tree(text) == [(0, "議事"), (1, "報告"), (1, "県から"), (1, "市から"), (0, "閉会")]
    assert tree(text, max_depth=2)[2] == (2, "県から")


def test_indented_first_line_sets_the_top():
    assert tree("  開会\n    報告\n  閉会") == [(0, "開会"), (1, "報告"), (0, "閉会")]


def test_bullets_of_two_kinds_are_two_levels():
    assert tree("・議事\n－報告\n・閉会") == [(0, "議事"), (1, "報告"), (0, "閉会")]


def test_a_lone_mark_is_kept_as_the_title():
    assert tree("①") == [(0, "①")]


def test_line_numbers_count_blank_lines():
    assert [line.number for line in parse("開会\n\n閉会")] == [1, 3]
