"""The evaluation app's configurable rules, registered with ``core.rules`` when the app is ready:
the QĐ 766 weight table, the TT 01/2018 bands and the two readings of the one on-time rule
(``dossiers.timeliness``). docs/rules.md lists them for people."""

from __future__ import annotations

from motcua.core.rules import RuleDefinition, choice
from motcua.evaluation import tt01 as _tt01
from motcua.evaluation import weights as _index766

DEFINITIONS: tuple[RuleDefinition, ...] = (
    RuleDefinition(
        "evaluation.index766",
        "Bộ chỉ số QĐ 766: nhóm, chỉ số thành phần, điểm tối đa, ngưỡng bão hòa (%)",
        _index766.INDEX766_DEFAULT,
        "QĐ 766/QĐ-TTg (23/06/2022); điểm tối đa theo bảng điểm Cổng DVCQG (MAX766), ngưỡng theo "
        "mô tả công thức của Cổng DVCQG (F766); mã 3.TT, 4.CT do motcua đặt",
        True,
        _index766.index766_value,
    ),
    RuleDefinition(
        "evaluation.tt01",
        "Chấm điểm TT 01/2018: ngưỡng xếp loại cán bộ và cơ quan (tổng điểm)",
        _tt01.BANDS_DEFAULT,
        "TT 01/2018/TT-VPCP Điều 13–15 (domain.md §2.4)",
        True,
        _tt01.bands_value,
    ),
    RuleDefinition(
        "timeliness.basis_766",
        "Cách trừ thời gian chờ bổ sung khi xét đúng hạn cho Bộ chỉ số 766 (và tỷ lệ đúng hạn "
        "trên bảng chỉ số điều hành, báo cáo định kỳ, chấm điểm TT 01)",
        "national",
        "Mô tả công thức chỉ số 2.1 của Cổng DVCQG (F766): thời điểm kết thúc trừ thời gian chờ bổ sung, "
        "so với hạn trả trước lần yêu cầu bổ sung đầu tiên (national); biến thể “statutory”: so với "
        "hạn đã tính lại, không trừ. Việc áp dụng cho TT 01 và báo cáo định kỳ chưa có văn bản xác nhận",
        False,
        choice("national", "statutory"),
    ),
    RuleDefinition(
        "timeliness.basis_late_list",
        "Cách xét quá hạn cho danh sách hồ sơ trễ hạn, hộp “quá hạn” và trang hồ sơ",
        "statutory",
        "NĐ 61/2018/NĐ-CP Điều 19.4: thời hạn tính lại từ khi nhận đủ hồ sơ bổ sung, nên so với hạn "
        "đã tính lại và không trừ thêm (statutory); biến thể “national” theo F766",
        True,
        choice("national", "statutory"),
    ),
)
