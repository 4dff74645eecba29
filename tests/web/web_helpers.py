"""A respondent driving the pages through Flask's test client (not fixtures)."""

from __future__ import annotations

import re
from pathlib import Path

JC = Path(__file__).resolve().parents[2] / "statements" / "joint-commissioning.toml"


class Sorter:
    """Follows one respondent: ``start`` a link, then ``post`` the current page's form."""

    def __init__(self, client):
        self.client = client
        self.page = ""
        self.code = None

    def get(self, url: str, *, expect: int = 200):
        r = self.client.get(url)
        assert r.status_code == expect, (r.status_code, r.text[:2000])
        self.page = r.text
        return r

    def start(self, link: str, *, expect: int = 200, **fields):
        self.get(link)
        data = {**self.fields(), "consent": "1", **fields}
        r = self.client.post(link.split("?")[0], data=data)
        if r.status_code == 302:
            self.code = r.location.rsplit("/", 1)[-1]
            self.get(r.location)
            return self
        assert r.status_code == expect, (r.status_code, r.text[:2000])
        self.page = r.text
        return r

    def fields(self) -> dict[str, str]:
        return {
            m.group(1): m.group(2)
            for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', self.page)
        }

    @property
    def stage(self) -> str:
        return re.search(r'<body class="stage-([a-z]+)"', self.page).group(1)

    def post(self, *, expect: int = 200, follow: bool = True, fields=None, **data):
        hidden = dict(fields or self.fields())
        body = {
            k: hidden[k]
            for k in ("csrf_token", "version", "statement", "first", "token")
            if k in hidden
        }
        body.update({k: v for k, v in data.items() if v is not None})
        r = self.client.post(f"/r/{self.code}", data=body)
        if not follow:
            return r
        if r.status_code == 302:
            return self.get(r.location.split("#")[0])
        assert r.status_code == expect, (r.status_code, r.text[:3000])
        self.page = r.text
        return r

    def candidates(self) -> list[str]:
        return re.findall(r'name="(?:choose|hold_back)" value="([^"]+)"', self.page)

    def ranking_action(self) -> str:
        return "hold_back" if 'name="hold_back"' in self.page else "choose"

    def places(self) -> list[str]:
        return re.findall(r'name="place" value="([^"]+)"', self.page)

    def comment_ids(self) -> list[str]:
        return re.findall(r'name="comment-([^"]+)"', self.page)

    def rank(self) -> int:
        n = 0
        while self.stage == "ranking":
            self.post(**{self.ranking_action(): self.candidates()[0]})
            n += 1
        return n

    def finish_from_presort(self, presort) -> None:
        presort(self)
        self.rank()
        self.post(confirm="1", place=self.places())
        self.post(comments="1", **{f"comment-{s}": "x" for s in self.comment_ids()})
        assert self.stage == "questions"
