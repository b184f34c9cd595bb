"""The portal's forms (Flask-WTF: every POST form carries a CSRF token)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

IMPORT_KINDS = ("listings", "observations", "orders")


def parse_price(text: str) -> Decimal:
    """A price typed by a person: > 0, at most 2 decimal places (ValueError otherwise)."""
    raw = (text or "").strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite() or value <= 0 or value.as_tuple().exponent < -2 or value >= Decimal("1e12"):
        raise ValueError(raw)
    return value.quantize(Decimal("0.01"))


class PriceField(StringField):
    """A price typed as text; `decimal` is its value (None when empty or not a price)."""

    @property
    def decimal(self) -> Decimal | None:
        """The price as a 2-place Decimal, or None."""
        try:
            return parse_price(self.data)
        except ValueError:
            return None


class Price:
    """A WTForms validator: the field holds a price (> 0, at most 2 decimal places)."""

    def __call__(self, form, field):
        """Fail with a readable message unless the text is a price (empty text is left to other validators)."""
        if not (field.data or "").strip():
            return
        try:
            parse_price(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a price greater than 0 with at most 2 decimal places, e.g. 99.50."))


class NonBlank:
    """A WTForms validator: the text holds more than white space."""

    def __init__(self, message):
        """Keep the message shown when the text is blank."""
        self.message = message

    def __call__(self, form, field):
        """Fail on blank text."""
        if not (field.data or "").strip():
            raise ValidationError(self.message)


class EvidenceForm(FlaskForm):
    """Evidence for a case: files, a statement and the price the supplier claims is fair."""

    files = MultipleFileField(_l("Files (PDF, JPEG, PNG or XLSX)"))
    statement = TextAreaField(_l("Statement"), validators=[
        NonBlank(_l("Write a statement explaining why the price is fair.")), Length(max=10000)])
    claimed_price = PriceField(_l("Price you consider fair (yuan)"), validators=[Optional(), Price()])

    def validate_files(self, field):
        """At least one non-empty file."""
        if not [f for f in (field.data or []) if getattr(f, "filename", "")]:
            raise ValidationError(_l("Choose at least one file."))


class PriceForm(FlaskForm):
    """A new price for a listing."""

    new_price = PriceField(_l("New price (yuan)"), validators=[InputRequired(_l("Enter the new price.")), Price()])


class SelfCheckForm(FlaskForm):
    """A price to try against the latest check (read-only: sent with GET, no CSRF token)."""

    class Meta:
        csrf = False

    price = PriceField(_l("Price to check (yuan)"), validators=[InputRequired(_l("Enter a price.")), Price()])


class RelistForm(FlaskForm):
    """A request to put a delisted listing back on sale."""

    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class AcceptForm(FlaskForm):
    """A monitor accepts a case's evidence."""

    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class ReasonForm(FlaskForm):
    """A decision that needs a reason (rejecting evidence, denying a relisting)."""

    reason = TextAreaField(_l("Reason"), validators=[
        NonBlank(_l("A reason is required.")), Length(max=2000)])


class ApproveForm(FlaskForm):
    """A monitor approves a relisting."""

    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class ImportForm(FlaskForm):
    """A file to import with the same importers as the command line."""

    kind = SelectField(_l("What the file holds"), choices=[
        SelectChoice("listings", _l("Listings file")), SelectChoice("observations", _l("Price quotes file")),
        SelectChoice("orders", _l("Order lines file"))], validators=[DataRequired()])
    file = FileField(_l("File (.csv or .xlsx)"), validators=[FileRequired(_l("Choose a file."))])

    def validate_file(self, field):
        """Only .csv and .xlsx files."""
        name = (getattr(field.data, "filename", "") or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError(_l("Expected a .csv or .xlsx file."))


PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class CheckPeriodForm(FlaskForm):
    """The period to check (first step: asks for confirmation)."""

    period = StringField(_l("Period (YYYY-MM)"), validators=[
        InputRequired(_l("Enter a period.")), Regexp(PERIOD_PATTERN, message=_l("Write the period as YYYY-MM, e.g. 2026-10."))])


class ConfirmCheckForm(FlaskForm):
    """The confirmed period (second step: runs the check)."""

    period = HiddenField(validators=[InputRequired(), Regexp(PERIOD_PATTERN)])
    confirm = HiddenField(validators=[InputRequired()])

    def validate_confirm(self, field):
        """The confirmation page sets confirm=yes; anything else is not a confirmation."""
        if field.data != "yes":
            raise ValidationError(_l("Confirm the run first."))


class PlainForm(FlaskForm):
    """A POST form with nothing but its CSRF token (mark read, and the like)."""
