"""The evaluation app's configurable rules, registered with ``core.rules`` when the app is ready:
the QĐ 766 weight table and the TT 01/2018 bands. The two readings of the one on-time rule
(``timeliness.*``) belong to the dossiers app (``dossiers.ontime``), which the dossier page reads too.
docs/rules.md lists them for people."""

from __future__ import annotations

from motcua.core.rules import RuleDefinition
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
)
