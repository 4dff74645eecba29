"""Static files with fingerprinted addresses, cached by browsers for a year.

Every ``url_for("static", filename=...)`` gets ``?v=<hash of the file's content>``
(a URL default, so templates need no change). A request carrying the current hash is
answered with ``Cache-Control: public, max-age=31536000, immutable``: a respondent's browser
fetches poetq.css and poetq.js once per release instead of re-validating them on every
step. Any other request for a static file (an old or missing hash) is answered as before
(revalidated), so a stale page never keeps a stale file for a year.

Every page names its files, so the pages use ``static_url(filename)``: the same address as
``url_for("static", ...)``, made once per version of the file, and a file is looked at on
disk at most once a second (an edited file gets its new hash within a second).
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Any

from flask import Flask, request, url_for

#: One year: the longest lifetime browsers honour.
LONG_MAX_AGE = 365 * 24 * 3600
#: Seconds a file's hash is used before its modification time is looked at again.
RECHECK = 1.0


def init_app(app: Flask) -> None:
    folder = app.static_folder or ""
    hashes: dict[str, tuple[float, float, str]] = {}  # filename -> (looked at, mtime, hash)
    urls: dict[tuple[str, str], tuple[str | None, str]] = {}  # (root, name) -> (hash, url)

    def fingerprint(filename: str, *, fresh: bool = False) -> str | None:
        hit = hashes.get(filename)
        now = time.monotonic()
        if hit is not None and not fresh and now - hit[0] < RECHECK:
            return hit[2]
        path = os.path.join(folder, filename)
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return None
        if hit is None or hit[1] != mtime:  # changed on disk (development): hashed again
            with open(path, "rb") as fh:
                digest = hashlib.sha256(fh.read()).hexdigest()[:12]
        else:
            digest = hit[2]
        hashes[filename] = (now, mtime, digest)
        return digest

    @app.url_defaults
    def _fingerprinted(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = fingerprint(values["filename"])
            if version:
                values["v"] = version

    @app.template_global()
    def static_url(filename: str) -> str:
        """``url_for("static", filename=filename)``, made again only for a new version."""
        version = fingerprint(filename)
        key = (request.script_root, filename)
        hit = urls.get(key)
        if hit is None or hit[0] != version:
            if len(urls) > 64:  # (a few files, one script root: never in practice)
                urls.clear()
            hit = urls[key] = (version, url_for("static", filename=filename))
        return hit[1]

    @app.after_request
    def _long_cache(response):
        if request.endpoint == "static" and response.status_code in (200, 304):
            given = request.args.get("v")
            # the file as it is now: a year's caching only for the hash of what was sent
            if given and given == fingerprint(request.view_args.get("filename", ""),
                                              fresh=True):
                response.headers["Cache-Control"] = f"public, max-age={LONG_MAX_AGE}, immutable"
        return response
