"""Opening a written report in the user's web browser, when there is one to open; printing its path otherwise."""

from __future__ import annotations

import os
import sys
import webbrowser
from pathlib import Path

__all__ = ["NO_BROWSER_ENV", "browser_available", "show"]

NO_BROWSER_ENV = "HEDGECLONE_NO_BROWSER"  # set (to anything but "" or "0") to never open a browser


def _disabled() -> bool:
    return os.environ.get(NO_BROWSER_ENV, "").strip() not in ("", "0")


def browser_available() -> bool:
    """True when a graphical browser can open a page: not disabled by $HEDGECLONE_NO_BROWSER, and on
    X11/Wayland systems a display is set and Python's `webbrowser` finds a browser that is not a console one."""
    if _disabled():
        return False
    unix_desktop = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
    if unix_desktop and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        found = webbrowser.get()
    except webbrowser.Error:
        return False
    # A console browser (lynx, w3m, www-browser) would take over the terminal of the script that asked.
    return type(found) is not webbrowser.GenericBrowser


def show(path: str | os.PathLike[str], *, force: bool = False) -> bool:
    """Open `path` in the browser when one is available (`force`: try whenever not disabled by
    $HEDGECLONE_NO_BROWSER); otherwise, or when opening fails, print where the report is. Never raises
    for want of a browser. Returns True when a browser was asked to open it."""
    path = Path(path).resolve()
    if browser_available() or (force and not _disabled()):
        try:
            if webbrowser.open(path.as_uri()):
                return True
        except webbrowser.Error:
            pass
    print(f"report written to {path}")
    return False
