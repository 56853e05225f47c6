"""Finding a user's time zone from a name, a place, a country, an offset or a location."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

import pytest

from bot.domain.timezones import (
    TimezoneSuggestion,
    suggest_timezones,
    timezone_for_location,
    utc_offset_label,
    validate_timezone,
)

#: A fixed winter moment, so offsets with daylight saving time are predictable.
WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)


def names(query: str, limit: int = 6) -> list[str]:
    return [suggestion.name for suggestion in suggest_timezones(query, limit, now=WINTER)]


def test_the_tzdata_package_ships_the_tables_we_read() -> None:
    folder = resources.files("tzdata").joinpath("zoneinfo")
    for table in ("iso3166.tab", "zone.tab", "zone1970.tab"):
        assert folder.joinpath(table).is_file()


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("Asia/Riyadh", "Asia/Riyadh"),
        ("asia/riyadh", "Asia/Riyadh"),
        ("  AMERICA/NEW_YORK ", "America/New_York"),
        ("America/New York", "America/New_York"),
        ("utc", "UTC"),
        ("Etc/GMT-3", "Etc/GMT-3"),
    ],
)
def test_validate_timezone_returns_the_canonical_spelling(typed: str, canonical: str) -> None:
    assert validate_timezone(typed) == canonical


@pytest.mark.parametrize("typed", ["", "Mars/Olympus", "Riyadh", "../etc/passwd", "Asia/"])
def test_validate_timezone_rejects_what_is_not_a_zone(typed: str) -> None:
    assert validate_timezone(typed) is None


def test_labels_show_the_current_offset() -> None:
    assert suggest_timezones("Asia/Riyadh", now=WINTER) == [
        TimezoneSuggestion("Asia/Riyadh", "Asia/Riyadh (UTC+03:00)")
    ]
    assert utc_offset_label("America/New_York", WINTER) == "UTC-05:00"
    assert utc_offset_label("America/New_York", SUMMER) == "UTC-04:00"
    assert utc_offset_label("Asia/Kolkata", WINTER) == "UTC+05:30"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Riyadh", "Asia/Riyadh"),
        ("riyadh", "Asia/Riyadh"),
        ("new york", "America/New_York"),
        ("cairo", "Africa/Cairo"),
        ("Kuala Lumpur", "Asia/Kuala_Lumpur"),
        ("Saudi Arabia", "Asia/Riyadh"),
        ("SA", "Asia/Riyadh"),
        ("ksa", "Asia/Riyadh"),
        ("Indonesia", "Asia/Jakarta"),
        ("UK", "Europe/London"),
        ("United Kingdom", "Europe/London"),
        ("Turkey", "Europe/Istanbul"),
        ("Kuwait", "Asia/Kuwait"),
        ("Bali", "Asia/Makassar"),
        ("الرياض", "Asia/Riyadh"),
        ("مكة", "Asia/Riyadh"),
        ("مكة المكرمة", "Asia/Riyadh"),
        ("القاهرة", "Africa/Cairo"),
        ("جاكرتا", "Asia/Jakarta"),
        ("إسطنبول", "Europe/Istanbul"),
        ("السعودية", "Asia/Riyadh"),
        ("مصر", "Africa/Cairo"),
        ("UTC+3", "Asia/Riyadh"),
        ("gmt-5", "America/New_York"),
        ("+05:30", "Asia/Kolkata"),
    ],
)
def test_places_countries_and_offsets_suggest_the_right_zone_first(
    query: str, first: str
) -> None:
    assert names(query)[0] == first


def test_a_multi_zone_country_offers_one_zone_per_offset_first() -> None:
    american = names("USA")
    assert american[:4] == [
        "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    ]
    indonesian = names("Indonesia")
    assert {"Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"} <= set(indonesian)


def test_ambiguous_arabic_name_offers_both_places() -> None:
    # عمان is both Amman (Jordan) and Oman without vowel marks.
    assert names("عمان")[:2] == ["Asia/Amman", "Asia/Muscat"]


def test_offset_suggestions_all_have_that_offset_now() -> None:
    for suggestion in suggest_timezones("UTC+3", now=WINTER):
        assert suggestion.label.endswith("(UTC+03:00)")


def test_an_offset_offers_where_people_live_never_an_inverted_etc_name() -> None:
    offered = names("UTC+5")
    assert offered[:2] == ["Asia/Karachi", "Asia/Tashkent"]
    assert not any(name.startswith(("Etc/", "Antarctica/")) for name in offered)
    assert names("+5") == offered
    assert names("UTC-5")[0] == "America/New_York"
    assert names("UTC+5:30")[0] == "Asia/Kolkata"


def test_an_offset_no_place_has_is_offered_under_its_offset_only() -> None:
    # Nobody lives at UTC-12; the Etc zone remains, labelled by what it means.
    assert suggest_timezones("UTC-12", now=WINTER) == [
        TimezoneSuggestion("Etc/GMT+12", "UTC-12:00")
    ]
    assert suggest_timezones("Etc/GMT-3", now=WINTER)[0].label == "UTC+03:00"


def test_legacy_aliases_give_way_to_real_zones() -> None:
    assert names("Egypt") == ["Africa/Cairo"]


def test_limit_and_nonsense() -> None:
    assert len(names("Europe", limit=3)) == 3
    assert names("zzzzqqq") == []
    assert names("") == []
    assert names("Riyadh", limit=0) == []


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone"),
    [
        (24.71, 46.68, "Asia/Riyadh"),  # Riyadh
        (21.42, 39.83, "Asia/Riyadh"),  # Mecca: closer to Asmara than to Riyadh's listed point
        (21.49, 39.19, "Asia/Riyadh"),  # Jeddah
        (30.04, 31.24, "Africa/Cairo"),
        (-6.20, 106.85, "Asia/Jakarta"),
        (-8.65, 115.22, "Asia/Makassar"),  # Denpasar, Bali
        (51.51, -0.13, "Europe/London"),
        (40.71, -74.01, "America/New_York"),
        (41.01, 28.98, "Europe/Istanbul"),
        (31.55, 74.34, "Asia/Karachi"),  # Lahore
        (29.37, 47.98, "Asia/Kuwait"),
    ],
)
def test_location_maps_to_the_nearest_listed_city(
    latitude: float, longitude: float, zone: str
) -> None:
    assert timezone_for_location(latitude, longitude) == zone


def test_location_result_is_always_a_loadable_zone() -> None:
    for latitude in range(-90, 91, 15):
        for longitude in range(-180, 181, 30):
            assert validate_timezone(timezone_for_location(latitude, longitude)) is not None


@pytest.mark.parametrize(("latitude", "longitude"), [(91, 0), (0, 181), (-100, -200)])
def test_impossible_coordinates_are_refused(latitude: float, longitude: float) -> None:
    with pytest.raises(ValueError):
        timezone_for_location(latitude, longitude)
