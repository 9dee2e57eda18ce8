"""Reading the PDFs back as a person would: poppler's pdftotext (text) and pdftoppm (pictures kept in
var/test-artifacts/documents/ to look at)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[4] / "var" / "test-artifacts" / "documents"


def text(pdf: bytes) -> str:
    """The text of the PDF, lines joined, runs of spaces made one (the layout's line breaks vary)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True)
    return re.sub(r"\s+", " ", out.stdout.decode("utf-8"))


def picture(pdf: bytes, name: str, page: int = 1) -> Path:
    """A page (the first) as a PNG kept as a test artifact."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "in.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "110",
                "-f",
                str(page),
                "-l",
                str(page),
                str(source),
                str(Path(folder) / "p"),
            ],
            check=True,
        )
        made = sorted(Path(folder).glob("p*.png"))[0]
        target = ARTIFACTS / f"{name}.png"
        shutil.copyfile(made, target)
    return target
