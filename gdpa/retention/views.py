from django.core.paginator import Paginator
from django.shortcuts import render

from gdpa.accounts.permissions import staff_required

from .registry import get_rule, rules
from .selectors import retention_runs

RUNS_PER_PAGE = 20


@staff_required
def retention_log(request):
    """The rules with their periods, then the runs newest first: what went, in counts."""
    page = Paginator(retention_runs(), RUNS_PER_PAGE).get_page(request.GET.get("page"))
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
        request, "retention/retention_log.html", {"rules": rules(), "page": page, "runs": runs}
    )
