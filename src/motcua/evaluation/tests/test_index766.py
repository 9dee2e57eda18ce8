"""The index on the database: scope, reads, rule versions, drill-down, query counts.

Dossiers are written through the real importer (``builders.load``) so every date is exact.
Period: March 2026 unless said otherwise.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.models import RuleVersion
from motcua.core.tests import factories
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests import factories as df
from motcua.evaluation import selectors
from motcua.evaluation.formulas import UNIT_SCOPE
from motcua.evaluation.index766 import EvaluationInputError, compute, drill_down, weights_on
from motcua.evaluation.tests.builders import WARD, WARD_B, line, load, stamp
from motcua.evaluation.weights import INDEX766_DEFAULT
from motcua.integrations.models import OutboxMessage

pytestmark = pytest.mark.django_db

M1, M31 = date(2026, 3, 1), date(2026, 3, 31)


@pytest.fixture
def world():
    w = df.world()
    w.sub_unit = factories.unit("Tổ một cửa An Biên", parent=w.ward_a, kind="division", code="pab-tp")
    return w


def rate21(**scope) -> tuple[int, int]:
    r = compute(M1, M31, **scope).indicator("2.1")
    return r.numerator, r.denominator


def test_scope_by_unit_subtree_and_by_procedure(world):
    load(
        [
            # A: Phường An Biên, returned before the due → on time
            line(stamp(2), stamp(5, 17), status=10, NgayKetThucXuLy=stamp(4, 10), NgayTra=stamp(4, 15)),
            # B: processed by the sub-unit of An Biên (MaDonVi), finished after the due → late
            line(stamp(3), stamp(6, 17), status=9, NgayKetThucXuLy=stamp(9, 10), MaDonVi="pab-tp"),
            # C: Phường Lê Chân, still open on 31/03, due 09/03 → late
            line(stamp(4), stamp(9, 17), prefix=WARD_B),
            # E: An Biên, another procedure (unknown code → placeholder), on time
            line(stamp(5), stamp(6, 17), status=10, NgayKetThucXuLy=stamp(6, 10), MaTTHC="2.000815"),
        ]
    )
    assert Dossier.objects.filter(competent_unit=world.sub_unit).count() == 1
    assert rate21() == (2, 4)  # province: A, E on time of A, B, C, E
    assert rate21(unit="pab") == (2, 3)  # An Biên and its sub-unit: A, B, E
    assert rate21(unit=WARD) == (2, 3)  # the same unit by its electronic identification code
    assert rate21(unit="pab-tp") == (0, 1)  # the sub-unit alone: B
    assert rate21(unit="plc") == (0, 1)  # C
    assert rate21(unit="tp") == (2, 4)  # the province unit's subtree is everything
    assert rate21(procedure="1.001193") == (1, 3)  # A, B, C
    assert rate21(procedure="2.000815") == (1, 1)  # E
    assert rate21(unit="pab", procedure="1.001193") == (1, 2)  # A, B
    result = compute(M1, M31, unit="pab-tp")
    assert (result.scope.unit_code, result.scope.unit_name) == ("pab-tp", "Tổ một cửa An Biên")
    # procedure-level indicators follow the scope: the sub-unit's dossiers are all of 1.001193
    assert compute(M1, M31, unit="pab-tp").indicator("3.1").denominator == 1
    # the placeholder procedure's draft version is not in force
    assert compute(M1, M31).indicator("3.1").denominator == 1
    # the unit scope of procedure-level indicators is motcua's reading: flagged as an assumption
    assert UNIT_SCOPE in compute(M1, M31, unit="pab").indicator("3.1").assumptions
    assert UNIT_SCOPE not in compute(M1, M31).indicator("3.1").assumptions
    assert not compute(M1, M31).indicator("3.1").assumed  # F766 formula, province scope


def test_unknown_unit_or_procedure_and_reversed_period(world):
    with pytest.raises(selectors.UnitNotFound, match="Không có đơn vị mã “xyz”"):
        compute(M1, M31, unit="xyz")
    with pytest.raises(selectors.ProcedureNotFound, match=re.escape("Không có thủ tục mã “9.9”")):
        compute(M1, M31, procedure="9.9")
    with pytest.raises(EvaluationInputError, match="trước ngày đầu") as exc:
        compute(M31, M1)
    assert exc.value.code == "period_invalid"


def test_reads_supplements_components_fees_and_sync(world):
    load(
        [
            line(
                stamp(2),
                stamp(6, 17),
                status=10,
                NgayKetThucXuLy=stamp(6, 10),
                NgayTra=stamp(6, 11),
                KenhThucHien=2,
                NgayNopHoSo=stamp(1, 20),
                DuocThanhToanTrucTuyen=2,
                MaKetQua="KQ-1",
                DuongDanTepTinKetQua="https://kho.example.vn/kq/1.pdf",
                TaiKhoanDuocXacThucVoiVNeID=1,
                MaCSDL="CSDLQGDC",
                TaiLieuNop=[
                    {"TenTepDinhKem": "Tờ khai", "DuocSoHoa": 1, "DuocLayTuKhoDMQG": 0},
                    {"TenTepDinhKem": "Giấy chứng sinh", "DuocSoHoa": 0, "DuocLayTuKhoDMQG": 1},
                ],
                DanhSachLePhi=[{"TenPhiLePhi": "Lệ phí", "Gia": 0}, {"TenPhiLePhi": "Phí", "Gia": 8000}],
                DanhSachHoSoBoSung=[
                    {
                        "NgayBoSung": stamp(3, 9),
                        "NgayTiepNhanBoSung": stamp(4, 8),
                        "NgayHenTraTruoc": stamp(5, 17),
                        "NgayHenTraMoi": stamp(6, 17),
                    }
                ],
            ),
        ]
    )
    period = selectors.Period(M1, M31)
    (facts,) = selectors.index_dossiers(selectors.scope_filter(None, None), period)
    assert facts.supplements == (
        selectors.SupplementFacts(df.at(2026, 3, 3, 9), df.at(2026, 3, 4, 8), df.at(2026, 3, 5, 17)),
    )
    assert (facts.channel, facts.online_payment, facts.online_paid) == (2, 2, True)
    assert (facts.result_code, facts.result_file, facts.vneid_authenticated, facts.population_db) == (
        True,
        True,
        True,
        True,
    )
    assert (facts.components_digitised, facts.components_reused, facts.components_with_file) == (
        True,
        True,
        False,
    )
    assert (facts.fee_rows, facts.fee_positive, facts.imported, facts.sync_status) == (2, True, True, "")
    assert facts.national_status == 10 and facts.finished_at == df.at(2026, 3, 6, 10)


def test_native_dossiers_are_synced_only_once_delivered(world):
    with time_machine.travel(df.at(2026, 3, 9, 9, 0), tick=False):
        dossier = df.receive(world)
    assert OutboxMessage.objects.filter(key=dossier.code, status="pending").exists()
    r = compute(M1, M31).indicator("1.4")
    assert (r.numerator, r.denominator, [x.code for x in r.reasons]) == (0, 1, ["sync_pending"])
    page = drill_down("1.4", M1, M31)
    assert [(i.code, i.reason_code, i.reason) for i in page.items] == [
        (dossier.code, "sync_pending", "Chưa đồng bộ: thông điệp đồng bộ đang chờ gửi")
    ]
    OutboxMessage.objects.filter(key=dossier.code).update(status=OutboxMessage.Status.DELIVERED)
    r = compute(M1, M31).indicator("1.4")
    assert (r.numerator, r.denominator, r.rate, r.points) == (1, 1, Decimal("100.00"), Decimal("6.00"))
    # a native dossier's 2.1: received 09/03 09:00, 3 working days → due 12/03 17:00; open on 31/03 → late
    assert compute(M1, M31).indicator("2.1").reasons[0].code == "in_progress_overdue"
    assert dossier.due_at == df.at(2026, 3, 12, 17)


def test_rule_version_is_chosen_by_the_period_end(world):
    load([line(stamp(2), stamp(5, 17), status=10, NgayKetThucXuLy=stamp(4, 10), NgayTra=stamp(4, 11))])
    table = copy.deepcopy(INDEX766_DEFAULT)
    table["groups"][1]["indicators"][0]["max"] = 30  # 2.1 worth 30 points from 01/04/2026
    row = RuleVersion(key="evaluation.index766", effective_from=date(2026, 4, 1), value=table)
    row.full_clean()
    row.save()
    assert weights_on(date(2026, 3, 31)).indicator("2.1").max == 20
    assert weights_on(date(2026, 4, 1)).indicator("2.1").max == 30
    march = compute(M1, M31)
    assert (march.indicator("2.1").max, march.indicator("2.1").points, march.max) == (
        20,
        Decimal("20.00"),
        100,
    )
    # a period ending in April uses the April table, also for a dossier received in March
    spanning = compute(date(2026, 3, 15), date(2026, 4, 15))
    assert spanning.max == 110 and spanning.indicator("2.1").max == 30
    # a bad table is refused by the rule's validator
    bad = RuleVersion(key="evaluation.index766", effective_from=date(2026, 5, 1), value={"groups": []})
    with pytest.raises(ValidationError, match="Bảng trọng số"):
        bad.full_clean()
    dup = copy.deepcopy(INDEX766_DEFAULT)
    dup["groups"][0]["indicators"][1]["code"] = "1.1"
    with pytest.raises(ValidationError, match=re.escape("Mã “1.1” bị trùng")):
        RuleVersion(key="evaluation.index766", effective_from=date(2026, 5, 1), value=dup).full_clean()
    negative = copy.deepcopy(INDEX766_DEFAULT)
    negative["groups"][0]["indicators"][0]["target"] = 0
    with pytest.raises(ValidationError, match="target"):
        RuleVersion(key="evaluation.index766", effective_from=date(2026, 5, 1), value=negative).full_clean()


def test_drill_down_pages_with_reasons(world):
    # five late dossiers (received 02/03 … 06/03, due the next day, still open) and two on time
    late = [line(stamp(d), stamp(d + 1, 17)) for d in (2, 3, 4, 5, 6)]
    on_time = [
        line(stamp(9), stamp(2, 17, month=4)),  # open, due 02/04: on time
        line(stamp(10), stamp(12, 17), status=9, NgayKetThucXuLy=stamp(11)),
    ]
    load(late + on_time)
    codes = [x["MaHoSo"] for x in late]
    seen, cursor, pages = [], None, 0
    while True:
        page = drill_down("2.1", M1, M31, cursor=cursor, limit=2)
        pages += 1
        seen += [item.code for item in page.items]
        assert all(
            i.kind == "dossier" and not i.counts and i.reason_code == "in_progress_overdue"
            for i in page.items
        )
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == codes and pages == 3  # received order; 2 + 2 + 1
    first = drill_down("2.1", M1, M31, limit=1).items[0]
    assert first.reason.startswith("Chưa xử lý xong, đã quá hạn tính đến cuối kỳ; tính đến 31/03/2026 23:59")
    assert first.label == "1.001193 — Thủ tục đăng ký khai sinh"
    everything = drill_down("2.1", M1, M31, include="all", limit=50)
    assert len(everything.items) == 7 and sum(i.counts for i in everything.items) == 2
    assert everything.next_cursor is None
    # procedure-level: 1.3 lists the procedure with what its publication lacks
    (item,) = drill_down("1.3", M1, M31).items
    assert (item.kind, item.code, item.reason_code) == ("procedure", "1.001193", "incomplete")
    assert "trình tự thực hiện" in item.reason and "đối tượng thực hiện" in item.reason
    # an indicator whose inputs are missing has nothing to list
    missing = drill_down("5.2", M1, M31)
    assert (missing.items, missing.subject) == ((), "") and "PAKN" in missing.missing_reason
    with pytest.raises(EvaluationInputError, match=re.escape("Không có chỉ số mã “7.7”")):
        drill_down("7.7", M1, M31)
    with pytest.raises(EvaluationInputError, match="Con trỏ trang không hợp lệ"):
        drill_down("2.1", M1, M31, cursor="rác")
    with pytest.raises(EvaluationInputError, match="limit"):
        drill_down("2.1", M1, M31, limit=0)


def test_query_count_does_not_grow_with_dossiers(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            compute(M1, M31)
        return len(captured)

    load([line(stamp(2 + i % 20), stamp(25, 17)) for i in range(3)])
    queries()  # warm the per-process caches (rules, calendars)
    few = queries()
    load(
        [
            line(
                stamp(2 + i % 20),
                stamp(25, 17),
                status=5,
                DanhSachHoSoBoSung=[{"NgayBoSung": stamp(23)}],
                DanhSachLePhi=[{"Gia": 1000}],
                TaiLieuNop=[{"TenTepDinhKem": "x", "DuocSoHoa": 1}],
            )
            for i in range(30)
        ]
    )
    assert queries() == few


def test_native_lifecycle_end_is_the_first_processed_event(world):
    """Through the services: the projection's ``finished_at`` is the moment of the first event with
    national status 9 (Đã xử lý xong) — the end the national portal takes — not the return (10)."""
    from motcua.dossiers import services as s

    w = world
    with time_machine.travel(df.at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)  # Monday 09/03 09:00, 3 working days → due Thursday 12/03 17:00
        clock.move_to(df.at(2026, 3, 9, 9, 30))
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        clock.move_to(df.at(2026, 3, 10, 10, 0))
        d = s.request_supplement(
            d.code, by=w.specialist_a, expected_version=2, items=["Tờ khai"], reasons="Mờ"
        )
        clock.move_to(df.at(2026, 3, 11, 10, 0))
        d = s.receive_supplement(d.code, by=w.intake_a, expected_version=3)
        # restart: 3 working days again from Wednesday 11/03 10:00 → Monday 16/03 17:00
        assert d.due_at == df.at(2026, 3, 16, 17, 0)
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=4)
        d = s.hand_over(d.code, by=w.leader_a, expected_version=5, assignee=w.head_a)
        clock.move_to(df.at(2026, 3, 17, 8, 0))
        d = s.mark_result_ready(d.code, by=w.head_a, expected_version=6)
        clock.move_to(df.at(2026, 3, 18, 10, 0))
        d = s.return_result(d.code, by=w.intake_a, expected_version=7)
    d = df.fresh(d)
    first_processed = d.events.filter(national_status=9).order_by("seq").first()
    assert d.finished_at == first_processed.at == df.at(2026, 3, 17, 8, 0)
    assert d.returned_at == df.at(2026, 3, 18, 10, 0)
    # end 17/03 08:00 − 24 h of supplement (10/03 10:00 → 11/03 10:00) = 16/03 08:00, compared with the
    # due before the request, 12/03 17:00 → late (against the restarted 16/03 17:00 the wait would be
    # credited twice)
    (item,) = drill_down("2.1", M1, M31, include="all").items
    assert (item.counts, item.reason_code) == (False, "late")
    assert "trừ 1 ngày chờ bổ sung → 16/03/2026 08:00" in item.reason
    assert "12/03/2026 17:00" in item.reason
