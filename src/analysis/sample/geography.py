"""The fictional sample city 示例市: its counties and townships (``regions.csv``).

Province code 99 does not exist in GB/T 2260, so none of these codes is a real place.
Districts use codes 02-03 and counties 21-27, as real cities number them; townships are
the county code plus three digits (街道 in districts, 镇/乡 in counties).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CITY_CODE = "990100"
CITY_NAME = "示例市"

# code, name, short name, number of townships
COUNTIES: tuple[tuple[str, str, str, int], ...] = (
    ("990102", "北塘区", "北塘", 6),
    ("990103", "南湖区", "南湖", 5),
    ("990121", "青山县", "青山", 8),
    ("990122", "河口县", "河口", 7),
    ("990123", "石桥县", "石桥", 7),
    ("990124", "柳溪县", "柳溪", 6),
    ("990125", "松林县", "松林", 8),
    ("990126", "白沙县", "白沙", 6),
    ("990127", "临江县", "临江", 7),
)

# Township name stems; the generator draws without replacement so names are unique city-wide.
_STEMS = (
    "东关",
    "西城",
    "南门",
    "北岭",
    "龙泉",
    "凤鸣",
    "桃源",
    "杏花",
    "金沙",
    "银杏",
    "玉泉",
    "清水",
    "长安",
    "永丰",
    "太平",
    "兴隆",
    "安乐",
    "新塘",
    "古城",
    "双河",
    "三里",
    "五里",
    "七星",
    "九龙",
    "梅林",
    "竹园",
    "荷塘",
    "枫桥",
    "柏树",
    "松岗",
    "石门",
    "铁山",
    "铜锣",
    "望江",
    "观音",
    "白马",
    "黄土",
    "红旗",
    "青龙",
    "云台",
    "东湖",
    "西湖",
    "高桥",
    "平安",
    "和平",
    "丰收",
    "富民",
    "仁和",
    "德胜",
    "文昌",
    "武陵",
    "官渡",
    "马鞍",
    "牛头",
    "鹿鸣",
    "燕子",
    "鹤山",
    "龟山",
    "蛇口",
    "虎跳",
    "狮子",
    "象山",
    "凤凰",
    "麒麟",
    "盘龙",
    "卧龙",
)


def regions(rng: np.random.Generator) -> pd.DataFrame:
    """``regions.csv`` rows: the city, its 9 counties and their townships.

    Columns ``code, name, level, parent, short_name`` (all text; ``parent`` empty for the
    city). Township names are drawn from ``rng`` so they depend on the seed.
    """
    n_towns = sum(n for *_, n in COUNTIES)
    stems = rng.choice(np.array(_STEMS), size=n_towns, replace=False)
    rows = [(CITY_CODE, CITY_NAME, "city", "", "示例")]
    rows += [(code, name, "county", CITY_CODE, short) for code, name, short, _ in COUNTIES]
    k = 0
    for code, name, _, n in COUNTIES:
        district = name.endswith("区")
        for j in range(n):
            stem = str(stems[k])
            k += 1
            suffix = "街道" if district else ("乡" if j >= n - 2 and j % 2 == 0 else "镇")
            rows.append((f"{code}{j + 1:03d}", stem + suffix, "township", code, stem))
    return pd.DataFrame(rows, columns=["code", "name", "level", "parent", "short_name"], dtype=str)


def county_codes() -> list[str]:
    """The nine county codes in catalogue order."""
    return [code for code, *_ in COUNTIES]


def county_names() -> list[str]:
    """The nine county names in catalogue order."""
    return [name for _, name, *_ in COUNTIES]
