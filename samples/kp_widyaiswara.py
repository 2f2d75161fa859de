"""The "KP Widyaiswara" study of docs/cipp.md §5 as a pure model project.

A community of practice (komunitas praktisi, KP) of widyaiswara (government trainers) evaluated
with the CIPP model: six informants I1–I6 with typed attributes, one interview transcript each
(Indonesian, CRLF line ends, a few non-ASCII characters and emoji), the 26-code tree of §5, two
coders (R1 codes everything, R2 re-codes one I3 span), memos, an annotation and a set.

The coded segments are built together with the transcript text, so every selection is a real
substring and the counts reproduce the expected table of §5 exactly:
Konteks 15 refs / 6 cases, Masukan 9/6, Proses 14/5, Produk 10/6, Other 2/2; 50 code-references,
49 distinct segments, 51 raw codings.  Planted edge cases (a)–(f) are marked below.

``build_project()`` does no I/O and is deterministic (fixed GUIDs and dates).
"""
from __future__ import annotations

from typing import Optional

from nvivo_bridge.model import (Case, Code, Coding, Link, Note, Project, Selection, Set, Source,
                                User, Variable, VariableValue)

__all__ = ["build_project", "CODE_KEYS"]

CRLF = "\r\n"


def _g(prefix: str, n: int) -> str:
    """A fixed lower-case GUID, e.g. ``c0de0000-0000-4000-8000-000000000003``."""
    return f"{prefix:0<8}-0000-4000-8000-{n:012d}"


R1, R2 = _g("05e4", 1), _g("05e4", 2)

# key, name, parent key, description, colour
_CODES = [
    ("K", "Konteks (Context)", None, "Evaluasi konteks: kebutuhan, masalah, tujuan dan dukungan lembaga.", "#1F77B4"),
    ("K1", "Kebutuhan pengembangan kompetensi WI", "K", "Kebutuhan kompetensi widyaiswara yang melatarbelakangi KP.", "#4C96CC"),
    ("K2", "Masalah berbagi pengetahuan", "K", "Hambatan berbagi pengetahuan sebelum/di luar KP.", "#6FAAD6"),
    ("K3", "Tujuan komunitas praktisi", "K", "Tujuan KP menurut informan.", "#92BFE0"),
    ("K4", "Dukungan kebijakan lembaga", "K", "Dasar hukum dan kebijakan yang mendukung KP.", "#B5D4EA"),
    ("M", "Masukan (Input)", None, "Evaluasi masukan: SDM, anggaran, sarana, rencana.", "#FF7F0E"),
    ("M1", "Sumber daya manusia", "M", "Fasilitator dan narasumber.", "#FF9A40"),
    ("M2", "Anggaran", "M", "Anggaran sebagai sumber daya.", "#FFB066"),
    ("M3", "Sarana & platform daring", "M", "Sarana prasarana dan platform daring.", "#FFC48C"),
    ("M4", "Rencana & jadwal", "M", "Rencana kegiatan dan jadwal.", "#FFD8B3"),
    ("P", "Proses (Process)", None, "Evaluasi proses: pelaksanaan kegiatan KP.", "#2CA02C"),
    ("P1", "Pelaksanaan sesi berbagi", "P", "Bagaimana sesi berbagi dilaksanakan.", "#4DB34D"),
    ("P2", "Partisipasi anggota", "P", "Tema: keterlibatan anggota (dikode lewat anak-anaknya).", "#6EC46E"),
    ("P2a", "\u201cbelajar bareng\u201d", "P2", "Kode in vivo: istilah anggota untuk suasana belajar setara.", "#8FD48F"),
    ("P2b", "Hambatan waktu", "P2", "Bentrok jadwal dan keterbatasan waktu.", "#B0E3B0"),
    ("P3", "Peran koordinator", "P", "Peran koordinator dalam menggerakkan anggota.", "#5BBF5B"),
    ("P4", "Anggaran", "P", "Anggaran sebagai kendala pelaksanaan.", "#7FCC7F"),
    ("D", "Produk (Product)", None, "Evaluasi produk: dampak, efektivitas, keberlanjutan, transportabilitas.", "#D62728"),
    ("D1", "Dampak", "D", "Impact: apakah penerima manfaat yang tepat terjangkau.", "#DE5253"),
    ("D2", "Efektivitas", "D", "Effectiveness: mutu dan makna hasil (kategori).", "#E67D7E"),
    ("D2a", "Peningkatan kompetensi mengajar", "D2", "Perubahan praktik mengajar anggota.", "#EEA8A9"),
    ("D2b", "Produk pengetahuan", "D2", "Modul, artikel, e-book yang dihasilkan.", "#F2BDBE"),
    ("D3", "Keberlanjutan", "D", "Sustainability: pelembagaan kegiatan.", "#E34F50"),
    ("D4", "Transportabilitas", "D", "Transportability: adaptasi di tempat lain (indikator a-priori).", "#F6D3D3"),
    ("T", "Temuan Lain (Other findings)", None, "Temuan di luar kerangka CIPP.", "#7F7F7F"),
    ("T1", "Motivasi pribadi", "T", "Alasan pribadi mengikuti KP.", "#A5A5A5"),
]
CODE_KEYS = {key: _g("c0de", i + 1) for i, (key, *_rest) in enumerate(_CODES)}

# name, Peran, Jenjang (None = missing), JK, Masa_kerja, description, interview date
_CASES = [
    ("I1", "Pengurus", "Ahli Utama", "P", 24, "Pengurus (koordinator KP)", "2024-05-13"),
    ("I2", "Pengurus", "Ahli Madya", "L", 15, "Pengurus (sekretaris KP)", "2024-05-14"),
    ("I3", "Anggota", "Ahli Madya", "P", 12, "Anggota KP", "2024-05-15"),
    ("I4", "Anggota", "Ahli Muda", "L", 7, "Anggota KP", "2024-05-16"),
    ("I5", "Anggota", "Ahli Pertama", "P", 2, "Anggota KP", "2024-05-17"),
    ("I6", "Pimpinan", None, "L", 20, "Pimpinan (Kepala Bidang, jabatan struktural)", "2024-05-20"),
]


class _C:
    """A coded piece of an answer: its text, its code keys and per-piece options."""

    def __init__(self, text: str, *codes: str, memo: Optional[str] = None, r2: bool = False,
                 annotate: Optional[str] = None):
        self.text, self.codes, self.memo, self.r2, self.annotate = text, codes, memo, r2, annotate


# Each interview: list of (question, answer pieces); a piece is plain text or a coded _C.
_I1_OPEN = ("Pewawancara: Selamat pagi, Bu Ratna. Bagaimana sesi berbagi di komunitas ini dilaksanakan, Bu?"
            + CRLF + "I1: ")
# Edge (c): two overlapping Pelaksanaan spans, characters 100–250 and 200–300 of I1.
_I1_A = "Sesi berbagi kami adakan dua kali sebulan, biasanya pada hari Jumat sore setelah jam mengajar usai. "
_I1_B = "Setiap sesi dipandu oleh satu widyaiswara senior. "
_I1_C = "Peserta membawa satu kasus nyata dari ruang kelas."

_INTERVIEWS: dict[str, list] = {
    "I1": [
        (None, [_I1_A + _I1_B + _I1_C, " Lalu kasus itu kami bedah bersama."]),
        ("Apa yang mendorong dibentuknya komunitas ini?", [
            _C("Banyak widyaiswara belum pernah ikut pelatihan metodologi pembelajaran orang dewasa sejak diangkat.", "K1"),
            " ",
            _C("Kompetensi mengajar daring juga tertinggal \u2014 terutama sejak pandemi.", "K1"),
            " ",
            _C("Tujuan kami sederhana: menjadi wadah belajar sesama widyaiswara agar praktik baik tidak hilang.", "K3")]),
        ("Siapa fasilitatornya, dan bagaimana rencananya disusun?", [
            _C("Fasilitatornya widyaiswara Ahli Madya dan Ahli Utama yang sudah bersertifikat TOT.", "M1"),
            " ",
            _C("Rencana kegiatan kami susun tiap Januari, lengkap dengan jadwal dan tema per bulan.", "M4")]),
        ("Kendala apa yang muncul saat pelaksanaan?", [
            _C("Dana konsumsi untuk sesi tatap muka sering belum cair, jadi kami patungan dulu.", "P4",
               memo="Anggaran muncul dua kali: sebagai masukan (I2, I6) dan sebagai kendala proses (I1).")]),
        ("Hasil apa yang sudah terlihat?", [
            _C("Alumni pelatihan memberi umpan balik bahwa cara mengajar kami lebih interaktif.", "D1"),
            " ",
            _C("Kami sudah menerbitkan dua modul dan satu artikel jurnal dari hasil diskusi.", "D2b"),
            " ",
            _C("Ke depan kami ingin kegiatan ini masuk rencana kerja tahunan Bidang, supaya tidak bergantung pada saya saja.", "D3")]),
    ],
    "I2": [
        ("Apa masalah berbagi pengetahuan sebelum ada komunitas, Pak Budi?", [
            _C("Dulu pengetahuan hanya beredar di grup WhatsApp dan cepat tenggelam; tidak ada yang mendokumentasikan.", "K2")]),
        ("Menurut Bapak, apa tujuan komunitas ini?", [
            _C("Tujuannya membangun budaya saling belajar, bukan sekadar memenuhi angka kredit.", "K3")]),
        ("Bagaimana dengan sumber dayanya?", [
            _C("Fasilitator internal kami ada enam orang.", "M1"), " ",
            _C("Kami juga mengundang narasumber dari LAN untuk topik tertentu.", "M1"), " ",
            _C("Anggarannya menumpang pada DIPA pengembangan kompetensi, jumlahnya kecil.", "M2")]),
        ("Bagaimana sesi-sesinya berjalan?", [
            _C("Saya mencatat notulen setiap sesi dan mengunggahnya ke drive bersama.", "P1"), " ",
            _C("Koordinator rajin mengingatkan anggota lewat pesan pribadi\u2014itu sangat membantu.", "P3")]),
        ("Adakah produk yang dihasilkan?", [
            _C("Ada kumpulan \u201cpraktik baik\u201d yang kami susun menjadi e-book internal.", "D2b")]),
    ],
    "I3": [
        ("Apa kebutuhan Ibu ketika bergabung?", [
            _C("Saya butuh teman diskusi untuk merancang studi kasus yang sesuai dengan peserta.", "K1")]),
        ("Bagaimana sarana yang dipakai?", [
            _C("Kami memakai Zoom dan Google Drive; platformnya cukup, hanya sinyal di daerah kadang lemah.", "M3")]),
        ("Seperti apa suasana sesinya?", [
            _C("Sesinya santai, seperti ngobrol di caf\u00e9 \U0001F60A, tetapi tetap ada catatan.", "P1"), " ",
            _C("Istilah kami \u201cbelajar bareng\u201d, jadi tidak ada yang merasa digurui.", "P2a"), " ",
            _C("Masalahnya jadwal mengajar saya padat, kadang saya hanya ikut setengah sesi.", "P2b"), " ",
            _C("Koordinator selalu menyiapkan topik, sehingga kami tinggal datang.", "P3")]),
        ("Apa yang berubah setelah ikut komunitas?", [
            # Edge (b): this span is coded identically by R1 and R2.
            _C("Setelah ikut, saya berani memakai metode studi kasus dan role play di kelas.", "D2a", r2=True),
            " ",
            _C("Nilai evaluasi pengajar dari peserta naik dari 3,8 menjadi 4,3.", "D2a",
               annotate="Perlu dicek ke data evaluasi penyelenggaraan: angka dari ingatan informan.")]),
    ],
    "I4": [
        ("Apa kebutuhan Bapak sebagai widyaiswara muda?", [
            _C("Sebagai Ahli Muda saya perlu belajar dari senior tentang cara menyusun bahan ajar.", "K1")]),
        ("Apa kesulitan berbagi pengetahuan di lembaga?", [
            _C("Senior kadang enggan membagikan bahan ajarnya karena dianggap milik pribadi.", "K2"), " ",
            # Edge (a): one span coded at both Masalah berbagi and Hambatan waktu.
            _C("Kami sulit berbagi karena jadwal penugasan ke daerah tidak pernah sama.", "K2", "P2b",
               memo="Satu segmen, dua kode: masalah berbagi sekaligus hambatan waktu.")]),
        ("Bagaimana sarana daringnya?", [
            _C("Grup daring memudahkan kami mengakses rekaman sesi yang terlewat.", "M3")]),
        ("Bagaimana partisipasi Bapak?", [
            _C("Kalau \u201cbelajar bareng\u201d, saya lebih berani bertanya.", "P2a"), " ",
            _C("Waktu adalah hambatan terbesar \u2014 kadang sesi bentrok dengan diklat yang saya ampu.", "P2b")]),
        ("Apa manfaatnya bagi Bapak?", [
            _C("Saya jadi bisa membuat kuis interaktif untuk kelas daring.", "D2a")]),
        ("Mengapa Bapak tetap aktif?", [
            _C("Saya ikut karena ingin naik jenjang dan butuh portofolio.", "T1")]),
    ],
    "I5": [
        ("Apa kebutuhan Mbak Eka saat bergabung?", [
            _C("Saya baru dua tahun menjadi widyaiswara, jadi masih meraba cara mengelola kelas.", "K1"), " ",
            _C("Saya juga perlu bimbingan menulis karya tulis ilmiah untuk angka kredit.", "K1")]),
        ("Bagaimana platform daringnya?", [
            _C("Platform daringnya mudah dipakai, tautannya selalu dikirim sehari sebelumnya.", "M3")]),
        ("Bagaimana Mbak mengikuti sesi?", [
            _C("Suasana \u201cbelajar bareng\u201d membuat saya tidak malu walaupun paling junior.", "P2a"), " ",
            _C("Tetapi sesi Jumat sore sering bersamaan dengan tugas administrasi.", "P2b")]),
        ("Apa yang Mbak rasakan berubah?", [
            _C("Kemampuan saya membuka kelas dan memancing diskusi meningkat.", "D2a")]),
        ("Apa yang membuat Mbak bertahan?", [
            _C("Secara pribadi saya memang senang belajar hal baru \U0001F642.", "T1")]),
    ],
    "I6": [
        ("Bagaimana Bapak melihat kondisi lembaga saat ini?", [
            # Edge (f): the Context parent is coded directly.
            _C("Lembaga kami sedang bertransformasi menjadi corporate university, jadi pengembangan widyaiswara "
               "menjadi prioritas.", "K", memo="Kode induk dipakai langsung: pernyataan umum tentang konteks lembaga.")]),
        ("Apa harapan Bapak terhadap komunitas ini?", [
            _C("Komunitas ini kami harapkan menjadi motor peningkatan mutu pembelajaran.", "K3")]),
        ("Adakah kebijakan yang mendukung?", [
            _C("Sudah ada surat keputusan Kepala Badan tentang pembentukan komunitas praktisi.", "K4"), " ",
            _C("Kebijakan 20 JP pengembangan kompetensi per tahun juga mendukung kegiatan ini.", "K4")]),
        ("Bagaimana dengan anggarannya?", [
            _C("Untuk tahun depan kami alokasikan anggaran khusus, walaupun belum besar.", "M2")]),
        ("Apa hasil yang Bapak lihat?", [
            _C("Saya melihat keluhan peserta tentang metode ceramah berkurang.", "D1"), " ",
            _C("Kegiatan ini akan kami masukkan ke rencana strategis, agar berlanjut siapa pun pimpinannya.", "D3")]),
    ],
}


class _Counter:
    """Hands out sequential numbers for selection/coding/note GUIDs."""

    def __init__(self) -> None:
        self.sel = self.cod = self.note = 0


def _build_source(case: str, n: int, date: str, ids: _Counter, notes: dict, links: dict) -> Source:
    """Build one transcript and its selections, recording positions as the text is assembled."""
    src_guid = _g("50c0", n)
    parts: list[str] = []
    pos = 0
    selections: list[Selection] = []
    when = f"{date}T14:{n:02d}:00Z"

    def add(text: str) -> None:
        nonlocal pos
        parts.append(text)
        pos += len(text)

    def selection(start: int, end: int, codes: tuple, user: str, at: str, memo: Optional[str]) -> Selection:
        ids.sel += 1
        sel = Selection(_g("5e10", ids.sel), kind="text", start=start, end=end,
                        meta={"creatingUser": user, "creationDateTime": at})
        for key in codes:
            ids.cod += 1
            coding = Coding(_g("c0d1", ids.cod), CODE_KEYS[key], creating_user=user, created=at)
            if memo:
                ids.note += 1
                note = Note(_g("0e7e", ids.note), f"Memo {case} {ids.note}", text=memo,
                            meta={"creatingUser": user, "creationDateTime": at})
                notes[note.guid] = note
                coding.note_refs.append(note.guid)
                memo = None  # one memo per segment, on its first coding
            sel.codings.append(coding)
        return sel

    for question, pieces in _INTERVIEWS[case]:
        if question is None:
            add(_I1_OPEN)
        else:
            add("Pewawancara: " + question + CRLF + f"{case}: ")
        for piece in pieces:
            if isinstance(piece, str):
                add(piece)
                continue
            start = pos
            add(piece.text)
            selections.append(selection(start, pos, piece.codes, R1, when, piece.memo))
            if piece.r2:
                selections.append(selection(start, pos, piece.codes, R2, "2024-06-03T09:30:00Z", None))
            if piece.annotate:
                ids.note += 1
                ann = Note(_g("0e7e", ids.note), f"Anotasi {case}", text=piece.annotate,
                           meta={"creatingUser": R2, "creationDateTime": "2024-06-03T09:40:00Z"})
                notes[ann.guid] = ann
                link_guid = _g("1114", len(links) + 1)
                links[link_guid] = Link(link_guid, "annotates", "OneWay", origin=ann.guid,
                                        target=selections[-1 - int(piece.r2)].guid)
        add(CRLF)
    text = "".join(parts)
    if case == "I1":
        a = text.index(_I1_A)
        assert a == 100 and text[200:250] == _I1_B, "I1 overlap spans moved"
        selections.insert(0, selection(100, 250, ("P1",), R1, when, None))
        selections.insert(1, selection(200, 300, ("P1",), R1, when, None))
    return Source(src_guid, f"Wawancara_{case}", kind="text", text=text,
                  plain_text_path=f"internal://{src_guid}.txt", selections=selections,
                  meta={"creatingUser": R1, "creationDateTime": f"{date}T09:00:00Z"})


def build_project() -> Project:
    """Build the KP Widyaiswara project (positions in code points, CRLF line ends)."""
    p = Project(name="KP Widyaiswara", origin="nvivo-bridge sample (synthetic)",
                creating_user=R1, created="2024-05-10T08:00:00Z", modifying_user=R2,
                modified="2024-06-03T10:00:00Z",
                description="Evaluasi CIPP komunitas praktisi widyaiswara: enam informan, dua koder. "
                            "Data sintetis untuk contoh dan pengujian.")
    p.users = {R1: User(R1, "R1", id="R1"), R2: User(R2, "R2", id="R2")}
    for key, name, parent, desc, color in _CODES:
        g = CODE_KEYS[key]
        p.codes[g] = Code(g, name, is_codable=True, color=color, description=desc,
                          parent=CODE_KEYS[parent] if parent else None)
    var_specs = [("Peran", "Text", "Peran dalam komunitas praktisi"), ("Jenjang", "Text", "Jenjang jabatan fungsional"),
                 ("JK", "Text", "Jenis kelamin (L/P)"), ("Masa_kerja", "Integer", "Masa kerja sebagai widyaiswara (tahun)")]
    var_guids = [_g("7a41", i + 1) for i in range(len(var_specs))]
    for g, (name, typ, desc) in zip(var_guids, var_specs):
        p.variables[g] = Variable(g, name, typ, description=desc)
    ids = _Counter()
    for n, (case, peran, jenjang, jk, years, desc, date) in enumerate(_CASES, start=1):
        src = _build_source(case, n, date, ids, p.notes, p.links)
        p.sources[src.guid] = src
        values = [VariableValue(var_guids[0], peran, "Text")]
        if jenjang is not None:  # I6 is structural: Jenjang is missing, shown as "(kosong)"
            values.append(VariableValue(var_guids[1], jenjang, "Text"))
        values += [VariableValue(var_guids[2], jk, "Text"), VariableValue(var_guids[3], str(years), "Integer")]
        cg = _g("ca5e", n)
        p.cases[cg] = Case(cg, case, description=desc, variable_values=values, source_refs=[src.guid])
    hambatan = _g("5e75", 1)
    p.sets[hambatan] = Set(hambatan, "Hambatan", description="Kode-kode hambatan lintas komponen",
                           member_codes=[CODE_KEYS["K2"], CODE_KEYS["P2b"], CODE_KEYS["P4"]])
    return p
