from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .registry import panels_for
from .selectors import home_facts


def home(request):
    """The public page: what the alliance is, for whom, and how to join."""
    return render(request, "portal/home.html", home_facts())


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
def health(request):
    return HttpResponse("ok", content_type="text/plain")
