"""The demo's signed documents: the demo CA (kept if it exists) and the electronic results of the most
recently finished history dossiers that carry a result code — signed by the competent unit's leader, as
they would have been had motcua issued them. ``MOTCUA_DEMO_SIGNED_RESULTS`` of them (each signing takes
a quarter of a second); older dossiers keep their result number only. Idempotent: a dossier whose result
is signed is skipped.

Then the electronic certified copies at Phường Thành Đông (``load_certified_demo``): three dossiers of
procedure 2.000815 received at its counter with the scanned original, walked through the services — one
certified and returned, one certified and waiting at the clerk, one waiting for the chairman to certify —
and Hải Phòng's support of the e-copy fee as a dated rule."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from motcua.catalogue.models import Procedure
from motcua.core.demodata import Say
from motcua.core.models import Person, Role, RoleAssignment, RuleVersion, User
from motcua.documents import certified, pdf, pki, results, signing
from motcua.documents.models import CertifiedCopy, Document
from motcua.documents.rules import FEE_SUPPORT_RULE
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.rules import State


def _leader(unit_id: int, cache: dict[int, User | None]) -> User | None:
    if unit_id not in cache:
        holder = (
            RoleAssignment.objects.filter(unit_id=unit_id, role=Role.AGENCY_LEADER, valid_to__isnull=True)
            .select_related("user__primary_unit")
            .order_by("user__username")
            .first()
        )
        cache[unit_id] = holder.user if holder is not None and holder.user.is_active else None
    return cache[unit_id]


def load_documents_demo(say: Say) -> int:
    pki.create_demo_ca()
    wanted = settings.MOTCUA_DEMO_SIGNED_RESULTS
    done = Document.objects.filter(kind=Document.Kind.RESULT).count()
    if done >= wanted:
        say(f"  {done} kết quả điện tử đã ký số")
        load_certified_demo(say)
        return 0
    candidates = (
        Dossier.objects.filter(state__in=[State.RESULT_READY, State.RETURNED], result_file_url="")
        .filter(~Q(result_code=""))
        .order_by("-finished_at", "-id")
    )
    leaders: dict[int, User | None] = {}
    signed = 0
    for dossier in candidates[: wanted * 6]:
        if done + signed >= wanted:
            break
        signer = _leader(dossier.competent_unit_id, leaders)
        if signer is None:
            continue
        try:
            if results.attach_result(dossier, signer) is not None:
                signed += 1
        except signing.SigningUnavailable as exc:
            say(f"  không ký được kết quả điện tử: {exc.message}")
            return signed
    say(f"  {signed} kết quả điện tử mới được ký số (lãnh đạo cơ quan giải quyết và cơ quan)")
    load_certified_demo(say)
    return signed


# Hải Phòng supports the whole fee of electronic certified copies in 2026–2030 (NQ 43/2025/NQ-HĐND, read
# from a secondary source: flagged unverified in the rule's legal basis).
FEE_SUPPORT = (
    (dt.date(2026, 1, 1), 100, "NQ 43/2025/NQ-HĐND TP Hải Phòng (chưa đối chiếu văn bản)"),
    (dt.date(2031, 1, 1), 0, "Hết thời gian hỗ trợ theo NQ 43/2025/NQ-HĐND TP Hải Phòng"),
)
WARD = "thanhdong"  # the demo's fully staffed commune (README)


@dataclass(frozen=True)
class _Original:
    citizen_id: str
    name: str
    title: str
    fields: tuple[tuple[str, str], ...]
    issuer: tuple[str, str, str]  # authority, issuer, signer's title
    pages: int = 1


ORIGINALS = (
    _Original(
        "030190004521",
        "Vũ Thị Thu Hà",
        "Giấy khai sinh",
        (
            ("Họ, chữ đệm, tên", "VŨ MINH KHÔI"),
            ("Ngày, tháng, năm sinh", "14/03/2019 — Mười bốn tháng Ba năm hai nghìn không trăm mười chín"),
            ("Giới tính", "Nam"),
            ("Nơi sinh", "Bệnh viện Đa khoa tỉnh Hải Dương"),
            ("Quê quán", "Thành Đông, Hải Dương"),
            ("Họ, chữ đệm, tên người mẹ", "VŨ THỊ THU HÀ"),
            ("Họ, chữ đệm, tên người cha", "ĐỖ VĂN TUẤN"),
        ),
        ("UBND THÀNH PHỐ HẢI DƯƠNG", "UBND PHƯỜNG THÀNH ĐÔNG", "CHỦ TỊCH"),
    ),
    _Original(
        "030088007316",
        "Nguyễn Văn Lâm",
        "Học bạ trung học phổ thông",
        (
            ("Họ và tên học sinh", "NGUYỄN HOÀNG ANH"),
            ("Ngày sinh", "02/09/2008"),
            ("Trường", "Trường THPT Thành Đông"),
            ("Khóa học", "2023–2026"),
        ),
        ("SỞ GIÁO DỤC VÀ ĐÀO TẠO HẢI DƯƠNG", "TRƯỜNG THPT THÀNH ĐÔNG", "HIỆU TRƯỞNG"),
        pages=3,
    ),
    _Original(
        "030195002288",
        "Phạm Thị Ngọc Ánh",
        "Bằng tốt nghiệp đại học",
        (
            ("Cấp cho", "PHẠM THỊ NGỌC ÁNH"),
            ("Ngày sinh", "21/06/1995"),
            ("Ngành đào tạo", "Kế toán"),
            ("Xếp loại tốt nghiệp", "Khá"),
            ("Số hiệu văn bằng", "HDU.2017.004512"),
        ),
        ("BỘ GIÁO DỤC VÀ ĐÀO TẠO", "TRƯỜNG ĐẠI HỌC HẢI DƯƠNG", "HIỆU TRƯỞNG"),
    ),
)
MARKS = (
    ("Toán", "8,2", "8,6", "8,5"),
    ("Ngữ văn", "7,5", "7,9", "7,8"),
    ("Tiếng Anh", "8,8", "9,0", "8,9"),
    ("Lịch sử", "8,0", "8,4", "8,3"),
)


def _scan(original: _Original) -> bytes:
    pages = ["trang 1", *(f"lớp {9 + n}" for n in range(1, original.pages))]
    context = {
        "title": original.title.upper(),
        "authority": original.issuer[0],
        "issuer": original.issuer[1],
        "fields": original.fields,
        "pages": pages,
        "marks": MARKS,
        "signed_line": "Hải Dương, ngày 20 tháng 3 năm 2019",
        "signer_title": original.issuer[2],
        "signer": "Nguyễn Văn Bình",
    }
    data, _pages = pdf.render("documents/demo/original.html", context)
    return data


def _fee_support() -> None:
    for day, percent, basis in FEE_SUPPORT:
        RuleVersion.objects.get_or_create(
            key=FEE_SUPPORT_RULE,
            effective_from=day,
            defaults={"value": percent, "legal_basis": basis},
        )


def load_certified_demo(say: Say) -> int:
    """The Thành Đông dossiers of electronic certified copies (see the module's text); idempotent."""
    _fee_support()
    if CertifiedCopy.objects.exists():
        say(f"  {CertifiedCopy.objects.count()} bản sao điện tử đã chứng thực")
        return 0
    staff = {u.username: u for u in User.objects.filter(username__startswith=f"{WARD}.")}
    needed = ("motcua", "tuphap", "chutich", "vanthu")
    procedure = Procedure.objects.filter(code__in=certified.terms(dt.datetime.now(dt.UTC)).procedures).first()
    if procedure is None or any(f"{WARD}.{n}" not in staff for n in needed):
        say("  bỏ qua chứng thực bản sao điện tử: thiếu thủ tục hoặc tài khoản phường Thành Đông")
        return 0
    intake, specialist, chairman, clerk = (staff[f"{WARD}.{n}"] for n in needed)
    ward = intake.primary_unit
    component = procedure.versions.filter(status="published").order_by("-effective_from").first()
    made = 0
    for index, original in enumerate(ORIGINALS):
        person, _created = Person.objects.get_or_create(
            citizen_id=original.citizen_id, defaults={"full_name": original.name}
        )
        catalogue_component = component.components.order_by("id").first() if component else None
        dossier = services.receive_at_counter(
            by=intake,
            applicant=person,
            procedure=procedure,
            receiving_unit=ward,
            competent_unit=ward,
            components=[
                services.ComponentInput(
                    component_id=catalogue_component.pk if catalogue_component else None,
                    name="" if catalogue_component else original.title,
                    file=SimpleUploadedFile(f"ban-chinh-{index + 1}.pdf", _scan(original)),
                )
            ],
        )
        code = dossier.code
        services.hand_over(code, by=intake, expected_version=1)
        services.hand_over(code, by=specialist, expected_version=2, note="Đã đối chiếu với bản chính.")
        if index == len(ORIGINALS) - 1:
            made += 1  # waits for the chairman, for whoever walks the demo
            continue
        scan = Dossier.objects.get(code=code).components.order_by("id").first()
        certified.certify_copy(chairman, code, expected_version=3, component_id=scan.pk, copies=index + 1)
        services.hand_over(code, by=chairman, expected_version=3)
        if index == 0:
            results.issue_result(clerk, code, expected_version=4, certified_copy=True)
            services.return_result(code, by=intake, expected_version=5, notified=True)
        made += 1
    say(f"  {made} hồ sơ chứng thực bản sao điện tử tại phường Thành Đông (2 đã ký chứng thực, 1 chờ ký)")
    return made
