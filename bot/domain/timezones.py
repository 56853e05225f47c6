"""Finding a user's IANA time zone from what they can tell us.

Telegram never reveals a user's time zone, yet Quran Foundation computes goal days and streaks
in it (`x-timezone`) and reminders fire in it. People know their city or country, sometimes
the offset, rarely "Asia/Riyadh"; so besides exact names this matches city parts of zone names,
country names and ISO codes from the `tzdata` package's own tables (`iso3166.tab`, `zone.tab`,
`zone1970.tab`), a short list of Arabic city and country names, and UTC offsets. A shared
location is turned into a zone by the nearest principal city in those tables.
"""

from __future__ import annotations

import math
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class TimezoneSuggestion:
    name: str
    #: "Asia/Riyadh (UTC+03:00)": the offset right now, so the user can check it against a clock.
    label: str


@dataclass(frozen=True)
class _Zone:
    name: str
    countries: tuple[str, ...]
    latitude: float
    longitude: float
    comment: str


#: ISO codes and names people use that the tables spell differently.
_COUNTRY_ALIASES: dict[str, str] = {
    "uk": "GB", "united kingdom": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "great britain": "GB", "usa": "US", "america": "US", "united states of america": "US",
    "uae": "AE", "emirates": "AE", "ksa": "SA", "saudi": "SA", "turkiye": "TR",
    "south korea": "KR", "north korea": "KP", "czechia": "CZ", "holland": "NL",
    "bosnia": "BA", "ivory coast": "CI", "drc": "CD", "burma": "MM", "gaza": "PS",
    "west bank": "PS",
}

#: Arabic names for the largest cities and countries of the bot's likely users.
_ARABIC_PLACES: dict[str, tuple[str, ...]] = {
    # Cities
    "الرياض": ("Asia/Riyadh",), "مكه": ("Asia/Riyadh",), "مكه المكرمه": ("Asia/Riyadh",),
    "المدينه": ("Asia/Riyadh",), "المدينه المنوره": ("Asia/Riyadh",), "جده": ("Asia/Riyadh",),
    "الدمام": ("Asia/Riyadh",), "القاهره": ("Africa/Cairo",), "الاسكندريه": ("Africa/Cairo",),
    "جاكرتا": ("Asia/Jakarta",), "دبي": ("Asia/Dubai",), "ابوظبي": ("Asia/Dubai",),
    "ابو ظبي": ("Asia/Dubai",), "الشارقه": ("Asia/Dubai",), "الدوحه": ("Asia/Qatar",),
    "المنامه": ("Asia/Bahrain",), "مسقط": ("Asia/Muscat",), "عمان": ("Asia/Amman", "Asia/Muscat"),
    "بغداد": ("Asia/Baghdad",), "دمشق": ("Asia/Damascus",), "بيروت": ("Asia/Beirut",),
    "صنعاء": ("Asia/Aden",), "عدن": ("Asia/Aden",), "الخرطوم": ("Africa/Khartoum",),
    "طرابلس": ("Africa/Tripoli", "Asia/Beirut"), "تونس": ("Africa/Tunis",),
    "الجزائر": ("Africa/Algiers",), "الرباط": ("Africa/Casablanca",),
    "الدار البيضاء": ("Africa/Casablanca",), "نواكشوط": ("Africa/Nouakchott",),
    "مقديشو": ("Africa/Mogadishu",), "اسطنبول": ("Europe/Istanbul",),
    "انقره": ("Europe/Istanbul",), "طهران": ("Asia/Tehran",), "كراتشي": ("Asia/Karachi",),
    "لاهور": ("Asia/Karachi",), "اسلام اباد": ("Asia/Karachi",), "دكا": ("Asia/Dhaka",),
    "كوالالمبور": ("Asia/Kuala_Lumpur",), "كوالا لمبور": ("Asia/Kuala_Lumpur",),
    "لندن": ("Europe/London",), "باريس": ("Europe/Paris",), "برلين": ("Europe/Berlin",),
    "نيويورك": ("America/New_York",), "تورنتو": ("America/Toronto",),
    "الكويت": ("Asia/Kuwait",), "غزه": ("Asia/Gaza",), "الخليل": ("Asia/Hebron",),
    # Countries
    "السعوديه": ("Asia/Riyadh",), "المملكه العربيه السعوديه": ("Asia/Riyadh",),
    "مصر": ("Africa/Cairo",), "اندونيسيا": ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"),
    "الامارات": ("Asia/Dubai",), "قطر": ("Asia/Qatar",), "البحرين": ("Asia/Bahrain",),
    "الاردن": ("Asia/Amman",), "العراق": ("Asia/Baghdad",), "سوريا": ("Asia/Damascus",),
    "لبنان": ("Asia/Beirut",), "اليمن": ("Asia/Aden",), "السودان": ("Africa/Khartoum",),
    "ليبيا": ("Africa/Tripoli",), "المغرب": ("Africa/Casablanca",),
    "موريتانيا": ("Africa/Nouakchott",), "الصومال": ("Africa/Mogadishu",),
    "فلسطين": ("Asia/Gaza", "Asia/Hebron"), "تركيا": ("Europe/Istanbul",),
    "ايران": ("Asia/Tehran",), "باكستان": ("Asia/Karachi",), "بنغلاديش": ("Asia/Dhaka",),
    "ماليزيا": ("Asia/Kuala_Lumpur",), "بريطانيا": ("Europe/London",),
    "فرنسا": ("Europe/Paris",), "المانيا": ("Europe/Berlin",),
}

#: Large cities far from their zone's listed city, so that a shared location near them is not
#: given a neighbour's zone (Mecca is closer to Asmara than to Riyadh). Latitude, longitude, zone.
_EXTRA_CITIES: tuple[tuple[float, float, str], ...] = (
    (21.42, 39.83, "Asia/Riyadh"),  # Mecca
    (21.54, 39.17, "Asia/Riyadh"),  # Jeddah
    (24.47, 39.61, "Asia/Riyadh"),  # Medina
    (26.43, 50.10, "Asia/Riyadh"),  # Dammam
    (18.22, 42.50, "Asia/Riyadh"),  # Abha
    (28.38, 36.57, "Asia/Riyadh"),  # Tabuk
    (31.20, 29.92, "Africa/Cairo"),  # Alexandria
    (24.09, 32.90, "Africa/Cairo"),  # Aswan
    (-7.25, 112.75, "Asia/Jakarta"),  # Surabaya
    (3.59, 98.67, "Asia/Jakarta"),  # Medan
    (-6.91, 107.61, "Asia/Jakarta"),  # Bandung
    (-8.65, 115.22, "Asia/Makassar"),  # Denpasar, Bali (Surabaya, in the west zone, is near)
    (31.55, 74.34, "Asia/Karachi"),  # Lahore
    (33.69, 73.06, "Asia/Karachi"),  # Islamabad
    (34.01, 71.58, "Asia/Karachi"),  # Peshawar
    (22.36, 91.78, "Asia/Dhaka"),  # Chittagong
    (28.61, 77.21, "Asia/Kolkata"),  # Delhi
    (19.07, 72.88, "Asia/Kolkata"),  # Mumbai
    (17.39, 78.49, "Asia/Kolkata"),  # Hyderabad
    (12.00, 8.52, "Africa/Lagos"),  # Kano
    (9.07, 7.40, "Africa/Lagos"),  # Abuja
    (39.93, 32.86, "Europe/Istanbul"),  # Ankara
    (36.30, 59.60, "Asia/Tehran"),  # Mashhad
    (38.08, 46.29, "Asia/Tehran"),  # Tabriz
    (30.51, 47.78, "Asia/Baghdad"),  # Basra
    (36.34, 43.13, "Asia/Baghdad"),  # Mosul
    (36.20, 37.16, "Asia/Damascus"),  # Aleppo
    (15.37, 44.19, "Asia/Aden"),  # Sanaa
    (31.63, -8.00, "Africa/Casablanca"),  # Marrakesh
    (34.03, -5.00, "Africa/Casablanca"),  # Fez
    (35.70, -0.63, "Africa/Algiers"),  # Oran
    (32.12, 20.07, "Africa/Tripoli"),  # Benghazi
    (9.56, 44.06, "Africa/Mogadishu"),  # Hargeisa
    (5.41, 100.33, "Asia/Kuala_Lumpur"),  # Penang
    (39.65, 66.96, "Asia/Tashkent"),  # Samarkand
)

#: For a typed offset ("UTC+5"), the zones most people with that offset live in, best first:
#: zone.tab has no populations, and in its own order "UTC+5" would start with Antarctica/Mawson.
#: Only the order among zones sharing an offset matters; zones not listed follow, one per
#: country first.
_POPULOUS_ZONES: tuple[str, ...] = (
    # UTC-11 … UTC-1
    "Pacific/Pago_Pago", "Pacific/Honolulu", "Pacific/Tahiti", "Pacific/Marquesas",
    "America/Anchorage", "America/Los_Angeles", "America/Vancouver", "America/Tijuana",
    "America/Denver", "America/Phoenix", "America/Edmonton", "America/Chicago",
    "America/Mexico_City", "America/Guatemala", "America/Winnipeg", "America/New_York",
    "America/Toronto", "America/Bogota", "America/Lima", "America/Panama", "America/Caracas",
    "America/Santo_Domingo", "America/Halifax", "America/La_Paz", "America/Manaus",
    "America/St_Johns", "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    "America/Santiago", "America/Montevideo", "America/Noronha", "Atlantic/Azores",
    "Atlantic/Cape_Verde",
    # UTC+0 … UTC+4:30
    "Europe/London", "Africa/Abidjan", "Africa/Accra", "Africa/Dakar", "Europe/Lisbon",
    "Africa/Casablanca", "Africa/Lagos", "Africa/Algiers", "Europe/Berlin", "Europe/Paris",
    "Africa/Tunis", "Europe/Rome", "Europe/Madrid", "Africa/Kinshasa", "Africa/Cairo",
    "Africa/Khartoum", "Africa/Tripoli", "Asia/Gaza", "Africa/Johannesburg", "Europe/Kyiv",
    "Europe/Athens", "Asia/Riyadh", "Europe/Istanbul", "Europe/Moscow", "Asia/Baghdad",
    "Africa/Nairobi", "Africa/Addis_Ababa", "Asia/Kuwait", "Asia/Qatar", "Asia/Amman",
    "Asia/Damascus", "Africa/Mogadishu", "Asia/Aden", "Asia/Tehran", "Asia/Dubai",
    "Asia/Muscat", "Asia/Baku", "Asia/Tbilisi", "Europe/Samara", "Asia/Kabul",
    # UTC+5 … UTC+14
    "Asia/Karachi", "Asia/Tashkent", "Asia/Yekaterinburg", "Indian/Maldives", "Asia/Almaty",
    "Asia/Dushanbe", "Asia/Kolkata", "Asia/Colombo", "Asia/Kathmandu", "Asia/Dhaka",
    "Asia/Bishkek", "Asia/Omsk", "Asia/Yangon", "Asia/Jakarta", "Asia/Bangkok",
    "Asia/Ho_Chi_Minh", "Asia/Novosibirsk", "Asia/Shanghai", "Asia/Kuala_Lumpur",
    "Asia/Singapore", "Asia/Manila", "Asia/Makassar", "Australia/Perth", "Asia/Hong_Kong",
    "Asia/Taipei", "Australia/Eucla", "Asia/Tokyo", "Asia/Seoul", "Asia/Jayapura",
    "Australia/Darwin", "Australia/Adelaide", "Australia/Brisbane", "Australia/Sydney",
    "Asia/Vladivostok", "Pacific/Port_Moresby", "Australia/Lord_Howe", "Asia/Magadan",
    "Pacific/Noumea", "Pacific/Auckland", "Pacific/Fiji", "Asia/Kamchatka", "Pacific/Chatham",
    "Pacific/Tongatapu", "Pacific/Apia", "Pacific/Kiritimati",
)

#: Research stations, not where anyone setting a reading reminder lives.
_UNINHABITED_PREFIXES = ("Antarctica/", "Arctic/")

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$")


_FOLD_TABLE = str.maketrans({"ة": "ه", "ى": "ي", "ٱ": "ا", "_": " ", "ـ": ""})


def _fold(text: str) -> str:
    """Case, accents, underscores and Arabic letter variants ignored; single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = text.translate(_FOLD_TABLE)
    text = re.sub(r"[’'`.,()]", "", text)
    return " ".join(text.replace("-", " ").split())


def _tzdata_table(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def _coordinate(text: str, degree_digits: int) -> float:
    """ISO 6709 `+DDMM`, `+DDMMSS` (`+DDDMM…` for longitudes) as decimal degrees."""
    sign = -1.0 if text[0] == "-" else 1.0
    digits = text[1:]
    degrees = int(digits[:degree_digits])
    minutes = int(digits[degree_digits : degree_digits + 2])
    seconds = int(digits[degree_digits + 2 :] or 0)
    return sign * (degrees + minutes / 60 + seconds / 3600)


@cache
def _zones() -> tuple[_Zone, ...]:
    """zone.tab (one row per country, so Kuwait is Asia/Kuwait) then zone1970.tab's extras."""
    zones: dict[str, _Zone] = {}
    for table in ("zone.tab", "zone1970.tab"):
        for row in _tzdata_table(table):
            codes, coordinates, name = row[0], row[1], row[2]
            comment = row[3] if len(row) > 3 else ""
            split = max(coordinates.rfind("+"), coordinates.rfind("-"))
            latitude = _coordinate(coordinates[:split], 2)
            longitude = _coordinate(coordinates[split:], 3)
            countries = tuple(codes.split(","))
            if name in zones:
                known = zones[name]
                merged = known.countries + tuple(c for c in countries if c not in known.countries)
                zones[name] = _Zone(name, merged, known.latitude, known.longitude, known.comment)
            else:
                zones[name] = _Zone(name, countries, latitude, longitude, comment)
    return tuple(zones.values())


@cache
def _folded_zones() -> tuple[tuple[_Zone, str, str, str], ...]:
    """Each zone with its folded city part, full name and comment, folded once."""
    return tuple(
        (zone, _fold(zone.name.rsplit("/", 1)[-1]), _fold(zone.name), _fold(zone.comment))
        for zone in _zones()
    )


@cache
def _arabic_places() -> dict[str, tuple[str, ...]]:
    return {_fold(place): zones for place, zones in _ARABIC_PLACES.items()}


@cache
def _countries() -> dict[str, str]:
    """ISO code -> English name, from iso3166.tab."""
    return {row[0]: row[1] for row in _tzdata_table("iso3166.tab")}


@cache
def _available() -> dict[str, str]:
    """Folded-case name -> canonical name for every zone zoneinfo can load."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def validate_timezone(name: str) -> str | None:
    """The canonical spelling of an IANA zone ("asia/riyadh" -> "Asia/Riyadh"), else None."""
    candidate = "_".join(name.strip().split()).casefold()
    if not candidate:
        return None
    return _available().get(candidate)


def utc_offset_label(name: str, now: datetime | None = None) -> str:
    """ "UTC+03:00" for the zone at `now` (default: this moment)."""
    moment = (now or datetime.now(UTC)).astimezone(zoneinfo.ZoneInfo(name))
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def is_offset_zone(name: str) -> bool:
    """`Etc/GMT-5` and friends: zones that are only an offset, with POSIX's inverted sign
    (Etc/GMT-5 is UTC+5), so they are shown by their offset instead of their name."""
    return name.startswith("Etc/")


def _suggestion(name: str, now: datetime | None) -> TimezoneSuggestion:
    offset = utc_offset_label(name, now)
    return TimezoneSuggestion(name, offset if is_offset_zone(name) else f"{name} ({offset})")


def _one_per_offset_first(names: list[str], now: datetime | None) -> list[str]:
    """A country's zones with one zone per distinct offset first: for "USA" the first six
    should be Eastern, Central, Mountain, Pacific… rather than six Eastern ones."""
    seen: set[str] = set()
    first: list[str] = []
    rest: list[str] = []
    for name in names:
        offset = utc_offset_label(name, now)
        (rest if offset in seen else first).append(name)
        seen.add(offset)
    return first + rest


def _country_codes(query: str) -> list[str]:
    folded = _fold(query)
    if folded in _COUNTRY_ALIASES:
        return [_COUNTRY_ALIASES[folded]]
    countries = _countries()
    if len(folded) == 2 and folded.upper() in countries:
        return [folded.upper()]
    exact = [code for code, country in countries.items() if _fold(country) == folded]
    if exact or len(folded) < 3:
        return exact
    return [
        code
        for code, country in countries.items()
        if any(word.startswith(folded) for word in [_fold(country), *_fold(country).split()])
    ]


def _offset_matches(query: str, now: datetime | None) -> list[str]:
    """Zones with the typed offset right now, where most people live first; an `Etc/GMT…`
    zone only when no place has that offset (UTC-12)."""
    match = _OFFSET.match(query.strip().casefold())
    if match is None:
        return []
    sign = -1 if match.group(1) in "-−" else 1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60:
        return []
    wanted = sign * (hours * 60 + minutes)
    moment = now or datetime.now(UTC)
    places = [
        zone
        for zone in _zones()
        if not zone.name.startswith(_UNINHABITED_PREFIXES)
        and _offset_minutes(zone.name, moment) == wanted
    ]
    rank = {name: index for index, name in enumerate(_POPULOUS_ZONES)}
    populous = sorted(
        (zone.name for zone in places if zone.name in rank), key=lambda name: rank[name]
    )
    seen_countries: set[str] = set()
    first_of_country: list[str] = []
    others: list[str] = []
    for zone in places:
        if zone.name in rank:
            continue
        country = zone.countries[0]
        (others if country in seen_countries else first_of_country).append(zone.name)
        seen_countries.add(country)
    names = ["UTC"] if wanted == 0 else []
    names += populous + first_of_country + others
    if not names and minutes == 0:
        names.append(f"Etc/GMT{'-' if sign > 0 else '+'}{hours}")  # POSIX signs are inverted
    return names


def _offset_minutes(name: str, moment: datetime) -> int | None:
    offset = moment.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    return None if offset is None else int(offset.total_seconds() // 60)


def suggest_timezones(
    query: str, limit: int = 6, *, now: datetime | None = None
) -> list[TimezoneSuggestion]:
    """Zones the user may mean by `query`, best first: an exact zone name, then places.

    Understands "Asia/Riyadh", "Riyadh", "new york", "Saudi Arabia", "SA", "UK",
    "Indonesia", "Bali" (zone comments), "الرياض", "مصر", "UTC+3", "+05:30".
    """
    folded = _fold(query)
    if not folded or limit <= 0:
        return []
    names: list[str] = []

    def add(*candidates: str) -> None:
        for candidate in candidates:
            if candidate not in names and validate_timezone(candidate) == candidate:
                names.append(candidate)

    exact = validate_timezone(query)
    # Legacy aliases such as "Turkey" or "GB" are valid zones but not what a user should pick:
    # they are offered only when nothing else matches.
    if exact and ("/" in exact or exact == "UTC"):
        add(exact)
    add(*_offset_matches(query, now))
    add(*_arabic_places().get(folded, ()))
    zones = _folded_zones()
    add(*(zone.name for zone, city, _, _ in zones if city == folded))
    for code in _country_codes(query):
        own = [zone.name for zone, _, _, _ in zones if zone.countries[0] == code]
        add(*_one_per_offset_first(own, now))
        add(*(zone.name for zone, _, _, _ in zones if code in zone.countries[1:]))
    if len(folded) >= 3:
        add(*(zone.name for zone, city, _, _ in zones if city.startswith(folded)))
        add(*(zone.name for zone, _, full, _ in zones if folded in full))
        add(*(zone.name for zone, _, _, comment in zones if folded in comment))
        for place, place_zones in _arabic_places().items():
            if folded in place:
                add(*place_zones)
    if exact and not names:
        add(exact)
    return [_suggestion(name, now) for name in names[:limit]]


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def timezone_for_location(latitude: float, longitude: float) -> str:
    """The zone of the listed city nearest the point (zone.tab / zone1970.tab, plus a few big
    cities far from their zone's listed one, see `_EXTRA_CITIES`).

    An approximation without a boundary map: right for anyone closer to a city of their own
    zone than to one of a neighbour's, which holds for most people, but a town near a border
    (or far from every listed city, as in western China) can get the neighbouring zone, often
    one with the same offset. Handlers should show the result and let the user correct it.
    Raises ValueError for impossible coordinates.
    """
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise ValueError(f"({latitude}, {longitude}) is not a position on Earth")
    places = [(zone.latitude, zone.longitude, zone.name) for zone in _zones()]
    places.extend(_EXTRA_CITIES)
    nearest = min(places, key=lambda place: _distance_km(latitude, longitude, place[0], place[1]))
    return nearest[2]
