"""What each indicator is: its formula as implemented, its source and assumptions, or why it is missing."""

from __future__ import annotations

from dataclasses import dataclass

# -- what each indicator is --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInfo:
    subject: str  # "dossier", "procedure", "" (not computed)
    formula: str  # as implemented, in Vietnamese
    source: str  # where the formula comes from, in plain Vietnamese (shown on the indicator's page)
    assumptions: tuple[str, ...] = ()
    missing: str = ""  # why the input is missing (0 points), when it is


_RECEIVED = "hồ sơ có ngày tiếp nhận trong kỳ"
INFO: dict[str, IndicatorInfo] = {
    "1.1": IndicatorInfo(
        "procedure",
        "TTHC có quyết định công bố đúng hạn (ngày quyết định ≤ ngày có hiệu lực muộn nhất của căn cứ pháp "
        "lý − 5 ngày làm việc) ÷ TTHC trong các quyết định công bố có ngày quyết định trong kỳ",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Cần ngày có hiệu lực của từng căn cứ pháp lý và ngày quyết định công bố trên CSDL quốc gia "
        "về TTHC; danh mục thủ tục của motcua chỉ lưu tên căn cứ pháp lý.",
    ),
    "1.2": IndicatorInfo(
        "procedure",
        "TTHC công khai trên CSDL quốc gia về TTHC đúng hạn (≤ ngày quyết định công bố + 5 ngày làm việc) "
        "÷ (TTHC công khai trong kỳ + TTHC đến hạn công khai)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Ngày công khai (thao tác “công khai”) trên CSDL quốc gia về TTHC do hệ thống quốc gia giữ.",
    ),
    "1.3": IndicatorInfo(
        "procedure",
        "TTHC đang có hiệu lực (cuối kỳ) công khai đủ 7 bộ phận (tên, trình tự, cách thức, thành phần hồ "
        "sơ, thời hạn, đối tượng, cơ quan thực hiện) ÷ TTHC đang có hiệu lực trong phạm vi",
        "Theo cách tính của Cổng Dịch vụ công quốc gia (đọc từ danh mục thủ tục của hệ thống)",
        ("“Cách thức thực hiện” đủ khi có mô tả cách thức hoặc danh sách hình thức nộp.",),
    ),
    "1.4": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} đã đồng bộ lên Cổng DVCQG (thông điệp đồng bộ hồ sơ đã gửi thành công, hoặc hồ sơ "
        f"nhập từ bản ghi đồng bộ) ÷ {_RECEIVED}",
        "Tử số theo cách tính của Cổng Dịch vụ công quốc gia; mẫu số chưa được xác nhận",
        (
            "Mẫu số là số hồ sơ tiếp nhận theo motcua, thay cho số lớn hơn của Hệ thống thông tin báo cáo "
            "quốc gia và thống kê của Cổng DVCQG (hai số này do hệ thống khác giữ).",
            "Hồ sơ nhập từ tệp của hệ thống cũ được coi là đã đồng bộ (tệp nhập có dạng bản ghi đồng bộ "
            "hồ sơ lên Cổng DVCQG).",
        ),
    ),
    "2.1": IndicatorInfo(
        "dossier",
        "hồ sơ xử lý xong hoặc đang xử lý trước hạn, đúng hạn ÷ hồ sơ tiếp nhận đến hết kỳ và chưa kết thúc "
        "trước kỳ (cách tính của Cổng DVCQG: thời điểm kết thúc theo thứ tự ưu tiên Đã xử lý xong > Đã trả "
        "kết quả > Dừng/Từ chối/Công dân rút; chưa kết thúc = 23:59:59 ngày cuối kỳ; đang chờ bổ sung = lúc "
        "yêu cầu; trừ thời gian bổ sung; bổ sung hơn một lần = trễ hạn; không có hạn trả thì so với thời "
        "hạn theo quy định)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
    ),
    "2.2": IndicatorInfo(
        "dossier",
        "tổng thời gian giải quyết các hồ sơ Đã xử lý xong / Đã trả kết quả tiếp nhận trong kỳ "
        "÷ số hồ sơ đó, theo đơn vị thời gian của thủ tục; chỉ tính khi chọn một thủ tục",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "Thời gian từ lúc tiếp nhận đến lúc xử lý xong (không trừ thời gian bổ sung), "
            "đo bằng ngày làm việc (số giờ làm việc của một ngày theo giờ hành chính), giờ làm việc, "
            "hoặc ngày theo lịch với thủ tục tính theo ngày, tháng.",
        ),
    ),
    "3.TT": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} nộp trực tuyến của TTHC cung cấp DVCTT toàn trình ÷ {_RECEIVED} của các TTHC đó",
        "Công thức chưa được xác nhận; hệ thống tạm tính như sau",
        (
            "Công thức của chỉ số 12 điểm “Hồ sơ DVCTT toàn trình” chưa có trong nguồn: motcua dùng tỷ lệ "
            "hồ sơ trực tuyến trên hồ sơ của TTHC toàn trình (theo phiên bản thủ tục của hồ sơ).",
            "Hồ sơ đã có kết quả của TTHC có kết quả dạng giấy phải có kết quả điện tử (như chỉ số 3.3).",
        ),
    ),
    "3.1": IndicatorInfo(
        "procedure",
        "TTHC cung cấp DVCTT (toàn trình hoặc một phần) ÷ TTHC đang có hiệu lực trong phạm vi",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
    ),
    "3.2": IndicatorInfo(
        "procedure",
        "DVCTT có ít nhất một hồ sơ trực tuyến tiếp nhận trong kỳ ÷ DVCTT (TTHC toàn trình hoặc một phần)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "Trạng thái dịch vụ (đang công khai, chờ dừng, đang kiểm thử) không được lưu: mọi TTHC có mức "
            "trực tuyến đều tính.",
        ),
    ),
    "3.3": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} nộp trực tuyến (TTHC có kết quả dạng giấy thì phải có kết quả điện tử) ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "Cổng DVCQG nhân thêm tỷ lệ đồng bộ (1.4); motcua tính trên toàn bộ hồ sơ của mình "
            "nên không nhân.",
            "Điều kiện kết quả điện tử chỉ xét với hồ sơ đã có kết quả (Đã xử lý xong / Đã trả kết quả).",
        ),
    ),
    "3.5": IndicatorInfo(
        "procedure",
        "TTHC có hồ sơ tiếp nhận trong kỳ kèm phí, lệ phí khác 0 ÷ TTHC có nghĩa vụ tài chính theo danh mục",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "TTHC có nghĩa vụ tài chính: danh mục ghi một khoản phí, lệ phí khác 0 hoặc chưa ghi mức thu.",
            "Chỉ đếm ở tử số các TTHC thuộc mẫu số.",
        ),
    ),
    "3.5b": IndicatorInfo(
        "procedure",
        "TTHC có ít nhất một hồ sơ thanh toán trực tuyến tiếp nhận trong kỳ ÷ TTHC có nghĩa vụ tài chính",
        "Công thức chưa được xác nhận; hệ thống tạm tính như sau",
        ("Công thức của chỉ số 2 điểm “TTHC có giao dịch thanh toán trực tuyến” chưa có trong nguồn.",),
    ),
    "3.6": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có thanh toán trực tuyến ÷ ({_RECEIVED} của TTHC có "
        "nghĩa vụ tài chính − hồ sơ có mọi khoản phí, lệ phí bằng 0)",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        ("Hồ sơ không có dòng phí, lệ phí nào được coi như mọi khoản bằng 0 (không tính ở mẫu số).",),
    ),
    "4.1": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} đã có kết quả, có tệp kết quả điện tử ÷ {_RECEIVED} đã có kết "
        "quả của TTHC có kết quả dạng giấy",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        ("Chỉ xét hồ sơ đã có kết quả (Đã xử lý xong / Đã trả kết quả); kỳ theo ngày tiếp nhận.",),
    ),
    "4.2": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có thành phần đã số hóa (được đánh dấu số hóa, có tệp đính kèm, hoặc hồ sơ ghi có "
        "thành phần số hóa) "
        f"và, với TTHC có kết quả dạng giấy, có tệp kết quả điện tử ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        ("Điều kiện tệp kết quả chỉ xét với hồ sơ đã có kết quả.",),
    ),
    "4.CT": IndicatorInfo(
        "procedure",
        "TTHC chứng thực bản sao từ bản chính đã cấp bản sao điện tử có chứng thực (ký số, chưa thu hồi) "
        "cho hồ sơ tiếp nhận trong kỳ ÷ TTHC chứng thực bản sao từ bản chính",
        "Công thức chưa được xác nhận; hệ thống tạm tính như sau",
        (
            "TTHC chứng thực bản sao từ bản chính theo quy tắc “Chứng thực bản sao điện tử từ bản chính” "
            "(mặc định 2.000815).",
        ),
    ),
    "4.3": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có thành phần sử dụng lại dữ liệu số hóa (hồ sơ ghi có thành phần số hóa, hoặc tài "
        f"liệu nộp được đánh dấu số hóa) ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
    ),
    "4.4": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có tài liệu lấy từ kho dữ liệu cá nhân trên Cổng DVCQG ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        ("Nhánh “kết quả điện tử đã đồng bộ vào kho dữ liệu của công dân” chưa tính: motcua chưa ghi nhận.",),
    ),
    "4.5b": IndicatorInfo(
        "dossier",
        f"{_RECEIVED} có tài khoản xác thực bằng VNeID, tài liệu lấy từ kho dữ liệu cá nhân "
        f"hoặc mã cơ sở dữ liệu dân cư ÷ {_RECEIVED}",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
    ),
    "4.5a": IndicatorInfo(
        "procedure",
        "TTHC có hồ sơ trong kỳ dùng dữ liệu dân cư (như 4.5b) ÷ TTHC có đối tượng là cá nhân",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        (
            "TTHC không ghi đối tượng thực hiện: coi là có đối tượng cá nhân khi có hồ sơ của công dân "
            "trong kỳ.",
        ),
    ),
    "5.1": IndicatorInfo(
        "",
        "PAKN về quy định, chính sách, TTHC hoặc hành vi cán bộ ÷ tổng PAKN trong kỳ",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Phản ánh, kiến nghị (PAKN) chưa được motcua quản lý.",
    ),
    "5.2": IndicatorInfo(
        "",
        "PAKN xử lý đúng hạn ÷ PAKN trong kỳ",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Phản ánh, kiến nghị (PAKN) chưa được motcua quản lý.",
    ),
    "5.3": IndicatorInfo(
        "",
        "(PAKN − PAKN bị đánh giá không hài lòng, xử lý trễ hạn hoặc phản ánh lại) ÷ PAKN tiếp nhận lần đầu "
        "trong kỳ",
        "Theo cách tính của Cổng Dịch vụ công quốc gia",
        missing="Phản ánh, kiến nghị (PAKN) và đánh giá của người dân chưa được motcua quản lý.",
    ),
    "5.4": IndicatorInfo(
        "dossier",
        "100% − (tỷ lệ hồ sơ trễ hạn theo chỉ số 2.1 + tỷ lệ hồ sơ tiếp nhận trong kỳ bị người dân đánh giá "
        "không hài lòng); đạt 90% được điểm tối đa",
        "Theo cách tính của Cổng Dịch vụ công quốc gia; đánh giá theo NĐ 61/2018 Điều 31",
        (
            "Tỷ lệ bị đánh giá không hài lòng tính trên hồ sơ có ngày tiếp nhận trong kỳ (đánh giá ghi nhận "
            "đến khi tính chỉ số); hồ sơ vừa trễ hạn vừa bị đánh giá không hài lòng bị trừ ở cả hai tỷ lệ.",
            "Khiếu nại, phản ánh về hồ sơ chưa được tính (chưa quản lý phản ánh, kiến nghị).",
        ),
    ),
}
UNIT_SCOPE = (
    "Phạm vi một đơn vị: TTHC giao cho đơn vị (hoặc đơn vị trực thuộc) thực hiện, cộng các TTHC có hồ sơ "
    "của đơn vị trong kỳ."
)
LINEAR = "Không có ngưỡng: điểm = tỷ lệ × điểm tối đa ÷ 100 (giả định của hệ thống)."
NO_FORMULA = "motcua chưa có công thức cho chỉ số này (mã mới trong bảng trọng số)."
