"""The respondents' pages through Flask's test client: every stage, refusals, languages."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select
from tests_helpers import snapshot
from web_helpers import JC, Sorter

from poetq.domain import Grid, QSet, Question, Statement
from poetq.qsets import load_qset
from poetq.services.studies import create_invitations, create_study, set_state
from poetq.store.models import Response
from poetq.web import create_app
from poetq.web.i18n import DEFAULTS
from poetq.web.respond_view import candidate_keys


def agree_first_third(sorter: Sorter) -> None:
    """Pre-sort 40 statements: the first 15 shown agree, next 10 neutral, the rest disagree."""
    for i in range(40):
        sorter.post(pile="agree" if i < 15 else "neutral" if i < 25 else "disagree")


def test_the_whole_flow_stores_everything_the_researcher_needs(client, jc_study, session):
    sorter = Sorter(client).start("/s/joint-commissioning")
    assert "40 of 40 statements left" in sorter.page
    agree_first_third(sorter)
    assert sorter.stage == "ranking"
    assert "Column +4: Most agree" in sorter.page
    assert "choose the 2 you agree with most" in sorter.page
    choices = sorter.rank()
    assert choices == 18
    assert sorter.stage == "review"
    # swap two statements by tapping one, then the other
    cells = re.findall(r'name="pick" value="([^"]+)"', sorter.page)
    first, last = cells[0], cells[-1]
    r = sorter.post(pick=first, follow=False)
    assert r.status_code == 302 and f"first={first}" in r.location
    sorter.get(r.location.split("#")[0])
    assert 'aria-pressed="true"' in sorter.page
    sorter.post(pick=last)
    sorter.post(confirm="1", place=sorter.places())
    assert sorter.stage == "extremes"
    comments = {f"comment-{sid}": f"because {sid}" for sid in sorter.comment_ids()}
    assert len(comments) == 4
    sorter.post(comments="1", **comments)
    assert sorter.stage == "questions"
    sorter.post(finish="1", **{"q-sector": "Other", "q-years": "7", "q-success": "Well",
                               "q-activities": ["A joint strategic needs assessment"],
                               "multi": "activities"})
    assert sorter.stage == "done"
    receipt = re.search(r"Your receipt code is ([A-Z0-9]+)", sorter.page).group(1)
    response = session.scalar(select(Response))
    session.refresh(response)
    assert response.receipt == receipt and response.finished_at is not None
    assert sorted(response.sort.values()) == list(
        Grid.symmetric([2, 3, 4, 6, 10, 6, 4, 3, 2]).distribution()
    )
    assert response.sort[first] == 4 and response.sort[last] == -4  # swapped in review
    assert {len(v) for v in response.piles.values()} == {15, 10}
    assert response.answers == {"sector": "Other", "years": 7, "success": "Well",
                                "activities": ["A joint strategic needs assessment"]}
    assert len(response.comments) == 4
    assert set(response.timings) == {"presort", "ranking", "review", "extremes", "questions"}
    actions = [e["action"] for e in response.trace]
    assert actions.count("presort") == 40 and actions.count("choose") == 18
    assert actions.count("swap") == 1 and actions[-1] == "submit"


def test_reload_and_the_same_link_resume_where_the_respondent_was(client, jc_study):
    sorter = Sorter(client).start("/s/joint-commissioning")
    agree_first_third(sorter)
    sorter.post(choose=sorter.candidates()[0])
    before = sorter.page
    assert sorter.get(f"/r/{sorter.code}").status_code == 200
    assert sorter.candidates() == re.findall(r'name="choose" value="([^"]+)"', before)
    # the open link with the cookie comes back to the same sort
    r = client.get("/s/joint-commissioning")
    assert r.status_code == 302 and r.location.endswith(f"/r/{sorter.code}")


@pytest.mark.parametrize("forgery,message", [
    ("overfilled", "column +4 holds 3 statements, the grid allows 2"),
    ("missing", "1 statement not placed"),
    ("duplicated", "is placed 2 times; place it once"),
    ("unknown", "statement 'zz99' is not in this Q-set"),
])
def test_forged_final_sorts_are_refused_with_their_own_message(
    client, jc_study, engine, forgery, message
):
    sorter = Sorter(client).start("/s/joint-commissioning")
    agree_first_third(sorter)
    sorter.rank()
    places = sorter.places()
    pairs = [p.split(":") for p in places]
    if forgery == "overfilled":
        i = next(i for i, (_, v) in enumerate(pairs) if v == "0")
        pairs[i][1] = "4"
    elif forgery == "missing":
        pairs.pop()
    elif forgery == "duplicated":
        pairs.append(list(pairs[0]))
    else:
        pairs[0][0] = "zz99"
    before = snapshot(engine)
    r = sorter.post(confirm="1", place=[f"{a}:{b}" for a, b in pairs], expect=400)
    assert message in html.unescape(r.text)
    assert "The grid sent is not valid" in r.text
    assert snapshot(engine) == before
    assert sorter.stage == "review"


def test_stale_and_forged_steps_change_nothing(client, jc_study, engine):
    sorter = Sorter(client).start("/s/joint-commissioning")
    old = sorter.fields()
    sorter.post(pile="agree")
    before = snapshot(engine)
    r = sorter.post(pile="agree", fields=old, expect=400)
    assert "This page is out of date" in r.text
    r = sorter.post(pile="maybe", expect=400)
    assert "Choose Agree, Neutral or Disagree" in r.text
    r = sorter.post(choose="jc01", expect=400)
    assert "you are now at another step" in r.text
    r = client.post(f"/r/{sorter.code}", data={"pile": "agree", "version": "2"})
    assert r.status_code == 400 and "expired" in r.text  # no CSRF token
    assert snapshot(engine) == before


def test_back_changes_the_previous_presort_answer(client, jc_study, session):
    sorter = Sorter(client).start("/s/joint-commissioning")
    first = sorter.fields()["statement"]
    sorter.post(pile="agree")
    assert "39 of 40" in sorter.page
    sorter.post(back="1")
    assert "40 of 40" in sorter.page and sorter.fields()["statement"] == first
    sorter.post(pile="disagree")
    response = session.scalar(select(Response))
    assert response.state["presort"] == [[first, "disagree"]]


def test_put_back_in_the_ranking(client, jc_study):
    sorter = Sorter(client).start("/s/joint-commissioning")
    agree_first_third(sorter)
    chosen = sorter.candidates()[0]
    sorter.post(choose=chosen)
    assert f'name="put_back" value="{chosen}"' in sorter.page
    sorter.post(put_back=chosen)
    assert chosen in sorter.candidates() and "choose the 2" in sorter.page


def test_final_submission_is_idempotent(client, jc_study, session):
    sorter = Sorter(client).start("/s/joint-commissioning")
    sorter.finish_from_presort(agree_first_third)
    fields = sorter.fields()
    answers = {"q-sector": "Other", "finish": "1"}
    sorter.post(fields=fields, **answers)
    receipt = re.search(r"receipt code is ([A-Z0-9]+)", sorter.page).group(1)
    sorter.post(fields=fields, expect=409, **answers)  # the same post again: refused, receipt shown
    assert f"receipt code is {receipt}" in sorter.page and "already been submitted" in sorter.page
    assert session.scalar(select(func.count(Response.id)).where(Response.receipt.is_not(None))) == 1


def test_questions_are_validated_and_typed_answers_kept(client, jc_study):
    sorter = Sorter(client).start("/s/joint-commissioning")
    sorter.finish_from_presort(agree_first_third)
    r = sorter.post(finish="1", expect=400, **{"q-years": "99", "q-comments": "kept"})
    assert "Please answer: Which of these best describes" in r.text
    assert "enter a number of at most 60" in r.text
    assert ">kept</textarea>" in r.text and 'value="99"' in r.text
    assert sorter.stage == "questions"


@pytest.mark.parametrize("state,status,message", [
    ("draft", 404, "There is no study at this address"),  # as an unknown slug: no title
    ("closed", 410, "has closed"),
])
def test_closed_or_draft_studies_are_politely_refused(client, session, state, status, message):
    study = create_study(session, load_qset(JC))
    if state == "closed":
        set_state(session, study.slug, "open")
        set_state(session, study.slug, "closed")
    session.commit()
    r = client.get("/s/joint-commissioning")
    assert r.status_code == status and message in r.text
    assert "Traceback" not in r.text
    if state == "draft":
        unknown = client.get("/s/no-such-study")
        assert (unknown.status_code, unknown.text) == (r.status_code, r.text)
        assert study.title not in r.text


def test_closing_a_study_stops_new_sorts_only(client, app, jc_study, session):
    sorter = Sorter(client).start("/s/joint-commissioning")
    sorter.post(pile="agree")
    set_state(session, jc_study.slug, "closed")
    session.commit()
    # a new respondent is refused; the one under way goes on, through the link too
    assert "has closed" in Sorter(app.test_client()).get("/s/joint-commissioning", expect=410).text
    assert client.get("/s/joint-commissioning").location.endswith(f"/r/{sorter.code}")
    sorter.get(f"/r/{sorter.code}")
    assert sorter.stage == "presort"
    sorter.post(pile="neutral")
    # after a grace period (here none left) the unfinished sort is refused, nothing saved
    set_state(session, jc_study.slug, "closed", grace_hours=0)
    session.commit()
    r = sorter.post(pile="agree", expect=410)
    assert "time to finish sorts already started has passed" in r.text
    r = sorter.get(f"/r/{sorter.code}", expect=410)


def test_invitation_codes_are_single_use(app, jc_study, session):
    (code,) = create_invitations(session, jc_study.slug, 1)
    session.commit()
    one = Sorter(app.test_client()).start(f"/i/{code}")
    assert one.stage == "presort"
    # the same browser is sent back to its sort; another is refused
    r = one.client.get(f"/i/{code}")
    assert r.status_code == 302 and r.location.endswith(f"/r/{one.code}")
    r = app.test_client().get(f"/i/{code}")
    assert r.status_code == 410 and "already been used" in r.text
    r = app.test_client().get("/i/NOSUCHCODE")
    assert r.status_code == 404 and "not known" in r.text


def test_identifiers_given_in_the_link_or_typed(client, jc_study, session):
    jc_study.settings = {"identifier": "required"}
    session.commit()
    page = client.get("/s/joint-commissioning").text
    assert 'name="identifier"' in page
    sorter = Sorter(client)
    r = sorter.start("/s/joint-commissioning", expect=400)
    assert "Please enter the identifier" in r.text
    sorter.start("/s/joint-commissioning", identifier="  P-17 ")
    response = session.scalar(select(Response))
    assert response.respondent.identifier == "P-17"
    other = Sorter(client.application.test_client()).start("/s/joint-commissioning?id=panel-9")
    assert other.stage == "presort"
    ids = {r.respondent.identifier for r in session.scalars(select(Response))}
    assert ids == {"P-17", "panel-9"}


def test_unknown_pages_and_errors_are_friendly(client):
    r = client.get("/r/NOPE")
    assert r.status_code == 404 and "No sort was found" in r.text
    r = client.get("/nowhere")
    assert r.status_code == 404 and "There is no page at this address" in r.text


def test_config_from_environment_and_a_stored_secret_shared_by_workers(
    database_url, engine, monkeypatch, tmp_path
):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("POETQ_DATABASE_URL", database_url)
    monkeypatch.delenv("POETQ_SECRET_KEY", raising=False)
    monkeypatch.setenv("POETQ_HOME", str(tmp_path / "home"))
    apps = [create_app(), create_app()]
    try:
        assert apps[0].config["DATABASE_URL"] == database_url
        key = apps[0].config["SECRET_KEY"]
        assert len(key) == 64 and apps[1].config["SECRET_KEY"] == key  # same in every worker
        stored = tmp_path / "home" / "secret_key"
        assert stored.read_text() == key and (stored.stat().st_mode & 0o777) == 0o600
    finally:
        for app in apps:
            app.extensions["poetq"]["engine"].dispose()
    monkeypatch.setenv("POETQ_SECRET_KEY", "from-env")
    app = create_app({"TESTING": True})
    try:
        assert app.config["SECRET_KEY"] == "from-env"
    finally:
        app.extensions["poetq"]["engine"].dispose()


JA = {
    "skip_to_content": "本文へ移動",
    "step_of": "ステップ {n}/{total}",
    "step_welcome": "ようこそ",
    "step_presort": "最初の読み",
    "step_ranking": "順位付け",
    "step_review": "確認",
    "step_extremes": "理由",
    "step_questions": "質問",
    "step_done": "ありがとうございました",
    "resume_note": "再開コードは {code} です。",
    "error_heading": "確認してください",
    "consent_button": "同意して始める",
    "identifier_label": "識別子",
    "identifier_hint_optional": "任意",
    "identifier_hint_required": "必須",
    "condition_heading": "並べ方",
    "pile_agree": "賛成",
    "pile_neutral": "中立・わからない",
    "pile_disagree": "反対",
    "presort_question": "この文に賛成しますか？",
    "presort_left": "残り {left}/{total}",
    "presort_back": "戻る：前の回答を変更",
    "statement": "文",
    "prompt_agree_agree": "賛成した文から、最も賛成する {need} つを選んでください。",
    "prompt_agree_neutral": "中立の文から、より賛成に近い {need} つを選んでください。",
    "prompt_agree_disagree": "反対した文から、反対の弱い {need} つを選んでください。",
    "prompt_disagree_disagree": "反対した文から、最も反対する {need} つを選んでください。",
    "prompt_disagree_neutral": "中立の文から、より反対に近い {need} つを選んでください。",
    "prompt_disagree_agree": "賛成した文から、賛成の弱い {need} つを選んでください。",
    "reason_agree_neutral": "賛成の文はすべて置かれました。",
    "reason_agree_disagree": "賛成と中立の文はすべて置かれました。",
    "reason_disagree_neutral": "反対の文はすべて置かれました。",
    "reason_disagree_agree": "反対と中立の文はすべて置かれました。",
    "column_heading": "列 {value}",
    "column_heading_pole": "列 {value}：{label}",
    "ranking_choose_hint": "文を選ぶとこの列に置かれます。",
    "in_column": "この列の文",
    "put_back_heading": "やり直す",
    "put_back": "戻す：{text}",
    "grid_so_far": "現在のグリッド",
    "column_count": "{value}：{filled}/{capacity}",
    "ranking_back": "最初の読みに戻る",
    "review_instructions": "文を選び、入れ替える文を選んでください。",
    "review_selected": "選択中：「{text}」",
    "review_cancel": "選択をやめる",
    "review_continue": "これで良い：次へ",
    "column_list_label": "列 {value}（{count}）",
    "comment_label": "この文を列 {value} に置いた理由は？",
    "comment_optional": "任意",
    "continue": "次へ",
    "back": "戻る",
    "question_required": "必須",
    "question_optional": "任意",
    "submit": "送信する",
    "no_questions": "送信の準備ができました。",
    "receipt": "受付番号は {receipt} です。",
    "saved": "保存しました",
    "unavailable_heading": "申し訳ありません",
    "error_title": "うまくいきませんでした",
    "error_400": "もう一度お試しください。",
    "error_csrf": "ページを再読み込みしてください。",
    "error_404": "ページが見つかりません。",
    "error_405": "このページではできません。",
    "error_500": "サーバーで問題が起きました。",
    "sort_invalid": "送られたグリッドは正しくありません：",
    "error_413": "送信内容が大きすぎます。",
    "error_429": "少し待ってからもう一度お試しください。",
    "error_503": "現在保存できません。しばらくしてからお試しください。",
    "unsaved_note": "最後の回答はこのブラウザに保持されています。",
    "unsaved_retry": "もう一度保存する",
    "presort_keys_grid": "キー：1 {first}、2 {second}、3 {third}",
    "pile_count": "（{count}）",
    "pyramid_presort": "これから埋めるグリッド",
    "announce_presort": "保存：「{text}」– {pile}。残り {left}",
    "announce_choice": "列 {value} に置きました：「{text}」",
    "announce_swap": "入れ替えました",
    "code_form_summary": "再開コードで続ける",
    "code_form_heading": "始めた並べ替えを続ける",
    "code_form_label": "再開コード",
    "code_form_hint": "英数字12文字",
    "code_form_button": "続ける",
    "continue_sort": "並べ替えを続ける",
    "auto_placed_heading": "自動で置かれた文",
    "auto_placed_column": "列 {value} に残った文です：",
    "auto_placed_note": "確認の画面で動かせます。",
    "ranking_keys": "キー：横のキーで選ぶ", "ranking_keys_two": "二つの場合は順に押す",
    "resume_box_heading": "後で続けるためにこのリンクを保存",
    "resume_box_text": "回答は自動で保存されます。", "resume_box_code": "再開コード：",
    "resume_copy": "リンクをコピー", "resume_copied": "コピーしました。",
    "presort_question_pole": "この文は「{agree}」と「{disagree}」のどちらに近いですか？",
    "reason_pole_neutral": "「{own}」の文はすべて置かれたので、「{source}」から選びます。",
    "reason_pole_other": "「{own}」と「{neutral}」の文はすべて置かれたので、"
    "「{source}」から選びます。",
    "review_keys": "キー：矢印で移動、Enter で選択",
    "review_columns_nav": "グリッドの列",
    "review_back": "順位付けに戻る",
    "back_to_review": "グリッドに戻る（入力は保持）",
    "back_to_reasons": "理由に戻る（回答は保持）",
    "not_saved": "まだ保存されていません",
    "field_required": "必須",
    "prompt_hold_agree_agree": (
        "{count} のうち {need} つがこの列に入ります。最も賛成しない {hold} つは？"
    ),
    "prompt_hold_agree_neutral": "{count} のうち {need} つ。賛成に最も遠い {hold} つは？",
    "prompt_hold_agree_disagree": "{count} のうち {need} つ。最も反対する {hold} つは？",
    "prompt_hold_disagree_disagree": "{count} のうち {need} つ。最も反対しない {hold} つは？",
    "prompt_hold_disagree_neutral": "{count} のうち {need} つ。反対に最も遠い {hold} つは？",
    "prompt_hold_disagree_agree": "{count} のうち {need} つ。最も賛成する {hold} つは？",
    "announce_hold": "内側の列へ：「{text}」",
    "prompt_pole_choose": "「{pile}」から「{pole}」に近い {need} つ",
    "prompt_pole_hold": "「{pile}」の {count} のうち {need} つ。「{pole}」から遠い {hold} つは？",
    "undo_last": "最後の選択を取り消す",
}


def test_a_whole_study_runs_in_japanese(app, session):
    missing = sorted(k for k in DEFAULTS if k not in JA and "_" in k and not k.startswith(
        ("stale", "wrong", "unknown", "not_", "cannot", "nothing", "swap", "sort_changed",
         "comment_", "answer_", "study_", "invitation", "resume_missing", "identifier_", "already",
         "no_back")))
    assert not missing, missing
    statements = [
        Statement(f"j{i}", f"これは{i}番目の文です。長い文は折り返されます。") for i in range(1, 10)
    ]
    qset = QSet(
        slug="nihongo", title="日本語の研究", statements=statements,
        grid=Grid.symmetric([1, 2, 3, 2, 1], labels=("最も反対", "最も賛成")),
        language="ja", strings=JA,
        texts={"welcome": "[study]へようこそ。", "thanks": "ご協力ありがとうございました。"},
        questions=(Question("age", "number", "年齢は？", minimum=0, maximum=120),),
    )
    study = create_study(session, qset)
    set_state(session, study.slug, "open")
    session.commit()
    sorter = Sorter(app.test_client())
    sorter.start("/s/nihongo")
    english = [v for k, v in DEFAULTS.items() if k in JA and len(v) > 4]
    seen = set()
    for i in range(9):
        sorter.post(pile=["agree", "neutral", "disagree"][i % 3])
        seen.add(sorter.stage)
    while sorter.stage == "ranking":
        assert '<html lang="ja">' in sorter.page and "列 " in sorter.page
        assert not [e for e in english if e in sorter.page]
        sorter.post(choose=sorter.candidates()[0])
    for action in (
        {"confirm": "1", "place": None},
        {"comments": "1"},
        {"finish": "1", "q-age": "30"},
    ):
        assert not [e for e in english if e in sorter.page], sorter.stage
        if "place" in action:
            action["place"] = sorter.places()
        sorter.post(**action)
    assert "受付番号は" in sorter.page and "ご協力ありがとうございました。" in sorter.page
    assert not [e for e in english if e in sorter.page]


def test_serve_command_help_and_a_missing_database(runner, tmp_path):
    from poetq.cli import cli

    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
    assert "poetq serve --host 0.0.0.0 --port 8080" in result.output
    result = runner.invoke(cli, ["serve", "--database-url", f"sqlite:///{tmp_path}/no/db.sqlite3"])
    assert result.exit_code == 1 and "poetq init" in result.output


def test_a_study_that_asks_for_no_identifier_stores_none(client, jc_study, session):
    jc_study.settings = {"identifier": "none"}
    session.commit()
    Sorter(client).start("/s/joint-commissioning", identifier="=HYPERLINK(\"x\")")
    Sorter(client.application.test_client()).start("/s/joint-commissioning?id=panel-9")
    assert {r.respondent.identifier for r in session.scalars(select(Response))} == {None}


def test_hold_back_and_undo_across_stages_over_http(client, jc_study, session):
    """18/9/13: the +1 column asks which statements do not belong; from the review, undo
    goes back into the ranking, and the extremes' typed text survives the way back."""
    sorter = Sorter(client).start("/s/joint-commissioning")
    for i in range(40):
        sorter.post(pile="agree" if i < 18 else "neutral" if i < 27 else "disagree")
    seen_hold = False
    while sorter.stage == "ranking":
        if sorter.ranking_action() == "hold_back" and not seen_hold:
            seen_hold = True
            assert "6 of these 9 statements you agree with go in this column. Which 3 do you " \
                   "agree with least?" in sorter.page
        sorter.post(**{sorter.ranking_action(): sorter.candidates()[0]})
    assert seen_hold and sorter.stage == "review"
    sorter.post(undo="1")
    assert sorter.stage == "ranking" and "Undo my last choice" in sorter.page
    sorter.post(undo="1")
    assert sorter.stage == "ranking"
    sorter.rank()
    sorter.post(confirm="1", place=sorter.places())
    assert sorter.stage == "extremes"
    ids = sorter.comment_ids()
    sorter.post(go_back="1", **{f"comment-{ids[0]}": "kept on the way back"})
    assert sorter.stage == "review"
    sorter.post(confirm="1", place=sorter.places())
    assert "kept on the way back" in sorter.page


def test_piles_and_prompts_use_the_qsets_poles(client, session):
    """Lipset's grid runs from "Most unlike my country" to "Most like my country": the piles
    and the ranking's questions say so, not "agree"."""
    study = create_study(session, load_qset(JC.with_name("lipset.toml")))
    set_state(session, study.slug, "open")
    session.commit()
    sorter = Sorter(client).start(f"/s/{study.slug}")
    assert re.search(r'value="disagree"[^>]*>[^/]*</span> Unlike my country<', sorter.page)
    assert (
        "press 1 for Unlike my country, 2 for Neutral / unsure, 3 for Like my country"
        in sorter.page
    )
    for i in range(33):
        sorter.post(pile="agree" if i < 12 else "neutral" if i < 21 else "disagree")
    assert sorter.stage == "ranking"
    prompt = html.unescape(re.search(r'id="prompt"[^>]*>([^<]+)<', sorter.page).group(1))
    assert prompt == ("Of the statements on the “Like my country” pile, choose the 2 closest "
                      "to “Most like my country”.")
    assert "agree" not in prompt.lower()



def _visible(page: str) -> str:
    """What a respondent reads (or hears) on a page: its text and its labels."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>|<title>.*?</title>", "", page,
                  flags=re.S)
    labels = " ".join(re.findall(r'(?:aria-label|title|placeholder|alt)="([^"]*)"', page))
    return html.unescape(re.sub(r"<[^>]+>", " ", page) + " " + labels)


def _every_page(sorter: Sorter, piles) -> list[tuple[str, str]]:
    """(stage, what it shows) for every page of a whole sort, piles from ``piles(i)``, the
    last candidate chosen each time."""
    seen = [(sorter.stage, _visible(sorter.page))]
    i = 0
    while sorter.stage == "presort":
        sorter.post(pile=piles(i))
        i += 1
        seen.append((sorter.stage, _visible(sorter.page)))
    while sorter.stage == "ranking":
        sorter.post(**{sorter.ranking_action(): sorter.candidates()[-1]})
        seen.append((sorter.stage, _visible(sorter.page)))
    sorter.post(confirm="1", place=sorter.places())
    seen.append((sorter.stage, _visible(sorter.page)))
    sorter.post(comments="1", **{f"comment-{c}": "x" for c in sorter.comment_ids()})
    seen.append((sorter.stage, _visible(sorter.page)))
    return seen


#: Two pile splits of 33 statements: the first draws a column from the neutral pile, the
#: second from the other side's pile (each with its explanation).
SPLITS = (lambda i: "agree" if i < 5 else "neutral" if i < 15 else "disagree",
          lambda i: "agree" if i < 2 else "neutral" if i < 3 else "disagree")


def test_every_sentence_uses_the_qsets_poles(client, session):
    """Lipset's poles on every page a respondent reads: the pre-sort's question, the
    ranking's questions and explanations, the review, the reasons — never "agree"."""
    study = create_study(session, load_qset(JC.with_name("lipset.toml")))
    set_state(session, study.slug, "open")
    session.commit()
    texts = []
    for piles in SPLITS:
        sorter = Sorter(client.application.test_client()).start(f"/s/{study.slug}")
        pages = _every_page(sorter, piles)
        assert {stage for stage, _ in pages} >= {"presort", "ranking", "review", "extremes",
                                                 "questions"}
        for stage, text in pages:
            assert not re.findall(r"[^.]*\b(?:dis)?agree[^.]*", text, re.I), stage
        texts.append(" ".join(text for _, text in pages))
    both = " ".join(texts)
    assert "Is this statement closer to “Most like my country” or to “Most unlike my " \
           "country”?" in both
    assert ("All the statements on the “Like my country” pile are placed, so this column is "
            "completed from the “Neutral / unsure” pile.") in texts[0]
    assert ("All the statements on the “Like my country” and “Neutral / unsure” piles are "
            "placed, so this column is completed from the “Unlike my country” pile.") in texts[1]


def test_a_japanese_study_with_its_own_poles_shows_no_english(app, session):
    """A Japanese study whose poles are not agree/disagree and which translates the
    sentences in pole terms (not the agree ones): every page in Japanese, no English."""
    agree_only = ("prompt_agree", "prompt_disagree", "prompt_hold", "reason_agree",
                  "reason_disagree", "presort_question", "pile_agree", "pile_disagree")
    strings = {k: v for k, v in JA.items()
               if not k.startswith(agree_only) or k == "presort_question_pole"}
    statements = [Statement(f"j{i}", f"これは{i}番目の文です。") for i in range(1, 34)]
    qset = QSet(
        slug="jibun", title="自国の研究", statements=statements,
        grid=Grid.symmetric((2, 3, 4, 5, 5, 5, 4, 3, 2),
                            labels=("自国に最も似ていない", "自国に最も似ている")),
        language="ja", strings=strings, texts={"thanks": "ありがとう。"},
    )
    study = create_study(session, qset)
    set_state(session, study.slug, "open")
    session.commit()
    # every English sentence a page could hold, cut at its placeholders
    english = {part.strip() for v in DEFAULTS.values() for part in re.split(r"\{\w+\}", v)
               if len(part.strip()) > 6}
    shown = []
    for piles in SPLITS:
        sorter = Sorter(app.test_client()).start("/s/jibun")
        for stage, text in _every_page(sorter, piles):
            assert not [e for e in english if e in text], (stage, [e for e in english if e in text])
            words = set(re.findall(r"[A-Za-z]*[a-z]{3,}", re.sub(r"https?://\S+", "", text)))
            assert not words - {"Enter"}, (stage, words)  # (a key's name; codes are capitals)
            shown.append(text)
    both = " ".join(shown)
    assert "この文は「自国に最も似ている」と「自国に最も似ていない」のどちらに近いですか？" in both
    assert ("「自国に最も似ている」の文はすべて置かれたので、"
            "「中立・わからない」から選びます。") in both
    assert ("「自国に最も似ている」と「中立・わからない」の文はすべて置かれたので、"
            "「自国に最も似ていない」から選びます。") in both


def test_every_candidate_has_its_own_key(client, jc_study):
    """One key press per choice for up to 36 candidates (1-9, 0, a-z); beyond, as few
    two-key codes as possible, none the start of another (no key waits for a pause)."""
    assert candidate_keys(3) == ["1", "2", "3"]
    assert candidate_keys(36)[9:11] == ["0", "a"] and candidate_keys(36)[-1] == "z"
    for count in (1, 9, 10, 36, 37, 40, 71, 72, 500):
        keys = candidate_keys(count)
        assert len(keys) == len(set(keys)) == count
        assert not [k for k in keys for other in keys if other != k and other.startswith(k)]
        assert sum(len(k) == 2 for k in keys) == max(0, count - 36 + -(-(count - 36) // 35))
    assert candidate_keys(40)[34:] == ["y", "z1", "z2", "z3", "z4", "z5"]
    sorter = Sorter(client).start("/s/joint-commissioning")
    for _ in range(40):
        sorter.post(pile="agree")
    keys = re.findall(r'data-key="([^"]+)"><span class="key" aria-hidden="true">([^<]+)<',
                      sorter.page)
    assert len(keys) == 40 and keys[0] == ("1", "1") and keys[10] == ("a", "A")
    assert keys[-1] == ("z5", "Z5")
    assert "press the key shown beside a statement" in sorter.page
    assert "press one after the other" in sorter.page
    for _ in range(5):  # the hint for two keys goes with the last two-key candidate
        sorter.post(choose=sorter.candidates()[-1])
    assert len(sorter.candidates()) == 35 and "press one after the other" not in sorter.page
