"""The report history shown on an organisation's page. A tag, so that the organisations
app's page can show reports without importing the reports app beneath it."""

from django import template

from reports.selectors import lineage_reports_for

register = template.Library()


@register.inclusion_tag("reports/_organisation_reports.html", takes_context=True)
def organisation_reports(context, organisation):
    return {
        "organisation": organisation,
        "reports": lineage_reports_for(context["request"].user, organisation),
    }
