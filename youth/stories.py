"""Youth Voices stories: written by youth participants, moderated by IOM staff.

The author writes and edits a story while ``Story.EDITABLE`` allows it and submits it for
moderation; staff publish it (only while the author consents to public display), ask for
changes with a comment, or reject it with a comment, and the author is e-mailed each
decision in their language. Withdrawing the public-display consent takes the author's
published stories down at once (``stories_take_down_for_author``). Every move follows
``Story.TRANSITIONS``; every write is audited.
"""

import html
import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from gdpa.audit.services import audit_record, snapshot
from gdpa.notify.services import email_render_and_queue
from gdpa.portal.richtext import sanitize_html

from .models import Story, YouthProfile
from .story_photos import photo_prepare

#: What the audit log keeps of a story's content (not its text: it may be long).
AUDITED = ["title", "summary", "language", "sector", "country", "photo_alt", "video_url"]
MODERATED = ["status", "moderation_comment"]
#: Video links go to these sites only, over https; they are shown as links, never embedded.
VIDEO_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be", "vimeo.com", "www.vimeo.com"}
)


#: Markup that makes paragraphs itself; without it, empty lines separate paragraphs.
_BLOCKS = re.compile(r"<(p|ul|ol|blockquote|h3|h4)[\s>]", re.I)


def _rich_text(text: str) -> str:
    """The story's HTML, sanitized; text written without paragraph markup keeps its
    paragraphs and line breaks (the sanitizer decides what markup stays)."""
    text = (text or "").strip()
    if not _BLOCKS.search(text):
        text = linebreaks(text)
    return sanitize_html(text)


_PARAGRAPH = re.compile(r"<p>(.*?)</p>\s*", re.S)


def editable_text(text: str) -> str:
    """The story's text as its author edits it: paragraphs come back as text separated
    by empty lines (saving turns them into paragraphs again); other markup stays."""
    text = text or ""
    if _PARAGRAPH.sub("", text).strip():
        return text
    return "\n\n".join(
        html.unescape(p) if "<" not in p else p
        for p in (p.replace("<br>", "\n") for p in _PARAGRAPH.findall(text))
    )


def _check_video_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme != "https" or (parts.hostname or "").lower() not in VIDEO_HOSTS:
        raise ValidationError(
            {
                "video_url": _(
                    "Enter a link to the video on YouTube or Vimeo, starting with https://"
                )
            }
        )
    return url


def _is_youth(user) -> bool:
    return YouthProfile.objects.filter(user=user).exists()


def _apply(story: Story, *, photo, remove_photo: bool, **fields) -> list[str]:
    """Set the story's fields and photo; return the names of the files it no longer uses.

    Everything is checked before any file is written.
    """
    for name, value in fields.items():
        setattr(story, name, value.strip() if isinstance(value, str) else value)
    story.text = _rich_text(story.text)
    story.video_url = _check_video_url(story.video_url)
    prepared = photo_prepare(photo) if photo else None
    old = [f.name for f in (story.photo, story.photo_small) if f]
    has_photo = prepared is not None or (bool(story.photo) and not remove_photo)
    errors = {}
    if has_photo and not story.photo_alt:
        errors["photo_alt"] = [_("Describe what the photo shows")]
    if not has_photo:
        story.photo_alt = ""
    try:
        story.full_clean(exclude=["photo", "photo_small"])
    except ValidationError as error:
        errors = {**error.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    if prepared is not None:
        story.photo.save(prepared.large.name, prepared.large, save=False)
        story.photo_small.save(prepared.small.name, prepared.small, save=False)
        return old
    if remove_photo and old:
        story.photo = story.photo_small = ""
        return old
    return []


def _delete_files_on_commit(story: Story, names: list[str]) -> None:
    storage = story.photo.storage
    for name in names:
        transaction.on_commit(lambda name=name: storage.delete(name))


def _audit_content(story: Story) -> dict:
    return {**snapshot(story, AUDITED), "photo": bool(story.photo)}


@transaction.atomic
def story_create(
    *,
    author,
    title: str,
    summary: str,
    text: str,
    language: str,
    sector,
    country: str,
    photo=None,
    photo_alt: str = "",
    video_url: str = "",
) -> Story:
    """A new draft story of a youth participant."""
    if not _is_youth(author):
        raise ValidationError(_("Only youth participants can write Youth Voices stories."))
    story = Story(author=author)
    _apply(
        story,
        photo=photo,
        remove_photo=False,
        title=title,
        summary=summary,
        text=text,
        language=language,
        sector=sector,
        country=country,
        photo_alt=photo_alt,
        video_url=video_url,
    )
    story.save()
    audit_record(actor=author, action="story.create", target=story, after=_audit_content(story))
    return story


def _lock(story: Story) -> Story:
    return (
        Story.objects.select_for_update(of=("self",))
        .select_related("author", "sector")
        .get(pk=story.pk)
    )


@transaction.atomic
def story_update(
    *,
    author,
    story: Story,
    photo=None,
    remove_photo: bool = False,
    **fields,
) -> Story:
    """The author changes their story while it may be edited (``Story.EDITABLE``)."""
    story = _lock(story)
    if story.author_id != author.pk:
        raise ValidationError(_("Only the author can change this story."))
    if not story.is_editable:
        raise ValidationError(
            _("This story can no longer be changed: it is %(status)s.")
            % {"status": story.get_status_display().lower()}
        )
    before = _audit_content(story)
    unused = _apply(story, photo=photo, remove_photo=remove_photo, **fields)
    story.save()
    _delete_files_on_commit(story, unused)
    audit_record(
        actor=author,
        action="story.update",
        target=story,
        before=before,
        after=_audit_content(story),
    )
    return story


def _move(story: Story, status: str, *, actor, action: str, comment: str | None = None) -> Story:
    if not story.can_become(status):
        raise ValidationError(
            _("This story cannot change that way: it is %(status)s.")
            % {"status": story.get_status_display().lower()}
        )
    before = snapshot(story, MODERATED)
    story.status = status
    now = timezone.now()
    if comment is not None:
        story.moderation_comment = comment
        story.moderated_by = actor
        story.moderated_at = now
    if status == Story.Status.SUBMITTED:
        story.submitted_at = now
    if status == Story.Status.PUBLISHED:
        story.published_at = now
    story.full_clean(exclude=["photo", "photo_small"])
    story.save()
    audit_record(
        actor=actor,
        action=action,
        target=story,
        before=before,
        after=snapshot(story, MODERATED),
    )
    return story


@transaction.atomic
def story_submit(*, author, story: Story) -> Story:
    """The author sends their story to IOM staff for moderation."""
    story = _lock(story)
    if story.author_id != author.pk:
        raise ValidationError(_("Only the author can submit this story."))
    return _move(story, Story.Status.SUBMITTED, actor=author, action="story.submit")


def _tell_author(story: Story, template: str, url: str) -> None:
    author = story.author
    email_render_and_queue(
        to=author.email,
        kind=template,
        template=f"youth/email/{template}",
        context={"story": story, "url": url},
        language=author.preferred_language,
        user=author,
    )


@transaction.atomic
def story_publish(*, actor, story: Story) -> Story:
    """Publish a submitted story; refused while the author does not consent to public
    display (their profile row is locked, so a withdrawal cannot slip in between)."""
    story = _lock(story)
    profile = YouthProfile.objects.select_for_update().filter(user_id=story.author_id).first()
    if profile is None or not profile.shows_publicly:
        raise ValidationError(
            _(
                "This story cannot be published: its author has not agreed to have their "
                "name and stories shown publicly. You can ask for changes or reject it instead."
            )
        )
    story = _move(story, Story.Status.PUBLISHED, actor=actor, action="story.publish", comment="")
    _tell_author(story, "story_published", reverse("youth:story", args=[story.pk]))
    return story


def _comment(comment: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Write a comment for the author")})
    return comment


@transaction.atomic
def story_request_changes(*, actor, story: Story, comment: str) -> Story:
    """Send a submitted story back to its author with what to change."""
    comment = _comment(comment)
    story = _move(
        _lock(story),
        Story.Status.CHANGES_REQUESTED,
        actor=actor,
        action="story.request_changes",
        comment=comment,
    )
    _tell_author(story, "story_changes", reverse("youth:story_edit", args=[story.pk]))
    return story


@transaction.atomic
def story_reject(*, actor, story: Story, comment: str) -> Story:
    """Reject a submitted story with the reason; it can no longer be changed."""
    comment = _comment(comment)
    story = _move(
        _lock(story), Story.Status.REJECTED, actor=actor, action="story.reject", comment=comment
    )
    _tell_author(story, "story_rejected", reverse("youth:my_story", args=[story.pk]))
    return story


@transaction.atomic
def stories_take_down_for_author(user, *, actor) -> int:
    """Take every published story of ``user`` off the public pages (PUBLISHED ->
    UNPUBLISHED), e.g. when they withdraw their consent to public display. Returns how
    many were taken down; the author may edit and resubmit them later."""
    stories = list(
        Story.objects.select_for_update().filter(author=user, status=Story.Status.PUBLISHED)
    )
    for story in stories:
        _move(story, Story.Status.UNPUBLISHED, actor=actor, action="story.take_down")
    return len(stories)
