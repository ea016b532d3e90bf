"""Youth Voices pages: the author's stories, IOM staff's moderation, and the public
showcase with each story's shareable page and its photo."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gdpa.accounts.permissions import staff_required
from gdpa.http.kept_pages import kept_page
from gdpa.portal.forms import apply_validation_error, filter_form_html
from gdpa.portal.htmx import attempt, is_partial_request, notify, render_region
from gdpa.portal.richtext import sanitize_html

from . import permissions, stories
from . import story_selectors as selectors
from .models import Story
from .story_forms import ModerationCommentForm, ShowcaseFilterForm, StoryForm
from .story_photos import CONTENT_TYPE

STORIES_PER_PAGE = 12
MY_STORIES_PER_PAGE = 20
QUEUE_PER_PAGE = 20
PHOTO_SIZES = {"large": "photo", "small": "photo_small"}
#: The form fields the story services take (the photo and its removal apart).
STORY_FIELDS = ["title", "summary", "text", "language", "sector", "country", "photo_alt"]


def _story_html(story: Story) -> str:
    """The story's text as HTML: sanitized when saved, and again here, whatever wrote it."""
    return mark_safe(sanitize_html(story.text))  # noqa: S308 - the allow-list's output


# The author -------------------------------------------------------------------------------


def _writer(request) -> None:
    if not permissions.can_write_stories(request.user):
        raise Http404


@login_required
def my_stories(request):
    """The youth participant's stories with their status and the moderator's comment."""
    _writer(request)
    page = Paginator(selectors.stories_of(request.user), MY_STORIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "youth/stories/mine.html", {"page": page})


def _service_fields(form: StoryForm) -> dict:
    data = form.cleaned_data
    return {
        **{name: data[name] for name in STORY_FIELDS},
        "video_url": data["video_url"],
        "photo": data.get("photo"),
    }


@login_required
def story_create(request):
    _writer(request)
    posted = request.method == "POST"
    form = StoryForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            story = stories.story_create(author=request.user, **_service_fields(form))
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("Your story is saved as a draft. Submit it when it is ready for IOM to read."),
            )
            return redirect("youth:my_story", story.pk)
    return render(
        request,
        "youth/stories/form.html",
        {"form": form, "story": None},
        status=422 if form.is_bound else 200,
    )


def _initial(story: Story) -> dict:
    return {
        **{name: getattr(story, name) for name in STORY_FIELDS if name != "sector"},
        "sector": story.sector_id,
        "country": story.country.code,
        "video_url": story.video_url,
        "text": stories.editable_text(story.text),
    }


@login_required
def story_edit(request, pk: int):
    story = permissions.access_own_story(request.user, pk)
    if not story.is_editable:
        messages.info(
            request,
            _("This story can no longer be changed: it is %(status)s.")
            % {"status": story.get_status_display().lower()},
        )
        return redirect("youth:my_story", story.pk)
    posted = request.method == "POST"
    form = StoryForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        story=story,
        initial=_initial(story),
    )
    if posted and form.is_valid():
        try:
            stories.story_update(
                author=request.user,
                story=story,
                remove_photo=form.cleaned_data.get("remove_photo", False),
                **_service_fields(form),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("youth:my_story", story.pk)
    return render(
        request,
        "youth/stories/form.html",
        {"form": form, "story": story},
        status=422 if form.is_bound else 200,
    )


@login_required
def my_story(request, pk: int):
    """The author's own view of a story: its status, the moderator's comment, what to do
    next, and the story as it will be shown."""
    story = permissions.access_own_story(request.user, pk)
    public = selectors.is_public(story)
    return render(
        request,
        "youth/stories/my_story.html",
        {
            "story": story,
            "story_html": _story_html(story),
            "can_submit": story.can_become(Story.Status.SUBMITTED),
            "public": public,
        },
    )


@login_required
@require_POST
def story_submit(request, pk: int):
    story = permissions.access_own_story(request.user, pk)
    attempt(
        request,
        lambda: stories.story_submit(author=request.user, story=story),
        lambda _story: _("Your story is sent to IOM for moderation. We will e-mail you."),
    )
    return redirect("youth:my_story", story.pk)


# IOM staff: moderation -------------------------------------------------------------------


@staff_required
def moderation_queue(request):
    """Stories waiting for moderation, the longest waiting first."""
    page = Paginator(selectors.moderation_queue(), QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "youth/stories/moderation_queue.html", {"page": page})


def _decision_response(request, story: Story, status: int = 200, **extra):
    context = {
        "story": story,
        "story_html": _story_html(story),
        "changes_form": ModerationCommentForm(auto_id="changes-%s"),
        "reject_form": ModerationCommentForm(auto_id="reject-%s"),
        **extra,
    }
    return render_region(request, "youth/stories/moderate.html", "decision", context, status)


@staff_required
def story_moderate(request, pk: int):
    story = permissions.access_story_to_moderate(request.user, pk)
    return _decision_response(request, story)


def _after_decision(request, story: Story, ok: bool, notice: str):
    if not is_partial_request(request):
        if ok:
            return redirect("youth:moderation_queue")
        return redirect("youth:story_moderate", story.pk)
    return _decision_response(
        request,
        permissions.access_story_to_moderate(request.user, story.pk),
        status=200 if ok else 422,
        notice=notice,
        ok=ok,
    )


@staff_required
@require_POST
def story_publish(request, pk: int):
    story = permissions.access_story_to_moderate(request.user, pk)
    ok, notice = attempt(
        request,
        lambda: stories.story_publish(actor=request.user, story=story),
        lambda s: (
            _("“%(title)s” is published; the author was told by e-mail.") % {"title": s.title}
        ),
    )
    return _after_decision(request, story, ok, notice)


def _comment_decision(request, pk: int, *, service, prefix: str, done: str):
    story = permissions.access_story_to_moderate(request.user, pk)
    form = ModerationCommentForm(request.POST, auto_id=f"{prefix}-%s")
    if form.is_valid():
        try:
            story = service(actor=request.user, story=story, comment=form.cleaned_data["comment"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            return _after_decision(
                request, story, True, notify(request, done % {"title": story.title})
            )
    notice = " ".join(form.non_field_errors())
    if notice and not is_partial_request(request):
        messages.error(request, notice)
    return _decision_response(
        request,
        permissions.access_story_to_moderate(request.user, pk),
        status=422,
        notice=notice,
        ok=False,
        **{f"{prefix}_form": form},
    )


@staff_required
@require_POST
def story_request_changes(request, pk: int):
    return _comment_decision(
        request,
        pk,
        service=stories.story_request_changes,
        prefix="changes",
        done=_("Changes to “%(title)s” are requested; the author was told by e-mail."),
    )


@staff_required
@require_POST
def story_reject(request, pk: int):
    return _comment_decision(
        request,
        pk,
        service=stories.story_reject,
        prefix="reject",
        done=_("“%(title)s” is rejected; the author was told by e-mail."),
    )


# Everyone ---------------------------------------------------------------------------------


def _showcase_filters(form: ShowcaseFilterForm, *, oob: bool) -> SafeString:
    """The filter form, kept drawn (``filter_form_html``); the stories themselves are read
    on every request, so a withdrawn consent hides them at once."""
    return filter_form_html(
        form,
        action=reverse("youth:showcase"),
        label=_("Filter the stories"),
        form_id="showcase-filters",
        oob=oob,
    )


@kept_page
def showcase(request):
    """Published stories of consenting authors, filtered by sector and country; the filter
    swaps the results with htmx and works as a plain GET form without it."""
    form = ShowcaseFilterForm(request.GET or None, auto_id="filter-%s")
    page = Paginator(selectors.showcase(**form.filters()), STORIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render_region(
        request,
        "youth/stories/showcase.html",
        "results",
        {
            "form": form,
            "filters": lambda: _showcase_filters(form, oob=False),
            "filters_oob": lambda: _showcase_filters(form, oob=True),
            "page": page,
            "total": page.paginator.count,
            "can_write": permissions.can_write_stories(request.user),
        },
    )


def story(request, pk: int):
    """A published story's own page, to share: Open Graph tags give its title, summary,
    photo and address."""
    story = permissions.access_public_story(pk)
    url = reverse("youth:story", args=[story.pk])
    photo = reverse("youth:story_photo", args=[story.pk, "large"]) if story.photo else ""
    return render(
        request,
        "youth/stories/story.html",
        {
            "story": story,
            "story_html": _story_html(story),
            "og_url": f"{settings.SITE_URL}{url}",
            "og_image": f"{settings.SITE_URL}{photo}" if photo else "",
        },
    )


def story_photo(request, pk: int, size: str):
    """A story's photo: public with the story; before that only for its author and staff.
    Never cached for long, so a story taken down takes its photo with it."""
    field = PHOTO_SIZES.get(size)
    if field is None:
        raise Http404
    story, public = permissions.access_story_photo(request.user, pk)
    stored = getattr(story, field)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except OSError as exc:  # the file is gone from storage: missing, not a server error
        raise Http404 from exc
    response = FileResponse(
        handle, content_type=CONTENT_TYPE, filename=f"story-{story.pk}-{size}.webp"
    )
    patch_cache_control(
        response, no_cache=True, **({"public": True} if public else {"private": True})
    )
    return response
