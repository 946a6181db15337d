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
