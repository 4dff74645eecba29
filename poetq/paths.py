"""Where poetq keeps its files on this machine (no imports beyond the standard library, so
that commands reading only a file never load the database layer to find a folder)."""

from __future__ import annotations

import os
from pathlib import Path


def home_dir() -> Path:
    """``$POETQ_HOME``, else ``$XDG_DATA_HOME/poetq`` (default ``~/.local/share/poetq``)."""
    home = os.environ.get("POETQ_HOME")
    if home:
        return Path(home).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data).expanduser() / "poetq"
