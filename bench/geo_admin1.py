"""How many first-level divisions the gazetteer names, and a draft table to curate more.

Run from the repository root: `.venv/bin/python -m bench.geo_admin1 [CC ...]`. Prints the
count of divisions without a name (overall and per country asked), then, for each country
asked, every GeoNames admin1 code with its current name, its three largest places (the
evidence a curated row of `etl/resources/geo/admin1.tsv` is checked against) and the ISO
3166-2 subdivisions pycountry lists, to write English names from.

    >>> _largest_names(0)[:1] != []
    True
"""

from __future__ import annotations

import sys
from collections import Counter

from etl.geo import gazetteer

DEFAULT_COUNTRIES = (
    "ML", "BF", "NE", "MM", "CD", "SO", "YE", "ET", "CO", "MX", "LB", "IL", "PS", "LY", "MZ", "CF",
    "TD", "CM", "SS",
)  # fmt: skip


def _largest_names(a: int) -> list[str]:
    """Main names of a division's largest places, most populous first."""
    gaz = gazetteer()
    return [gaz.name(i) for i in gaz.admin1_largest[a]]


def nameless_counts() -> tuple[int, int, Counter[str]]:
    """(divisions, divisions without a name, those per country)."""
    gaz = gazetteer()
    missing = Counter(a.country_iso2 for a in gaz.admin1s if a.name is None)
    return len(gaz.admin1s), sum(missing.values()), missing


def main(argv: list[str]) -> None:
    """Print the counts and the draft tables."""
    import pycountry

    gaz = gazetteer()
    total, nameless, per_country = nameless_counts()
    countries = argv or list(DEFAULT_COUNTRIES)
    print(f"divisions: {total}, without a name: {nameless}")
    print("without a name, per country asked:", " ".join(f"{cc} {per_country[cc]}" for cc in countries))
    if not argv:
        return
    for cc in countries:
        print(f"\n# {cc}")
        for a, adm in enumerate(gaz.admin1s):
            if adm.country_iso2 == cc:
                print(f"{cc}.{adm.code}\t{adm.name}\t{' | '.join(_largest_names(a))}")
        subs = pycountry.subdivisions.get(country_code=cc) or []  # type: ignore[no-untyped-call]
        print("ISO:", "; ".join(f"{s.code} {s.name}" for s in subs if s.parent_code is None))


if __name__ == "__main__":
    main(sys.argv[1:])
