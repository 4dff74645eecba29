"""Sorts from other tools into a study: a preview first, then all or nothing, never twice.

Every file is read and every sort checked against the study's grid and statements before
anything is stored; the error lists every problem of every file, each with the file and the
line (or sheet row or column) of the sort. Statements are matched by id, else by text, else
by position; a file whose statement texts are not the study's is refused with the mismatch
shown. A sort identical to one already in the study under the same name (the same file
imported again) is skipped and reported, never stored twice. Comments and answers that web
results carry (EQ Web Sort, Ken-Q JSON) are kept with their sorts.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq.domain import QSet, SortsTable, validate_sort
from poetq.errors import ValidationError
from poetq.formats import registry
from poetq.services.respondents import MAX_IDENTIFIER
from poetq.services.sorts import store_finished_sorts
from poetq.services.studies import get_study, study_qset
from poetq.store.models import Respondent, Response, Study

#: Files that only accompany a sorts file (PQMethod's statements beside its .DAT).
COMPANIONS = (".sta",)
#: How alike a file's statement and the study's must be to count as the same statement
#: (difflib ratio of the normalised texts; PQMethod cuts texts to 60 characters).
SAME_TEXT = 0.6
#: A file is refused when more than this share of its statements are not the study's.
MISMATCH_SHARE = 0.25


@dataclass
class FilePlan:
    """What importing one file would do."""

    name: str
    format: str = ""
    sorts: int = 0
    matched_by: str = ""
    new: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)
    with_comments: int = 0
    with_answers: int = 0


@dataclass
class ImportPlan:
    files: list[FilePlan]
    #: ``(file name, [(name, placements, comments, answers), …])`` of the sorts to store.
    batches: list[tuple[str, list[tuple[str, dict, dict, dict]]]]

    @property
    def new(self) -> int:
        return sum(len(f.new) for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(len(f.duplicates) for f in self.files)


def _normal(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]{3,}", text.casefold()))


def _same(a: str, b: str) -> bool:
    """Whether two texts are one statement: equal, one cut short, alike, or the shorter's
    words nearly all in the longer (PQMethod .STA files hold 60-character abridgements)."""
    a, b = _normal(a), _normal(b)
    if a == b or (min(len(a), len(b)) >= 20 and (a.startswith(b) or b.startswith(a))):
        return True
    if difflib.SequenceMatcher(None, a, b).ratio() >= SAME_TEXT:
        return True
    short, long_ = sorted((_words(a), _words(b)), key=len)
    return bool(short) and len(short & long_) >= SAME_TEXT * len(short)


def statement_mapping(table: SortsTable, texts, qset: QSet, source: str) -> tuple[list[str], str]:
    """The study statement id of each of the file's statements, and how they were matched.

    By id when the file uses the study's ids; else by text when the file carries statement
    texts that are exactly the study's (in any order); else by position (statement 1 of the
    file is the study's first statement, as PQMethod and Ken-Q number them), provided the
    texts the file carries are the study's.
    """
    ids = list(table.statement_ids)
    study_ids = list(qset.statement_ids)
    if set(ids) == set(study_ids) and len(ids) == len(study_ids):
        return ids, "id"
    if len(ids) != len(study_ids):
        raise ValidationError(
            f"{source} has {len(ids)} statements per sort, the study has {len(study_ids)}: "
            "the sorts must be of this study's Q-set"
        )
    if texts:
        by_text = {_normal(s.text): s.id for s in qset.statements}
        matched = [by_text.get(_normal(t)) for t in texts]
        if None not in matched and len(set(matched)) == len(study_ids):
            return matched, "text"
        wrong = [(k, t, s.text) for k, (t, s) in enumerate(zip(texts, qset.statements), 1)
                 if not _same(t, s.text)]
        # a few abridged or reworded statements are still this Q-set; most is another one
        if len(wrong) > MISMATCH_SHARE * len(ids):
            shown = "; ".join(f"statement {k}: the file has {t[:60]!r}, the study {u[:60]!r}"
                              for k, t, u in wrong[:3])
            more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
            raise ValidationError(
                f"{source}: {len(wrong)} of its {len(ids)} statements are not this study's: "
                f"{shown}{more}; import it into the study of its own Q-set"
            )
    return study_ids, "position"


def _existing(session: Session, study: Study) -> tuple[set, set[str]]:
    rows = session.execute(
        select(Respondent.identifier, Respondent.id, Response.sort)
        .join(Response, Response.respondent_id == Respondent.id)
        .where(Response.study_id == study.id)
    ).all()
    sorts = {(ident or f"r{rid}", frozenset((sort or {}).items())) for ident, rid, sort in rows
             if sort}
    names = {ident or f"r{rid}" for ident, rid, _ in rows}
    return sorts, names


def plan_import(session: Session, slug: str, paths, *, format: str | None = None,
                encoding: str | None = None, names: dict[Path, str] | None = None) -> ImportPlan:
    """Read and check every file; what would be stored (nothing is stored here).

    ``names`` gives a file's name to show (an upload's own name rather than its temporary
    path). Raises :class:`ValidationError` listing every problem of every file.
    """
    study = get_study(session, slug)
    qset = study_qset(study)
    seen, used = _existing(session, study)
    plans, batches, problems = [], [], []
    for path in map(Path, paths):
        if path.suffix.lower() in COMPANIONS:
            continue
        shown = (names or {}).get(path, str(path))
        plan = FilePlan(shown)
        try:
            plan.format = registry.format_name(format) if format else registry.detect_format(path)
            imported = registry.read_sorts(path, plan.format, encoding=encoding)
            mapping, plan.matched_by = statement_mapping(imported.table, imported.statements,
                                                         qset, shown)
        except ValidationError as exc:
            problems += exc.problems
            continue
        table = imported.table
        values = np.asarray(table.values, dtype=float)
        batch = []
        for j, name in enumerate(table.sort_ids):
            where = f"{shown}, {table.where(j)}"
            column = values[:, j]
            if np.isnan(column).any():
                missing = table.statement_ids[int(np.flatnonzero(np.isnan(column))[0])]
                problems.append(f"{where}: statement {missing!r} has no score")
                continue
            placements = {sid: int(column[i]) for i, sid in enumerate(mapping)}
            try:
                validate_sort(qset.grid, qset.statement_ids, placements)
            except ValidationError as exc:
                problems += [f"{where}: {p}" for p in exc.problems]
                continue
            label = str(name)[:MAX_IDENTIFIER]
            key = (label, frozenset(placements.items()))
            plan.sorts += 1
            if key in seen:
                plan.duplicates.append(label)
                continue
            seen.add(key)
            if label in used:
                plan.renamed[label] = f"{label}-r…"
            elif label != str(name):
                plan.renamed[str(name)] = label
            used.add(label)
            extras = (imported.extras or ())[j] if imported.extras else {}
            comments = {mapping[n - 1]: text for n, text in (extras.get("comments") or {}).items()
                        if 1 <= n <= len(mapping)}
            answers = dict(extras.get("answers") or {})
            plan.with_comments += bool(comments)
            plan.with_answers += bool(answers)
            plan.new.append(label)
            batch.append((label, placements, comments, answers))
        plans.append(plan)
        batches.append((Path(shown).name, batch))
    if problems:
        raise ValidationError(problems)
    if not plans:
        raise ValidationError("no sorts file given (a .STA goes with its .DAT)")
    return ImportPlan(plans, batches)


def import_into_study(
    session: Session,
    slug: str,
    paths,
    *,
    format: str | None = None,
    encoding: str | None = None,
    names: dict[Path, str] | None = None,
) -> ImportPlan:
    """Add the new sorts of ``paths`` to a study as finished responses (see the module
    docstring); returns the plan that was carried out."""
    plan = plan_import(session, slug, paths, format=format, encoding=encoding, names=names)
    study = get_study(session, slug)
    for file_name, batch in plan.batches:
        if batch:
            store_finished_sorts(session, study, [(n, p) for n, p, _, _ in batch],
                                 origin=f"imported from {file_name}",
                                 comments=[c for _, _, c, _ in batch],
                                 answers=[a for _, _, _, a in batch])
    return plan


#: Uploads in the browser: at most this many files of at most this many bytes in all (the
#: confirmation sends them again, base64-encoded, within the server's 2 MB request limit).
MAX_UPLOAD_FILES = 10
MAX_UPLOAD_BYTES = 1024 * 1024
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@contextlib.contextmanager
def uploaded(files: list[tuple[str, bytes]]) -> Iterator[tuple[list[Path], dict[Path, str]]]:
    """Uploaded ``(file name, bytes)`` written to a temporary folder for the readers (which
    read paths, and find a .DAT's .STA beside it); yields ``(paths, shown names)``."""
    files = [(PurePath(name or "").name, data) for name, data in files if name or data]
    if not files:
        raise ValidationError("choose a file of sorts to import")
    if len(files) > MAX_UPLOAD_FILES:
        raise ValidationError(f"import at most {MAX_UPLOAD_FILES} files at a time")
    if sum(len(d) for _, d in files) > MAX_UPLOAD_BYTES:
        raise ValidationError(f"the files are larger than {MAX_UPLOAD_BYTES // 1024} kB in all: "
                              "import them with `poetq import FILE --study SLUG`")
    with tempfile.TemporaryDirectory(prefix="poetq-import-") as tmp:
        paths, names = [], {}
        for k, (name, data) in enumerate(files):
            safe = _SAFE_NAME.sub("_", name).lstrip(".") or f"upload{k}"
            folder = Path(tmp) / (
                "stem" if Path(safe).suffix.lower() in (".dat", ".sta") else str(k)
            )
            folder.mkdir(exist_ok=True)
            path = folder / safe
            path.write_bytes(data)
            paths.append(path)
            names[path] = name or safe
        yield paths, names
