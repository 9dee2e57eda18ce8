"""The importer reads real files: bytes that are not UTF-8, characters no store accepts, deep nesting —
each rejected in pass 1 by line and field, nothing stored — and lines without ``MaDoiTuong`` (old
records), imported by the applicant's name only, flagged "không có số định danh", exported back."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.core import tokens
from motcua.core.models import Organisation, Person
from motcua.dossiers import jsonl, selectors
from motcua.dossiers.importing import ImportRejected, import_file
from motcua.dossiers.models import Dossier
from motcua.dossiers.projection import rebuild
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.test_importing_write import stored
from motcua.dossiers.tests.test_jsonl import LINES, WARD, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return df.world()


def online(n: int, **changes) -> dict:
    """A small online dossier in progress (a variant of LINES[1]) with its own code."""
    return {**LINES[1], "MaHoSo": f"{WARD}-260309-{n:04d}", **changes}


def rejected(source, **kwargs) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as caught:
        import_file(source, **kwargs)
    return [(p["line"], p["field"], p["message"]) for p in caught.value.details]


# -- characters, bytes, nesting: pass 1 ------------------------------------------------------------


def test_a_nul_on_line_1500_of_2000_stores_nothing_and_names_the_line(world, tmp_path):
    lines = [online(n) for n in range(1, 2001)]
    lines[1499]["GhiChu"] = "Hồ sơ cũ\u0000"  # json.dumps writes it as the escape \u0000
    path = write(tmp_path, lines)
    before = stored()
    assert rejected(path, batch_size=100) == [
        (1500, "GhiChu", "chứa ký tự NUL (U+0000) ở vị trí 9."),
    ]
    assert stored() == before
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("dossiers", "import", str(path), "--no-progress", stderr=err)
    assert err.getvalue().splitlines() == [
        f"dòng 1500 ({WARD}-260309-1500), GhiChu: chứa ký tự NUL (U+0000) ở vị trí 9.",
    ]
    assert stored() == before


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        # a lone surrogate as a JSON escape: no character, cannot even be written as UTF-8
        (
            r'"ChuHoSo": "L\ud800 Thị Cúc"',
            "ChuHoSo",
            "chứa nửa cặp thay thế (surrogate) đứng riêng U+D800, không phải ký tự Unicode hợp lệ "
            "ở vị trí 2.",
        ),
        # control characters: ESC in an item's name, a lone CR, DEL, a C1 control
        (
            r'"TaiLieuNop": [{"TenTepDinhKem": "Tờ khai"}, {"TenTepDinhKem": "Giấy\u001b[31m"}]',
            "TaiLieuNop[2].TenTepDinhKem",
            "chứa ký tự điều khiển U+001B ở vị trí 5.",
        ),
        (r'"GhiChu": "dòng 1\rdòng 2"', "GhiChu", "chứa ký tự điều khiển U+000D ở vị trí 7."),
        ('"GhiChu": "xóa\x7f"', "GhiChu", "chứa ký tự điều khiển U+007F ở vị trí 4."),
        (r'"MaHeThongNguon": "HT\u0085MC"', "MaHeThongNguon", "chứa ký tự điều khiển U+0085 ở vị trí 3."),
        # in a key (an unknown field would be stored under that name)
        (r'"Truong\u0000La": 1', "(dòng)", "tên trường 'Truong\\x00La' chứa ký tự NUL (U+0000) ở vị trí 7."),
        # in a supplement's date: named by its place in the list
        (
            r'"DanhSachHoSoBoSung": [{"NgayBoSung": "20260310\u000090000"}]',
            "DanhSachHoSoBoSung[1].NgayBoSung",
            "chứa ký tự NUL (U+0000) ở vị trí 9.",
        ),
        # 21 levels of nesting (the line's object is the first)
        (
            '"TruongLa": ' + "[" * 20 + "]" * 20,
            "TruongLa" + "[1]" * 19,
            "lồng nhau quá 20 cấp (mảng, đối tượng JSON).",
        ),
        # numbers JSON does not have, or no store keeps
        ('"TruongLa": NaN', "(dòng)", "NaN không phải giá trị JSON hợp lệ."),
        ('"TruongLa": -Infinity', "(dòng)", "-Infinity không phải giá trị JSON hợp lệ."),
        ('"ThoiGianGiaiQuyet": 1e400', "(dòng)", "số 1e400 quá lớn."),
        ('"TruongLa": ' + "9" * 5000, "(dòng)", "không phải JSON hợp lệ: có số quá dài."),
        # so deep that the JSON parser itself gives up
        (
            '"TruongLa": ' + "[" * 100_000 + "]" * 100_000,
            "(dòng)",
            "lồng nhau quá 20 cấp (mảng, đối tượng JSON).",
        ),
    ],
)
def test_characters_no_store_accepts_and_deep_nesting_are_named_by_line_and_field(
    world, tmp_path, text, field, message
):
    good = json.dumps(online(1), ensure_ascii=False)
    bad = json.dumps(online(2), ensure_ascii=False)[:-1] + ", " + text + "}"
    path = tmp_path / "hoso.jsonl"
    path.write_text(good + "\n" + bad + "\n", encoding="utf-8", errors="surrogatepass")
    before = stored()
    assert rejected(path) == [(2, field, message)]
    assert stored() == before


def test_tab_line_breaks_and_twenty_levels_are_accepted_and_come_back(world, tmp_path):
    deep: list = []
    for _ in range(18):  # the line (1), TruongLa (2) … the innermost list is level 20
        deep = [deep]
    line = online(1, GhiChu="Dòng 1\r\nDòng 2\n\tthụt lề", TruongLa=deep)
    import_file(write(tmp_path, [line]))
    record = next(jsonl.iter_records(jsonl.export_queryset()))
    assert jsonl.differing(record, line) == []
    assert record["TruongLa"] == deep


def test_a_file_that_is_not_utf8_names_each_bad_line(world, tmp_path):
    good = json.dumps(online(1), ensure_ascii=False).encode()
    # line 2 saved by an old system in Windows-1258: "Lê" is L, 0xEA
    latin = json.dumps(online(2, ChuHoSo="Lê Văn Cúc"), ensure_ascii=False).encode("cp1258")
    path = tmp_path / "hoso.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\n" + latin + b"\n" + good.replace(b"0001", b"0003") + b"\n")
    prefix = json.dumps(online(2), ensure_ascii=False).split('"ChuHoSo"')[0]
    column = len(prefix) + len('"ChuHoSo": "L') + 1
    assert rejected(path) == [(2, "(dòng)", f"không phải văn bản UTF-8 hợp lệ: byte 0xEA ở cột {column}.")]
    assert not Dossier.objects.exists()
    # the command reports it too (before: a UnicodeDecodeError, no line named)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("dossiers", "import", str(path), "--no-progress", stderr=err)
    assert err.getvalue().startswith("dòng 2, (dòng): không phải văn bản UTF-8 hợp lệ")
    # a file saved as UTF-16 is one problem, not one per line
    path.write_text(good.decode() + "\n" + good.decode() + "\n", encoding="utf-16")
    assert rejected(path) == [(1, "(dòng)", "tệp mã hóa UTF-16; cần lưu lại dạng UTF-8.")]
    assert not Dossier.objects.exists()


def test_the_byte_order_mark_and_a_utf8_file_from_standard_input(world, tmp_path, monkeypatch):
    data = b"\xef\xbb\xbf" + json.dumps(online(1), ensure_ascii=False).encode() + b"\n"

    class Stdin:
        buffer = io.BytesIO(data)

    monkeypatch.setattr("sys.stdin", Stdin)
    assert import_file("-").created == 1
    assert Dossier.objects.get().applicant_name == "Lê Thị Cúc"


# -- an applicant without MaDoiTuong ---------------------------------------------------------------


def _no_id_lines() -> list[dict]:
    first = {k: v for k, v in LINES[0].items() if k not in ("MaDoiTuong", "LoaiDoiTuong")}
    first["MaHoSo"] = f"{WARD}-260302-0101"
    return [
        first,  # neither MaDoiTuong nor LoaiDoiTuong: an old record
        online(102, ChuHoSo="Hợp tác xã Tân Tiến", LoaiDoiTuong=2, MaDoiTuong=""),  # blank, a business
        online(103, ChuHoSo="Lê Thị Cúc", MaDoiTuong=None),  # null
        online(104),  # with a CCCD: as before
    ]


def test_a_file_without_MaDoiTuong_imports_by_name_and_exports_back(world, tmp_path):
    lines = _no_id_lines()
    people, organisations = Person.objects.count(), Organisation.objects.count()
    call_command("dossiers", "import", str(write(tmp_path, lines)), "--no-progress", stderr=io.StringIO())
    old, business, blank, known = (Dossier.objects.get(code=line["MaHoSo"]) for line in lines)
    for d, kind in ((old, None), (business, 2), (blank, None)):
        assert d.applicant_unidentified and d.applicant_person is None and d.applicant_organisation is None
        assert (d.applicant_id_number, d.applicant_type) == ("", kind)
    assert (old.applicant_name, business.applicant_name) == ("Nguyễn Văn Bình", "Hợp tác xã Tân Tiến")
    assert not known.applicant_unidentified and known.applicant_person.citizen_id == "031185004321"
    # no Person or Organisation without a number: only the known line's citizen is new
    assert (Person.objects.count(), Organisation.objects.count()) == (people + 1, organisations)
    assert rebuild(verify=True).ok
    # the export gives every line back as it came: no MaDoiTuong where there was none, "" and null kept
    out = tmp_path / "ra.jsonl"
    call_command("dossiers", "export", "-o", str(out), stderr=io.StringIO())
    records = {r["MaHoSo"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    for line in lines:
        assert jsonl.differing(records[line["MaHoSo"]], line) == [], line["MaHoSo"]
    first = records[lines[0]["MaHoSo"]]
    assert "MaDoiTuong" not in first and "LoaiDoiTuong" not in first
    assert first["SoDienThoai"] == "0912345678"  # the file's contact, kept with the dossier
    assert (records[lines[1]["MaHoSo"]]["MaDoiTuong"], records[lines[1]["MaHoSo"]]["LoaiDoiTuong"]) == ("", 2)
    assert records[lines[2]["MaHoSo"]]["MaDoiTuong"] is None
    # and the export imported again changes nothing
    again = import_file(out)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(lines))


def test_a_present_MaDoiTuong_is_still_checked(world, tmp_path):
    lines = [
        online(1, MaDoiTuong="123"),
        online(2, LoaiDoiTuong=2, MaDoiTuong="031185004321"),
        online(3, MaDoiTuong=31),
    ]
    problems = [(line, field) for line, field, _ in rejected(write(tmp_path, lines))]
    assert problems == [(1, "MaDoiTuong"), (2, "MaDoiTuong"), (3, "MaDoiTuong")]


def test_a_reimport_can_add_the_number_later(world, tmp_path):
    line = online(1, MaDoiTuong=None)
    import_file(write(tmp_path, [line]))
    assert Dossier.objects.get().applicant_unidentified
    summary = import_file(write(tmp_path, [{**line, "MaDoiTuong": "031185004321"}], "lai.jsonl"))
    assert summary.updated == 1
    d = Dossier.objects.get()
    assert not d.applicant_unidentified and d.applicant_person.citizen_id == "031185004321"
    assert d.applicant_id_number == "031185004321" and rebuild(verify=True).ok


def test_staff_and_the_api_see_the_flag_and_a_search_by_number_never_matches_it(world, tmp_path, client):
    lines = _no_id_lines()
    import_file(write(tmp_path, lines))
    old, _, _, known = (Dossier.objects.get(code=line["MaHoSo"]) for line in lines)
    user = world.supervisor  # the whole province
    # search by a number finds the one dossier with that number, never the ones without any
    assert [d.code for d in selectors.search(user, "031185004321")] == [known.code]
    assert selectors.search(user, "") == []
    # the dossier page and the list show the flag
    client.force_login(user)
    page = client.get(f"/can-bo/ho-so/{old.code}/").content.decode()
    assert "không có số định danh" in page and "CCCD" not in page.split("Người nộp")[1].split("</dd>")[0]
    found = client.get("/can-bo/ho-so/tim/", {"q": "Nguyễn Văn Bình"}).content.decode()
    assert old.code in found and "data-applicant-unidentified" in found
    found = client.get("/can-bo/ho-so/tim/", {"q": known.code}).content.decode()
    assert known.code in found and "data-applicant-unidentified" not in found
    # the API
    api, headers = Client(), {"Authorization": f"Bearer {tokens.issue(user, 'Thử').secret}"}
    detail = api.get(f"/api/ho-so/{old.code}", headers=headers).json()
    assert detail["applicant"] == {
        "type": None,
        "id_number": "",
        "name": "Nguyễn Văn Bình",
        "identified": False,
    }
    items = api.get("/api/ho-so/tim", {"q": "Nguyễn Văn Bình"}, headers=headers).json()["items"]
    assert [(i["code"], i["applicant_identified"]) for i in items] == [(old.code, False)]
