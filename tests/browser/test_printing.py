"""Printing from the browser: a help card and a worksheet come out as clean A4 PDFs."""

from __future__ import annotations

import io

from pypdf import PdfReader

from workshop.offline import freeze
from workshop.pdf import find_browser


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


def test_freeze_prints_every_printable_to_pdf(tiny_app, tmp_path):
    tiny_app.config["PDFS"] = True
    copy = freeze(tiny_app, tmp_path / "offline")
    assert copy.pdfs == 6 and copy.pdf_tool == str(find_browser())  # says which browser printed
    poster = PdfReader(copy.folder / "en" / "print" / "help-poster" / "help-poster.pdf")
    assert len(poster.pages) == 1 and "116 111" in poster.pages[0].extract_text()
    page = (copy.folder / "en" / "download" / "index.html").read_text(encoding="utf-8")
    assert 'href="../print/help-card/help-cards.pdf"' in page
