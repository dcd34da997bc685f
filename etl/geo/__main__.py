"""`python -m etl.geo` builds (or checks) the gazetteer cache, e.g. in a CI setup step.

$ python -m etl.geo
gazetteer: 234908 places, 3798 divisions in ~/.cache/conflict-etl/geo-gazetteer-....pickle
"""

from __future__ import annotations

from etl.geo.index import cache_path, gazetteer

if __name__ == "__main__":
    gaz = gazetteer()
    print(f"gazetteer: {len(gaz)} places, {len(gaz.admin1s)} divisions in {cache_path()}")
