"""The researchers' forms (Flask-WTF: every one carries and checks a CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from poetq.domain import STAGES
from poetq.errors import ValidationError

SLUG_HINT = (
    "Lower-case letters, digits and '-'; it is the study's address. "
    "Leave empty to make one from the title."
)


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1024)])
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=1024)],
        description="At least 12 characters; a few unrelated words make a good one.",
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", "The two new passwords differ.")],
    )


class UploadForm(FlaskForm):
    qset = FileField("Q-set file (.toml)", validators=[FileRequired("Choose a Q-set file.")])
    slug = StringField("Study address (slug)", validators=[Optional(), Length(max=64)],
                       description=SLUG_HINT)


class StudyForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    slug = StringField("Study address (slug)", validators=[Optional(), Length(max=64)],
                       description=SLUG_HINT)
    topic = StringField("Topic", validators=[Optional(), Length(max=300)],
                        description="Used for [topic] in the texts, e.g. “joint commissioning”.")
    condition = TextAreaField("Condition of instruction", validators=[Optional(), Length(max=2000)],
                              description="What respondents sort by, e.g. “Sort these statements "
                                          "according to how much you agree with them.”")
    statements = TextAreaField("Statements, one per line", validators=[DataRequired()])
    counts = StringField("Grid counts, left to right", validators=[DataRequired(), Length(max=400)],
                         description="How many statements each column holds, e.g. 2 3 4 5 4 3 2. "
                                     "They must add up to the number of statements.")
    values = StringField("Grid column values (optional)", validators=[Optional(), Length(max=400)],
                         description="Leave empty for -h … +h around 0.")
    left = StringField("Left pole label", default="Most disagree",
                       validators=[DataRequired(), Length(max=100)])
    right = StringField("Right pole label", default="Most agree",
                        validators=[DataRequired(), Length(max=100)])
    questions = TextAreaField(
        "Post-sort questions, one per line", validators=[Optional(), Length(max=20000)],
        description="[kind:] prompt [| option | option …], * at the end when an answer is "
                    "needed. Kinds: text (default), single, multiple, number, likert. "
                    "E.g. “single: Your role? | Manager | Clinician *”.",
    )


for _stage in STAGES:
    setattr(StudyForm, f"text_{_stage}", TextAreaField(
        f"Text of the {_stage} page", validators=[Optional(), Length(max=10000)],
        description="Placeholders such as [study], [number], [count] are filled in."))


class InviteForm(FlaskForm):
    count = IntegerField(
        "Number of codes", default=10, validators=[DataRequired(), NumberRange(1, 1000)]
    )
    label = StringField("Label (optional)", validators=[Optional(), Length(max=200)],
                        description="Kept with the codes, e.g. the group they are for.")


class ShareForm(FlaskForm):
    email = EmailField("E-mail address of a researcher account",
                       validators=[DataRequired(), Length(max=254)],
                       description="They need an account on this server (made with "
                                   "poetq user create).")


def check_form(form: FlaskForm) -> None:
    """Raise a :class:`~poetq.errors.ValidationError` naming each field's problem, unless the
    posted form (with its CSRF token) is valid."""
    if not form.validate_on_submit():
        raise ValidationError([f"{form[name].label.text}: {e}" for name, errs in form.errors.items()
                               for e in errs])
