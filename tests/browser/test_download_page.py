"""The presenter prepares the offline copy on the download page: the page follows the build
and offers the zip when it is ready, with no reload by hand."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from helpers import running_server


def test_the_download_page_follows_the_build_and_then_offers_the_zip(context, tiny_root, tmp_path):
    # Without PDFs the build takes seconds; printing is tested in test_printing.py.
    with running_server(tiny_root, data_dir=tmp_path / "data", env={"WORKSHOP_PDFS": "false"}) as server:
        page = context.new_page()
        page.goto(server.presenter_url)
        page.goto(server.base_url + "en/download/")
        page.get_by_role("button", name="Prepare the offline copy").click()
        expect(page.get_by_text("The offline copy is being prepared.")).to_be_visible()
        expect(page.get_by_role("progressbar")).to_be_visible()
        download = page.get_by_role("link", name=re.compile(r"Download \(zip, [\d.]+ MB\)"))
        expect(download).to_be_visible(timeout=120_000)
        expect(page.get_by_role("progressbar")).to_have_count(0)
