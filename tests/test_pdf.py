"""Finding a browser to print PDFs with, on Windows, macOS and Linux."""

from __future__ import annotations

from workshop.pdf import Browser, candidates

WINDOWS_ENV = {
    "PROGRAMFILES": r"C:\Program Files",
    "PROGRAMFILES(X86)": r"C:\Program Files (x86)",
    "LOCALAPPDATA": r"C:\Users\trainer\AppData\Local",
}


def test_windows_looks_where_the_installers_put_chrome_and_edge():
    found = {browser.path: browser.name for browser in candidates("win32", WINDOWS_ENV)}
    assert found[r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe"] == "Microsoft Edge"
    assert found[r"C:\Program Files\Google\Chrome\Application\chrome.exe"] == "Google Chrome"
    assert found[r"C:\Users\trainer\AppData\Local\Google\Chrome\Application\chrome.exe"] == "Google Chrome"


def test_macos_looks_in_the_application_folders():
    found = {browser.path: browser.name for browser in candidates("darwin", {"HOME": "/Users/trainer"})}
    assert found["/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"] == "Google Chrome"
    assert found["/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"] == "Microsoft Edge"
    assert found["/Users/trainer/Applications/Chromium.app/Contents/MacOS/Chromium"] == "Chromium"


def test_linux_looks_on_path_and_in_the_packages_folders():
    found = list(candidates("linux", {}))
    assert Browser("Google Chrome", "/opt/google/chrome/chrome") in found
    assert Browser("Chromium", "/snap/bin/chromium") in found


def test_a_browser_is_named_with_its_path():
    assert str(Browser("Microsoft Edge", "C:/msedge.exe")) == "Microsoft Edge (C:/msedge.exe)"
