"""A recommendation's versions and what changed in each, for everyone who may read the
recommendation (published ones: anyone; others: as ``permissions.access_recommendation``
decides). Versions are django-simple-history records; the words come from
``alliance.recommendation_history``."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .. import authoring_selectors, permissions
from ..recommendation_history import changes_between, versions_of

__all__ = ["recommendation_version_diff", "recommendation_versions"]

VERSIONS_PER_PAGE = 20


@require_http_methods(["GET", "HEAD"])
def recommendation_versions(request, pk: int):
    recommendation = permissions.access_recommendation(request.user, pk)
    page = Paginator(versions_of(recommendation), VERSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "alliance/recommendations/versions.html",
        {
            "recommendation": recommendation,
            "page": page,
            "can_manage": permissions.can_manage_recommendations(request.user),
        },
    )


@require_http_methods(["GET", "HEAD"])
def recommendation_version_diff(request, pk: int, version_pk: int):
    """What changed in one version compared with the version before it."""
    recommendation = permissions.access_recommendation(request.user, pk)
    version = authoring_selectors.version_of(recommendation, version_pk)
    if version is None:
        raise Http404
    previous = authoring_selectors.version_before(recommendation, version)
    return render(
        request,
        "alliance/recommendations/versions_diff.html",
        {
            "recommendation": recommendation,
            "version": version,
            "previous": previous,
            "changes": changes_between(previous, version) if previous else [],
        },
    )
