import datetime as dt
from decimal import Decimal

from django import forms
from django.template import Context, Template
from django.utils import translation


class SampleForm(forms.Form):
    day = forms.DateField()
    amount = forms.DecimalField(localize=True)


def test_dates_are_read_day_first():
    with translation.override("vi"):
        form = SampleForm({"day": "05/03/2026", "amount": "1.234,5"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2026, 3, 5)
    assert form.cleaned_data["amount"] == Decimal("1234.5")


def test_dates_and_numbers_are_shown_the_vietnamese_way():
    template = Template('{{ day|date:"SHORT_DATE_FORMAT" }} {{ n }} {{ x }}')
    with translation.override("vi"):
        text = template.render(
            Context({"day": dt.date(2026, 3, 5), "n": 1234567, "x": Decimal("1234567.89")})
        )
    assert text == "05/03/2026 1.234.567 1.234.567,89"


def test_times_are_shown_day_first_then_hours_everywhere():
    # One format for a moment, whichever way a template asks for it.
    moment = dt.datetime(2026, 11, 16, 15, 22)
    template = Template(
        '{{ t }}|{{ t|date:"DATETIME_FORMAT" }}|{{ t|date:"SHORT_DATETIME_FORMAT" }}'
    )
    with translation.override("vi"):
        text = template.render(Context({"t": moment}))
    assert text == "16/11/2026 15:22|16/11/2026 15:22|16/11/2026 15:22"


def test_an_organisation_without_a_report_has_one_status_word():
    from reports.models import NOT_STARTED_LABEL
    from reports.templatetags.report_tags import status_badge

    with translation.override("vi"):
        assert str(NOT_STARTED_LABEL) in status_badge(None)
        assert "Chưa có" not in status_badge(None)
