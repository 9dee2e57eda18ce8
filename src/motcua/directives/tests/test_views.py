"""The staff screens of task tracking: what each person sees and may do, refusals as 4xx with
Vietnamese messages (never 500), CSRF, and a constant number of queries on every list."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from motcua.directives import services as s
from motcua.directives.models import DirectiveUnit, SourceDocument, UnitAlias
from motcua.directives.tests import factories as f
from motcua.directives.tests.test_workflow import PDF

pytestmark = pytest.mark.django_db

BASE = "/can-bo/nhiem-vu/"


@pytest.fixture
def w():
    with time_machine.travel(f.at(2026, 11, 27, 9), tick=False):
        world = f.world()
        world.document = f.imported(world)  # type: ignore[attr-defined]
        yield world


def get(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


def text(response) -> str:
    return response.content.decode()


def task_url(w, number: str, suffix: str = "") -> str:
    return f"{BASE}{f.task(w.document, number).pk}/{suffix}"


def test_pages_open_for_the_office(client, w):
    for url in [
        BASE,
        f"{BASE}van-ban/{w.document.pk}/",
        task_url(w, "1"),
        f"{BASE}don-vi/",
        f"{BASE}danh-sach/",
        f"{BASE}nhap/",
        f"{BASE}doi-chieu/",
        f"{BASE}danh-sach/?status=overdue&pending=any&q=thủ+tục",
    ]:
        response = get(client, w.supervisor, url)
        assert response.status_code == 200, url
    page = text(get(client, w.supervisor, BASE))
    assert "Theo dõi nhiệm vụ" in page and 'href="/can-bo/nhiem-vu/"' in page  # the navigation link
    assert "Kế hoạch 99/KH-UBND" in page


def test_the_document_page_counts_and_filters(client, w):
    page = text(get(client, w.supervisor, f"{BASE}van-ban/{w.document.pk}/"))
    counts = dict(re.findall(r'data-testid="count-(\w+)"><span class="n">(\d+)</span>', page))
    # 1: overdue (30/09/2023); 2: 30/06/2027 not started; 3: 31/12/2026 not started; 4, 5: no deadline.
    assert counts == {
        "overdue": "1",
        "soon_due": "0",
        "in_progress": "0",
        "not_started": "2",
        "no_deadline": "2",
        "done_on_time": "0",
        "done_late": "0",
    }
    overdue = text(get(client, w.supervisor, f"{BASE}van-ban/{w.document.pk}/?status=overdue"))
    assert overdue.count("data-task-link") == 1 and "Báo cáo rà soát thủ tục hành chính." in overdue


def test_old_bookmarks_of_the_lists_redirect_to_the_current_names(client, w):
    old = get(
        client, w.supervisor, f"{BASE}danh-sach/?trang-thai=overdue&de-nghi=any&tim=x&trang=2&van-ban=1"
    )
    assert old.status_code == 301
    assert old["Location"] == f"{BASE}danh-sach/?status=overdue&pending=any&q=x&page=2&document=1"
    unit = get(client, w.supervisor, f"{BASE}don-vi/?don-vi=hp-stp&vai-tro=lead&muc=II")
    assert unit["Location"] == f"{BASE}don-vi/?unit=hp-stp&role=lead&section=II"
    task = get(client, w.supervisor, task_url(w, "1") + "?ky=2")
    assert task.status_code == 301 and task["Location"] == task_url(w, "1") + "?period=2"
    review = get(client, w.supervisor, f"{BASE}doi-chieu/?van-ban={w.document.pk}")
    assert review["Location"] == f"{BASE}doi-chieu/?document={w.document.pk}"
    # the page's own links and fields use the current names
    page = text(get(client, w.supervisor, f"{BASE}van-ban/{w.document.pk}/?status=overdue"))
    assert 'name="status"' in page and "?status=not_started" in page
    assert "trang-thai" not in page and 'name="tim"' not in page


def test_staff_see_only_their_units_tasks(client, w):
    listed = text(get(client, w.outsider, f"{BASE}danh-sach/"))
    assert listed.count("data-task-link") == 2
    assert get(client, w.outsider, task_url(w, "1")).status_code == 404
    assert get(client, w.outsider, f"{BASE}nhap/").status_code == 403
    assert get(client, w.outsider, f"{BASE}doi-chieu/").status_code == 403
    unit = text(get(client, w.justice_specialist, f"{BASE}don-vi/"))
    assert "Sở Tư pháp thành phố Hải Phòng" in unit  # the department the division belongs to
    assert get(client, w.justice_specialist, f"{BASE}don-vi/?unit=hp-snv").status_code == 404


def test_the_task_page_offers_only_the_actions_allowed(client, w):
    lead = text(get(client, w.justice_specialist, task_url(w, "1")))
    assert "Báo cáo tiến độ</summary>" in lead and "Đề nghị xác nhận hoàn thành</summary>" in lead
    assert "Duyệt đề nghị" not in lead and "Đặt, điều chỉnh thời hạn" not in lead
    office = text(get(client, w.supervisor, task_url(w, "1")))
    assert "Báo cáo tiến độ</summary>" not in office and "Đặt, điều chỉnh thời hạn" in office
    coordinating = text(get(client, w.ward_specialist, task_url(w, "5")))
    assert "Bạn chỉ được xem nhiệm vụ này (đơn vị của bạn không chủ trì)." in coordinating


def test_report_request_and_approve_through_the_pages(client, w, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        client.force_login(w.justice_specialist)
        response = client.post(
            task_url(w, "4", "bao-cao/"),
            {
                "percent": "60",
                "text": "Đã thẩm định 20 dự thảo.",
                "attachments": [SimpleUploadedFile("tham-dinh.pdf", PDF, content_type="application/pdf")],
            },
        )
        assert response.status_code == 302
        page = text(client.get(task_url(w, "4")))
        assert "Đã ghi báo cáo tiến độ." in page and "tham-dinh.pdf" in page and "60%" in page
        link = re.search(r'href="(/can-bo/nhiem-vu/tep/\d+/)"', page).group(1)
        assert client.get(link).status_code == 200
        assert get(client, w.outsider, link).status_code == 404  # outside the task's units: no file
    client.force_login(w.justice_specialist)
    response = client.post(task_url(w, "4", "hoan-thanh/"), {"completed_on": "20/11/2026", "note": "Xong."})
    assert response.status_code == 302
    request = f.task(w.document, "4").current.completions.get()
    client.force_login(w.supervisor)
    page = text(client.get(task_url(w, "4")))
    assert "Duyệt hoàn thành: Sở Tư pháp thành phố Hải Phòng" in page
    response = client.post(
        task_url(w, "4", f"duyet/hoan-thanh/{request.pk}/"),
        {f"c{request.pk}-decision": "approve", f"c{request.pk}-note": ""},
    )
    assert response.status_code == 302
    page = text(client.get(task_url(w, "4")))
    # Sở Tư pháp's part is done; the task waits for the other lead unit, Văn phòng UBND
    assert "Đã xác nhận hoàn thành phần việc của đơn vị." in page
    assert 'data-testid="parts-done">1/2<' in page
    assert re.search(r'data-testid="task-status"><span class="dstatus dstatus-no_deadline"', page)  # not done
    response = client.post(task_url(w, "4", "hoan-thanh/"), {"completed_on": "25/11/2026", "note": "Xong."})
    assert response.status_code == 302  # the office leads task 4 too: its own part
    own = f.task(w.document, "4").current.completions.get(status="pending")
    client.post(task_url(w, "4", f"duyet/hoan-thanh/{own.pk}/"), {f"c{own.pk}-decision": "approve"})
    page = text(client.get(task_url(w, "4")))
    assert re.search(r'data-testid="task-status"><span class="dstatus dstatus-done_on_time"', page)


def test_refusals_are_4xx_with_vietnamese_messages(client, w):
    client.force_login(w.justice_specialist)
    bad_form = client.post(task_url(w, "1", "bao-cao/"), {"percent": "150", "text": ""})
    assert bad_form.status_code == 400
    assert "Tiến độ không được lớn hơn 100." in text(bad_form) and "Vui lòng nhập nội dung báo cáo." in text(
        bad_form
    )
    bad_date = client.post(task_url(w, "1", "hoan-thanh/"), {"completed_on": "2026/31/12"})
    assert bad_date.status_code == 400 and "dd/mm/yyyy" in text(bad_date)
    future = client.post(task_url(w, "1", "hoan-thanh/"), {"completed_on": "01/12/2026"})
    assert future.status_code == 422 and "không được sau ngày hôm nay" in text(future)
    client.force_login(w.ward_specialist)
    forbidden = client.post(task_url(w, "5", "bao-cao/"), {"percent": "10", "text": "x"})
    assert forbidden.status_code == 403 and "Chỉ cán bộ của đơn vị chủ trì" in text(forbidden)
    client.force_login(w.outsider)
    assert client.post(task_url(w, "1", "bao-cao/"), {"percent": "10", "text": "x"}).status_code == 404
    client.force_login(w.justice_head)
    s_request = s.request_completion(
        w.justice_specialist, f.task(w.document, "1").pk, completed_on=date(2023, 9, 29)
    )
    denied = client.post(
        task_url(w, "1", f"duyet/hoan-thanh/{s_request.pk}/"), {f"c{s_request.pk}-decision": "approve"}
    )
    assert denied.status_code == 403
    client.force_login(w.supervisor)
    no_reason = client.post(
        task_url(w, "1", f"duyet/hoan-thanh/{s_request.pk}/"), {f"c{s_request.pk}-decision": "reject"}
    )
    assert no_reason.status_code == 400 and "Vui lòng nêu lý do không đồng ý." in text(no_reason)
    other = s.request_extension(
        w.finance_specialist, f.task(w.document, "3").pk, proposed_due=date(2027, 1, 31), reason="x"
    )
    assert (
        client.post(
            task_url(w, "1", f"duyet/gia-han/{other.pk}/"), {f"e{other.pk}-decision": "approve"}
        ).status_code
        == 404
    )
    assert f.task(w.document, "3").current.extensions.get().status == "pending"  # untouched
    for url in [
        task_url(w, "1", "khong-co/"),
        f"{BASE}999999/",
        f"{BASE}van-ban/999999/",
        f"{BASE}danh-sach/?unit=khong-co",
    ]:
        response = client.post(url) if url.endswith("khong-co/") else client.get(url)
        assert response.status_code == 404, url
    odd = client.get(f"{BASE}danh-sach/?page=abc&status=xyz&document=abc&section=%C3%BF%3C")
    assert odd.status_code == 200
    assert client.get(task_url(w, "1") + "?period=999").status_code == 200


def test_posts_need_the_csrf_token(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.justice_specialist)
    assert client.post(task_url(w, "1", "bao-cao/"), {"percent": "10", "text": "x"}).status_code == 403


def test_import_page_checks_then_stores_and_refuses_bad_files(client, w):
    client.force_login(w.supervisor)
    header = ["Stt", "Tên nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn hoàn thành", "Sản phẩm"]
    data = f.docx_bytes(
        [header, ["1.", "Tổng kết năm.", "Sở Tư pháp", "Đài PT-TH tỉnh", "Tháng 12/2027", "Báo cáo"]]
    )

    def upload(action: str, payload: bytes = data, name: str = "kh.docx", **fields: str):
        return client.post(
            f"{BASE}nhap/", {"file": SimpleUploadedFile(name, payload), "action": action, **fields}
        )

    check = upload("check", number="8/KH-UBND", issued_on="01/12/2026")
    assert check.status_code == 200 and 'data-testid="preview-count">1<' in text(check)
    assert "chưa khớp" in text(check) and SourceDocument.objects.count() == 1  # only the fixture's
    stored = upload("import", number="8/KH-UBND", issued_on="01/12/2026")
    document = SourceDocument.objects.get(number="8/KH-UBND")
    assert stored.status_code == 302 and stored["Location"] == f"{BASE}van-ban/{document.pk}/"
    again = upload("import", number="8/KH-UBND", issued_on="01/12/2026")
    assert again.status_code == 302 and SourceDocument.objects.filter(number="8/KH-UBND").count() == 1
    missing = upload("import")
    assert missing.status_code == 422 and "số, ký hiệu và ngày ban hành" in text(missing)
    bad_row = upload("check", f.docx_bytes([header, ["1.", "Không chủ trì.", "", "", "", ""]]))
    assert bad_row.status_code == 422 and "bảng 1, hàng 2" in text(bad_row)
    not_docx = upload("check", b"hello", "kh.docx")
    assert not_docx.status_code == 422 and "không phải tài liệu Word" in text(not_docx)
    no_file = client.post(f"{BASE}nhap/", {"action": "check"})
    assert no_file.status_code == 400 and "Vui lòng chọn tệp kế hoạch." in text(no_file)


def test_the_office_resolves_unmatched_names(client, w):
    client.force_login(w.supervisor)
    page = text(client.get(f"{BASE}doi-chieu/"))
    assert "Báo Hải Dương" in page and "Sở TT&amp;TT" in page
    key = DirectiveUnit.objects.get(name="Báo Hải Dương").name_key
    both = client.post(f"{BASE}doi-chieu/", {"name_key": key, "unit": "hp-stp", "collective": "external"})
    assert both.status_code == 400 and "không chọn cả hai" in text(both)
    done = client.post(f"{BASE}doi-chieu/", {"name_key": key, "collective": "external"})
    assert done.status_code == 302
    assert DirectiveUnit.objects.get(name="Báo Hải Dương").collective == "external"
    assert UnitAlias.objects.get(name_key=key).collective == "external"
    tt_key = DirectiveUnit.objects.get(name="Sở TT&TT").name_key
    client.post(f"{BASE}doi-chieu/", {"name_key": tt_key, "unit": "hp-snv"})
    assert DirectiveUnit.objects.get(name="Sở TT&TT").unit == w.home_affairs
    assert "Mọi tên cơ quan đã được đối chiếu." in text(client.get(f"{BASE}doi-chieu/"))
    # A later plan naming it is matched by the office's decision.
    report = s.import_plan(
        f.plan([("1.", "Việc khác.", "Sở TT&TT", "Báo Hải Dương", "", "")], number="9/KH-UBND")
    )
    assert report.matches[("1", "lead")][0].unit == w.home_affairs and not report.unmatched()


# -- queries ---------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    client.get(url)  # the first request of a process fills the reference-data caches (calendar, rules)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured.captured_queries)


def _more(w, n: int) -> None:
    rows = [("I", "Mục")] + [
        (
            f"{i}.",
            f"Nhiệm vụ thêm {i}.",
            "Sở Tư pháp, Các sở, ban, ngành",
            "Văn phòng UBND tỉnh, Báo Nhân Dân",
            "Tháng 6/2027",
            "",
        )
        for i in range(1, n + 1)
    ]
    document = f.imported(w, rows, number=f"{n}/KH-UBND")
    for directive in document.directives.all()[:5]:
        s.report_progress(w.justice_specialist, directive.pk, percent=10, text="Đang làm.")


@pytest.mark.parametrize(
    "url",
    ["", "danh-sach/", "danh-sach/?status=not_started", "don-vi/", "don-vi/?unit=hp-stp", "doi-chieu/"],
)
def test_lists_cost_the_same_queries_for_few_or_many_tasks(client, w, url):
    client.force_login(w.supervisor)
    _more(w, 3)
    small = _queries(client, BASE + url)
    _more(w, 30)
    assert _queries(client, BASE + url) == small


def test_document_and_task_pages_cost_the_same_queries_for_few_or_many_rows(client, w):
    client.force_login(w.supervisor)
    _more(w, 3)
    few = SourceDocument.objects.get(number="3/KH-UBND")
    small_doc = _queries(client, f"{BASE}van-ban/{few.pk}/")
    small_task = _queries(client, f"{BASE}{few.directives.first().pk}/")
    _more(w, 30)
    many = SourceDocument.objects.get(number="30/KH-UBND")
    assert _queries(client, f"{BASE}van-ban/{many.pk}/") == small_doc
    directive = many.directives.first()
    for n in range(5):
        s.report_progress(w.justice_specialist, directive.pk, percent=20 + n, text=f"Báo cáo {n}.")
    assert _queries(client, f"{BASE}{directive.pk}/") == small_task
