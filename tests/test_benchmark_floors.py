"""The csv/xlsx floors write rows as wide as nvivo-bridge's Codings sheet, with the same values
where both hold the same thing (so the floor's cost per cell is comparable)."""
from __future__ import annotations

import nvivo_bridge
from benchmarks.floors import WIDE_HEADER, raw_rows
from benchmarks.generate import generate
from nvivo_bridge.sheets import build_tables


def test_wide_floor_rows_match_the_codings_sheet(tmp_path):
    path = generate(60, work=tmp_path)
    rows = raw_rows(path, wide=True)
    codings = build_tables(nvivo_bridge.read(path))["Codings"]
    assert len(WIDE_HEADER) == len(codings.columns) and all(len(r) == len(WIDE_HEADER) for r in rows)
    by_guid = {r[8]: r for r in rows}
    for rec in codings.itertuples(index=False):
        row = by_guid[rec.coding_guid]
        assert (row[0], row[1], row[5], row[7], row[9], row[11]) == \
               (rec.source, rec.selection_guid, rec.coder, rec.text, rec.source_guid, rec.case)
        assert row[10].split("/")[-1] == rec.code_path.split("/")[-1]
