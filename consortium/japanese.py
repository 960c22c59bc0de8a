"""Japanese calendar conventions as plain functions: 和暦, weekdays, fiscal years, Tokyo time."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

# (first day, era name, romanised name); newest first.
ERAS = (
    (date(2019, 5, 1), "令和", "Reiwa"),
    (date(1989, 1, 8), "平成", "Heisei"),
    (date(1926, 12, 25), "昭和", "Showa"),
    (date(1912, 7, 30), "大正", "Taisho"),
    (date(1873, 1, 1), "明治", "Meiji"),  # the Gregorian calendar starts in Japan here
)

WEEKDAYS_JA = "月火水木金土日"


def era_of(d: date) -> tuple[str, str, int]:
    """Return (era, romanised era, year of era) for a date."""
    for start, name, roman in ERAS:
        if d >= start:
            return name, roman, d.year - start.year + 1
    raise ValueError(f"{d} is before the Gregorian calendar was adopted in Japan")


def wareki_year(d: date) -> str:
    """令和5年; the first year of an era is 元年."""
    name, _, year = era_of(d)
    return f"{name}{'元' if year == 1 else year}年"


def weekday_ja(d: date) -> str:
    return WEEKDAYS_JA[d.weekday()]


def format_date_ja(d: date, weekday: bool = True) -> str:
    """令和5年（2023年）9月5日（火）"""
    text = f"{wareki_year(d)}（{d.year}年）{d.month}月{d.day}日"
    return f"{text}（{weekday_ja(d)}）" if weekday else text


def format_month_ja(d: date) -> str:
    """令和5年（2023年）11月, for a date known only to the month."""
    return f"{wareki_year(d)}（{d.year}年）{d.month}月"


def fiscal_year(d: date) -> int:
    """The Japanese fiscal year (年度) a date falls in: April to March, named by its April."""
    return d.year if d.month >= 4 else d.year - 1


def next_fiscal_year_start(d: date) -> date:
    """The 1 April after a day: when a new fiscal year's staff changes (人事異動) take effect."""
    return date(fiscal_year(d) + 1, 4, 1)


def format_fiscal_year_ja(fy: int) -> str:
    """2018年度（平成30年度）: the era is that of the fiscal year's first day."""
    return f"{fy}年度（{wareki_year(date(fy, 4, 1))[:-1]}年度）"


def to_tokyo(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("naive datetime given; pass an aware datetime")
    return dt.astimezone(TOKYO)


def today_tokyo() -> date:
    """Today's date in Japan, whatever the server's zone."""
    return datetime.now(TOKYO).date()


def tokyo_datetime(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime for a wall-clock time in Tokyo."""
    return datetime(year, month, day, hour, minute, tzinfo=TOKYO)


SEAT_MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿"


def seat_mark(seat: int) -> str:
    """① for 1 … ㊿ for 50, as rosters print seats; plain digits beyond."""
    return SEAT_MARKS[seat - 1] if 1 <= seat <= len(SEAT_MARKS) else str(seat)


def search_key(*parts: str | None) -> str:
    """Text for matching that ignores full/half width, case and spacing (ＳＤＧｓ = SDGs)."""
    text = " ".join(p for p in parts if p)
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())
