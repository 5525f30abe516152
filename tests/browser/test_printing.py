"""Printing from the browser: a help card and a worksheet come out as clean A4 PDFs."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from workshop.offline import freeze
from workshop.pdf import find_browser
from workshop.settings import defaults
from workshop.teacher import MODULE_SHEETS, SHEETS


def pdf_of(page) -> PdfReader:
    return PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))


def test_help_card_and_worksheet_print_to_pdf(context, live_server):
    page = context.new_page()
    page.goto(live_server + "en/print/help-card/")
    card = pdf_of(page)
    assert len(card.pages) == 1  # eight cards on one A4 sheet
    text = card.pages[0].extract_text()
    assert text.count("116 111") == 8 and "113" in text
    assert "Get help" not in text  # no navigation on paper

    page.goto(live_server + "en/print/modules/tiny/worksheet/")
    worksheet = pdf_of(page)
    assert 1 <= len(worksheet.pages) <= 2
    text = " ".join(p.extract_text() for p in worksheet.pages)
    assert "keep a secret" in text and "Yes: a trusted adult" not in text


@pytest.mark.parametrize("lang", defaults()["LANGUAGES"])
def test_the_sheet_for_parents_prints_on_one_page_in_every_language(
    context, builtin_server, builtin_content, lang
):
    server, _ = builtin_server
    page = context.new_page()
    for module in builtin_content.modules:
        page.goto(f"{server.base_url}{lang}/print/modules/{module.id}/parents/")
        sheet = pdf_of(page)
        assert len(sheet.pages) == 1, (lang, module.id)
        text = sheet.pages[0].extract_text()
        assert "12321" in text and "8002-1234" in text and "Get help" not in text


def test_freeze_prints_every_printable_to_pdf(tiny_app, tmp_path):
    tiny_app.config["PDFS"] = True
    copy = freeze(tiny_app, tmp_path / "offline")
    assert copy.pdfs == len(SHEETS) + len(MODULE_SHEETS) and copy.pdf_tool == str(
        find_browser()
    )  # says which browser printed
    poster = PdfReader(copy.folder / "en" / "print" / "help-poster" / "help-poster.pdf")
    assert len(poster.pages) == 1 and "116 111" in poster.pages[0].extract_text()
    several = 0
    for path in copy.folder.rglob("*.pdf"):
        pages = PdfReader(path).pages
        one_page_sheet = path.name in ("help-poster.pdf", "help-cards.pdf")
        for number, page in enumerate(pages, start=1):
            # Sheets that can run long are numbered "2 / 3" on every page; the poster and the
            # cards are one page each and carry no number.
            assert (f"{number} / {len(pages)}" in page.extract_text()) != one_page_sheet, path
        several += len(pages) > 1
    assert several  # the guide at least runs to several pages


def test_the_poster_is_a_poster_the_helplines_are_its_biggest_text(tiny_app, tmp_path):
    """Readable from across a corridor: the phone numbers outsize everything else on the page."""
    tiny_app.config["PDFS"] = True
    copy = freeze(tiny_app, tmp_path / "offline")
    sizes: dict[str, float] = {}

    def measure(text, cm, tm, font, size):
        if text.strip():
            scale = (tm[0] * tm[0] + tm[1] * tm[1]) ** 0.5 * (cm[0] * cm[0] + cm[1] * cm[1]) ** 0.5
            sizes[text.strip()] = max(sizes.get(text.strip(), 0), size * scale)

    poster = PdfReader(copy.folder / "en" / "print" / "help-poster" / "help-poster.pdf")
    assert len(poster.pages) == 1 and poster.pages[0].mediabox.width == pytest.approx(595, abs=1)  # A4
    poster.pages[0].extract_text(visitor_text=measure)
    numbers = {text: size for text, size in sizes.items() if text in ("113", "116 111")}
    assert set(numbers) == {"113", "116 111"}, sizes
    others = [size for text, size in sizes.items() if text not in numbers]
    assert min(numbers.values()) > 1.2 * max(others)
    assert min(numbers.values()) >= 40  # points: about 14 mm high digits
    page = (copy.folder / "en" / "download" / "index.html").read_text(encoding="utf-8")
    assert 'href="../print/help-card/help-cards.pdf"' in page
