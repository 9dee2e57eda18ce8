"""Acceptance: a province leader opens the KPI dashboard (bộ chỉ số điều hành) and one indicator."""

from __future__ import annotations

from motcua.demo.loader import DEMO_PASSWORD
from tests.browser.conftest import login


def test_a_province_leader_reads_the_kpi_dashboard(demo, page, shot):
    login(page, "chutich", DEMO_PASSWORD)
    page.wait_for_url("**/can-bo/")
    page.click("nav >> text=Chỉ số điều hành")
    page.wait_for_url("**/can-bo/chi-so-dieu-hanh/")
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in page.inner_text("main")
    assert page.locator(".kpi-card").count() >= 8
    shot(page, "kpi-1-dashboard")
    page.click("text=Tỷ lệ hồ sơ trực tuyến")
    page.wait_for_url("**/can-bo/chi-so-dieu-hanh/ho-so-truc-tuyen/")
    main = page.inner_text("main")
    assert "Giá trị theo tháng" in main and "Theo đơn vị" in main
    shot(page, "kpi-2-indicator")
    assert page.console_errors == []
