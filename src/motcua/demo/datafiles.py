"""The demo's data files (``motcua/demo/data``), read by the loader and the dossier history."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def data(name: str) -> Any:
    return json.loads(resources.files("motcua.demo").joinpath("data", name).read_text(encoding="utf-8"))
