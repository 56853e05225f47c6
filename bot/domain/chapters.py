"""Facts about the 114 chapters (surahs) that the bot validates verse keys against.

Shipped with the code rather than fetched, so validation works offline and in tests. Names follow
Quran.com's chapter data (`name_simple` / `name_arabic`), so what the bot prints matches what the
user sees on Quran.com; the aliases cover the spellings people actually type.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from itertools import accumulate

#: Number of verses in chapters 1..114 (index 0 is chapter 1); they add up to 6,236.
VERSE_COUNTS: tuple[int, ...] = (
    7, 286, 200, 176, 120, 165, 206, 75, 129, 109, 123, 111, 43, 52, 99, 128, 111, 110, 98, 135,
    112, 78, 118, 64, 77, 227, 93, 88, 69, 60, 34, 30, 73, 54, 45, 83, 182, 88, 75, 85,
    54, 53, 89, 59, 37, 35, 38, 29, 18, 45, 60, 49, 62, 55, 78, 96, 29, 22, 24, 13,
    14, 11, 11, 18, 12, 12, 30, 52, 52, 44, 28, 28, 20, 56, 40, 31, 50, 40, 46, 42,
    29, 19, 36, 25, 22, 17, 19, 26, 30, 20, 15, 21, 11, 8, 8, 19, 5, 8, 8, 11,
    11, 8, 3, 9, 5, 4, 7, 3, 6, 3, 5, 4, 5, 6,
)
CHAPTER_COUNT = 114
TOTAL_VERSES = 6236
JUZ_COUNT = 30

#: Quran.com `name_simple` transliterations, chapter 1 first.
ENGLISH_NAMES: tuple[str, ...] = (
    "Al-Fatihah", "Al-Baqarah", "Ali 'Imran", "An-Nisa", "Al-Ma'idah", "Al-An'am", "Al-A'raf",
    "Al-Anfal", "At-Tawbah", "Yunus", "Hud", "Yusuf", "Ar-Ra'd", "Ibrahim", "Al-Hijr", "An-Nahl",
    "Al-Isra", "Al-Kahf", "Maryam", "Taha", "Al-Anbya", "Al-Hajj", "Al-Mu'minun", "An-Nur",
    "Al-Furqan", "Ash-Shu'ara", "An-Naml", "Al-Qasas", "Al-'Ankabut", "Ar-Rum", "Luqman",
    "As-Sajdah", "Al-Ahzab", "Saba", "Fatir", "Ya-Sin", "As-Saffat", "Sad", "Az-Zumar", "Ghafir",
    "Fussilat", "Ash-Shuraa", "Az-Zukhruf", "Ad-Dukhan", "Al-Jathiyah", "Al-Ahqaf", "Muhammad",
    "Al-Fath", "Al-Hujurat", "Qaf", "Adh-Dhariyat", "At-Tur", "An-Najm", "Al-Qamar", "Ar-Rahman",
    "Al-Waqi'ah", "Al-Hadid", "Al-Mujadila", "Al-Hashr", "Al-Mumtahanah", "As-Saf", "Al-Jumu'ah",
    "Al-Munafiqun", "At-Taghabun", "At-Talaq", "At-Tahrim", "Al-Mulk", "Al-Qalam", "Al-Haqqah",
    "Al-Ma'arij", "Nuh", "Al-Jinn", "Al-Muzzammil", "Al-Muddaththir", "Al-Qiyamah", "Al-Insan",
    "Al-Mursalat", "An-Naba", "An-Nazi'at", "'Abasa", "At-Takwir", "Al-Infitar", "Al-Mutaffifin",
    "Al-Inshiqaq", "Al-Buruj", "At-Tariq", "Al-A'la", "Al-Ghashiyah", "Al-Fajr", "Al-Balad",
    "Ash-Shams", "Al-Layl", "Ad-Duhaa", "Ash-Sharh", "At-Tin", "Al-'Alaq", "Al-Qadr",
    "Al-Bayyinah", "Az-Zalzalah", "Al-'Adiyat", "Al-Qari'ah", "At-Takathur", "Al-'Asr",
    "Al-Humazah", "Al-Fil", "Quraysh", "Al-Ma'un", "Al-Kawthar", "Al-Kafirun", "An-Nasr",
    "Al-Masad", "Al-Ikhlas", "Al-Falaq", "An-Nas",
)

#: Quran.com `name_arabic`, chapter 1 first.
ARABIC_NAMES: tuple[str, ...] = (
    "الفاتحة", "البقرة", "آل عمران", "النساء", "المائدة", "الأنعام", "الأعراف", "الأنفال",
    "التوبة", "يونس", "هود", "يوسف", "الرعد", "ابراهيم", "الحجر", "النحل", "الإسراء", "الكهف",
    "مريم", "طه", "الأنبياء", "الحج", "المؤمنون", "النور", "الفرقان", "الشعراء", "النمل",
    "القصص", "العنكبوت", "الروم", "لقمان", "السجدة", "الأحزاب", "سبإ", "فاطر", "يس", "الصافات",
    "ص", "الزمر", "غافر", "فصلت", "الشورى", "الزخرف", "الدخان", "الجاثية", "الأحقاف", "محمد",
    "الفتح", "الحجرات", "ق", "الذاريات", "الطور", "النجم", "القمر", "الرحمن", "الواقعة",
    "الحديد", "المجادلة", "الحشر", "الممتحنة", "الصف", "الجمعة", "المنافقون", "التغابن",
    "الطلاق", "التحريم", "الملك", "القلم", "الحاقة", "المعارج", "نوح", "الجن", "المزمل",
    "المدثر", "القيامة", "الانسان", "المرسلات", "النبإ", "النازعات", "عبس", "التكوير",
    "الإنفطار", "المطففين", "الإنشقاق", "البروج", "الطارق", "الأعلى", "الغاشية", "الفجر",
    "البلد", "الشمس", "الليل", "الضحى", "الشرح", "التين", "العلق", "القدر", "البينة",
    "الزلزلة", "العاديات", "القارعة", "التكاثر", "العصر", "الهمزة", "الفيل", "قريش", "الماعون",
    "الكوثر", "الكافرون", "النصر", "المسد", "الإخلاص", "الفلق", "الناس",
)

#: Other names and spellings people type. The official names above match without listing them
#: here, and so do the usual variations of them (case, article, hyphens, apostrophes, doubled
#: or long vowels, a final "h"): see `name_key`. Deliberately no translated meanings ("Cow",
#: "Light") or everyday Arabic words ("الحمد", "تبارك"): a note that starts with one of those
#: words must not be filed under a surah.
ALIASES: dict[int, tuple[str, ...]] = {
    1: ("Fatiha", "Faatiha", "Umm al-Kitab", "أم الكتاب"),
    2: ("Baqara", "Bakara"),
    3: ("Al Imran", "Aal Imran", "Imran", "Ali Imran", "Al-e-Imran", "عمران"),
    4: ("Nisaa",),
    5: ("Maida", "Maaida"),
    6: ("Anam", "Anaam"),
    7: ("Araf", "Aaraf"),
    9: ("Tauba", "Taubah", "Tawba", "Baraah", "Bara'ah", "براءة"),
    13: ("Raad",),
    14: ("Ebrahim", "إبراهيم"),
    17: ("Bani Israil", "Bani Isra'il", "Israa", "بني إسرائيل"),
    18: ("Kahaf",),
    20: ("Ta-Ha", "Ta Ha", "Thaha", "طٰهٰ"),
    21: ("Anbiya", "Ambiya", "Anbiyaa"),
    23: ("Muminun", "Mu'minoon"),
    24: ("Noor",),
    26: ("Shuara", "Shu'araa"),
    29: ("Ankaboot",),
    32: ("Sajda", "Sajdah", "Alif Lam Mim Sajdah"),
    33: ("Ahzaab",),
    34: ("Sheba", "سبأ"),
    36: ("Yasin", "Yaseen", "Yasiin", "Ya Seen", "Ya Sin", "ياسين"),
    37: ("Saaffat", "Saffaat"),
    38: ("Saad", "Swad", "صاد"),
    40: ("Gafir", "Al-Mu'min", "Mumin", "المؤمن"),
    41: ("Fussilat", "Ha Mim Sajdah", "Hameem Sajdah", "حم السجدة"),
    42: ("Shura", "Shoora"),
    43: ("Zukhruf", "Zukhraf"),
    44: ("Dukhaan",),
    45: ("Jathiya", "Jasiyah", "Jaathiya"),
    47: ("Qital", "Al-Qital", "القتال"),
    48: ("Fatah",),
    49: ("Hujraat",),
    51: ("Dhariyat", "Zariyat", "Dhaariyat", "Zaariyat"),
    52: ("Toor",),
    55: ("Rahmaan", "Rehman", "Rahman"),
    56: ("Waqia", "Waqiah", "Waaqiah"),
    57: ("Hadeed",),
    58: ("Mujadilah", "Mujadalah", "Mujaadila"),
    59: ("Hasr",),
    60: ("Mumtahina", "Mumtahinah"),
    61: ("Saff", "Saf"),
    62: ("Juma", "Jumah", "Jummah", "Jumuah"),
    63: ("Munafiqoon",),
    64: ("Taghaabun",),
    65: ("Talaaq",),
    66: ("Tehrim",),
    67: ("Mulk", "Tabarak", "Tabaraka"),
    69: ("Haaqqa", "Haqqa"),
    70: ("Maarij", "Ma'aarij"),
    71: ("Nooh", "Noah"),
    72: ("Jinn",),
    73: ("Muzammil", "Muzzamil"),
    74: ("Muddathir", "Muddaththir", "Mudassir", "Muddassir", "Mudathir"),
    75: ("Qiyama", "Qiyaamah"),
    76: ("Insaan", "Dahr", "Ad-Dahr", "الدهر"),
    77: ("Mursalaat",),
    78: ("Naba'", "Amma", "Nabaa", "النبأ"),
    79: ("Naziat", "Naaziat", "Naziyat"),
    80: ("Abasa",),
    81: ("Takweer",),
    82: ("Infitaar", "الانفطار"),
    83: ("Mutaffifeen", "Tatfif", "التطفيف"),
    84: ("Inshiqaaq", "الانشقاق"),
    85: ("Burooj", "Buruj"),
    86: ("Taariq",),
    87: ("A'la", "Aala"),
    88: ("Ghashiya", "Ghaashiyah"),
    92: ("Lail",),
    93: ("Duha", "Dhuha", "Zuha", "Duhaa"),
    94: ("Inshirah", "Sharh", "Alam Nashrah", "Nashrah", "الانشراح", "ألم نشرح"),
    96: ("Alaq", "Iqra", "Iqra'", "اقرأ"),
    97: ("Qadar",),
    98: ("Bayyina", "Bayina", "Baiyyinah"),
    99: ("Zilzal", "Zalzala", "Zilzaal", "الزلزال"),
    100: ("Adiyat", "Aadiyat", "Adiyaat"),
    101: ("Qaria", "Qariah", "Qaari'ah"),
    102: ("Takasur", "Takaathur"),
    104: ("Humaza",),
    106: ("Quraish", "Qureish", "Kuraish"),
    107: ("Maun", "Maa'oon"),
    108: ("Kauthar", "Kausar", "Kawsar", "Kawthar"),
    109: ("Kafiroon", "Kaafiroon"),
    111: ("Lahab", "Abu Lahab", "Tabbat", "Masad", "اللهب", "تبت"),
    112: ("Ikhlas", "Ikhlaas", "Tawhid", "Tauheed"),
    114: ("Nas", "Naas"),
}

#: Where each juz (para) starts, juz 1 first, as (chapter, verse); the standard Madani division
#: that Quran.com uses.
JUZ_STARTS: tuple[tuple[int, int], ...] = (
    (1, 1), (2, 142), (2, 253), (3, 93), (4, 24), (4, 148), (5, 82), (6, 111), (7, 88),
    (8, 41), (9, 93), (11, 6), (12, 53), (15, 1), (17, 1), (18, 75), (21, 1), (23, 1),
    (25, 21), (27, 56), (29, 46), (33, 31), (36, 28), (39, 32), (41, 47), (46, 1), (51, 31),
    (58, 1), (67, 1), (78, 1),
)

# Verses before each chapter (index 0 is chapter 1), so any verse gets a position 1..6236.
_VERSES_BEFORE: tuple[int, ...] = (0, *accumulate(VERSE_COUNTS))[:-1]


def verse_count(chapter: int) -> int:
    """Verses in `chapter` (1..114); raises ValueError outside that range."""
    if not 1 <= chapter <= CHAPTER_COUNT:
        raise ValueError(f"chapter {chapter} is outside 1..{CHAPTER_COUNT}")
    return VERSE_COUNTS[chapter - 1]


def is_valid_verse(chapter: int, verse: int) -> bool:
    return 1 <= chapter <= CHAPTER_COUNT and 1 <= verse <= VERSE_COUNTS[chapter - 1]


def verse_ordinal(chapter: int, verse: int) -> int:
    """Position of a verse in the mushaf, 1 (1:1) to 6236 (114:6): ranges count by it."""
    if not is_valid_verse(chapter, verse):
        raise ValueError(f"{chapter}:{verse} is not a verse")
    return _VERSES_BEFORE[chapter - 1] + verse


def verse_at(ordinal: int) -> tuple[int, int]:
    """The (chapter, verse) at a position 1..6236; the inverse of `verse_ordinal`."""
    if not 1 <= ordinal <= TOTAL_VERSES:
        raise ValueError(f"verse position {ordinal} is outside 1..{TOTAL_VERSES}")
    low, high = 0, CHAPTER_COUNT - 1
    while low < high:  # last chapter whose first verse is at or before `ordinal`
        middle = (low + high + 1) // 2
        if _VERSES_BEFORE[middle] < ordinal:
            low = middle
        else:
            high = middle - 1
    return low + 1, ordinal - _VERSES_BEFORE[low]


def juz_bounds(juz: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """First and last verse, as (chapter, verse) pairs, of juz 1..30."""
    if not 1 <= juz <= JUZ_COUNT:
        raise ValueError(f"juz {juz} is outside 1..{JUZ_COUNT}")
    start = JUZ_STARTS[juz - 1]
    if juz == JUZ_COUNT:
        return start, (CHAPTER_COUNT, VERSE_COUNTS[-1])
    return start, verse_at(verse_ordinal(*JUZ_STARTS[juz]) - 1)


def juz_of(chapter: int, verse: int) -> int:
    """The juz (1..30) a verse belongs to."""
    position = verse_ordinal(chapter, verse)
    return sum(1 for start in JUZ_STARTS if verse_ordinal(*start) <= position)


def chapter_name(chapter: int, language: str = "en") -> str:
    """The chapter's name as Quran.com shows it: Arabic for Arabic, transliterated otherwise."""
    verse_count(chapter)  # validates the number
    if language.split("-")[0].lower() == "ar":
        return ARABIC_NAMES[chapter - 1]
    return ENGLISH_NAMES[chapter - 1]


# ---------------------------------------------------------------------------------------------
# Name matching. Everything is reduced to a "key" that ignores what people spell inconsistently,
# then looked up in one dictionary built from the official names and the aliases.

_APOSTROPHES = "'’‘`´ʼʻʿʾ\u02bc"
_LATIN_ARTICLES = frozenset(
    {"al", "el", "an", "ar", "as", "ash", "at", "ad", "adh", "az", "ath", "aal", "the"}
)
#: Words that may precede a name ("Surah Al-Mulk", "سورة الملك"); compared as keys.
_PREFIX_WORDS = frozenset(
    {"surah", "sura", "surat", "soorah", "sourate", "chapter", "سوره", "سورت"}
)
_ARABIC_FOLD = str.maketrans(
    {"ٱ": "ا", "ة": "ه", "ى": "ي", "ی": "ي", "ک": "ك", "ء": None, "ـ": None, "\u0670": None}
)
_SEPARATORS = re.compile(r"[\s\-_.‐‑‒–—]+")


def _fold_latin(word: str) -> str:
    word = word.replace("ee", "i").replace("oo", "u").replace("ou", "u").replace("au", "aw")
    word = re.sub(r"(.)\1+", r"\1", word)  # Muzzammil ~ Muzammil, Saffat ~ Safat, Naas ~ Nas
    if len(word) > 3 and word.endswith("h") and word[-2] in "aei":
        word = word[:-1]  # Baqarah ~ Baqara
    return word


def name_key(text: str) -> str:
    """Reduce a surah name as typed to a comparable key ("Surah Al-Baqarah" -> "baqara").

    Drops case, accents, Arabic diacritics and hamza seats, apostrophes, "Surah"/"سورة", the
    definite article, word breaks, doubled letters and long-vowel spellings.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.translate(_ARABIC_FOLD)
    stripped = "".join(ch for ch in stripped if ch not in _APOSTROPHES)
    words = [word for word in _SEPARATORS.split(stripped) if word]
    while len(words) > 1 and words[0] in _PREFIX_WORDS:
        words = words[1:]
    if len(words) > 1 and words[0] in _LATIN_ARTICLES:
        words = words[1:]
    folded: list[str] = []
    for word in words:
        if word.isascii():
            folded.append(_fold_latin(word))
        elif word == "ال":  # the first word of "آل عمران"
            continue
        elif word.startswith("ال") and len(word) > 3:
            folded.append(word[2:])
        else:
            folded.append(word)
    return "".join(folded)


@cache
def _name_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for chapter in range(1, CHAPTER_COUNT + 1):
        names = (ENGLISH_NAMES[chapter - 1], ARABIC_NAMES[chapter - 1], *ALIASES.get(chapter, ()))
        for name in names:
            key = name_key(name)
            if key:
                index.setdefault(key, chapter)
    return index


def find_chapter(name: str) -> int | None:
    """The chapter a typed name refers to ("baqarah", "Surah Yaseen", "سورة الملك"), else None."""
    key = name_key(name)
    if not key:
        return None
    return _name_index().get(key)


def suggest_chapter(name: str) -> int | None:
    """The closest known name to a misspelt one ("Baqarra" -> 2), for a "did you mean" hint."""
    key = name_key(name)
    if len(key) < 3:
        return None
    index = _name_index()
    matches = difflib.get_close_matches(key, list(index), n=1, cutoff=0.75)
    return index[matches[0]] if matches else None

