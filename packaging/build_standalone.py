"""Build the standalone app: a folder that runs the workshop on a computer without Python.

    python -m pip install -c constraints.txt ".[standalone]"
    python packaging/build_standalone.py

The result is dist/safe-online-workshop/, holding the program `safe-online-workshop`
(`safe-online-workshop.exe` on Windows) with everything it needs: zip the folder and hand it
out. Build on the system the app is for (PyInstaller does not build for another one): on
Windows for Windows, on a Mac for macOS, on Linux for Linux.

The app is made from the same wheel that pip installs, so it carries exactly the content
and compiled catalogs the wheel does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "safe-online-workshop"
# Folders of the package that are data, not code; the code is found by following imports.
PACKAGE_DATA = ("templates", "static", "builtin")


def build_wheel(folder: Path) -> Path:
    """The wheel, built from the sdist as pip would, with the pinned build tools."""
    env = {**os.environ, "PIP_CONSTRAINT": str(ROOT / "constraints.txt")}
    # Run from the output folder: a build/ folder that `pip install .` left in the checkout
    # would otherwise be imported in place of the `build` package.
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "build", "--outdir", str(folder), str(ROOT)]
    subprocess.run(command, check=True, env=env, cwd=folder)
    (wheel,) = folder.glob("*.whl")
    return wheel


def build_app(dist: Path, work: Path) -> Path:
    import PyInstaller.__main__

    staging = work / "staging"
    with zipfile.ZipFile(build_wheel(work / "wheel")) as wheel:
        wheel.extractall(staging)
    data = [
        f"--add-data={staging / 'workshop' / folder}{os.pathsep}workshop/{folder}" for folder in PACKAGE_DATA
    ]
    PyInstaller.__main__.run(
        [
            *[f"--name={NAME}", "--onedir", "--console", "--noconfirm", "--clean", "--log-level=WARN"],
            *[f"--distpath={dist}", f"--workpath={work / 'pyinstaller'}", f"--specpath={work}"],
            f"--paths={staging}",
            *data,
            str(ROOT / "packaging" / "standalone.py"),
        ]
    )
    return dist / NAME


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="the folder to put it in")
    options = parser.parse_args()
    # An antivirus still scanning the new files may keep them from being removed at once.
    with tempfile.TemporaryDirectory(prefix="standalone-", ignore_cleanup_errors=True) as work:
        app = build_app(options.dist.resolve(), Path(work))
    program = app / (f"{NAME}.exe" if sys.platform == "win32" else NAME)
    print(f"Built {program}")
    print(f"Hand out the whole folder {app} (zip it); double-clicking the program starts the workshop.")


if __name__ == "__main__":
    main()
