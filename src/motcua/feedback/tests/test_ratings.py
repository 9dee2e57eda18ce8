"""Ratings of returned dossiers (NĐ 61/2018 Điều 29–31): one per dossier whatever the channel — the link
in the notice of return, the applicant's portal page, the counter's tablet, a paper form — kept with the
units and the officer of the return; a "not satisfied" rating reaches the unit's heads, who record what
they did. Dossiers are built and returned through the dossier services."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from motcua.dossiers import services as s
from motcua.dossiers.tests import factories as df
from motcua.dossiers.tests.factories import at
from motcua.feedback import services
from motcua.feedback.models import Channel, Kiosk, Rating
from motcua.integrations.models import OutboxMessage

pytestmark = pytest.mark.django_db
RETURNED_AT = at(2026, 3, 11, 10, 0)


def returned(w, *, unit=None):
    """A dossier received at ward A, handled, signed and returned by the ward's one-stop officer."""
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False) as clock:
        d = df.receive(w)
        clock.move_to(at(2026, 3, 9, 9, 30))
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        d = s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=3)
        d = s.hand_over(d.code, by=w.leader_a, expected_version=4, assignee=w.head_a)
        d = s.mark_result_ready(d.code, by=w.head_a, expected_version=5)
        clock.move_to(RETURNED_AT)
        d = s.return_result(d.code, by=w.intake_a, expected_version=6, notified=True)
    return df.fresh(d)


@pytest.fixture
def w(db):
    world = df.world()
    world.person.email, world.person.phone = "nhung@example.vn", "0912345678"
    world.person.save()
    for head, mail in ((world.head_a, "chutich.anbien@example.vn"), (world.leader_a, "")):
        head.email = mail
        head.save()
    return world


def _link(d) -> str:
    return f"/danh-gia/{services.link_token(d)}/"


def test_the_notice_of_return_carries_the_rating_link_and_it_rates_the_dossier_once(client, w):
    d = returned(w)
    notice = OutboxMessage.objects.filter(topic="thongbao.email", key=d.code).order_by("-id").first()
    link = re.search(r"Mời ông/bà đánh giá mức độ hài lòng: \S+(/danh-gia/[^/\s]+/)", notice.payload["body"])
    assert link is not None
    with time_machine.travel(at(2026, 3, 12, 9, 0)):  # the next day, with the link of the notice
        page = client.get(link.group(1))
        html = page.content.decode()
        assert page.status_code == 200 and d.code in html and "Thái độ của cán bộ, công chức" in html
        for personal in ("Nguyễn Thị Hồng Nhung", df.CITIZEN_ID, "0912345678", "nhung@example.vn"):
            assert personal not in html
        done = client.post(
            link.group(1), {"hai_long": "1", "muc_a": "tot", "muc_dd": "tot", "gop_y": "Nhanh gọn."}
        )
        assert done.status_code == 200 and "Cảm ơn ông/bà đã đánh giá" in done.content.decode()
        rating = Rating.objects.get()
        assert (rating.dossier, rating.satisfied, rating.channel) == (d, True, Channel.ONLINE)
        assert (rating.unit, rating.receiving_unit, rating.officer) == (w.ward_a, w.ward_a, w.intake_a)
        assert rating.answers == {"a": "tot", "dd": "tot"} and rating.comment == "Nhanh gọn."
        again = client.post(link.group(1), {"hai_long": "0", "ly_do": "Đổi ý, chậm quá"})
        assert "đã được đánh giá" in again.content.decode() and Rating.objects.count() == 1


def test_not_satisfied_needs_a_reason_and_reaches_the_heads_who_have_an_address(client, w):
    d = returned(w)
    bare = client.post(_link(d), {"hai_long": "0"})
    assert bare.status_code == 422 and "lý do chưa hài lòng" in bare.content.decode()
    assert not Rating.objects.exists()
    nothing = client.post(_link(d), {"ly_do": "Chậm"})
    assert nothing.status_code == 422 and "Vui lòng chọn" in nothing.content.decode()
    unknown = client.post(_link(d), {"hai_long": "1", "muc_z": "tot"})
    assert unknown.status_code == 200  # an item the form does not have is ignored, not stored
    assert Rating.objects.get().answers == {}


def test_a_not_satisfied_rating_goes_to_the_heads_and_a_head_records_the_review(
    client, w, django_capture_on_commit_callbacks
):
    d = returned(w)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_link(d), {"hai_long": "0", "ly_do": "Phải đi lại ba lần để bổ sung giấy tờ."})
    rating = Rating.objects.get()
    mails = OutboxMessage.objects.filter(topic="thongbao.email", payload__to="chutich.anbien@example.vn")
    assert mails.count() == 1 and "KHÔNG HÀI LÒNG" in mails.get().payload["body"]
    assert [u.username for u in services.heads_of(w.ward_a)] == ["chutich_a", "lanhdaophong_a"]

    staff = Client()
    staff.force_login(w.specialist_a)
    page = staff.get("/can-bo/danh-gia-cua-nguoi-dan/?loai=cho-xem-xet").content.decode()
    assert d.code not in page  # a specialist heads nothing
    assert (
        staff.post(
            f"/can-bo/danh-gia-cua-nguoi-dan/{rating.pk}/xem-xet/", {"ket_qua": "Đã xử lý"}
        ).status_code
        == 302
    )
    assert Rating.objects.get().reviewed_at is None  # refused with a message, nothing written
    staff.force_login(w.head_a)
    page = staff.get("/can-bo/danh-gia-cua-nguoi-dan/?loai=cho-xem-xet").content.decode()
    assert d.code in page and "Phải đi lại ba lần" in page
    staff.post(
        f"/can-bo/danh-gia-cua-nguoi-dan/{rating.pk}/xem-xet/", {"ket_qua": "Đã gọi điện xin lỗi công dân."}
    )
    rating.refresh_from_db()
    assert rating.reviewed_by == w.head_a and rating.review_note == "Đã gọi điện xin lỗi công dân."
    waiting = staff.get("/can-bo/danh-gia-cua-nguoi-dan/?loai=cho-xem-xet").content.decode()
    assert 'data-testid="rating-row"' not in waiting  # reviewed: no longer waiting


def test_a_dossier_not_yet_returned_cannot_be_rated_and_a_bad_or_old_link_is_a_page(client, w):
    with time_machine.travel(at(2026, 3, 9, 9, 0), tick=False):
        open_one = df.receive(w)
    assert not services.rateable(open_one)
    with pytest.raises(services.RatingRefused, match="chưa trả kết quả"):
        services.rate(open_one, satisfied=True, channel=Channel.ONLINE)
    assert "chưa trả kết quả" in client.get(_link(open_one)).content.decode()
    forged = client.get(_link(open_one)[:-3] + "xx/")
    assert forged.status_code == 404 and "không đúng" in forged.content.decode()
    d = returned(w)
    link = _link(d)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        late = client.get(link)
    assert late.status_code == 404 and "hết hạn" in late.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_channels_rating_the_same_dossier_at_once_store_one_rating():
    world = df.world()
    d = returned(world)
    barrier = threading.Barrier(2)

    def one(channel: str) -> str:
        try:
            barrier.wait(timeout=30)
            services.rate(d, satisfied=channel == Channel.KIOSK, reason="Chậm quá", channel=channel)
            return "ok"
        except services.AlreadyRated:
            return "already"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(one, [Channel.KIOSK, Channel.PAPER]))
    assert outcomes == ["already", "ok"] and Rating.objects.count() == 1


def _paired_tablet(w) -> tuple[Client, Kiosk]:
    kiosk, secret = services.create_kiosk(w.ward_a, "Quầy số 1", by=w.intake_a)
    tablet = Client()
    confirm = tablet.get(f"/may-danh-gia/ghep-noi/{secret}/")
    assert confirm.status_code == 200 and "Quầy số 1" in confirm.content.decode()
    assert Kiosk.objects.get().paired_at is None  # opening the link alone pairs nothing
    assert tablet.post(f"/may-danh-gia/ghep-noi/{secret}/").status_code == 302
    return tablet, kiosk


def test_the_counter_tablet_rates_only_the_dossier_an_officer_of_its_counter_offers(w):
    d = returned(w)
    tablet, kiosk = _paired_tablet(w)
    assert Client().get("/may-danh-gia/").status_code == 403  # another browser is not the tablet
    idle = tablet.get("/may-danh-gia/").content.decode()
    assert 'data-testid="kiosk-idle"' in idle and d.code not in idle

    other_ward = Client()
    other_ward.force_login(w.intake_b)
    other_ward.post(f"/can-bo/danh-gia-cua-nguoi-dan/moi/{d.code}/", {"may": kiosk.pk})
    assert Kiosk.objects.get().dossier is None  # not their counter, not their dossier
    officer = Client()
    officer.force_login(w.intake_a)
    page = officer.get(f"/can-bo/ho-so/{d.code}/").content.decode()
    assert 'data-testid="invite-kiosk"' in page
    officer.post(f"/can-bo/danh-gia-cua-nguoi-dan/moi/{d.code}/", {"may": kiosk.pk})

    shown = tablet.get("/may-danh-gia/").content.decode()
    assert d.code in shown and "Nguyễn Thị Hồng Nhung" not in shown and df.CITIZEN_ID not in shown
    wrong = tablet.post("/may-danh-gia/", {"ho_so": d.pk + 1000, "hai_long": "1"})
    assert wrong.status_code == 422 and not Rating.objects.exists()
    done = tablet.post("/may-danh-gia/", {"ho_so": d.pk, "hai_long": "1", "muc_dd": "tot"})
    assert done.status_code == 200 and "Cảm ơn" in done.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.officer, rating.answers) == (Channel.KIOSK, w.intake_a, {"dd": "tot"})
    assert 'data-testid="kiosk-idle"' in tablet.get("/may-danh-gia/").content.decode()
    assert "Hài lòng" in officer.get(f"/can-bo/ho-so/{d.code}/").content.decode()


def test_an_offer_to_the_tablet_lapses(w):
    d = returned(w)
    tablet, kiosk = _paired_tablet(w)
    services.bind(kiosk, d, by=w.intake_a)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert d.code not in tablet.get("/may-danh-gia/").content.decode()
        late = tablet.post("/may-danh-gia/", {"ho_so": d.pk, "hai_long": "1"})
    assert late.status_code == 422 and not Rating.objects.exists()
    services.revoke_kiosk(kiosk, by=w.intake_a)
    assert tablet.get("/may-danh-gia/").status_code == 403


def test_a_paper_form_is_entered_by_staff_of_the_dossier_units_only(w):
    d = returned(w)
    outsider = Client()
    outsider.force_login(w.intake_b)
    assert outsider.get("/can-bo/danh-gia-cua-nguoi-dan/phieu-giay/", {"ma": d.code}).status_code == 404
    officer = Client()
    officer.force_login(w.intake_a)
    form = officer.get("/can-bo/danh-gia-cua-nguoi-dan/phieu-giay/", {"ma": d.code})
    assert form.status_code == 200 and "Lưu phiếu đánh giá" in form.content.decode()
    saved = officer.post(
        "/can-bo/danh-gia-cua-nguoi-dan/phieu-giay/", {"ma": d.code, "hai_long": "1", "muc_a": "binh_thuong"}
    )
    assert saved.status_code == 302
    rating = Rating.objects.get()
    assert (rating.channel, rating.entered_by, rating.answers) == (
        Channel.PAPER,
        w.intake_a,
        {"a": "binh_thuong"},
    )
    again = officer.post("/can-bo/danh-gia-cua-nguoi-dan/phieu-giay/", {"ma": d.code, "hai_long": "0"})
    assert again.status_code == 409 and Rating.objects.count() == 1
    listed = officer.get("/can-bo/danh-gia-cua-nguoi-dan/").content.decode()
    assert d.code in listed and "Phiếu đánh giá giấy" in listed
    assert d.code not in outsider.get("/can-bo/danh-gia-cua-nguoi-dan/").content.decode()


def test_the_applicant_rates_from_my_dossiers_and_nobody_else_can(w):
    from motcua.online.tests.test_accounts_and_access import _last_code, _sign_up

    d = returned(w)
    applicant = Client()
    _sign_up(applicant, df.CITIZEN_ID, email="khac@example.vn")
    code, _ = _last_code()
    applicant.post("/tai-khoan/xac-nhan/", {"code": code})  # proven by the contact on record
    page = applicant.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert 'data-testid="rate-link"' in page
    stranger = Client()
    _sign_up(stranger, "001085123456", name="Trần Văn Khách", email="khach@example.vn")
    stranger.post("/tai-khoan/xac-nhan/", {"code": _last_code()[0]})
    assert stranger.get("/ho-so-cua-toi/").status_code == 200  # signed in, with dossiers of its own only
    assert stranger.get(f"/ho-so-cua-toi/{d.code}/danh-gia/").status_code == 404
    assert stranger.post(f"/ho-so-cua-toi/{d.code}/danh-gia/", {"hai_long": "1"}).status_code == 404
    assert applicant.get(f"/ho-so-cua-toi/{d.code}/danh-gia/").status_code == 200
    done = applicant.post(f"/ho-so-cua-toi/{d.code}/danh-gia/", {"hai_long": "1", "muc_h": "tot"})
    assert done.status_code == 302
    rating = Rating.objects.get()
    assert rating.channel == Channel.ONLINE and rating.account_id is not None
    after = applicant.get(f"/ho-so-cua-toi/{d.code}/").content.decode()
    assert 'data-testid="rated"' in after and 'data-testid="rate-link"' not in after


def test_the_staff_list_costs_the_same_queries_for_one_rating_and_for_three(w):
    from django.test.utils import CaptureQueriesContext

    officer = Client()
    officer.force_login(w.head_a)
    counts = []
    for made in (1, 3):
        while Rating.objects.count() < made:
            d = _another_returned(w)
            services.rate(
                d, satisfied=False, reason="Chờ lâu quá", channel=Channel.PAPER, entered_by=w.intake_a
            )
        officer.get("/can-bo/danh-gia-cua-nguoi-dan/")
        with CaptureQueriesContext(connection) as queries:
            page = officer.get("/can-bo/danh-gia-cua-nguoi-dan/")
        assert page.content.decode().count('data-testid="rating-row"') == made
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _another_returned(w):
    """One more returned dossier on another day (each day gives its own dossier numbers)."""
    count = Rating.objects.count()
    with time_machine.travel(at(2026, 4, 6 + count, 9, 0), tick=False) as clock:
        d = df.receive(w)
        d = s.hand_over(d.code, by=w.intake_a, expected_version=1)
        d = s.assign(d.code, by=w.leader_a, expected_version=2, assignee=w.specialist_a)
        d = s.hand_over(d.code, by=w.specialist_a, expected_version=3)
        d = s.hand_over(d.code, by=w.leader_a, expected_version=4, assignee=w.head_a)
        d = s.mark_result_ready(d.code, by=w.head_a, expected_version=5)
        clock.move_to(at(2026, 4, 6 + count, 15, 0))
        return df.fresh(s.return_result(d.code, by=w.intake_a, expected_version=6, notified=True))


def test_a_rating_moves_766_indicator_5_4_on_the_dashboard_at_once(w):
    """Cross-module: dossiers built and rated through the services; the dashboard's cached index sees
    the new rating (the rating touches the dossier's row, so the data stamp changes)."""
    d = returned(w)  # received 09/03, due 12/03, finished 11/03: on time
    supervisor = Client()
    supervisor.force_login(w.supervisor)
    march = {"period": "thang", "year": "2026", "month": "3"}
    before = supervisor.get("/can-bo/danh-gia/chi-so/5.4/", march).content.decode()
    assert "100.00%" in before or "100,00%" in before  # one dossier, on time, not disliked
    services.rate(
        d, satisfied=False, reason="Hướng dẫn chưa rõ ràng", channel=Channel.PAPER, entered_by=w.intake_a
    )
    after = supervisor.get("/can-bo/danh-gia/chi-so/5.4/", march).content.decode()
    # 100 − (late 0 + disliked 1 of 1 = 100) = 0
    assert "Người dân đánh giá không hài lòng" in after and f'href="/can-bo/ho-so/{d.code}/"' in after
    assert "0.00%" in after or "0,00%" in after


def test_the_public_quality_page_and_the_staff_page_give_the_same_month_of_ratings(client, w):
    first, second = returned(w), _another_returned(w)
    services.rate(first, satisfied=True, channel=Channel.ONLINE)
    services.rate(second, satisfied=False, reason="Chờ đợi lâu", channel=Channel.KIOSK)
    today = timezone.localdate()
    public = client.get(
        "/danh-gia-chat-luong/", {"period": "thang", "year": today.year, "month": today.month}
    )
    shown = re.search(r'data-testid="q-ratings-total">(.*?)</p>', public.content.decode(), re.S).group(1)
    officer = Client()
    officer.force_login(w.intake_a)
    staff = officer.get("/can-bo/danh-gia-cua-nguoi-dan/").content.decode()
    line = re.search(r'data-testid="ratings-month">(.*?)</p>', staff, re.S).group(1)
    numbers = [re.findall(r"\d+(?:[.,]\d+)?", text) for text in (shown, line)]
    assert numbers[0] == ["2", "50,0"] and numbers[1][-2:] == ["2", "50,0"]  # after "Tháng MM/YYYY"
    assert "Phường An Biên" in public.content.decode() and first.code not in public.content.decode()
