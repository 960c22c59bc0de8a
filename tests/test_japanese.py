"""和暦, weekdays, fiscal years and Tokyo time as plain functions."""
from datetime import date, datetime, timezone

import pytest

from consortium import japanese


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(1989, 1, 7), "昭和64年"),
        (date(1989, 1, 8), "平成元年"),
        (date(2018, 5, 25), "平成30年"),
        (date(2019, 4, 30), "平成31年"),
        (date(2019, 5, 1), "令和元年"),
        (date(2019, 12, 31), "令和元年"),
        (date(2020, 1, 1), "令和2年"),
        (date(2023, 9, 5), "令和5年"),
        (date(1926, 12, 24), "大正15年"),
        (date(1926, 12, 25), "昭和元年"),
    ],
)
def test_era_year_at_boundaries(day, expected):
    assert japanese.wareki_year(day) == expected


def test_dates_before_the_gregorian_calendar_are_refused():
    with pytest.raises(ValueError):
        japanese.wareki_year(date(1800, 1, 1))


def test_long_date_has_era_western_year_and_weekday():
    assert japanese.format_date_ja(date(2023, 9, 5)) == "令和5年（2023年）9月5日（火）"
    assert japanese.format_date_ja(date(2018, 5, 25)) == "平成30年（2018年）5月25日（金）"
    assert japanese.format_date_ja(date(2019, 5, 1), weekday=False) == "令和元年（2019年）5月1日"


@pytest.mark.parametrize(("day", "weekday"), [(date(2023, 9, 4), "月"), (date(2023, 9, 7), "木"), (date(2023, 9, 10), "日")])
def test_weekday_in_japanese(day, weekday):
    assert japanese.weekday_ja(day) == weekday


def test_month_precision_prints_no_day():
    assert japanese.format_month_ja(date(2023, 11, 1)) == "令和5年（2023年）11月"


@pytest.mark.parametrize(
    ("day", "fy"),
    [(date(2024, 3, 31), 2023), (date(2024, 4, 1), 2024), (date(2019, 1, 15), 2018), (date(2018, 12, 31), 2018)],
)
def test_fiscal_year_runs_april_to_march(day, fy):
    assert japanese.fiscal_year(day) == fy


def test_fiscal_year_label_uses_the_era_of_its_april():
    assert japanese.format_fiscal_year_ja(2018) == "2018年度（平成30年度）"
    assert japanese.format_fiscal_year_ja(2019) == "2019年度（平成31年度）"
    assert japanese.format_fiscal_year_ja(2020) == "2020年度（令和2年度）"


def test_tokyo_time_is_nine_hours_ahead_of_utc():
    moment = japanese.tokyo_datetime(2018, 5, 25, 14, 15)
    assert moment.astimezone(timezone.utc) == datetime(2018, 5, 25, 5, 15, tzinfo=timezone.utc)
    assert japanese.to_tokyo(datetime(2018, 5, 25, 5, 15, tzinfo=timezone.utc)).hour == 14


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        japanese.to_tokyo(datetime(2018, 5, 25, 5, 15))


def test_seat_marks_as_rosters_print_them():
    assert japanese.seat_mark(1) == "①"
    assert japanese.seat_mark(17) == "⑰"
    assert japanese.seat_mark(51) == "51"


def test_search_key_ignores_width_case_and_spacing():
    assert japanese.search_key("ＳＤＧｓ　コンソーシアム") == japanese.search_key("sdgs コンソーシアム")
    assert japanese.search_key("ｾﾀｶﾞﾔ") == japanese.search_key("セタガヤ")
