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


@never_cache
def health(request):
    return HttpResponse("ok", content_type="text/plain")
