"""The member directory's "Nominate to a training" action (offered to the directory
through ``gdpa.portal.registry.register_people_action``): IOM staff choose an open
offering for the people they selected, see who cannot be nominated and why, and
nominate the others at once (all or nothing)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.portal.forms import apply_validation_error

from .. import permissions, services
from ..forms import StaffNominationForm


def _directory(request):
    url = reverse("alliance:staff_people")
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)


@staff_required
@require_POST
def staff_nominate(request):
    form = StaffNominationForm(request.POST)
    if not form.is_valid() and "person" in form.errors:
        for error in form.errors["person"]:
            messages.error(request, error)
        return _directory(request)
    people = permissions.access_people_to_nominate(request.user, form.cleaned_data["person"])
    offering = form.cleaned_data.get("offering")
    confirmed = request.POST.get("confirm") == "yes"
    if confirmed and offering is None and "offering" not in form.errors:
        form.add_error("offering", _("Choose the offering to nominate them for."))
    refusals = (
        services.staff_nomination_refusals(offering=offering, people=people) if offering else {}
    )
    eligible = [p for p in people if p.pk not in refusals]
    if confirmed and form.is_valid():
        if not eligible:
            form.add_error(None, _("Nobody selected can be nominated for this offering."))
        else:
            try:
                done = services.staff_nominations_create(
                    actor=request.user, offering=offering, people=eligible
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s person nominated for %(offering)s; they were e-mailed.",
                        "%(count)s people nominated for %(offering)s; they were e-mailed.",
                        len(done),
                    )
                    % {"count": len(done), "offering": offering},
                )
                if refusals:
                    messages.info(
                        request,
                        ngettext(
                            "%(count)s person was not nominated: %(list)s",
                            "%(count)s people were not nominated: %(list)s",
                            len(refusals),
                        )
                        % {"count": len(refusals), "list": " ".join(refusals.values())},
                    )
                return _directory(request)
    return render(
        request,
        "trainings/staff/nominate_people.html",
        {
            "form": form,
            "offering": offering,
            "rows": [(p, refusals.get(p.pk)) for p in people],
            "eligible": eligible,
            "bulk_query": request.GET.urlencode(),
        },
        status=422 if confirmed else 200,
    )
