"""The page's words in English (``en``) and Indonesian (``id``).

CIPP component names come from :mod:`nvivo_bridge.cipp.labels`, so the page and the CIPP outputs
use the same words.  A missing key falls back to English, then to the key itself.
"""
from __future__ import annotations

from ..cipp.labels import label

__all__ = ["LANGS", "translate", "components_label", "kind_label", "WORDS", "KINDS"]

LANGS = ("en", "id")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "nvivo-bridge", "nav_home": "Projects", "nav_overview": "Overview", "nav_codings": "Codings",
        "nav_cipp": "CIPP mapping", "nav_downloads": "Downloads", "lang_switch": "Bahasa Indonesia",
        "home_intro": "Open a project: a .qdpx, .qde, .qdc or .json file, or the files NVivo exported "
                      "(node exports, codebook, classification sheet) — several files are read as one project. "
                      "Nothing leaves this computer.",
        "drop_here": "Drop files here", "choose_files": "Choose files", "choose_folder": "Choose a folder",
        "uploading": "Uploading", "reading": "Reading the project", "cancel": "Cancel", "cancelled": "Cancelled",
        "failed": "Failed", "done": "Done", "your_projects": "Projects opened in this session",
        "no_projects": "No project yet.", "producer": "Made with", "detected": "recognised as",
        "positions": "Text positions", "found": "What was found", "read_time": "Read in {s} s",
        "warnings": "Warnings", "notes": "Notes", "no_warnings": "No warnings: everything was read as it is.",
        "warnings_intro": "What nvivo-bridge noticed or repaired while reading (nothing was changed in your file).",
        "notes_intro": "For information (what was detected, which rules were used).",
        "ledger": "Ledger", "ledger_intro": "Per kind of element: how many were read, and how many each download wrote "
                        "(– : that file does not list this kind on its own).",
        "kind": "Kind", "read": "Read", "written": "Written", "lost": "not carried over",
        "filter": "Filter", "code": "Code", "source": "Source", "case": "Case", "attribute": "Attribute",
        "value": "Value", "coder": "Coder", "search": "Search in the text", "any": "(any)", "apply": "Apply",
        "reset": "Reset", "matches": "{n} codings", "page_of": "page {p} of {n}", "previous": "Previous",
        "next": "Next", "excerpt": "Excerpt", "span": "Position", "memo": "Memo",
        "cipp_intro": "Which CIPP component does each code belong to? The automatic choice (from code sets and "
                      "the top-level code's name) is shown; change a top-level code to move its whole branch, "
                      "or a single code to override it. The overview and figures follow.",
        "automatic": "automatic", "inherit": "as its parent", "unmapped": "unmapped", "references": "references",
        "save_mapping": "Save the mapping file (for cipp --map)", "overview": "Overview", "figures": "Figures",
        "updating": "Updating…", "downloads_intro": "Each file is made by the same writer as the command line, "
                                                   "from the project and the CIPP mapping decided on the page.",
        "target": "Program that will import it", "make": "Make", "download": "Download",
        "dl_workbook": "Excel workbook (every table)", "dl_csv": "CSV tables (zip)",
        "dl_qdpx": "REFI-QDA project (.qdpx)", "dl_json": "Canonical JSON (the whole model)",
        "dl_codebook_qdc": "Codebook (.qdc)", "dl_codebook_xlsx": "Codebook sheet (.xlsx, editable)",
        "dl_mapping": "CIPP mapping file (.yaml)", "dl_cipp": "CIPP summary workbook",
        "dl_cipp_html": "CIPP report (HTML)", "dl_cipp_docx": "CIPP report (Word)",
        "dl_agreement": "Inter-coder agreement workbook", "jobs": "Files made in this session",
        "not_found": "Not found", "not_ready": "This project is not open yet.", "back": "Back",
        "component": "Component", "error": "Something went wrong", "counted_as": "Counted as",
        "close": "Close (delete its files)",
        "col_codes": "Codes", "col_references": "References", "col_sources": "Sources", "col_cases": "Cases",
        "col_cases_pct": "% of cases", "col_top_codes": "Most referenced codes",
    },
    "id": {
        "title": "nvivo-bridge", "nav_home": "Proyek", "nav_overview": "Ringkasan", "nav_codings": "Pengodean",
        "nav_cipp": "Pemetaan CIPP", "nav_downloads": "Unduhan", "lang_switch": "English",
        "home_intro": "Buka proyek: berkas .qdpx, .qde, .qdc atau .json, atau berkas ekspor NVivo (ekspor node, "
                      "buku kode, lembar klasifikasi) — beberapa berkas dibaca sebagai satu proyek. "
                      "Tidak ada data yang keluar dari komputer ini.",
        "drop_here": "Letakkan berkas di sini", "choose_files": "Pilih berkas", "choose_folder": "Pilih folder",
        "uploading": "Mengunggah", "reading": "Membaca proyek", "cancel": "Batal", "cancelled": "Dibatalkan",
        "failed": "Gagal", "done": "Selesai", "your_projects": "Proyek yang dibuka pada sesi ini",
        "no_projects": "Belum ada proyek.", "producer": "Dibuat dengan", "detected": "dikenali sebagai",
        "positions": "Posisi teks", "found": "Yang ditemukan", "read_time": "Dibaca dalam {s} dtk",
        "warnings": "Peringatan", "notes": "Catatan",
        "no_warnings": "Tidak ada peringatan: semuanya terbaca apa adanya.",
        "warnings_intro": "Hal yang diperhatikan atau diperbaiki nvivo-bridge saat membaca (berkas Anda tidak diubah).",
        "notes_intro": "Sebagai informasi (apa yang dikenali, aturan yang dipakai).",
        "ledger": "Neraca", "ledger_intro": "Per jenis elemen: berapa yang dibaca, dan berapa yang ditulis setiap unduhan "
                        "(– : berkas itu tidak mencantumkan jenis ini tersendiri).",
        "kind": "Jenis", "read": "Dibaca", "written": "Ditulis", "lost": "tidak terbawa",
        "filter": "Saring", "code": "Kode", "source": "Sumber", "case": "Kasus", "attribute": "Atribut",
        "value": "Nilai", "coder": "Koder", "search": "Cari dalam teks", "any": "(semua)", "apply": "Terapkan",
        "reset": "Atur ulang", "matches": "{n} pengodean", "page_of": "halaman {p} dari {n}",
        "previous": "Sebelumnya", "next": "Berikutnya", "excerpt": "Kutipan", "span": "Posisi", "memo": "Memo",
        "cipp_intro": "Setiap kode termasuk komponen CIPP yang mana? Pilihan otomatis (dari set kode dan nama kode "
                      "tingkat atas) ditampilkan; ubah kode tingkat atas untuk memindahkan seluruh cabangnya, atau "
                      "satu kode untuk menimpanya. Ringkasan dan gambar mengikuti.",
        "automatic": "otomatis", "inherit": "seperti induknya", "unmapped": "tidak terpetakan",
        "references": "referensi", "save_mapping": "Simpan berkas pemetaan (untuk cipp --map)",
        "overview": "Ringkasan", "figures": "Gambar", "updating": "Memperbarui…",
        "downloads_intro": "Setiap berkas dibuat oleh penulis yang sama dengan baris perintah, dari proyek dan "
                           "pemetaan CIPP yang ditentukan di halaman ini.",
        "target": "Program yang akan mengimpornya", "make": "Buat", "download": "Unduh",
        "dl_workbook": "Buku kerja Excel (semua tabel)", "dl_csv": "Tabel CSV (zip)",
        "dl_qdpx": "Proyek REFI-QDA (.qdpx)", "dl_json": "JSON kanonik (seluruh model)",
        "dl_codebook_qdc": "Buku kode (.qdc)", "dl_codebook_xlsx": "Lembar buku kode (.xlsx, dapat diedit)",
        "dl_mapping": "Berkas pemetaan CIPP (.yaml)", "dl_cipp": "Buku kerja ringkasan CIPP",
        "dl_cipp_html": "Laporan CIPP (HTML)", "dl_cipp_docx": "Laporan CIPP (Word)",
        "dl_agreement": "Buku kerja kesepakatan antarkoder", "jobs": "Berkas yang dibuat pada sesi ini",
        "not_found": "Tidak ditemukan", "not_ready": "Proyek ini belum dibuka.", "back": "Kembali",
        "component": "Komponen", "error": "Terjadi kesalahan", "counted_as": "Dihitung sebagai",
        "close": "Tutup (hapus berkasnya)",
        "col_codes": "Kode", "col_references": "Referensi", "col_sources": "Sumber", "col_cases": "Kasus",
        "col_cases_pct": "% kasus", "col_top_codes": "Kode dengan referensi terbanyak",
    },
}


#: Element kinds (keys of ``Project.counts()`` and ``info``'s counts) in plain words.
KINDS: dict[str, dict[str, str]] = {
    "en": {"users": "coders (users)", "codes": "codes", "variables": "attributes", "cases": "cases",
           "sources": "sources", "selections": "coded passages (selections)", "codings": "codings",
           "notes": "memos and annotations", "links": "links", "sets": "sets", "graphs": "graphs",
           "text_sources": "text sources", "pdf_sources": "PDF sources", "picture_sources": "pictures",
           "audio_sources": "audio files", "video_sources": "video files", "coded_segments": "distinct coded passages",
           "variable_values": "attribute values", "top_level_codes": "top-level codes", "coders": "coders who coded",
           "text_selections": "text passages", "source_codings": "codings of whole sources",
           "selections_without_positions": "passages without positions", "tables": "tables (matrices)"},
    "id": {"users": "koder (pengguna)", "codes": "kode", "variables": "atribut", "cases": "kasus",
           "sources": "sumber", "selections": "bagian terkode (seleksi)", "codings": "pengodean",
           "notes": "memo dan anotasi", "links": "tautan", "sets": "set", "graphs": "grafik",
           "text_sources": "sumber teks", "pdf_sources": "sumber PDF", "picture_sources": "gambar",
           "audio_sources": "berkas audio", "video_sources": "berkas video",
           "coded_segments": "bagian terkode yang berbeda", "variable_values": "nilai atribut",
           "top_level_codes": "kode tingkat atas", "coders": "koder yang mengode",
           "text_selections": "bagian teks", "source_codings": "pengodean seluruh sumber",
           "selections_without_positions": "bagian tanpa posisi", "tables": "tabel (matriks)"},
}


def kind_label(lang: str, kind: str) -> str:
    """An element kind in plain words (the key itself, spaced, when it has none)."""
    return KINDS.get(lang, {}).get(kind) or KINDS["en"].get(kind) or kind.replace("_", " ")


def components_label(lang: str, components: str) -> str:
    """``"process+input"`` (an assignment's components joined by ``+``) in the page's words;
    empty means unmapped."""
    if not components:
        return translate(lang, "unmapped")
    return " + ".join(translate(lang, c) for c in components.split("+"))


def translate(lang: str, key: str, **values: object) -> str:
    """The word for ``key`` in ``lang`` (CIPP components through the CIPP labels), formatted with
    ``values``."""
    if key in ("context", "input", "process", "product", "other", "exclude"):
        return label(key, lang) if key != "exclude" else {"en": "Exclude", "id": "Kecualikan"}.get(lang, "Exclude")
    text = WORDS.get(lang, {}).get(key) or WORDS["en"].get(key) or key
    return text.format(**values) if values else text
