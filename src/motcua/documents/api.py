"""The result of a dossier through the API (mounted at /api/ho-so/ beside the dossier API): what the
"Có kết quả, chuyển trả" panel does, for a line-of-business system — the result drawn up from the
procedure's template, the PDF it sends, or the certified copy already signed, signed by the caller and
the caller's unit and issued, the dossier moved to "result ready" (``results.issue_result``).

Same authentication, scoping and errors as the dossier API (``dossiers.api``): a system token or a
staff session; a dossier outside the caller's units is 404; the dossier's refusals (403, 409) come
before anything is signed; a file that is not a PDF, is empty, encrypted or too large is 400."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import File, Form, Router, Schema, UploadedFile
from pydantic import Field

from motcua.documents import results, signing
from motcua.dossiers import schemas as s
from motcua.dossiers.api import ERRORS, acting
from motcua.dossiers.api_auth import StaffSession, TokenAuth
from motcua.dossiers.api_input import check_code
from motcua.dossiers.api_output import after_write

router = Router(auth=[TokenAuth(), StaffSession()])


class SignedBy(Schema):
    name: str = Field(description="Người hoặc cơ quan ký, theo chứng thư số")
    role: str = Field(description="Vai trò: người ký hoặc cơ quan")


class ResultOut(Schema):
    code: str = Field(description="Mã kết quả (MaKetQua)")
    url: str = Field(description="Địa chỉ xác thực công khai (DuongDanTepTinKetQua)")
    sha256: str = Field(description="Mã băm SHA-256 của tệp đã ký")
    kind: Literal["result", "certified_copy"]
    pages: int
    signed_by: list[SignedBy]


class IssuedOut(Schema):
    result: ResultOut
    dossier: s.DossierOut


DESCRIPTION = """
Phát hành kết quả điện tử của hồ sơ và chuyển hồ sơ sang "Đã xử lý xong" (như thao tác "Có kết quả,
chuyển trả" trên màn hình cán bộ). Gửi `multipart/form-data`:

- `expected_version`: `lock_version` của hồ sơ người gọi đã đọc (409 `dossier_stale` nếu đã đổi);
- `source`: `generate` — lập theo mẫu kết quả của thủ tục; `upload` — tệp PDF gửi kèm ở trường `file`
  (kiểm tra theo nội dung: PDF, không rỗng, không mật khẩu, tối đa theo cấu hình); `certified` — bản sao
  điện tử đã chứng thực của hồ sơ (thủ tục chứng thực bản sao);
- `note`: ghi chú (không bắt buộc).

Tệp được ký số PAdES bởi người gọi và đơn vị của người gọi, có dấu thời gian; mã kết quả và địa chỉ
xác thực được ghi vào hồ sơ và bản ghi đồng bộ Cổng DVCQG. Không có khóa ký dùng được: 409
`signing_unavailable`, không ghi gì.
"""


EXPECTED_VERSION = Form(..., ge=1, le=2_147_483_647, description="lock_version của hồ sơ đã đọc")
SOURCE = Form("generate", description="generate | upload | certified")
NOTE = Form("", max_length=2000, description="Ghi chú")
FILE = File(None, description="Tệp PDF kết quả (khi source=upload)")


@router.post(
    "/{code}/ket-qua",
    response={200: IssuedOut, **ERRORS},
    summary="Phát hành kết quả điện tử (ký số) và chuyển trả",
    description=DESCRIPTION,
)
def issue(
    request: HttpRequest,
    code: str,
    expected_version: int = EXPECTED_VERSION,
    source: Literal["generate", "upload", "certified"] = SOURCE,
    note: str = NOTE,
    file: UploadedFile | None = FILE,
) -> IssuedOut:
    check_code(code)
    upload = None
    if source == "upload":
        if file is None:
            raise signing.NotSignable("Chọn tệp PDF kết quả ở trường “file”.")
        upload = file.read()  # checked by content with the rest (results.check_pdf)
    with acting(request) as user:
        document = results.issue_result(
            user,
            code,
            expected_version=expected_version,
            note=note,
            upload=upload,
            certified_copy=source == "certified",
        )
    dossier = document.dossier
    dossier.refresh_from_db()
    return IssuedOut(
        result=ResultOut(
            code=document.public_code,
            url=results.public_url(document.public_code),
            sha256=document.sha256,
            kind=document.kind,  # type: ignore[arg-type]
            pages=document.pages,
            signed_by=[SignedBy(name=p["name"], role=p["role"]) for p in document.signed_by],
        ),
        dossier=after_write(user, dossier),
    )
