"""The dossier screens' words for the domain's codes, translatable.

The domain modules hold plain Vietnamese labels (rules.py has no Django import; the models' choices
are not marked for translation). These are the same words, translatable; a test keeps them equal.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.core.models import Role
from motcua.dossiers.models import Channel, DossierComponent, DossierFee, ResultDelivery
from motcua.dossiers.rules import Action, State

STATE_TEXT = {
    State.SUBMITTED: _("Mới đăng ký (chờ tiếp nhận)"),
    State.INTAKE_SUPPLEMENT: _("Chờ bổ sung trước khi tiếp nhận"),
    State.RECEIVED: _("Đã tiếp nhận"),
    State.REFUSED_AT_INTAKE: _("Không được tiếp nhận"),
    State.IN_PROGRESS: _("Đang xử lý"),
    State.AWAITING_SUPPLEMENT: _("Chờ bổ sung hồ sơ"),
    State.AWAITING_PAYMENT: _("Chờ thực hiện nghĩa vụ tài chính"),
    State.WITHDRAWN: _("Công dân yêu cầu rút hồ sơ"),
    State.STOPPED: _("Dừng xử lý"),
    State.REFUSED_AFTER_APPRAISAL: _("Từ chối giải quyết"),
    State.RESULT_READY: _("Đã có kết quả, chờ trả"),
    State.RETURNED: _("Đã trả kết quả"),
}

NATIONAL_TEXT = {
    1: pgettext_lazy("national status", "Mới đăng ký"),
    2: pgettext_lazy("national status", "Được tiếp nhận"),
    3: pgettext_lazy("national status", "Không được tiếp nhận"),
    4: pgettext_lazy("national status", "Đang xử lý"),
    5: pgettext_lazy("national status", "Yêu cầu bổ sung giấy tờ"),
    6: pgettext_lazy("national status", "Yêu cầu thực hiện nghĩa vụ tài chính"),
    7: pgettext_lazy("national status", "Công dân yêu cầu rút hồ sơ"),
    8: pgettext_lazy("national status", "Dừng xử lý"),
    9: pgettext_lazy("national status", "Đã xử lý xong"),
    10: pgettext_lazy("national status", "Đã trả kết quả"),
}

ACTION_TEXT = {
    Action.SUBMIT_ONLINE: _("Nộp hồ sơ trực tuyến"),
    Action.RECEIVE_AT_COUNTER: _("Tiếp nhận hồ sơ tại Bộ phận Một cửa"),
    Action.ACCEPT_ONLINE: _("Tiếp nhận hồ sơ trực tuyến"),
    Action.REFUSE_AT_INTAKE: _("Từ chối tiếp nhận"),
    Action.HAND_OVER: _("Chuyển bước xử lý"),
    Action.SEND_BACK: _("Trả lại bước trước"),
    Action.ASSIGN: _("Phân công xử lý"),
    Action.REQUEST_SUPPLEMENT: _("Yêu cầu bổ sung hồ sơ"),
    Action.RECEIVE_SUPPLEMENT: _("Nhận hồ sơ bổ sung"),
    Action.REQUEST_INTAKE_SUPPLEMENT: _("Yêu cầu bổ sung trước khi tiếp nhận"),
    Action.SUPPLEMENT_ONLINE: _("Công dân bổ sung hồ sơ trực tuyến"),
    Action.PAY_ONLINE: _("Nộp phí, lệ phí trực tuyến"),
    Action.REQUEST_PAYMENT: _("Yêu cầu thực hiện nghĩa vụ tài chính"),
    Action.CONFIRM_PAYMENT: _("Xác nhận đã nộp phí, nghĩa vụ tài chính"),
    Action.REQUEST_CONSULTATION: _("Lấy ý kiến đơn vị liên quan"),
    Action.ANSWER_CONSULTATION: _("Trả lời xin ý kiến"),
    Action.REFUSE_AFTER_APPRAISAL: _("Từ chối giải quyết"),
    Action.STOP: _("Dừng xử lý"),
    Action.WITHDRAW: _("Rút hồ sơ theo yêu cầu của công dân"),
    Action.RESET_DUE: _("Xin lỗi và hẹn lại ngày trả kết quả"),
    Action.MARK_RESULT_READY: _("Có kết quả, chuyển trả"),
    Action.RETURN_RESULT: _("Trả kết quả"),
    Action.REPLACE_RESULT: _("Thu hồi và cấp lại kết quả"),
    Action.IMPORT_UPDATE: _("Cập nhật theo dữ liệu nhập"),
}

CHANNEL_TEXT = {
    Channel.COUNTER: _("Trực tiếp"),
    Channel.ONLINE: _("Trực tuyến"),
    Channel.POST: _("Bưu chính công ích"),
}

DELIVERY_TEXT = {
    ResultDelivery.COUNTER: _("Nhận tại Bộ phận Một cửa"),
    ResultDelivery.ONLINE: _("Nhận trực tuyến"),
    ResultDelivery.POST: _("Nhận qua bưu chính công ích"),
}

KIND_TEXT = {
    DossierComponent.Kind.ORIGINAL: _("Bản chính"),
    DossierComponent.Kind.COPY: _("Bản sao"),
    DossierComponent.Kind.CERTIFIED_COPY: _("Bản sao chứng thực"),
    DossierComponent.Kind.ELECTRONIC: _("Bản điện tử"),
}

FEE_KIND_TEXT = {
    DossierFee.Kind.FEE: _("Lệ phí"),
    DossierFee.Kind.CHARGE: _("Phí"),
    DossierFee.Kind.OBLIGATION: _("Nghĩa vụ tài chính"),
}

ROLE_TEXT = {
    Role.INTAKE_OFFICER: _("Cán bộ một cửa"),
    Role.SPECIALIST: _("Chuyên viên"),
    Role.UNIT_LEADER: _("Lãnh đạo phòng"),
    Role.AGENCY_LEADER: _("Lãnh đạo cơ quan"),
    Role.CLERK: _("Văn thư"),
    Role.SUPERVISOR: _("Giám sát (Văn phòng UBND)"),
    Role.ADMINISTRATOR: _("Quản trị hệ thống"),
}
