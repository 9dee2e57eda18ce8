"""Request and response schemas of the dossier API (``/api/ho-so/``).

Field names are English; descriptions and every validation message are Vietnamese. Input schemas
forbid unknown fields (a typo is an error, not silently ignored), bound every number and length (no
input reaches the database out of range), and refuse the NUL character (PostgreSQL cannot store it).
The transition body is a discriminated union on ``action``: OpenAPI documents each action's fields.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from motcua.core.errorpages import ErrorOut as ErrorOut  # the API error body, used as s.ErrorOut
from motcua.core.identity import IdentityError, normalise_tax_code, parse_citizen_id
from motcua.dossiers.rules import ACTION_LABELS, Action

# -- building blocks -------------------------------------------------------------------------------

MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2100, 12, 31)
MAX_VERSION = 2_147_483_647
MAX_ID = 9_223_372_036_854_775_807


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Không được chứa ký tự NUL (\\u0000).")
    return value


NoNul = AfterValidator(_no_nul)
# Strings of bounded length without NUL characters.
Code = Annotated[str, Field(min_length=1, max_length=60), NoNul]
Name = Annotated[str, Field(max_length=255), NoNul]
Note = Annotated[str, Field(max_length=4000), NoNul]
Username = Annotated[str, Field(min_length=1, max_length=150), NoNul]
Text20 = Annotated[str, Field(max_length=20), NoNul]
Text60 = Annotated[str, Field(max_length=60), NoNul]
Text100 = Annotated[str, Field(max_length=100), NoNul]
Text150 = Annotated[str, Field(max_length=150), NoNul]
Text254 = Annotated[str, Field(max_length=254), NoNul]
Text1000 = Annotated[str, Field(max_length=1000), NoNul]
Label400 = Annotated[str, Field(min_length=1, max_length=400), NoNul]
ExpectedVersion = Annotated[
    int,
    Field(
        strict=True,
        ge=1,
        le=MAX_VERSION,
        description="Phiên bản hồ sơ (lock_version) mà bên gọi đã đọc; sai lệch → 409 dossier_stale.",
    ),
]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# -- create ----------------------------------------------------------------------------------------


class ApplicantIn(In):
    """Chủ hồ sơ: công dân (citizen_id) hoặc tổ chức, doanh nghiệp (tax_code) — đúng một trong hai.

    Đã có trong hệ thống thì dùng bản ghi sẵn có (các trường khác bỏ qua); chưa có thì tạo mới và
    cần ``full_name`` (họ tên công dân hoặc tên tổ chức)."""

    citizen_id: Text20 | None = Field(None, description="Số định danh cá nhân (CCCD), 12 chữ số.")
    tax_code: Text20 | None = Field(None, description="Mã số thuế: 10 chữ số, hoặc 10 chữ số-3 chữ số.")
    full_name: Name | None = Field(None, description="Họ và tên công dân, hoặc tên tổ chức.")
    birth_date: Annotated[date, Field(ge=MIN_DAY, le=MAX_DAY)] | None = None
    phone: Text20 = ""
    email: Text254 = ""
    address: Name = ""
    representative: Text150 = Field("", description="Người đại diện (tổ chức).")

    @model_validator(mode="after")
    def _check(self) -> ApplicantIn:
        if bool(self.citizen_id) == bool(self.tax_code):
            raise ValueError(
                "Chủ hồ sơ phải có đúng một trong hai: citizen_id (công dân) hoặc tax_code (tổ chức)."
            )
        try:
            if self.citizen_id:
                self.citizen_id = parse_citizen_id(self.citizen_id, birth_date=self.birth_date).number
            else:
                self.tax_code = normalise_tax_code(self.tax_code or "")
        except IdentityError as exc:
            raise ValueError(str(exc)) from None
        if self.email:
            try:
                validate_email(self.email)
            except DjangoValidationError:
                raise ValueError("Địa chỉ thư điện tử không hợp lệ.") from None
        return self


class ComponentIn(In):
    """Một giấy tờ đã nộp: thành phần của thủ tục (theo ``order`` hoặc ``code`` trong danh mục, phiên
    bản đang có hiệu lực) hoặc giấy tờ khác (chỉ ``name``)."""

    order: Annotated[int, Field(strict=True, ge=1, le=32767)] | None = Field(
        None, description="Thứ tự thành phần trong danh mục (GET /api/thu-tuc/{code})."
    )
    code: Text60 | None = Field(None, description="Mã thành phần trong danh mục.")
    name: Text1000 = Field("", description="Tên giấy tờ (bắt buộc với giấy tờ ngoài danh mục).")
    kind: Literal["original", "copy", "certified_copy", "electronic"] | None = Field(
        None, description="Loại bản; mặc định theo danh mục (hoặc bản chính)."
    )
    quantity: Annotated[int, Field(strict=True, ge=1, le=99)] = 1
    received: Annotated[bool, Field(strict=True)] = True
    digitised: Annotated[bool, Field(strict=True)] = False
    reused: Annotated[bool, Field(strict=True, description="Lấy từ kho dữ liệu (tái sử dụng).")] = False

    @model_validator(mode="after")
    def _check(self) -> ComponentIn:
        if self.order is None and not self.code and not self.name.strip():
            raise ValueError("Mỗi giấy tờ cần order hoặc code của thành phần trong danh mục, hoặc name.")
        return self


class CreateIn(In):
    """Tạo hồ sơ. Kênh 1 (trực tiếp) và 3 (bưu chính): Bộ phận Một cửa tiếp nhận ngay (trạng thái 2).
    Kênh 2 (trực tuyến): hồ sơ nộp trực tuyến chờ tiếp nhận (trạng thái 1), do hệ thống chuyển tiếp
    (cổng dịch vụ công) gửi; tài khoản gọi phải là cán bộ một cửa của đơn vị tiếp nhận."""

    channel: Literal[1, 2, 3] = Field(
        description="Kênh nộp: 1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích."
    )
    applicant: ApplicantIn
    procedure: Code = Field(description="Mã thủ tục hành chính (MaTTHC), ví dụ 1.001193.")
    receiving_unit: Code = Field(description="Mã đơn vị tiếp nhận (mã nội bộ hoặc mã định danh điện tử).")
    competent_unit: Code | None = Field(
        None, description="Mã đơn vị có thẩm quyền giải quyết; mặc định là đơn vị tiếp nhận."
    )
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)
    result_delivery: Literal["counter", "online", "post"] | None = Field(
        None,
        description="Hình thức nhận kết quả; mặc định counter (kênh 1, 3) hoặc online (kênh 2).",
    )


# -- transitions -------------------------------------------------------------------------------------


class AcceptIn(In):
    """Tiếp nhận hồ sơ nộp trực tuyến (1 → 2): thời hạn giải quyết bắt đầu tính."""

    expected_version: ExpectedVersion


class _Transition(In):
    expected_version: ExpectedVersion


class HandOverIn(_Transition):
    """Chuyển hồ sơ sang bước tiếp theo của quy trình nội bộ, có thể giao luôn người xử lý."""

    action: Literal["hand_over"]
    assignee: Username | None = Field(None, description="Tên đăng nhập của người xử lý bước tiếp theo.")
    note: Note = ""


class SendBackIn(_Transition):
    """Trả hồ sơ về một bước trước của quy trình nội bộ, kèm lý do (người giữ bước hiện tại)."""

    action: Literal["send_back"]
    reason: Note = Field(description="Lý do trả lại.")
    to_step: Code | None = Field(
        None, description="Mã bước trước muốn trả về; mặc định là bước xử lý ngay trước bước hiện tại."
    )
    assignee: Username | None = Field(
        None, description="Tên đăng nhập người xử lý bước đó; mặc định là người đã làm bước đó gần nhất."
    )


class AssignIn(_Transition):
    """Lãnh đạo phân công (hoặc đổi) người xử lý bước hiện tại."""

    action: Literal["assign"]
    assignee: Username = Field(description="Tên đăng nhập của người được phân công.")
    note: Note = ""


class RequestSupplementIn(_Transition):
    """Yêu cầu bổ sung hồ sơ (Mẫu 02), trong thời hạn sau khi tiếp nhận; thời hạn giải quyết dừng."""

    action: Literal["request_supplement"]
    items: list[Text1000] = Field(min_length=1, max_length=50, description="Các giấy tờ cần bổ sung.")
    reasons: Note = Field(description="Lý do yêu cầu bổ sung.")


class RequestIntakeSupplementIn(_Transition):
    """Yêu cầu bổ sung hồ sơ trực tuyến trước khi tiếp nhận (Mẫu 02); hồ sơ chưa được tiếp nhận."""

    action: Literal["request_intake_supplement"]
    items: list[Text1000] = Field(min_length=1, max_length=50, description="Các giấy tờ cần bổ sung.")
    reasons: Note = Field(description="Lý do yêu cầu bổ sung.")


class ReceiveSupplementIn(_Transition):
    """Nhận hồ sơ bổ sung: thời hạn được tính lại theo quy tắc workdays.supplement_mode."""

    action: Literal["receive_supplement"]
    note: Note = ""
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)


class FeeItemIn(In):
    name: Label400
    amount_vnd: Annotated[int, Field(strict=True, ge=0, le=10**13)] | None = Field(
        None, description="Số tiền (đồng); null khi chưa xác định."
    )
    kind: Literal["fee", "charge", "obligation"] = "obligation"


class RequestPaymentIn(_Transition):
    """Yêu cầu thực hiện nghĩa vụ tài chính (trạng thái 6)."""

    action: Literal["request_payment"]
    items: list[FeeItemIn] = Field(min_length=1, max_length=50)
    note: Note = ""


class ConfirmPaymentIn(_Transition):
    """Xác nhận đã nộp mọi khoản còn nợ; hồ sơ tiếp tục được xử lý."""

    action: Literal["confirm_payment"]
    receipt_ref: Text100 = Field("", description="Số biên lai hoặc mã giao dịch.")
    online: Annotated[bool, Field(strict=True, description="Nộp trực tuyến.")] = False


class ConsultationTargetIn(In):
    unit: Code = Field(description="Mã đơn vị được lấy ý kiến.")
    working_days: Annotated[int, Field(strict=True, ge=1, le=250)] = Field(
        description="Thời hạn trả lời (ngày làm việc)."
    )


class RequestConsultationIn(_Transition):
    """Lấy ý kiến đơn vị liên quan (liên thông): song song với hồ sơ điện tử, lần lượt với hồ sơ giấy."""

    action: Literal["request_consultation"]
    targets: list[ConsultationTargetIn] = Field(min_length=1, max_length=20)
    question: Note = Field(description="Nội dung xin ý kiến.")
    mode: Literal["parallel", "sequential"] | None = Field(
        None, description="Mặc định: parallel với hồ sơ trực tuyến, sequential với hồ sơ giấy."
    )


class AnswerConsultationIn(_Transition):
    """Đơn vị được hỏi trả lời xin ý kiến (``consultation_id`` trong chi tiết hồ sơ)."""

    action: Literal["answer_consultation"]
    consultation_id: Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
    answer: Note = Field(description="Nội dung ý kiến.")


class RefuseAtIntakeIn(_Transition):
    """Từ chối tiếp nhận hồ sơ nộp trực tuyến (Mẫu 03)."""

    action: Literal["refuse_at_intake"]
    reasons: Note = Field(description="Lý do từ chối tiếp nhận.")


class RefuseAfterAppraisalIn(_Transition):
    """Từ chối giải quyết sau thẩm định, trong thời hạn giải quyết (lãnh đạo)."""

    action: Literal["refuse_after_appraisal"]
    reasons: Note = Field(description="Lý do từ chối giải quyết.")


class StopIn(_Transition):
    """Dừng xử lý hồ sơ (trạng thái 8), kể cả sau khi công dân xin rút."""

    action: Literal["stop"]
    reasons: Note = Field(description="Lý do dừng xử lý.")


class WithdrawIn(_Transition):
    """Công dân xin rút hồ sơ (trạng thái 7), cán bộ một cửa ghi nhận."""

    action: Literal["withdraw"]
    reason: Note = Field(description="Lý do rút hồ sơ.")


class ResetDueIn(_Transition):
    """Xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04), một lần, chậm nhất trước hạn theo quy tắc."""

    action: Literal["reset_due"]
    reason: Note = Field(description="Lý do chậm trả kết quả.")
    new_due: Annotated[date, Field(ge=date(2000, 1, 1), le=MAX_DAY)] = Field(
        description="Ngày hẹn trả mới (YYYY-MM-DD, ngày làm việc); hạn là giờ đóng cửa ngày đó."
    )


class MarkResultReadyIn(_Transition):
    """Đã có kết quả (trạng thái 9); hồ sơ chuyển về Bộ phận Một cửa để trả."""

    action: Literal["mark_result_ready"]
    note: Note = ""


class ReturnResultIn(_Transition):
    """Trả kết quả cho người nộp (trạng thái 10)."""

    action: Literal["return_result"]
    notified: Annotated[bool, Field(strict=True, description="Đã báo trước cho người nộp.")] = False
    note: Note = ""


TRANSITION_SCHEMAS: dict[str, type[_Transition]] = {
    "hand_over": HandOverIn,
    "send_back": SendBackIn,
    "assign": AssignIn,
    "request_supplement": RequestSupplementIn,
    "request_intake_supplement": RequestIntakeSupplementIn,
    "receive_supplement": ReceiveSupplementIn,
    "request_payment": RequestPaymentIn,
    "confirm_payment": ConfirmPaymentIn,
    "request_consultation": RequestConsultationIn,
    "answer_consultation": AnswerConsultationIn,
    "refuse_at_intake": RefuseAtIntakeIn,
    "refuse_after_appraisal": RefuseAfterAppraisalIn,
    "stop": StopIn,
    "withdraw": WithdrawIn,
    "reset_due": ResetDueIn,
    "mark_result_ready": MarkResultReadyIn,
    "return_result": ReturnResultIn,
}


def _known_action(value: Any) -> Any:
    """A Vietnamese message for a missing or unknown ``action`` (before the union picks a schema)."""
    if not isinstance(value, dict):
        return value
    given = value.get("action")
    # Any JSON value may come: a list or an object cannot even be looked up (unhashable).
    if not isinstance(given, str) or given not in TRANSITION_SCHEMAS:
        choices = ", ".join(TRANSITION_SCHEMAS)
        if given is None:
            raise ValueError(f"Thiếu thao tác (action); chọn một trong: {choices}.")
        if not isinstance(given, str):
            raise ValueError(f"Thao tác (action) phải là một chuỗi; chọn một trong: {choices}.")
        raise ValueError(f"Thao tác “{given[:40]}” không có; chọn một trong: {choices}.")
    return value


TransitionIn = Annotated[
    HandOverIn
    | SendBackIn
    | AssignIn
    | RequestSupplementIn
    | RequestIntakeSupplementIn
    | ReceiveSupplementIn
    | RequestPaymentIn
    | ConfirmPaymentIn
    | RequestConsultationIn
    | AnswerConsultationIn
    | RefuseAtIntakeIn
    | RefuseAfterAppraisalIn
    | StopIn
    | WithdrawIn
    | ResetDueIn
    | MarkResultReadyIn
    | ReturnResultIn,
    Field(discriminator="action"),
    BeforeValidator(_known_action),
]

assert all(Action(a) in ACTION_LABELS for a in TRANSITION_SCHEMAS)


# -- responses ---------------------------------------------------------------------------------------


class Out(BaseModel):
    """A response body. Plain pydantic, not ninja's ``Schema``: the API builds every response from named
    values, never from a model instance, so ninja's wrapping of each value in a ``DjangoGetter`` (which
    looks every field up by ``getattr`` in Python) is not needed — it took 40 % of a 50-row list
    (docs/benchmarks.md, "Where the time goes")."""


class Ref(Out):
    code: str
    name: str


class StepOut(Out):
    code: str
    name: str
    role: str


class PersonRef(Out):
    username: str
    full_name: str


class ApplicantOut(Out):
    type: Literal["citizen", "organisation"] | None = Field(
        description="null: chủ hồ sơ không có số định danh và hồ sơ nhập không ghi LoaiDoiTuong."
    )
    id_number: str = Field(description="Số định danh cá nhân hoặc mã số thuế; rỗng khi không có.")
    name: str
    identified: bool = Field(
        True,
        description="false: chủ hồ sơ không có số định danh (hồ sơ cũ nhập từ dữ liệu), chỉ có họ tên.",
    )


class EventOut(Out):
    seq: int
    at: datetime
    action: str
    action_display: str
    actor: str | None = Field(description="Tên đăng nhập của cán bộ; null khi là công dân hoặc hệ thống.")
    actor_label: str
    from_state: str | None
    to_state: str
    national_status: int
    step: str | None
    due_at: datetime | None
    data: dict[str, Any]


class ComponentOut(Out):
    id: int
    name: str
    catalogue_code: str | None
    catalogue_order: int | None
    kind: str
    quantity: int
    received: bool
    digitised: bool
    reused: bool
    has_file: bool
    supplement_id: int | None


class FeeOut(Out):
    id: int
    name: str
    kind: str
    amount_vnd: int | None
    collect_at: int
    paid: bool
    paid_at: datetime | None
    paid_online: bool
    receipt_ref: str


class SupplementOut(Out):
    id: int
    requested_at: datetime
    items: list[str]
    reasons: str
    received_at: datetime | None
    received_note: str
    mode: str
    due_before: datetime | None
    due_after: datetime | None


class ConsultationOut(Out):
    id: int
    unit: Ref
    mode: str
    order: int
    batch: int
    question: str
    working_days: int
    requested_at: datetime
    due_at: datetime
    answered_at: datetime | None
    answer: str


class DueResetOut(Out):
    ordinal: int
    reason: str
    old_due: datetime
    new_due: datetime
    recorded_at: datetime


class DossierListItem(Out):
    code: str
    state: str
    state_display: str
    national_status: int
    channel: int
    applicant_name: str
    applicant_identified: bool = Field(
        True, description="false: chủ hồ sơ không có số định danh (hồ sơ cũ nhập từ dữ liệu)."
    )
    procedure: Ref
    receiving_unit: Ref
    competent_unit: Ref
    current_step: StepOut | None
    assignee: PersonRef | None
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    step_due_at: datetime | None
    finished_at: datetime | None
    lock_version: int


class DossierListOut(Out):
    box: str
    sort: str
    limit: int
    items: list[DossierListItem]
    next_cursor: str | None = Field(description="Gửi lại trong tham số cursor để lấy trang sau; null là hết.")


class SearchOut(Out):
    q: str
    items: list[DossierListItem]


class DossierOut(Out):
    code: str
    state: str
    state_display: str
    national_status: int
    national_status_display: str
    channel: int
    channel_display: str
    result_delivery: str
    procedure: Ref
    procedure_version: int
    receiving_unit: Ref
    competent_unit: Ref
    applicant: ApplicantOut
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None = Field(
        description="Hạn giải quyết theo quy định (không đổi khi xin lỗi, hẹn lại ngày trả)."
    )
    promised_at: datetime | None = Field(description="Ngày hẹn trả mới theo phiếu xin lỗi (nếu có).")
    step_started_at: datetime | None
    step_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    current_step: StepOut | None
    assignee: PersonRef | None
    paid_online: bool
    lock_version: int = Field(description="Gửi lại làm expected_version ở thao tác tiếp theo.")
    allowed_actions: list[str] = Field(description="Thao tác người gọi được thực hiện lúc này.")
    events: list[EventOut] = Field(description="Lịch sử (timeline), theo thứ tự seq.")
    components: list[ComponentOut]
    fees: list[FeeOut]
    supplements: list[SupplementOut]
    consultations: list[ConsultationOut]
    due_resets: list[DueResetOut]


class DossierStatusOut(Out):
    """The lean record: what tracking shows (status, step, dates), without history or components."""

    code: str
    procedure: Ref
    state: str
    state_display: str
    national_status: int
    national_status_display: str
    current_step: StepOut | None
    submitted_at: datetime
    received_at: datetime | None
    due_at: datetime | None = Field(description="Hạn giải quyết theo quy định.")
    appointment_at: datetime | None = Field(
        description="Ngày hẹn trả đã báo cho người nộp: ngày hẹn mới theo phiếu xin lỗi, "
        "nếu không có thì là hạn giải quyết."
    )
    finished_at: datetime | None
    returned_at: datetime | None
    lock_version: int


class DongBoOut(Out):
    service: str
    isUpdating: bool  # the national portal's field name
    data: list[dict[str, Any]]
