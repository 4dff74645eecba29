"""Study services: create from a Q-set snapshot, list, show, state changes, invitations."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select
from tests_helpers import STATEMENTS

from poetq.domain import qset_to_dict
from poetq.errors import ConflictError, NotFoundError, StateError, ValidationError
from poetq.qsets import load_qset
from poetq.services import studies, users
from poetq.store.models import Invitation

JC = STATEMENTS / "joint-commissioning.toml"


def test_create_study_stores_a_snapshot(session):
    study = studies.create_study_from_file(session, JC)
    session.commit()
    assert study.state == "draft"
    assert study.slug == "joint-commissioning"
    qset = studies.study_qset(study)
    assert qset == load_qset(JC)
    assert len(qset.statements) == 40


def test_snapshot_survives_an_edit_of_the_file(session, tmp_path):
    copy = tmp_path / "jc.toml"
    shutil.copy(JC, copy)
    studies.create_study_from_file(session, copy, slug="jc")
    session.commit()
    before = qset_to_dict(studies.study_qset(studies.get_study(session, "jc")))
    copy.write_text(copy.read_text(encoding="utf-8").replace("joint", "JOINT"), encoding="utf-8")
    session.expire_all()
    after = qset_to_dict(studies.study_qset(studies.get_study(session, "jc")))
    assert after == before
    assert "JOINT" not in str(after)


def test_duplicate_slug_is_refused(session):
    studies.create_study_from_file(session, JC)
    with pytest.raises(ConflictError, match="already exists"):
        studies.create_study_from_file(session, JC)


def test_bad_slug_is_refused(session):
    with pytest.raises(ValidationError, match="slug"):
        studies.create_study_from_file(session, JC, slug="Has Spaces")


def test_unknown_study_names_the_known_ones(session):
    studies.create_study_from_file(session, JC)
    with pytest.raises(NotFoundError, match="joint-commissioning"):
        studies.get_study(session, "nope")


def test_state_transitions(session):
    studies.create_study_from_file(session, JC)
    with pytest.raises(StateError, match="draft"):
        studies.set_state(session, "joint-commissioning", "closed")
    study, changed = studies.set_state(session, "joint-commissioning", "open")
    assert changed and study.state == "open" and study.opened_at is not None
    _, changed = studies.set_state(session, "joint-commissioning", "open")
    assert not changed
    study, changed = studies.set_state(session, "joint-commissioning", "closed")
    assert changed and study.closed_at is not None
    study, _ = studies.set_state(session, "joint-commissioning", "open")
    assert study.state == "open" and study.closed_at is None


def test_list_studies_with_counts_and_owner_filter(session):
    ada = users.create_user(session, "ada@example.org", "correct horse battery")
    studies.create_study_from_file(session, JC, owner=ada)
    studies.create_study_from_file(session, JC, slug="other")
    rows = studies.list_studies(session)
    assert [r.slug for r in rows] == ["joint-commissioning", "other"]
    assert rows[0].n_statements == 40 and rows[0].started == 0
    mine = studies.list_studies(session, researcher=ada)
    assert [r.slug for r in mine] == ["joint-commissioning"]


def test_invitations_are_unique_and_readable(session):
    studies.create_study_from_file(session, JC)
    codes = studies.create_invitations(session, "joint-commissioning", 50)
    assert len(set(codes)) == 50
    assert all(len(c) == 13 and not set(c) & set("01ILO") for c in codes)
    assert 31 ** 13 >= 2 ** 64  # ASVS: codes of at least 64 bits
    assert session.scalar(select(func.count(Invitation.id))) == 50
    with pytest.raises(ValidationError):
        studies.create_invitations(session, "joint-commissioning", 0)


def test_users_hash_passwords_and_authenticate(session):
    user = users.create_user(session, " Ada@Example.org ", "correct horse battery")
    assert user.email == "ada@example.org"
    assert "correct horse" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert users.authenticate(session, "ADA@example.org", "correct horse battery") == user
    assert users.authenticate(session, "ada@example.org", "wrong password!!") is None
    assert users.authenticate(session, "not an email", "x") is None
    with pytest.raises(ConflictError):
        users.create_user(session, "ada@example.org", "another long password")
    with pytest.raises(ValidationError, match="at least"):
        users.create_user(session, "bob@example.org", "short")
    with pytest.raises(ValidationError, match="email"):
        users.create_user(session, "bob", "long enough password")
