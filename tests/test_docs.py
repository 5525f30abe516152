"""The README tells the truth: its commands, settings and test command are the real ones, and it
stays a presenter's page: short, with the rest in docs/ behind links that work."""

from __future__ import annotations

import re

from workshop.cli import main
from workshop.settings import PROJECT_ROOT, SETTINGS

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
SETTINGS_PAGE = (PROJECT_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_in_the_readme():
    for name, command in main.commands.items():
        assert command.help, name
        assert f"`workshop {name}" in README, name


def test_every_setting_has_help_and_is_in_the_settings_page():
    for setting in SETTINGS:
        assert len(setting.help) > 20, setting.name
        assert f"| `{setting.name}` |" in SETTINGS_PAGE, setting.name


def test_the_readme_is_a_presenters_page_in_the_order_they_need_it():
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert headings[:5] == [
        "Install",
        "Run a lesson",
        "The offline copy for teachers",
        "Where your data lives",
        "Getting help",
    ]
    assert len(README.splitlines()) <= 170


def test_every_link_in_the_readme_and_the_docs_leads_to_a_file():
    for page in [PROJECT_ROOT / "README.md", *(PROJECT_ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).exists(), (page.name, target)


def test_ci_runs_exactly_the_readmes_test_command():
    blocks = re.findall(r"## Test it\n\n```sh\n(.+?)\n```", README, re.S)
    assert len(blocks) == 1
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    marker = ci.index("# README test command (kept identical; tests/test_docs.py checks it):")
    assert ci[marker + 1] == blocks[0].strip()


def test_offline_scripts_need_nothing_a_file_url_lacks():
    """From file:// there is no fetch of local files, no ES module, no service worker."""
    templates = PROJECT_ROOT / "workshop" / "templates"
    public = " ".join(t.read_text(encoding="utf-8") for t in (templates / "public").glob("*.html"))
    offline_scripts = set(re.findall(r"filename='(js/[\w.-]+\.js)'", public))
    assert offline_scripts == {"js/deck.js", "js/quiz-score.js", "js/open-now.js"}
    for name in offline_scripts:
        script = PROJECT_ROOT / "workshop" / "static" / name
        code = script.read_text(encoding="utf-8")
        for forbidden in ("fetch(", "XMLHttpRequest", "import ", "localStorage", "serviceWorker"):
            assert forbidden not in code, (script.name, forbidden)
    for template in templates.rglob("*.html"):
        assert 'type="module"' not in template.read_text(encoding="utf-8"), template.name
