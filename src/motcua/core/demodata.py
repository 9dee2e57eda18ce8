"""The demo's steps, registered by the apps that own the data.

``motcua load_demo`` (the demo app) loads the province's units, staff, calendar, procedures and a
year of dossiers itself, then runs the steps registered here, by ``order``. An app with demo data
registers its step from its ``AppConfig.ready``::

    demodata.register(DemoStep("directives", 100, "motcua.directives.demo.load_directives_demo",
                               "Nạp kế hoạch và tiến độ theo dõi nhiệm vụ…"))

``load`` is the dotted path of the loader (imported only when the demo runs, not when the app starts)
or the loader itself; it is called with ``say``, which prints one line of progress. ``heading`` is
said before the step runs (nothing when empty). Every loader must be idempotent: loading the demo
again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import import_string

Say = Callable[[str], None]
# The password of every demo account, staff and portal (printed in the README; demo only).
DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    load: str | Callable[[Say], object]
    heading: str = ""


STEPS: dict[str, DemoStep] = {}


def register(step: DemoStep) -> DemoStep:
    """Add an app's demo step. Registering the same step again is harmless; another step under a
    registered name is a programming error."""
    known = STEPS.get(step.name)
    if known is not None and known != step:
        raise ValueError(f"Bước nạp dữ liệu trình diễn {step.name} đã được đăng ký với định nghĩa khác.")
    STEPS[step.name] = step
    return step


def steps() -> list[DemoStep]:
    """The registered steps in the order they run."""
    return sorted(STEPS.values(), key=lambda step: (step.order, step.name))


def run(step: DemoStep, say: Say) -> object:
    """Say the step's heading, then run its loader."""
    if step.heading:
        say(step.heading)
    load = import_string(step.load) if isinstance(step.load, str) else step.load
    return load(say)
