"""The staff member directory: organizations and people, filtered, sorted and paged, with
bulk actions on a selection. Every action has a confirmation step listing what will
change and works without JavaScript (plain forms); htmx only swaps the results."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.http.kept_pages import kept_page
from gdpa.portal.forms import filter_form_html
from gdpa.portal.htmx import is_partial_request, render_region
from gdpa.portal.registry import people_actions

from .. import member_directory as directory
from .. import member_directory_rows as rows
from .. import permissions, selectors, services
from ..models import Organization

ORGANIZATION_DATASET = "members-organizations"
PEOPLE_DATASET = "members-people"

#: Query parameters that are not filters (kept out of exports and sort links).
NOT_FILTERS = ("page", "check", "sort", "selected", "person")


def _filter_query(request, *, drop=NOT_FILTERS) -> QueryDict:
    query = request.GET.copy()
    for key in drop:
        query.pop(key, None)
    return query


def _export_url(dataset: str, query: QueryDict) -> str:
    query = query.copy()
    query.setlist("dataset", [dataset])
    return f"{reverse('exports:start')}?{query.urlencode()}"


def _columns(request, form, columns) -> list[dict]:
    """Sortable column headers: the link that sorts by each and its ``aria-sort``."""
    current, descending = form.ordering
    base = _filter_query(request, drop=("page", "sort", "check"))
    headers = []
    for key, label in columns:
        active = key == current
        query = base.copy()
        query["sort"] = f"-{key}" if active and not descending else key
        headers.append(
            {
                "key": key,
                "label": label,
                "url": f"?{query.urlencode()}",
                "aria_sort": ("descending" if descending else "ascending") if active else "",
            }
        )
    return headers


def _page(request, queryset, tab: str):
    paginator = directory.CountedPaginator(queryset, directory.PER_PAGE, tab=tab, query=request.GET)
    return paginator.get_page(request.GET.get("page"))


def _tab_context(request, form, page, *, tab: str, dataset: str, columns) -> dict:
    query = _filter_query(request)
    list_url = reverse(f"alliance:staff_{tab}")
    return {
        "tab": tab,
        "form": form,
        # Drawn (or taken from the shared cache) only by a whole page, not an htmx swap.
        "filters": lambda: filter_form_html(
            form, action=list_url, clear=False, leave_out=("selected",)
        ),
        "page": page,
        "total": page.paginator.count,
        "columns": _columns(request, form, columns),
        "filtered": bool(query),
        "check_all": request.GET.get("check") == "page",
        "bulk_query": request.GET.urlencode(),
        "check_url": "?" + urlencode({**request.GET.dict(), "check": "page"}),
        "export_url": _export_url(
            dataset, _filter_query(request, drop=("page", "check", "selected", "person"))
        ),
        "sort": request.GET.get("sort", ""),
    }


ORGANIZATION_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("kind", gettext_lazy("Kind")),
    ("country", gettext_lazy("Country")),
    ("status", gettext_lazy("Status")),
    ("registered", gettext_lazy("Registered")),
]
PEOPLE_COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("email", gettext_lazy("E-mail")),
    ("country", gettext_lazy("Country of residence")),
    ("joined", gettext_lazy("Joined")),
]


@kept_page
@staff_required
def organizations(request):
    form = directory.OrganizationDirectoryForm(
        request.GET or None,
        # The select lists the countries organizations are in (a query); an htmx swap
        # does not draw the form, so its filter is checked against every country.
        country_choices=None if is_partial_request(request) else directory.organization_countries(),
        auto_id="filter-%s",
    )
    page = _page(
        request,
        directory.organizations_directory(
            form.filters(), form.order_by(), fields=rows.ORGANIZATION_FIELDS
        ),
        "organizations",
    )
    context = _tab_context(
        request,
        form,
        page,
        tab="organizations",
        dataset=ORGANIZATION_DATASET,
        columns=ORGANIZATION_COLUMNS,
    )
    context["rows"] = rows.organization_rows(
        selectors.with_member_counts(page.object_list), checked=context["check_all"]
    )
    return render_tab(request, "alliance/staff/directory.html", context)


@kept_page
@staff_required
def people(request):
    form = directory.PeopleDirectoryForm(request.GET or None, auto_id="filter-%s")
    page = _page(
        request,
        directory.people_directory(form.filters(), form.order_by(), fields=rows.PEOPLE_FIELDS),
        "people",
    )
    context = _tab_context(
        request, form, page, tab="people", dataset=PEOPLE_DATASET, columns=PEOPLE_COLUMNS
    )
    context["rows"] = rows.people_rows(
        directory.with_people_details(page.object_list), checked=context["check_all"]
    )
    context["people_actions"] = people_actions()
    return render_tab(request, "alliance/staff/directory.html", context)


def render_tab(request, template, context):
    return render_region(request, template, "results", context)


# Bulk actions -------------------------------------------------------------------------------


class OrganizationActionForm(forms.Form):
    ACTIONS = [
        ("verify", gettext_lazy("Verify")),
        ("suspend", gettext_lazy("Suspend")),
        ("reinstate", gettext_lazy("Reinstate")),
        ("export", gettext_lazy("Export")),
    ]
    action = forms.ChoiceField(
        choices=ACTIONS,
        error_messages={
            "required": gettext_lazy("Choose what to do with the selection."),
            "invalid_choice": gettext_lazy("Choose one of the actions offered."),
        },
    )
    selected = directory.IdsField(
        error_messages={"required": gettext_lazy("Select at least one organization.")}
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the suspension"),
        help_text=gettext_lazy("Sent to each organization's administrators."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": gettext_lazy("Keep the reason under 2,000 characters.")},
    )


class PeopleActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("invite", gettext_lazy("Invite to a session")),
            ("export", gettext_lazy("Export")),
        ],
        error_messages={
            "required": gettext_lazy("Choose what to do with the selection."),
            "invalid_choice": gettext_lazy("Choose one of the actions offered."),
        },
    )
    person = directory.IdsField(
        error_messages={"required": gettext_lazy("Select at least one person.")}
    )
    session = forms.ModelChoiceField(
        label=gettext_lazy("Session"),
        queryset=directory.upcoming_sessions().none(),
        required=False,
        empty_label=gettext_lazy("Choose a session"),
        error_messages={
            "invalid_choice": gettext_lazy("Choose one of the upcoming sessions in the list.")
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = directory.upcoming_sessions()


def _back(request, url_name: str):
    query = request.GET.urlencode()
    url = reverse(url_name)
    return redirect(f"{url}?{query}" if query else url)


def _refuse(request, form, url_name: str):
    """A bulk post that names no valid action or selection: back to the list with why."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _back(request, url_name)


def _verifiable(organization: Organization, action: str) -> bool:
    wanted = {
        "verify": Organization.Status.PENDING,
        "suspend": Organization.Status.VERIFIED,
        "reinstate": Organization.Status.SUSPENDED,
    }[action]
    return organization.status == wanted


def _run(actor, organization, action: str, reason: str):
    if action == "verify":
        return services.organization_verify(actor=actor, organization=organization)
    if action == "suspend":
        return services.organization_suspend(actor=actor, organization=organization, reason=reason)
    return services.organization_reinstate(actor=actor, organization=organization)


@staff_required
@require_POST
def organizations_action(request):
    form = OrganizationActionForm(request.POST)
    if not form.is_valid() and ("action" in form.errors or "selected" in form.errors):
        return _refuse(request, form, "alliance:staff_organizations")
    data = form.cleaned_data
    chosen = permissions.access_organizations_to_administer(request.user, data["selected"])
    action = data["action"]
    if action == "export":
        query = _filter_query(request)
        query.setlist("selected", [str(o.pk) for o in chosen])
        return redirect(_export_url(ORGANIZATION_DATASET, query))
    able = [o for o in chosen if _verifiable(o, action)]
    unable = [o for o in chosen if not _verifiable(o, action)]
    confirmed = request.POST.get("confirm") == "yes"
    if confirmed and action == "suspend" and not data.get("reason", "").strip():
        form.add_error(
            "reason", _("Give the reason; it is sent to the organization's administrators.")
        )
    if confirmed and form.is_valid():
        done, refused = [], []
        for organization in able:
            try:
                _run(request.user, organization, action, data.get("reason", ""))
            except ValidationError as error:
                refused.append(f"{organization.name}: {' '.join(error.messages)}")
            else:
                done.append(organization.name)
        refused += [f"{o.name}: {_status_refusal(o, action)}" for o in unable]
        if done:
            messages.success(request, _done_message(action, done))
        if refused:
            messages.error(
                request,
                ngettext(
                    "%(count)s organization was left as it was: %(list)s",
                    "%(count)s organizations were left as they were: %(list)s",
                    len(refused),
                )
                % {"count": len(refused), "list": "; ".join(refused)},
            )
        return _back(request, "alliance:staff_organizations")
    return render(
        request,
        "alliance/staff/directory_confirm_organizations.html",
        {
            "form": form,
            "action": action,
            "action_label": dict(OrganizationActionForm.ACTIONS)[action],
            "able": able,
            "unable": [(o, _status_refusal(o, action)) for o in unable],
            "bulk_query": request.GET.urlencode(),
        },
        status=422 if confirmed else 200,
    )


def _status_refusal(organization: Organization, action: str) -> str:
    status = Organization.Status(organization.status).label.lower()
    if action == "verify":
        return _("it is %(status)s, not pending verification") % {"status": status}
    if action == "suspend":
        return _("it is %(status)s, not verified") % {"status": status}
    return _("it is %(status)s, not suspended") % {"status": status}


def _done_message(action: str, names: list[str]) -> str:
    params = {"count": len(names), "list": ", ".join(names)}
    if action == "verify":
        text = ngettext(
            "%(count)s organization verified: %(list)s. Their administrators were told.",
            "%(count)s organizations verified: %(list)s. Their administrators were told.",
            len(names),
        )
    elif action == "suspend":
        text = ngettext(
            "%(count)s organization suspended: %(list)s. The reason was sent to its "
            "administrators.",
            "%(count)s organizations suspended: %(list)s. The reason was sent to their "
            "administrators.",
            len(names),
        )
    else:
        text = ngettext(
            "%(count)s organization reinstated: %(list)s.",
            "%(count)s organizations reinstated: %(list)s.",
            len(names),
        )
    return text % params


@staff_required
@require_POST
def people_action(request):
    form = PeopleActionForm(request.POST)
    if not form.is_valid() and ("action" in form.errors or "person" in form.errors):
        return _refuse(request, form, "alliance:staff_people")
    data = form.cleaned_data
    chosen = permissions.access_people_to_administer(request.user, data["person"])
    if data["action"] == "export":
        query = _filter_query(request)
        query.setlist("selected", [str(p.pk) for p in chosen])
        return redirect(_export_url(PEOPLE_DATASET, query))
    session = data.get("session")
    confirmed = request.POST.get("confirm") == "yes"
    if confirmed and session is None and "session" not in form.errors:
        form.add_error("session", _("Choose the session to invite them to."))
    already = []
    if session is not None:
        already = directory.already_invited(session, chosen)
    new = [p for p in chosen if p not in already]
    if confirmed and form.is_valid():
        count = 0
        if new:
            try:
                count = services.session_invite(actor=request.user, session=session, users=new)
            except ValidationError as error:
                form.add_error(None, error.messages)
        if form.is_valid():
            if count:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s person invited to %(session)s; the invitation is e-mailed.",
                        "%(count)s people invited to %(session)s; the invitations are e-mailed.",
                        count,
                    )
                    % {"count": count, "session": session},
                )
            if already:
                messages.info(
                    request,
                    ngettext(
                        "%(count)s was already invited and was left as they were: %(list)s",
                        "%(count)s were already invited and were left as they were: %(list)s",
                        len(already),
                    )
                    % {"count": len(already), "list": ", ".join(str(p) for p in already)},
                )
            return _back(request, "alliance:staff_people")
    return render(
        request,
        "alliance/staff/directory_confirm_people.html",
        {
            "form": form,
            "people": chosen,
            "already": already,
            "new": new,
            "session": session,
            "bulk_query": request.GET.urlencode(),
        },
        status=422 if confirmed else 200,
    )
