"""Column headers a reader sees (workbook, HTML and Word report), in English and Indonesian.

The DataFrames keep their identifier columns (``references_pct``, ``n_cases``…): code and CSV
read those.  Only what a person reads gets these headers.  Columns built from data (a case
attribute, ``references: <value>``) keep the data's own words behind a translated prefix.
"""
from __future__ import annotations

from typing import Iterable

__all__ = ["header", "headers"]

_HEADERS = {
    "en": {
        "component": "Component", "label": "Component", "component_key": "Component key", "row_type": "Row", "codes": "Codes",
        "codes_with_references": "Codes with references", "references": "References",
        "references_pct": "% of references", "sources": "Sources", "cases": "Informants",
        "cases_pct": "% of informants", "words_coded": "Words coded", "top_codes": "Most-referenced codes",
        "subcomponent": "Product part", "code_path": "Code path", "level": "Level", "code_name": "Code",
        "parent_name": "Parent code", "description": "Description", "is_leaf": "No subcodes",
        "refs_direct": "References (own)", "refs_aggregated": "References (with subcodes)",
        "n_sources": "Sources", "n_cases": "Informants", "pct_of_component": "% of component",
        "coders": "Coders", "multi_component": "In several components", "mapping_origin": "Mapped by",
        "quote_id": "Quotation", "source": "Source", "case": "Informant", "start": "Start", "end": "End",
        "text": "Quotation text", "other_codes_on_span": "Also coded at", "representative": "Representative",
        "memo": "Memo", "refs": "References (with subcodes)", "type": "Type", "detail": "Detail",
        "key": "Item", "value": "Value", "code": "Code", "guiding_question": "Guiding question",
        "evidence": "Evidence", "informants": "Informants", "top_quotations": "Key quotations",
        "judgement": "Evaluator's judgement", "strengths": "Strengths", "weaknesses": "Weaknesses",
        "recommendations": "Recommendations", "lessons_learned": "Lessons learned",
        "group": "Component", "alpha": "Krippendorff's alpha", "kappa_weighted": "Weighted kappa",
        "agreement_pct_weighted": "% agreement (weighted)", "coder": "Coder", "what": "Element",
        "read": "Read", "counted": "Counted", "note": "Note", "codings": "Codings",
        "prefix:references": "References", "prefix:cases": "Informants", "prefix:cases %": "% informants",
    },
    "id": {
        "component": "Komponen", "label": "Komponen", "component_key": "Kunci komponen", "row_type": "Baris", "codes": "Kode",
        "codes_with_references": "Kode berreferensi", "references": "Referensi",
        "references_pct": "% referensi", "sources": "Sumber", "cases": "Informan",
        "cases_pct": "% informan", "words_coded": "Kata terkode", "top_codes": "Kode terbanyak",
        "subcomponent": "Bagian produk", "code_path": "Jalur kode", "level": "Tingkat", "code_name": "Kode",
        "parent_name": "Kode induk", "description": "Deskripsi", "is_leaf": "Tanpa subkode",
        "refs_direct": "Referensi (sendiri)", "refs_aggregated": "Referensi (dengan subkode)",
        "n_sources": "Sumber", "n_cases": "Informan", "pct_of_component": "% komponen",
        "coders": "Koder", "multi_component": "Di beberapa komponen", "mapping_origin": "Dipetakan oleh",
        "quote_id": "Kutipan", "source": "Sumber", "case": "Informan", "start": "Awal", "end": "Akhir",
        "text": "Teks kutipan", "other_codes_on_span": "Juga dikode pada", "representative": "Representatif",
        "memo": "Memo", "refs": "Referensi (dengan subkode)", "type": "Jenis", "detail": "Rincian",
        "key": "Butir", "value": "Nilai", "code": "Kode", "guiding_question": "Pertanyaan pemandu",
        "evidence": "Bukti", "informants": "Informan", "top_quotations": "Kutipan utama",
        "judgement": "Penilaian evaluator", "strengths": "Kekuatan", "weaknesses": "Kelemahan",
        "recommendations": "Rekomendasi", "lessons_learned": "Pelajaran",
        "group": "Komponen", "alpha": "Alpha Krippendorff", "kappa_weighted": "Kappa tertimbang",
        "agreement_pct_weighted": "% kesepakatan (tertimbang)", "coder": "Koder", "what": "Unsur",
        "read": "Dibaca", "counted": "Dihitung", "note": "Catatan", "codings": "Pengodean",
        "prefix:references": "Referensi", "prefix:cases": "Informan", "prefix:cases %": "% informan",
    },
}
_PREFIXES = ("cases %: ", "references: ", "cases: ")  # longest first: "cases %" before "cases"


def header(column: str, lang: str = "en") -> str:
    """The header a reader sees for the identifier ``column`` (unknown names are kept: they are
    case attributes, named by the researcher)."""
    table = _HEADERS[lang]
    col = str(column)
    if col in table:
        return table[col]
    for prefix in _PREFIXES:
        if col.startswith(prefix):
            return f"{table['prefix:' + prefix[:-2]]}: {col[len(prefix):]}"
    return col


def headers(columns: Iterable[str], lang: str = "en") -> list[str]:
    """:func:`header` for every column, made unique (a reader's header must name one column)."""
    columns = list(columns)
    out: list[str] = []
    seen: set[str] = set()
    both = "component" in columns and "label" in columns  # the overview: the key beside its label
    for col in columns:
        name = _HEADERS[lang]["component_key"] if both and col == "component" else header(col, lang)
        base, n = name, 2
        while name in seen:
            name = f"{base} ({n})"
            n += 1
        seen.add(name)
        out.append(name)
    return out
