"""The README tells the truth: its commands, settings and test command are the real ones."""

from __future__ import annotations

import re

from workshop.cli import main
from workshop.settings import PROJECT_ROOT, SETTINGS

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_in_the_readme():
    for name, command in main.commands.items():
        assert command.help, name
        assert f"`workshop {name}" in README, name


def test_every_setting_has_help_and_is_in_the_readme():
    for setting in SETTINGS:
        assert len(setting.help) > 20, setting.name
        assert f"| `{setting.name}` |" in README, setting.name


def test_ci_runs_exactly_the_readmes_test_command():
    blocks = re.findall(r"## Test it\n\n```sh\n(.+?)\n```", README, re.S)
    assert len(blocks) == 1
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == blocks[0].strip()


def test_offline_scripts_need_nothing_a_file_url_lacks():
    """From file:// there is no fetch of local files, no ES module, no service worker."""
    for script in (PROJECT_ROOT / "workshop" / "static" / "js").glob("*.js"):
        code = script.read_text(encoding="utf-8")
        for forbidden in ("fetch(", "XMLHttpRequest", "import ", "localStorage", "serviceWorker"):
            assert forbidden not in code, (script.name, forbidden)
    for template in (PROJECT_ROOT / "workshop" / "templates").rglob("*.html"):
        assert 'type="module"' not in template.read_text(encoding="utf-8"), template.name
