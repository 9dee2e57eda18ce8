"""Small real files for tests: a one-page PDF, the same with a password, a PNG photograph."""

from __future__ import annotations

import io


def one_page_pdf(text: bytes | None = b"0 0 1 rg 50 50 200 100 re f", *, rotate: int | None = None) -> bytes:
    """A one-page A4 PDF made with pyHanko's writer: ``text`` its content stream (``None``: a page
    with no content at all), turned by ``rotate``."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    box = [
        generic.NumberObject(0),
        generic.NumberObject(0),
        generic.FloatObject(595.28),
        generic.FloatObject(841.89),
    ]
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(box),
            generic.pdf_name("/Resources"): generic.DictionaryObject(),
        }
    )
    if text is not None:
        page[generic.pdf_name("/Contents")] = writer.add_object(generic.StreamObject(stream_data=text))
    if rotate is not None:
        page[generic.pdf_name("/Rotate")] = generic.NumberObject(rotate)
    writer.insert_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    """A PDF that opens only with a password."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(one_page_pdf())))
    writer.encrypt("chu-so-huu", "mat-khau")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png(width: int = 120, height: int = 80) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()
