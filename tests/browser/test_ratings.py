"""Ratings in the browser: a citizen rates a returned dossier on a phone from the link of the notice of
return; at the counter, an officer pairs a tablet and offers it the dossier just returned, the citizen
rates it there; the head of the unit reads the "not satisfied" rating and records the review. Basic WCAG
checks on the citizen's pages."""

from __future__ import annotations

from motcua.dossiers.tests import factories as df
from motcua.feedback import services
from motcua.feedback.models import Channel, Rating
from motcua.feedback.tests.test_ratings import _another_returned, returned
from tests.browser.conftest import login
from tests.browser.test_citizen_portal import STAFF_PASSWORD, check_page


def test_ratings_on_a_phone_at_the_counter_tablet_and_the_heads_review(
    browser, page, live_server, transactional_db, shot
):
    w = df.world()
    for officer in (w.intake_a, w.head_a):
        officer.set_password(STAFF_PASSWORD)
        officer.save()
    by_link, at_counter = returned(w), _another_returned(w)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN"
    ).new_page()
    phone.goto(live_server.url + f"/danh-gia/{services.link_token(by_link)}/")
    assert by_link.code in phone.inner_text("main")
    check_page(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("label[for=hai-long-0]")
    phone.fill("#ly-do", "Phải đi lại hai lần vì hướng dẫn thiếu giấy tờ.")
    phone.click("summary:has-text('Đánh giá chi tiết')")
    phone.click("label[for=muc-c-khong_tot]")
    shot(phone, "60-rating-phone-form")
    phone.click("[data-testid=rating-submit]")
    phone.wait_for_selector("[data-testid=rating-thanks]")
    shot(phone, "61-rating-phone-thanks")
    rating = Rating.objects.get(dossier=by_link)
    assert (rating.satisfied, rating.channel, rating.answers) == (False, Channel.ONLINE, {"c": "khong_tot"})

    # The one-stop officer creates the counter's tablet and pairs it.
    login(page, w.intake_a.username, STAFF_PASSWORD)
    page.wait_for_url("**/can-bo/**")
    page.goto(live_server.url + "/can-bo/danh-gia-cua-nguoi-dan/may/")
    page.fill("#ten", "Quầy số 1")
    page.click("button:has-text('Tạo máy')")
    pair_url = page.inner_text("[data-testid=pair-url]").strip()
    tablet = browser.new_context(
        viewport={"width": 800, "height": 1280}, has_touch=True, locale="vi-VN"
    ).new_page()
    tablet.goto(pair_url)
    tablet.click("[data-testid=kiosk-pair]")
    tablet.wait_for_selector("[data-testid=kiosk-idle]")
    shot(tablet, "62-rating-tablet-idle")

    # The result handed over, the officer offers the dossier to the tablet.
    page.goto(live_server.url + f"/can-bo/ho-so/{at_counter.code}/")
    page.click("[data-testid=invite-kiosk]")
    assert "đang mời người dân đánh giá" in page.inner_text("body")
    tablet.reload()
    tablet.wait_for_selector("[data-testid=rating-submit]")
    assert at_counter.code in tablet.inner_text("main")
    assert w.person.full_name not in tablet.inner_text("body")
    check_page(tablet)
    tablet.click("label[for=hai-long-1]")
    shot(tablet, "63-rating-tablet-form")
    tablet.click("[data-testid=rating-submit]")
    tablet.wait_for_selector("[data-testid=rating-thanks]")
    assert Rating.objects.get(dossier=at_counter).channel == Channel.KIOSK

    # The head of the ward reads the "not satisfied" one and records what was done.
    head = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN").new_page()
    head.base = live_server.url
    login(head, w.head_a.username, STAFF_PASSWORD)
    head.wait_for_url("**/can-bo/**")
    head.goto(live_server.url + "/can-bo/danh-gia-cua-nguoi-dan/?loai=cho-xem-xet")
    assert "Phải đi lại hai lần" in head.inner_text("main")
    head.fill(f"#ket-qua-{rating.pk}", "Đã gọi điện xin lỗi, bổ sung bảng hướng dẫn tại quầy.")
    shot(head, "64-rating-head-review")
    head.click("button:has-text('Ghi nhận')")
    head.wait_for_selector("text=Đã ghi nhận kết quả xem xét")
    rating.refresh_from_db()
    assert rating.reviewed_by == w.head_a
    assert not page.console_errors, page.console_errors
