from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from gdpa.accounts.permissions import access_person_record, staff_required
from gdpa.audit import registry as audit_registry
from gdpa.http.kept_pages import kept_page

from . import readiness, records
from .htmx import is_partial_request, render_region
from .registry import panels_for, person_sections
from .selectors import home_facts


@kept_page
def home(request):
    """The public page: what the alliance is, for whom, and how to join."""
    return render(request, "portal/home.html", home_facts())


@kept_page
@login_required
def dashboard(request):
    """The signed-in landing page, assembled from the sections each app registers."""
    return render(request, "portal/dashboard.html", {"panels": panels_for(request)})


def privacy(request):
    """The privacy notice: what personal data the portal processes, why, and people's rights."""
    return render(request, "portal/privacy.html")


def accessibility(request):
    """The accessibility statement: the target, how it is tested, known limits, reporting."""
    return render(request, "portal/accessibility.html")


def contact(request):
    """Who to write to, and about what."""
    return render(request, "portal/contact.html")


@never_cache
@require_safe
def health(request):
    """Liveness: the process answers. Touches nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_safe
def ready(request):
    """Readiness: 200 when the database, the cache and the broker answer, else 503 naming
    the failing checks. For the orchestrator: no session, no sign-in, no write."""
    checks = readiness.readiness()
    failed = [name for name, outcome in checks.items() if outcome == readiness.FAILED]
    return JsonResponse(
        {"status": "unavailable" if failed else "ready", "failed": failed, "checks": checks},
        status=503 if failed else 200,
    )


@staff_required
def staff_person(request, pk: int):
    """The staff page of a person: their account, what each app holds about them (in
    the order the apps registered it), the e-mails sent to them and the audit trail of
    changes to them. The audit trail's pages swap in place with htmx."""
    person = access_person_record(request.user, pk)
    page, rows = records.audit_page(records.person_audit_condition(person), request.GET.get("page"))
    context = {"person": person, "audit_page": page, "audit_rows": rows}
    if not is_partial_request(request):
        emails = records.person_emails(person)
        for email in emails.rows:
            email.kind_label = audit_registry.value_label(
                "notify.outboundemail", "kind", email.kind
            )
        context |= {
            **records.person_facts(person),
            "sections": records.sections_for(person_sections(), person),
            "emails": emails,
        }
    return render_region(request, "portal/staff/person.html", "audit", context)
