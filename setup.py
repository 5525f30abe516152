"""The wheel carries the built-in content and its compiled catalogs.

The content stays at the top of the checkout, where authors and translators work on it; a
build copies it into the package as `workshop/builtin/` and compiles every `.po` there, so an
installed kit (pip, pipx, uv, a wheel) needs no checkout and never compiles into its install
folder. The metadata is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
CONTENT_FOLDERS = (
    "slides",
    "quizzes",
    "scenarios",
    "statements",
    "signals",
    "directory",
    "guide",
    "translations",
)
LEFT_OUT = shutil.ignore_patterns("*.mo", "*.lock", "__pycache__")


class BuildWithContent(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install reads the checkout itself
            return
        target = Path(self.build_lib) / "workshop" / "builtin"
        shutil.rmtree(target, ignore_errors=True)  # no file deleted from the checkout survives
        for folder in CONTENT_FOLDERS:
            shutil.copytree(HERE / folder, target / folder, ignore=LEFT_OUT)
        for po in sorted((target / "translations").glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as source:
                catalog = read_po(source, locale=po.parent.parent.name, abort_invalid=True)
            with po.with_suffix(".mo").open("wb") as compiled:
                write_mo(compiled, catalog)


setup(cmdclass={"build_py": BuildWithContent})
