"""The demo's task tracking: Kế hoạch 3327/KH-UBND (07/12/2022) of the former Hải Dương province,
carried over by Hải Phòng's office after the merger, with two years of realistic progress.

The plan's 34 tasks come from a data file the project holds
(``directives/data/ke-hoach-3327-KH-UBND-2022.json``): each task's title and product condensed in the
project's own words, the lead and coordinating units and the deadline as the plan gives them — so a
fresh clone shows the plan. The plan's full text stays
outside the repository (``../shared/seed``); ``motcua directives import-plan`` reads it when given.
Loading is idempotent: when the document is already there nothing is added.

A task led by several units has one part per unit ("Các sở, ban, ngành; UBND cấp huyện" is every
department and every commune-level unit of the demo). The story, told through the services (every row
has its audit entry), as of 26/11/2026:

- task 27 (Văn phòng, due 30/06/2023) and task 8 (Văn phòng and the communes, due 31/12/2022): done on
  time — the communes' parts recorded by the office from their reports;
- task 30 (Văn phòng and the former Sở Kế hoạch và Đầu tư, now Sở Tài chính): Văn phòng on time, Sở Tài
  chính extended to 31/12/2023 and finished on 12/01/2024 — done late;
- task 1 (30/9 every year, "các sở, ban, ngành" and the communes: 16 parts): 2023 and 2024 on time;
  2025 late (Sở Tư pháp finished on 15/10); in 2026 Phường Thành Đông finished on time, Sở Tư pháp was
  extended to 31/12/2026 and its completion waits for the office, Sở Tài chính reported 60 %, the
  others have not reported — the period is overdue;
- task 31: the office set a date once the government's resolution was out; an extension is pending;
- task 20: a date set by the office, due within days (sắp đến hạn); task 4: a date, nothing reported;
- task 3 (Văn phòng and Sở Tư pháp, standing): Sở Tư pháp's completion request was returned;
- tasks 7, 12 and 13 of the former Sở Thông tin và Truyền thông stay overdue, and its name waits on
  the review screen (its successor, Sở Khoa học và Công nghệ, is not in the demo's unit list).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.audit import acting_as
from motcua.core.models import User
from motcua.directives import services
from motcua.directives.models import Directive, Part, SourceDocument
from motcua.directives.planparse import Deadline, DocumentInfo, Plan, PlanTask, parse_deadline
from motcua.workdays.domain import TZ

PLAN_FILE = "ke-hoach-3327-KH-UBND-2022.txt"  # the full text, in the seed folder
PLAN_DATA = "ke-hoach-3327-KH-UBND-2022.json"  # the project's condensed plan, in directives/data
IMPORTED_AT = datetime(2025, 7, 15, 9, 0, tzinfo=TZ)  # the office took over Hải Dương's plans
AS_OF = date(2026, 11, 26)


def seed_dir() -> Path:
    """The folder of the plan's full text (setting ``MOTCUA_SEED_DIR``: by default ``shared/seed``
    beside the repository)."""
    return Path(settings.MOTCUA_SEED_DIR)


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def plan_data(name: str = PLAN_DATA) -> tuple[Plan, services.DocumentFields]:
    """The plan of the data file, as the import reads it (the deadline kind from the deadline text;
    the date and recurrence as the file gives them)."""
    raw = json.loads(resources.files("motcua.directives").joinpath("data", name).read_text(encoding="utf-8"))
    doc = raw["document"]
    issued_on = date.fromisoformat(doc["issued_on"])
    titles = {s["section"]: s["title"] for s in raw["sections"]}
    tasks = []
    for position, t in enumerate(raw["tasks"], start=1):
        kind = parse_deadline(t["deadline_text"], reference=issued_on).kind
        deadline = Deadline(
            text=t["deadline_text"],
            date=date.fromisoformat(t["deadline"]) if t["deadline"] else None,
            recurrence=t["recurrence"],
            kind=kind,
        )
        tasks.append(
            PlanTask(
                number=t["number"],
                section=t["section"],
                section_title=titles[t["section"]],
                content=t["title"],
                lead_text="\n".join(t["lead_units"]),
                coordinating_text="\n".join(t["coordinating_units"]),
                deadline=deadline,
                product=t["product"],
                place="",
                position=position,
            )
        )
    info = DocumentInfo(
        kind=doc["kind"],
        number=doc["number"],
        issued_on=issued_on,
        issuer=doc["issuer"],
        title=doc["summary"],
    )
    fields = services.DocumentFields(
        number=doc["number"], issued_on=issued_on, issuer=doc["issuer"], summary=doc["summary"]
    )
    return Plan(info, tuple(tasks)), fields


def _pdf(name: str, text: str) -> SimpleUploadedFile:
    """A small, valid one-page PDF with a line of text (the report's attachment)."""
    body = text.encode("latin-1", "replace")
    stream = b"BT /F1 12 Tf 72 720 Td (" + body + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return SimpleUploadedFile(name, bytes(out), content_type="application/pdf")


def load_directives_demo(say: Callable[[str], None] = lambda message: None) -> SourceDocument | None:
    plan, fields = plan_data()
    with acting_as(None, label="nạp dữ liệu trình diễn (theo dõi nhiệm vụ)"):
        report = services.import_plan(plan, source_file=PLAN_DATA, document=fields, now=IMPORTED_AT)
        assert report.document is not None
        if not report.created:
            say(f"  {report.document} đã có: không thay đổi.")
            return report.document
        say(f"  {report.summary()}")
        services.ensure_all_occurrences(AS_OF)
        _story(report.document)
    return report.document


def _story(document: SourceDocument) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    if len(users) != len(USERNAMES):
        return  # a unit list without the demo staff: the plan alone
    tasks = {d.number: d for d in Directive.objects.filter(document=document)}
    office, province_office = users["giamsat"], users["giamsat.tinh"]
    stp, stp_head, stp2 = users["stp.chuyenvien1"], users["stp.giamdoc"], users["stp.chuyenvien2"]
    stc, stc_head, ward = users["stc.chuyenvien"], users["stc.giamdoc"], users["thanhdong.tuphap"]
    s = services

    def occurrence(number: str, seq: int) -> int:
        return tasks[number].occurrences.get(seq=seq).pk

    def part(number: str, seq: int, unit: str) -> int:
        return Part.objects.get(occurrence_id=occurrence(number, seq), unit__code=unit).pk

    # Task 8: Bộ phận một cửa các cấp — the office's part and the communes' (from their reports).
    t = tasks["8"].pk
    s.report_progress(
        office,
        t,
        percent=100,
        text="Đã ban hành quyết định kiện toàn Bộ phận Một cửa cấp tỉnh và treo bộ nhận diện thương hiệu.",
        now=at(2022, 12, 20),
    )
    c = s.request_completion(
        office,
        t,
        completed_on=date(2022, 12, 28),
        note="Quyết định kiện toàn và báo cáo kết quả triển khai Bộ nhận diện thương hiệu.",
        now=at(2022, 12, 28, 15),
    )
    s.decide_completion(province_office, c.pk, approve=True, now=at(2022, 12, 29, 10))
    s.record_completion(
        province_office,
        t,
        completed_on=date(2022, 12, 27),
        note="Báo cáo của UBND cấp huyện, cấp xã: 100% Bộ phận Một cửa đã kiện toàn, treo bộ nhận diện.",
        now=at(2022, 12, 29, 11),
    )

    # Task 27: phân hệ theo dõi nhiệm vụ — done on time, with an attachment.
    t = tasks["27"].pk
    s.report_progress(
        office,
        t,
        percent=40,
        text="Đã rà soát hiện trạng phân hệ theo dõi nhiệm vụ và lập yêu "
        "cầu nâng cấp theo hướng dẫn của Văn phòng Chính phủ.",
        now=at(2023, 3, 15),
    )
    s.report_progress(
        office,
        t,
        percent=85,
        text="Hoàn thành nâng cấp; đang kết nối thử với Hệ thống thông tin "
        "theo dõi nhiệm vụ của Văn phòng Chính phủ.",
        files=[_pdf("bien-ban-kiem-thu-ket-noi.pdf", "Bien ban kiem thu ket noi he thong theo doi nhiem vu")],
        now=at(2023, 6, 5),
    )
    c = s.request_completion(
        office,
        t,
        completed_on=date(2023, 6, 26),
        note="Phân hệ đã kết nối, chia sẻ dữ liệu với Hệ thống thông tin theo dõi nhiệm vụ của Chính phủ.",
        now=at(2023, 6, 26, 14),
    )
    s.decide_completion(province_office, c.pk, approve=True, now=at(2023, 6, 28, 8, 30))

    # Task 30: Bộ chỉ số điều hành — Văn phòng on time; Sở Tài chính extended once, finished after it.
    t = tasks["30"].pk
    s.report_progress(
        stc,
        t,
        percent=50,
        text="Đã dự thảo khung Bộ chỉ số điều hành (42 chỉ tiêu), gửi xin ý kiến các sở, ngành.",
        now=at(2023, 8, 10),
    )
    c = s.request_completion(
        office,
        t,
        completed_on=date(2023, 9, 25),
        note="Văn phòng đã chuẩn hóa dữ liệu điều hành và kết nối với Trung tâm thông tin của Chính phủ.",
        now=at(2023, 9, 25, 16),
    )
    s.decide_completion(province_office, c.pk, approve=True, now=at(2023, 9, 26))
    e = s.request_extension(
        stc_head,
        t,
        proposed_due=date(2023, 12, 31),
        reason="Chờ hướng dẫn của Văn phòng Chính phủ về danh mục chỉ tiêu dùng chung để bảo đảm kết nối.",
        now=at(2023, 9, 20),
    )
    s.decide_extension(office, e.pk, approve=True, note="Đồng ý gia hạn đến 31/12/2023.", now=at(2023, 9, 22))
    s.report_progress(
        stc, t, percent=90, text="Đã tiếp thu ý kiến; trình UBND tỉnh ban hành.", now=at(2023, 12, 15)
    )
    c = s.request_completion(
        stc_head,
        t,
        completed_on=date(2024, 1, 12),
        note="Quyết định ban hành Bộ chỉ số điều hành cấp tỉnh.",
        now=at(2024, 1, 15),
    )
    s.decide_completion(office, c.pk, approve=True, now=at(2024, 1, 17))

    # Task 1: 30/9 every year, every department and commune — 2023, 2024 on time; 2025 late.
    t = tasks["1"].pk
    for seq, (report_day, done_day, decided) in enumerate(
        [
            (date(2023, 9, 20), date(2023, 9, 25), date(2023, 9, 27)),
            (date(2024, 9, 10), date(2024, 9, 30), date(2024, 10, 2)),
            (date(2025, 9, 15), date(2025, 10, 15), date(2025, 10, 20)),
        ],
        start=1,
    ):
        o = occurrence("1", seq)
        s.report_progress(
            stp,
            t,
            percent=100 if seq < 3 else 60,
            text=f"Đã rà soát {12 + seq * 3} thủ tục hành chính lĩnh vực tư pháp, đề xuất phương án "
            "đơn giản hóa trình Chủ tịch UBND phê duyệt.",
            occurrence_id=o,
            now=at(*report_day.timetuple()[:3]),
        )
        c = s.request_completion(
            stp_head,
            t,
            completed_on=done_day,
            note="Quyết định phê duyệt phương án đơn giản hóa.",
            occurrence_id=o,
            now=at(*done_day.timetuple()[:3], 16),
        )
        s.decide_completion(office, c.pk, approve=True, now=at(*decided.timetuple()[:3]))
        s.record_completion(
            office,
            t,
            completed_on=date(report_day.year, 9, 26),
            note=f"Tổng hợp báo cáo rà soát năm {report_day.year} của các sở, ngành và UBND cấp xã.",
            occurrence_id=o,
            now=at(*decided.timetuple()[:3], 11),
        )
    # 2026: each unit on its own — a ward on time, Sở Tư pháp extended and waiting, Sở Tài chính at 60 %.
    o = occurrence("1", 4)
    s.report_progress(
        ward,
        t,
        percent=100,
        text="Phường Thành Đông đã rà soát 9 thủ tục cấp xã, "
        "đề xuất cắt giảm thành phần hồ sơ của 3 thủ tục.",
        occurrence_id=o,
        now=at(2026, 9, 18),
    )
    c = s.request_completion(
        ward,
        t,
        completed_on=date(2026, 9, 24),
        note="Báo cáo rà soát thủ tục hành chính cấp xã năm 2026.",
        occurrence_id=o,
        now=at(2026, 9, 24, 15),
    )
    s.decide_completion(office, c.pk, approve=True, now=at(2026, 9, 25))
    s.report_progress(
        stp,
        t,
        percent=30,
        text="Đã lập danh mục thủ tục cần rà soát năm 2026.",
        occurrence_id=o,
        now=at(2026, 8, 20),
    )
    e = s.request_extension(
        stp_head,
        t,
        proposed_due=date(2026, 12, 31),
        reason="Bộ thủ tục hành chính sau hợp nhất chưa được công bố đầy đủ; cần thêm thời gian rà soát.",
        occurrence_id=o,
        now=at(2026, 9, 25),
    )
    s.decide_extension(office, e.pk, approve=True, now=at(2026, 9, 28))
    s.report_progress(
        stp,
        t,
        percent=90,
        text="Đã trình dự thảo quyết định phê duyệt phương án đơn giản hóa 18 thủ tục lĩnh vực tư pháp.",
        occurrence_id=o,
        now=at(2026, 11, 10),
    )
    s.request_completion(
        stp_head,
        t,
        completed_on=date(2026, 11, 20),
        note="Quyết định phê duyệt phương án đơn giản hóa thủ tục hành chính năm 2026.",
        occurrence_id=o,
        now=at(2026, 11, 20, 15),
    )
    s.report_progress(
        stc,
        t,
        percent=60,
        text="Đã rà soát 11/18 thủ tục lĩnh vực đăng ký kinh doanh; "
        "chờ ý kiến của Bộ Tài chính về 7 thủ tục.",
        occurrence_id=o,
        part_id=part("1", 4, "hp-stc"),
        now=at(2026, 10, 12),
    )

    # Task 31: a date once the resolution was out; an extension pending.
    t = tasks["31"].pk
    s.set_deadline(
        office,
        t,
        due=date(2027, 6, 30),
        reason="Nghị quyết số 02/NQ-CP năm 2026 của Chính phủ đã ban "
        "hành; UBND thành phố giao hoàn thành trước 30/6/2027.",
        now=at(2026, 2, 10),
    )
    s.report_progress(
        stc,
        t,
        percent=40,
        text="Đã xây dựng kế hoạch cải thiện môi trường kinh doanh năm 2026; 6/15 nhiệm vụ đã hoàn thành.",
        now=at(2026, 10, 5),
    )
    s.request_extension(
        stc_head,
        t,
        proposed_due=date(2027, 9, 30),
        reason="Một số chỉ tiêu phụ thuộc kết quả công bố của các bộ, ngành trong quý II/2027.",
        now=at(2026, 11, 24),
    )

    # Task 20: a date set by the office, due in a few days; task 4: a date, nothing reported yet.
    s.set_deadline(
        office,
        tasks["20"].pk,
        due=date(2026, 12, 3),
        reason="Bộ Nội vụ đã có hướng dẫn lưu trữ hồ sơ, "
        "dữ liệu điện tử; Sở Nội vụ ban hành văn bản hướng dẫn trước 03/12/2026.",
        now=at(2026, 10, 15),
    )
    s.set_deadline(
        office,
        tasks["4"].pk,
        due=date(2027, 3, 31),
        reason="Văn phòng Chính phủ đã hướng dẫn vận hành Cổng tham vấn và tra cứu quy định kinh doanh.",
        now=at(2026, 11, 2),
    )

    # Task 3: a standing task — Sở Tư pháp's completion request returned.
    t = tasks["3"].pk
    s.report_progress(
        stp,
        t,
        percent=50,
        text="Năm 2024 đã thẩm định 45 dự thảo văn bản có quy định thủ tục hành chính.",
        now=at(2024, 6, 10),
    )
    c = s.request_completion(
        stp,
        t,
        completed_on=date(2024, 12, 20),
        note="Báo cáo kết quả thẩm định năm 2024.",
        now=at(2024, 12, 20),
    )
    s.decide_completion(
        office,
        c.pk,
        approve=False,
        note="Nhiệm vụ thường xuyên: tiếp tục thực hiện và báo cáo định kỳ, không xác nhận hoàn thành.",
        now=at(2024, 12, 23),
    )
    s.report_progress(
        stp2,
        t,
        percent=70,
        text="Năm 2025 đã thẩm định 52 dự thảo; 100% quy định thủ tục hành chính được đánh giá tác động.",
        now=at(2025, 12, 15),
    )

    # Standing tasks with reports from a department and a ward.
    s.report_progress(
        stp2,
        tasks["21"].pk,
        percent=60,
        text="Đã hướng dẫn 45/45 xã, phường triển khai chứng thực bản sao điện tử từ bản chính.",
        now=at(2026, 6, 15),
    )
    s.report_progress(
        ward,
        tasks["10"].pk,
        percent=75,
        text="Phường Thành Đông số hóa 100% hồ sơ tiếp nhận từ 01/7/2025; đang số hóa kết quả giải quyết cũ.",
        now=at(2026, 10, 30),
    )


USERNAMES = (
    "giamsat",
    "giamsat.tinh",
    "stp.chuyenvien1",
    "stp.chuyenvien2",
    "stp.giamdoc",
    "stc.chuyenvien",
    "stc.giamdoc",
    "thanhdong.tuphap",
)
