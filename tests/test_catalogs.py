"""Every language's catalogs are complete, current, and keep the structure of the source."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest
from babel.messages.pofile import read_po

from workshop import translations
from workshop.settings import PROJECT_ROOT, defaults

TRANSLATIONS = PROJECT_ROOT / "translations"
# The configured languages (WORKSHOP_LANGUAGES='["en", "fr"]' checks a catalog being prepared).
LANGUAGES = json.loads(os.environ.get("WORKSHOP_LANGUAGES", "null")) or defaults()["LANGUAGES"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def read(path):
    with path.open("rb") as handle:
        return read_po(handle)


def structure(text: str) -> tuple:
    """What a translation must keep: placeholders, bold marks, list items, numbers."""
    lines = text.splitlines()
    return (
        sorted(PLACEHOLDER.findall(text)),
        text.count("**"),
        sum(1 for line in lines if line.lstrip().startswith("- ")),
        sum(1 for line in lines if re.match(r"\s*\d+\. ", line)),
        sorted(re.findall(r"\d[\d ,.-]*\d|\d", text.replace(" ", " "))),
    )


@pytest.mark.parametrize("domain", ["messages", "content"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_and_keeps_the_source_structure(lang, domain):
    template = {message.id for message in read(TRANSLATIONS / f"{domain}.pot") if message.id}
    catalog = {m.id: m for m in read(TRANSLATIONS / lang / "LC_MESSAGES" / f"{domain}.po") if m.id}
    missing = sorted(template - {mid for mid, m in catalog.items() if m.string and "fuzzy" not in m.flags})
    assert missing == [], f"{lang}/{domain}: {len(missing)} untranslated or fuzzy, first: {missing[:3]}"
    for source in template:
        translated = catalog[source].string
        if structure(source)[:4] != structure(translated)[:4]:
            pytest.fail(f"{lang}/{domain}: structure differs\n{source!r}\n{translated!r}")


def without_dates(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "-Date: " not in line)


def test_the_committed_catalogs_are_what_an_update_writes(tmp_path):
    """A translator's update shows only real changes: the catalogs follow the current content
    and the current templates, and writing them again changes nothing (no re-wrapping)."""
    folder = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, folder, ignore=shutil.ignore_patterns("*.mo", "*.lock"))
    translations.update(folder, LANGUAGES)
    for written in sorted(folder.rglob("*.po*")):
        committed = TRANSLATIONS / written.relative_to(folder)
        assert without_dates(written.read_text(encoding="utf-8")) == without_dates(
            committed.read_text(encoding="utf-8")
        ), f"{committed} is out of date: run `workshop translations update`"


def test_catalog_headers_name_the_project_and_no_tool_version():
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        header = po.read_text(encoding="utf-8").split("\n\n", 1)[0]
        assert "Safe Online Workshop" in header, po
        for placeholder in ("PROJECT", "ORGANIZATION", "FIRST AUTHOR", "EMAIL@ADDRESS", "Generated-By"):
            assert placeholder not in header, (po, placeholder)
