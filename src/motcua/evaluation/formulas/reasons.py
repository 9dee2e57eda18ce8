"""The reason codes of every indicator: why a dossier or procedure counts for it, or against it."""

from __future__ import annotations

from dataclasses import dataclass

# -- reasons -----------------------------------------------------------------------------------------

# code → (Vietnamese label, counts for the indicator). Stable codes: the dashboard filters on them.
REASONS: dict[str, tuple[str, bool]] = {
    # 2.1
    "early": ("Xử lý xong trước hạn", True),
    "on_time": ("Xử lý xong đúng hạn (trong ngày hẹn trả)", True),
    "ended_in_time": ("Kết thúc (dừng xử lý, từ chối, công dân rút) trong hạn", True),
    "in_progress_in_time": ("Đang xử lý, chưa quá hạn tính đến cuối kỳ", True),
    "waiting_supplement_in_time": ("Đang chờ công dân bổ sung; yêu cầu bổ sung trước hạn", True),
    "no_due_within_limit": ("Không có ngày hẹn trả; trong thời hạn giải quyết theo quy định", True),
    "late": ("Xử lý xong quá hạn", False),
    "ended_late": ("Kết thúc (dừng xử lý, từ chối, công dân rút) sau hạn", False),
    "in_progress_overdue": ("Chưa xử lý xong, đã quá hạn tính đến cuối kỳ", False),
    "waiting_supplement_late": ("Đang chờ công dân bổ sung; yêu cầu bổ sung sau hạn", False),
    "supplement_requested_twice": ("Yêu cầu bổ sung hơn một lần (Cổng DVCQG tính là trễ hạn)", False),
    "no_due_over_limit": ("Không có ngày hẹn trả; vượt thời hạn giải quyết theo quy định", False),
    "no_due_no_limit": ("Không có ngày hẹn trả và không xác định được thời hạn giải quyết", False),
    # not counted in 2.1 (never in a drill-down)
    "not_received": ("Chưa được tiếp nhận (không tính)", False),
    "received_after_period": ("Tiếp nhận sau kỳ đánh giá (không tính)", False),
    "ended_before_period": ("Đã kết thúc trước kỳ đánh giá (không tính)", False),
    # 1.3
    "complete": ("Công khai đủ 7 bộ phận", True),
    "incomplete": ("Công khai thiếu bộ phận", False),
    # 1.4
    "synced": ("Đã đồng bộ lên Cổng DVCQG (thông điệp đồng bộ đã gửi thành công)", True),
    "synced_import": ("Nhập từ bản ghi đồng bộ hồ sơ (coi là đã đồng bộ)", True),
    "sync_pending": ("Chưa đồng bộ: thông điệp đồng bộ đang chờ gửi", False),
    "sync_failed": ("Chưa đồng bộ: gửi thông điệp đồng bộ bị lỗi", False),
    "not_synced": ("Chưa đồng bộ: không có thông điệp đồng bộ", False),
    # 3.TT, 3.3
    "online": ("Nộp trực tuyến", True),
    "not_online": ("Không nộp trực tuyến (trực tiếp hoặc bưu chính)", False),
    "no_electronic_result": ("Nộp trực tuyến nhưng thiếu kết quả điện tử (mã kết quả, tệp kết quả)", False),
    # 3.1, 3.2
    "online_full": ("Cung cấp DVCTT toàn trình", True),
    "online_partial": ("Cung cấp DVCTT một phần", True),
    "no_online_service": ("Không cung cấp DVCTT", False),
    "has_online_dossier": ("Có hồ sơ trực tuyến trong kỳ", True),
    "no_online_dossier": ("Không có hồ sơ trực tuyến nào trong kỳ", False),
    # 3.5, 3.5b, 3.6
    "fee_dossier": ("Có hồ sơ đồng bộ kèm phí, lệ phí khác 0 trong kỳ", True),
    "no_fee_dossier": ("Không có hồ sơ nào kèm phí, lệ phí khác 0 trong kỳ", False),
    "paid_online_dossier": ("Có hồ sơ thanh toán trực tuyến trong kỳ", True),
    "no_paid_online_dossier": ("Không có hồ sơ thanh toán trực tuyến nào trong kỳ", False),
    "paid_online": ("Thanh toán trực tuyến", True),
    "not_paid_online": ("Không thanh toán trực tuyến", False),
    # 4.x
    "result_file": ("Có tệp kết quả điện tử", True),
    "no_result_file": ("Không có tệp kết quả điện tử", False),
    "digitised": ("Thành phần hồ sơ đã số hóa", True),
    "not_digitised": ("Thành phần hồ sơ chưa số hóa", False),
    "digitised_no_result_file": ("Đã số hóa thành phần nhưng thiếu tệp kết quả điện tử", False),
    "ecopy_issued": ("Đã cấp bản sao điện tử chứng thực từ bản chính trong kỳ", True),
    "no_ecopy": ("Chưa cấp bản sao điện tử chứng thực từ bản chính nào trong kỳ", False),
    "reused_digitised": ("Có thành phần sử dụng lại dữ liệu số hóa", True),
    "not_reused_digitised": ("Không có thành phần sử dụng lại dữ liệu số hóa", False),
    "from_warehouse": ("Có tài liệu lấy từ kho dữ liệu cá nhân trên Cổng DVCQG", True),
    "not_from_warehouse": ("Không có tài liệu lấy từ kho dữ liệu cá nhân", False),
    "population_data_used": ("Có sử dụng dữ liệu dân cư (VNeID, kho dữ liệu, CSDL dân cư)", True),
    "population_data_not_used": ("Không sử dụng dữ liệu dân cư", False),
    # 5.4
    "not_disliked": ("Không bị người dân đánh giá không hài lòng", True),
    "disliked": ("Người dân đánh giá không hài lòng", False),
}


def reason_label(code: str) -> str:
    return REASONS[code][0] if code in REASONS else code


@dataclass(frozen=True, slots=True)
class Verdict:
    counts: bool  # in the numerator
    reason: str  # a code of REASONS


def _v(reason: str) -> Verdict:
    return Verdict(REASONS[reason][1], reason)


V = {code: _v(code) for code in REASONS}
