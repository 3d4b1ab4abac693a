"""The city workbook (reports/<as-of>/<city>_<as-of>_tables.xlsx): same figures as the notes.

The sample city (data/raw, ingested into a temporary folder) is written once; its 差距分析
sheet is compared with :func:`analysis.gaps.gap_table` cell by cell, status fills with the
statuses, number formats with the figure kinds, and the file is read back by openpyxl,
pandas and (where installed) LibreOffice. The small two-county city of conftest.py gives
hand-worked figures for the 总表 and project sheets.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _batch_data import ingest_sample
from conftest import write_city
from openpyxl import load_workbook

from analysis.cli import main
from analysis.core import catalog
from analysis.core.formatting import rounded
from analysis.data.ingest import ingest
from analysis.gaps import STATUS_COLOURS, gap_table
from analysis.report.tables import STATUS_NAMES
from analysis.report.workbook import city_sheets, read_inputs, workbook_cities, workbook_name
from analysis.report.xlsx import PERCENT, PP, text_width, workbook_bytes

CITY, AS_OF = "990100", "2026-03"
CREATED = datetime(2026, 4, 10, 9, 0, 0)
SHEETS = ["总表", "差距分析", "全年推算", "重点项目", "乡镇周排名", "未按期开工", "约谈名单", "数据校验", "说明"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return ingest_sample(tmp_path_factory.mktemp("wb") / "processed")


@pytest.fixture(scope="module")
def sample_sheets(sample: Path):
    data, findings = read_inputs(sample)
    return city_sheets(data, AS_OF, CITY, findings=findings, fingerprint="f" * 64)


@pytest.fixture(scope="module")
def book_bytes(sample_sheets) -> bytes:
    return workbook_bytes(sample_sheets, CREATED, title="示例市")


@pytest.fixture(scope="module")
def book(book_bytes):
    return load_workbook(io.BytesIO(book_bytes))


@pytest.fixture(scope="module")
def gaps(sample: Path) -> pd.DataFrame:
    data, _ = read_inputs(sample)
    table = gap_table(data["observations"], data["targets"], data["regions"], AS_OF)
    return table[table["parent"] == CITY].reset_index(drop=True)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny")
    assert ingest(write_city(folder / "raw"), folder / "processed").ok
    return folder / "processed"


def _frame(book, name: str, header_row: int = 1) -> pd.DataFrame:
    """A sheet as a frame of the stored cell values (row numbers kept in ``_row``)."""
    ws = book[name]
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    frame = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    frame["_row"] = range(header_row + 1, header_row + 1 + len(frame))
    return frame


# ---------------------------------------------------------------- contents


def test_sheets_in_order(book):
    assert book.sheetnames == SHEETS


def test_gap_sheet_equals_gap_table_cell_by_cell(book, gaps):
    sheet = _frame(book, "差距分析")
    assert len(sheet) == len(gaps) == 9 * 19  # nine counties, nineteen indicator-measure rows
    names = catalog.indicators()["name_zh"]
    measure = {"ytd_value": "累计值", "ytd_growth": "累计增长"}
    key = gaps.assign(指标=gaps["indicator"].map(names), 口径=gaps["measure"].map(measure))
    merged = key.merge(sheet, left_on=["region_code", "指标", "口径"], right_on=["代码", "指标", "口径"],
                       how="outer", validate="one_to_one", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["地区"] == merged["region_name"]).all()
    assert (merged["单位"].fillna("") == merged["unit"]).all()  # dimensionless: an empty cell
    percent = merged["unit"].eq("%") | merged["measure"].eq("ytd_growth")
    merged["places"] = np.where(percent, 1, merged["unit"].map({"亿元": 1, "万千瓦时": 1, "户": 0, "家": 0, "": 2}))
    same_unit = {"实际": "actual", "目标": "target", "较目标": "gap_to_target", "全市": "city_value"}
    pp = {"较时序进度(百分点)": "gap_to_schedule_pp", "较一季度进度(百分点)": "q1_gap_to_schedule_pp",
          "较全市(百分点)": "gap_to_city_pp", "落后幅度(百分点)": "shortfall_pp"}
    rates = {"完成率": "completion_rate", "时序进度": "schedule_progress", "一季度目标完成率": "q1_completion_rate",
             "一季度时序进度": "q1_schedule_progress", "占全市比重": "share_of_city"}
    for _, row in merged.iterrows():
        where = f"{row['region_code']} {row['indicator']} {row['measure']}"
        checks = [(h, c, int(row["places"])) for h, c in same_unit.items()]
        checks += [(h, c, 1) for h, c in pp.items()]
        for header, column, decimals in checks:
            _same(row[header], row[column], decimals, f"{where} {header}")
        for header, column in rates.items():  # fractions, one decimal of a percent
            _same(None if row[header] is None else 100 * row[header], 100 * row[column], 1, f"{where} {header}")
        for header, column in {"全市排名": "rank", "排名县区数": "n_peers", "位次较1-2月": "rank_change"}.items():
            assert _none_or(row[header]) == (None if pd.isna(row[column]) else int(row[column])), where
        assert row["状态"] == STATUS_NAMES[row["status"]], where
        assert (row["短板"] == "是") == bool(row["lagging"]), where


def _none_or(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _same(cell, value: float, decimals: int, where: str) -> None:
    """The cell holds ``value`` as the notes print it, and is within half a last digit of it."""
    if pd.isna(value):
        assert _none_or(cell) is None, where
        return
    assert isinstance(cell, int | float), f"{where}: {cell!r} is not a number"
    assert cell == pytest.approx(rounded(value, decimals), abs=1e-9), where
    assert abs(cell - value) <= 0.5 * 10 ** -decimals + 1e-9, where


def test_gap_sheet_hand_worked_row(book):
    """北塘区 固定资产投资 1-3月: 84.03亿元 of an annual 380.08 (22.1%), 2.9 pp behind the 25%
    schedule, but 99.5% of its Q1 target (0.5 pp behind the quarter), so amber (关注)."""
    sheet = _frame(book, "差距分析")
    row = sheet[(sheet["代码"] == "990102") & (sheet["指标"] == "固定资产投资") & (sheet["口径"] == "累计值")].iloc[0]
    assert (row["实际"], row["目标"], row["较目标"]) == (84.0, 380.1, -296.0)
    assert (row["完成率"], row["时序进度"], row["较时序进度(百分点)"]) == (0.221, 0.25, -2.9)
    assert (row["一季度目标完成率"], row["较一季度进度(百分点)"]) == (0.995, -0.5)
    assert (row["状态"], row["判定依据"], row["全市排名"]) == ("关注", "一季度目标进度", 1)


def test_status_fills_match_statuses(book, gaps):
    ws, sheet = book["差距分析"], _frame(book, "差距分析")
    column = list(sheet.columns).index("状态") + 1
    words = {v: k for k, v in STATUS_NAMES.items()}
    assert set(sheet["状态"]) >= {"正常", "关注", "落后", "无数据"}
    for _, row in sheet.iterrows():
        cell = ws.cell(row=row["_row"], column=column)
        assert cell.fill.fgColor.rgb == "FF" + STATUS_COLOURS[words[cell.value]].lstrip("#").upper()
    counts = sheet["状态"].map(words).value_counts().sort_index()
    assert counts.to_dict() == gaps["status"].value_counts().sort_index().to_dict()


def test_number_formats_on_growth_and_gap_columns(book):
    ws, sheet = book["差距分析"], _frame(book, "差距分析")
    col = {h: list(sheet.columns).index(h) + 1 for h in sheet.columns if h != "_row"}
    for _, row in sheet.iterrows():
        r = row["_row"]
        growth = row["口径"] == "累计增长" or row["单位"] == "%"
        actual = ws.cell(row=r, column=col["实际"])
        expected = "0.0" if growth else {"亿元": "#,##0.0", "万千瓦时": "#,##0.0", "户": "#,##0", "家": "#,##0",
                                         "": "#,##0.00"}[row["单位"] or ""]
        assert actual.number_format == expected, (r, row["指标"])
        assert ws.cell(row=r, column=col["较全市(百分点)"]).number_format == PP
        assert ws.cell(row=r, column=col["较时序进度(百分点)"]).number_format == PP
        assert ws.cell(row=r, column=col["完成率"]).number_format == PERCENT
        if growth:
            assert ws.cell(row=r, column=col["较目标"]).number_format == PP
        if actual.value is not None:
            assert actual.data_type == "n"  # numbers, never text
    assert PP == "+#,##0.0;-#,##0.0;0.0"


def test_summary_sheet_city_first_then_counties_by_rank(book, gaps):
    from analysis.report.headline import overall_rank

    ws = book["总表"]
    assert ws["A1"].value is None and ws["A2"].value == "排名"
    assert ws["D1"].value == "规上工业增加值" and ws["D2"].value == "累计增长(%)"
    assert "D1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.freeze_panes == "D3" and ws.auto_filter.ref == f"A2:{ws.cell(2, ws.max_column).column_letter}12"
    body = list(ws.iter_rows(min_row=3, max_col=3, values_only=True))
    assert body[0] == (None, "示例市", CITY)
    ranks = overall_rank(gaps)
    assert [r[2] for r in body[1:]] == sorted(ranks.index, key=lambda c: (ranks[c], c))
    assert [r[0] for r in body[1:]] == [int(ranks[c]) for c in sorted(ranks.index, key=lambda c: (ranks[c], c))]
    # 固定资产投资 is judged on completion: 累计值, 完成率, 较时序进度, 排名, 状态 (北塘区 as above).
    heads = [c.value for c in ws[2]]
    fai = heads.index("完成率") - 1
    row = next(r for r in ws.iter_rows(min_row=3) if r[2].value == "990102")
    assert [c.value for c in row[fai:fai + 5]] == [84.0, 0.221, -2.9, 1, "关注"]
    assert row[fai + 4].fill.fgColor.rgb == "FFE69B00"


def test_summary_mixed_blocks_on_the_small_city(tiny):
    """青山县 has an annual 固定资产投资 target (25亿元 of 120 = 20.8%, 4.2 pp behind the 25%
    schedule: red); 河口县 has none, so its headline is growth (7.1% vs the city's 7.5%)."""
    data, findings = read_inputs(tiny)
    sheets = {s.name: s for s in city_sheets(data, AS_OF, CITY, findings=findings)}
    ws = load_workbook(io.BytesIO(workbook_bytes([sheets["总表"]], CREATED)))["总表"]
    groups = [c.value for c in ws[1] if c.value]
    assert [c.value for c in ws[2]][:3] == ["排名", "地区", "代码"]
    assert "固定资产投资（完成目标）" in groups and "固定资产投资（增速）" in groups
    rows = {r[2]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    start = [c.value for c in ws[1]].index("固定资产投资（完成目标）")
    assert rows["990101"][start:start + 5] == (25.0, 0.208, -4.2, 1, "落后")
    assert rows["990102"][start:start + 5] == (None,) * 5  # no target: nothing in this block
    growth = [c.value for c in ws[1]].index("固定资产投资（增速）")
    assert rows["990102"][growth:growth + 4] == (7.1, -0.4, 2, "关注")
    assert rows[CITY][:3] == (None, "示例市", CITY)


def test_project_sheets_hand_worked(tiny):
    """青山县: P001 started, P002 (planned 10 March) not: 开工率 1/2; 9,000 of 70,000万元 is
    12.9%, 12.1 pp behind 25%, so no 双90. 河口县: P003 started, 8,000.5 of 30,000 = 26.7%."""
    data, findings = read_inputs(tiny)
    sheets = {s.name: s for s in city_sheets(data, AS_OF, CITY, findings=findings)}
    book = load_workbook(io.BytesIO(workbook_bytes(list(sheets.values()), CREATED)))
    county = _frame(book, "重点项目").set_index("代码")
    assert county.loc["990101", ["已开工", "开工率", "完成投资(万元)", "投资完成率", "较时序进度(百分点)", "双90"]].tolist() \
        == [1, 0.5, 9000, 0.129, -12.1, "未达标"]
    assert county.loc["990102", ["开工率", "完成投资(万元)", "投资完成率", "较时序进度(百分点)", "双90"]].tolist() \
        == [1.0, 8001, 0.267, 1.7, "达标"]
    assert county.loc["990101", "前三乡镇"] == "青山镇、柳林乡"
    late = _frame(book, "未按期开工")
    assert late[["项目编号", "县区", "乡镇", "延期天数"]].values.tolist() == [["P002", "青山县", "柳林乡", 21]]
    assert late["计划开工日期"].iloc[0] == datetime(2026, 3, 10)
    towns = _frame(book, "乡镇周排名")
    assert towns[["乡镇", "本周排名", "本周完成投资(万元)", "末位", "连续两周末位"]].values.tolist() == [
        ["青山镇", 1, 800, "否", "否"], ["柳林乡", 2, 0, "是", "否"]]
    assert book["约谈名单"]["A2"].value == "没有连续两周排名末位的乡镇"
    checks = _frame(book, "数据校验")
    assert checks[["级别", "文件", "位置"]].values.tolist() == [["警告", "河口县.csv", "F6"]]
    assert book["数据校验"]["A2"].fill.fgColor.rgb == "FF" + STATUS_COLOURS["amber"].lstrip("#").upper()


def test_outlook_sheet_uses_the_recommended_projection(book, sample):
    from analysis.projection.outlook import annual_outlook, panel_projection

    data, _ = read_inputs(sample)
    sheet = _frame(book, "全年推算")
    assert set(sheet["代码"]) == {CITY, *[c for c, _ in _counties(data)]}
    row = sheet[(sheet["代码"] == "990102") & (sheet["指标"] == "固定资产投资")].iloc[0]
    obs = data["observations"]
    # the briefing's path: the city's panel of counties (nine in the sample)
    panel = panel_projection(obs, data["regions"], "990102", "fai", AS_OF, data.get("backtest"), True)
    out = annual_outlook(obs[obs["region_code"] == "990102"], data["targets"], "990102", "fai", AS_OF,
                         0.30, data.get("backtest"), recommended_only=True, panel=panel)
    assert out.basis == "panel"
    best, pace = out.recommended, out.pace.iloc[0]
    assert row["全年推算"] == rounded(best["estimate"], 1) and row["80%区间下限"] == rounded(best["lower"], 1)
    assert row["隐含1-3月占全年比重"] == pytest.approx(rounded(100 * best["implied_q1_share"], 1) / 100)
    assert row["假定占比"] == 0.3 and row["全年目标"] == 380.1 and row["1-3月累计"] == 84.0
    assert row["完成全年目标4-12月需增长(%)"] == rounded(pace["required_growth_pct"], 1)


def _counties(data) -> list[tuple[str, str]]:
    regions = data["regions"]
    counties = regions[(regions["level"] == "county") & (regions["parent"] == CITY)]
    return list(zip(counties["code"], counties["name"], strict=True))


def test_notes_sheet_states_the_delivery(book):
    notes = dict(_frame(book, "说明")[["项目", "内容"]].values.tolist())
    assert notes["数据截至"] == "2026年3月（2026年1-3月累计）"
    assert notes["数据指纹（SHA-256）"] == "f" * 64
    assert notes["项目台账填报日期"] == "2026-03-31" and notes["乡镇周报截至"] == "2026-03-29"
    assert notes["程序版本"].startswith("q1brief ")


# ---------------------------------------------------------------- layout and file


def test_text_width_counts_cjk_double():
    assert text_width("固定资产投资") == 12
    assert text_width("abc 1.5") == 7
    assert text_width("（百分点）") == 10


def test_layout_frozen_filtered_fitted_and_printable(book):
    for ws in book:
        header = 2 if ws.title == "总表" else 1
        assert ws.freeze_panes.endswith(str(header + 1)), ws.title
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == f"$1:${header}"
        if ws.title != "说明":
            assert ws.auto_filter.ref.endswith(str(ws.max_row)), ws.title
    ws = book["差距分析"]
    widths = {ws.cell(1, j).value: ws.column_dimensions[ws.cell(1, j).column_letter].width
              for j in range(1, ws.max_column + 1)}
    assert widths["指标"] >= text_width("战略性新兴产业产值占比")  # the longest name fits
    assert widths["地区"] >= text_width("北塘区")


def test_same_data_same_bytes_but_the_creation_time(sample_sheets, book_bytes):
    assert workbook_bytes(sample_sheets, CREATED, title="示例市") == book_bytes
    later = workbook_bytes(sample_sheets, datetime(2026, 5, 1, 8, 30, tzinfo=UTC), title="示例市")
    a, b = zipfile.ZipFile(io.BytesIO(book_bytes)), zipfile.ZipFile(io.BytesIO(later))
    assert a.namelist() == b.namelist()
    assert [n for n in a.namelist() if a.read(n) != b.read(n)] == ["docProps/core.xml"]
    assert {i.date_time for i in a.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = a.read("docProps/core.xml").decode()
    assert core.count("2026-04-10T09:00:00Z") == 2  # created and modified


def test_round_trip_through_openpyxl_keeps_every_cell(book_bytes):
    first = load_workbook(io.BytesIO(book_bytes))
    buffer = io.BytesIO()
    first.save(buffer)
    second = load_workbook(io.BytesIO(buffer.getvalue()))
    assert second.sheetnames == first.sheetnames
    for name in first.sheetnames:
        assert list(first[name].values) == list(second[name].values), name
        assert first[name].merged_cells.ranges == second[name].merged_cells.ranges


def test_pandas_reads_numbers_as_numbers(book_bytes):
    sheet = pd.read_excel(io.BytesIO(book_bytes), sheet_name="差距分析", dtype={"代码": str})
    for column in ["实际", "完成率", "较全市(百分点)", "全市排名"]:
        assert pd.api.types.is_numeric_dtype(sheet[column]), column
    assert sheet["代码"].str.fullmatch(r"\d{6}").all()


@pytest.mark.slow
def test_libreoffice_opens_it_without_repair(book_bytes, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui")
    source = tmp_path / "in" / "tables.xlsx"
    source.parent.mkdir()
    source.write_bytes(book_bytes)
    out = tmp_path / "out"
    done = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                           "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    converted = load_workbook(out / "tables.xlsx")
    original = load_workbook(io.BytesIO(book_bytes))
    assert converted.sheetnames == original.sheetnames
    for name in original.sheetnames:
        theirs = list(converted[name].values)
        assert len(theirs) == original[name].max_row, name
        for mine, other in zip(original[name].values, theirs, strict=False):
            assert [_plain(v) for v in mine] == [_plain(v) for v in other[:len(mine)]], name


def _plain(value):
    if isinstance(value, datetime):
        return value.date()
    return round(value, 9) if isinstance(value, float) else value


# ---------------------------------------------------------------- command line


def test_cli_writes_the_workbook_for_every_city(tiny, tmp_path, capsys):
    assert main(["workbook", "--as-of", AS_OF, "--processed-dir", str(tiny), "--out", str(tmp_path)]) == 0
    path = tmp_path / AS_OF / workbook_name(CITY, AS_OF)
    assert capsys.readouterr().out.strip() == str(path.resolve())
    assert load_workbook(path).sheetnames == SHEETS
    single = tmp_path / "mine.xlsx"
    assert main(["workbook", "--as-of", AS_OF, "--processed-dir", str(tiny), "--out", str(single),
                 "--city", CITY]) == 0
    assert single.is_file()


def test_cli_bad_input_says_why(tiny, capsys):
    assert main(["workbook", "--as-of", "2026-01", "--processed-dir", str(tiny), "--out", "x.xlsx"]) == 2
    assert "use 2026-02" in capsys.readouterr().err
    assert main(["workbook", "--as-of", AS_OF, "--processed-dir", str(tiny), "--city", "990101"]) == 2
    assert "no city 990101" in capsys.readouterr().err


def test_workbook_cities_are_cities_with_counties(tiny):
    data, _ = read_inputs(tiny)
    assert workbook_cities(data["regions"]) == [(CITY, "示例市")]
