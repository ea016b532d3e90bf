from django.core.paginator import Paginator
from django.shortcuts import render

from gdpa.accounts.permissions import staff_required

from .forms import RetentionFilterForm
from .registry import get_rule, rules
from .selectors import retention_runs

RUNS_PER_PAGE = 20


@staff_required
def retention_log(request):
    """The rules with their periods, then the runs newest first: what went, in counts.
    A filter that is not valid is explained next to the field and answered with a 400."""
    form = RetentionFilterForm(request.GET or None, auto_id="filter-%s")
    valid = not form.is_bound or form.is_valid()
    filters = {}
    if valid and form.is_bound:
        filters = {"rule": form.cleaned_data["rule"], "failed": form.cleaned_data["failed"]}
    page = Paginator(retention_runs(**filters), RUNS_PER_PAGE).get_page(request.GET.get("page"))
    runs = [
        {
            "run": run,
            "entries": [
                {"entry": e, "label": (r.label if (r := get_rule(e.rule_key)) else e.rule_key)}
                for e in run.entries.all()
            ],
        }
        for run in page.object_list
    ]
    return render(
        request,
        "retention/retention_log.html",
        {"form": form, "rules": rules(), "page": page, "runs": runs},
        status=200 if valid else 400,
    )
