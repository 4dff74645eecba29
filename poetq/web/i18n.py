"""Respondent-facing strings: an English default for each, overridable by the study.

A study's Q-set file may translate any of these in its ``[strings]`` table (keys below), so a
whole study runs in another language. Values use ``{name}`` placeholders. The messages of
refused steps come from :data:`poetq.flow.MESSAGES` and
:data:`poetq.errors.MESSAGES` and can be overridden under the same keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from poetq import errors, flow
from poetq.bidi import isolate_if_needed

#: Interface strings with their English defaults.
UI: dict[str, str] = {
    "skip_to_content": "Skip to the main content",
    "step_of": "Step {n} of {total}",
    "step_welcome": "Welcome",
    "step_presort": "First reading",
    "step_ranking": "Ranking",
    "step_review": "Review",
    "step_extremes": "Your reasons",
    "step_questions": "A few questions",
    "step_done": "Thank you",
    "resume_note": "Your resume code is {code}. With it, or with this page's address, you can "
    "come back later and continue where you left off.",
    "error_heading": "Please check",
    "consent_button": "I agree: start",
    "identifier_label": "Your identifier",
    "identifier_hint_optional": "Optional: if the researchers gave you an identifier, enter it "
    "here.",
    "identifier_hint_required": "Enter the identifier the researchers gave you.",
    "condition_heading": "How to sort",
    "pile_agree": "Agree",
    "pile_neutral": "Neutral / unsure",
    "pile_disagree": "Disagree",
    "presort_question": "Do you agree with this statement?",
    "presort_question_pole": "Is this statement closer to “{agree}” or to “{disagree}”?",
    "presort_left": "{left} of {total} statements left",
    "presort_back": "Back: change the previous answer",
    "presort_keys_grid": "Keyboard: press 1 for {first}, 2 for {second}, 3 for {third}.",
    "pile_count": "({count} so far)",
    "pyramid_presort": "The grid you will fill: your piles so far, from each end",
    "announce_presort": "Saved: “{text}” – {pile}. {left} left.",
    "announce_choice": "Placed in column {value}: “{text}”.",
    "announce_swap": "Swapped: “{first}” is now in column {first_value}, “{second}” in column "
    "{second_value}.",
    "resume_box_heading": "Save this link to continue later",
    "resume_box_text": "Your answers are saved as you go. To come back to this sort from any "
    "browser or device, keep this link (bookmark it or copy it somewhere safe) or your resume "
    "code.",
    "resume_box_code": "Your resume code:",
    "resume_copy": "Copy the link",
    "resume_copied": "Link copied.",
    "code_form_summary": "Already started? Continue with your resume code",
    "code_form_heading": "Continue a sort you started",
    "code_form_label": "Your resume code",
    "code_form_hint": "The letters and digits of your code, with or without dashes (e.g. "
    "ABCD-EFGH-JKLM-N). A pasted resume link works too.",
    "code_form_button": "Continue my sort",
    "continue_sort": "Continue your sort",
    "auto_placed_heading": "Placed for you",
    "auto_placed_column": "These were the only statements left for column {value}, so they "
    "were placed there:",
    "auto_placed_note": "You can still move any of them on the review page.",
    "ranking_keys": "Keyboard: press the key shown beside a statement to choose it.",
    "ranking_keys_two": "Where two keys are shown, press one after the other (Escape "
    "cancels the first).",
    "review_keys": "Keyboard: arrow keys move between statements, Enter selects and swaps, "
    "Escape cancels.",
    "review_columns_nav": "Columns of the grid",
    "review_back": "Undo my last choice in the ranking (swaps made here are undone too)",
    "back_to_review": "Back to the grid (what you typed is kept)",
    "back_to_reasons": "Back to your reasons (your answers are kept)",
    "not_saved": "Not saved yet: you seem to be offline. What you typed stays on this page; it "
    "will be saved when you continue.",
    "statement": "Statement",
    "prompt_agree_agree": "Of the statements you agree with, choose the {need} you agree with "
    "most.",
    "prompt_agree_neutral": "Of the statements you were unsure about, choose the {need} you "
    "lean most towards agreeing with.",
    "prompt_agree_disagree": "Of the statements you disagreed with, choose the {need} you "
    "disagree with least.",
    "prompt_disagree_disagree": "Of the statements you disagree with, choose the {need} you "
    "disagree with most.",
    "prompt_disagree_neutral": "Of the statements you were unsure about, choose the {need} you "
    "lean most towards disagreeing with.",
    "prompt_disagree_agree": "Of the statements you agreed with, choose the {need} you agree "
    "with least.",
    "prompt_hold_agree_agree": "{need} of these {count} statements you agree with go in this "
    "column. Which {hold} do you agree with least? They move further in.",
    "prompt_hold_agree_neutral": "{need} of these {count} statements you were unsure about go in "
    "this column. Which {hold} lean least towards agreeing? They move further in.",
    "prompt_hold_agree_disagree": "{need} of these {count} statements you disagreed with go in "
    "this column. Which {hold} do you disagree with most? They move further in.",
    "prompt_hold_disagree_disagree": "{need} of these {count} statements you disagree with go "
    "in this column. Which {hold} do you disagree with least? They move further in.",
    "prompt_hold_disagree_neutral": "{need} of these {count} statements you were unsure about go "
    "in this column. Which {hold} lean least towards disagreeing? They move further in.",
    "prompt_hold_disagree_agree": "{need} of these {count} statements you agreed with go in this "
    "column. Which {hold} do you agree with most? They move further in.",
    "prompt_pole_choose": "Of the statements on the “{pile}” pile, choose the {need} closest "
    "to “{pole}”.",
    "prompt_pole_hold": "{need} of these {count} statements on the “{pile}” pile go in this "
    "column. Which {hold} are furthest from “{pole}”? They move further in.",
    "announce_hold": "Held back for a column further in: “{text}”.",
    "undo_last": "Undo my last choice",
    "reason_agree_neutral": "All the statements you agreed with are placed, so this column is "
    "completed from those you were unsure about.",
    "reason_agree_disagree": "All the statements you agreed with or were unsure about are "
    "placed, so this column is completed from those you disagreed with.",
    "reason_disagree_neutral": "All the statements you disagreed with are placed, so this column "
    "is completed from those you were unsure about.",
    "reason_disagree_agree": "All the statements you disagreed with or were unsure about are "
    "placed, so this column is completed from those you agreed with.",
    "reason_pole_neutral": "All the statements on the “{own}” pile are placed, so this column "
    "is completed from the “{source}” pile.",
    "reason_pole_other": "All the statements on the “{own}” and “{neutral}” piles are placed, "
    "so this column is completed from the “{source}” pile.",
    "column_heading": "Column {value}",
    "column_heading_pole": "Column {value}: {label}",
    "ranking_choose_hint": "Select a statement to place it in this column.",
    "in_column": "Already in this column",
    "put_back_heading": "Change your mind",
    "put_back": "Put back: {text}",
    "grid_so_far": "The grid so far",
    "column_count": "{value}: {filled} of {capacity}",
    "ranking_back": "Back to the first reading",
    "review_instructions": "To move a statement, select it, then select the statement to swap "
    "it with.",
    "review_selected": "Selected: “{text}”. Now select the statement to swap it with.",
    "review_cancel": "Cancel the selection",
    "review_continue": "The grid is right: continue",
    "column_list_label": "Column {value}, {count} statements",
    "comment_label": "Why did you place this statement in column {value}?",
    "field_required": "required",
    "comment_optional": "optional",
    "continue": "Continue",
    "back": "Back",
    "question_required": "required",
    "question_optional": "optional",
    "submit": "Submit my sort",
    "no_questions": "You are ready to submit your sort.",
    "receipt": "Your receipt code is {receipt}. Keep it if you may want to ask the researchers "
    "about your answers.",
    "saved": "Saved",
    "unavailable_heading": "Sorry",
    "error_title": "Sorry, that did not work",
    "error_400": "The request could not be used. Please go back and try again.",
    "error_csrf": "This form has expired. Please reload the page and try again; your work so "
    "far is saved.",
    "error_404": "There is no page at this address. Please check the link you were given.",
    "error_405": "That is not possible on this page.",
    "error_500": "Something went wrong on our side. Your work so far is saved; please try "
    "again in a moment.",
    "sort_invalid": "The grid sent is not valid, and nothing was saved:",
    "error_413": "That was more than this page can take (at most 2 MB). Please shorten your "
    "answers and try again.",
    "error_429": "That was faster than we can take in. Please wait a few seconds and try "
    "again; your work so far is saved.",
    "error_503": "We cannot save answers at the moment. Please try again in a minute; "
    "nothing you have done so far is lost.",
    "unsaved_note": "Your last answer is kept in this browser and will be saved as soon as "
    "possible. Please try again in a minute.",
    "unsaved_retry": "Try saving again",
}

#: Every string a respondent can see, with its English default.
DEFAULTS: dict[str, str] = {**UI, **flow.MESSAGES, **errors.MESSAGES}


#: ``{name}`` fills in a value; ``{{`` and ``}}`` are braces; nothing else is special. A
#: study's ``[strings]`` are the researcher's text, so they never go through ``str.format``,
#: whose format specs (``{x:>99999999}``) and attribute lookups (``{x.__class__}``) would run.
_FIELD_RE = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _format(template: str, params: Mapping[str, Any]) -> str:
    if "{" not in template and "}" not in template:
        return template

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        if name not in params:
            return match.group(0)
        value = params[name]
        # a text people typed (a statement, a pole, an answer) is isolated in the sentence
        return isolate_if_needed(value) if isinstance(value, str) else str(value)

    return _FIELD_RE.sub(fill, template)


#: How many sentences a translator keeps: those of the pages most respondents see; a unique
#: one (a resume code's note) must not make it grow for ever.
_MADE_LIMIT = 4096


class Translator:
    """``t(key, **params)``: the study's string for ``key`` or the English default."""

    def __init__(self, strings: Mapping[str, str] | None = None, language: str = "en"):
        self.strings = dict(strings or {})
        self.language = language or "en"
        # Sentences made before: a respondent's page asks for some 30, nearly all of them
        # made on earlier pages already (the same key with the same counts and texts).
        self._made: dict[tuple, str] = {}

    def __call__(self, key: str, **params: Any) -> str:
        try:
            # the type too: 1, 1.0 and True are equal keys but print differently
            made = (key, *[(k, v.__class__, v) for k, v in params.items()])
            return self._made[made]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: made each time
            made = None
        template = self.strings.get(key)
        if not isinstance(template, str) or not template:
            template = DEFAULTS.get(key, key)
        text = _format(template, params)
        if made is not None:
            if len(self._made) >= _MADE_LIMIT:
                self._made.clear()
            self._made[made] = text
        return text

    def error(self, exc: Exception) -> list[str]:
        """The person-readable lines for a refused request."""
        key = getattr(exc, "key", None)
        fields = getattr(exc, "field_errors", None)
        if fields:
            return [self(e.key, **e.params) for e in fields.values()]
        if key:
            return [self(key, **getattr(exc, "params", {}))]
        problems = getattr(exc, "problems", None) or [str(exc)]
        return [self("sort_invalid"), *problems] if problems else [str(exc)]
