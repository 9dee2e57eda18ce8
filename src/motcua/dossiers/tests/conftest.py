"""Fixtures shared by the dossier tests.

``w``: the standard world of ``factories.world()`` (a test module may define its own ``w``). The
use-case tests (``test_services_*``) work its deadlines out by hand on the statutory calendar of 2026:
office hours 07:30–11:30 and 13:30–17:00 (7.5 hours a day), cut-off 15:00. Days off used there:
Monday 27/04/2026 (Giỗ Tổ Hùng Vương, in lieu), Thursday 30/04 and Friday 01/05. March 2026 has none.
The test procedure takes 3 working days; its workflow: tiep-nhan (one-stop, 2 h) → tham-dinh
(specialist, 12 h) → trinh-ky (division leader, 6 h) → ky-ban-hanh (agency leader, 2 h) →
tra-ket-qua (one-stop, 0.5 h).
"""

from __future__ import annotations

import pytest

from motcua.dossiers.tests import factories as df

# The helpers' own assertions report like the tests' (they run inside the tests).
pytest.register_assert_rewrite("motcua.dossiers.tests.ledger")


@pytest.fixture
def w():
    return df.world()
