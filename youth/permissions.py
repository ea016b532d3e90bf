"""Who may see and do what in the youth app."""

from gdpa.accounts.permissions import acting_as_staff
from gdpa.accounts.roles import YOUTH, has_role
from gdpa.http.errors import AccessRefused

from .models import Story, YouthProfile
from .selectors import youth_profile_of
from .story_selectors import published_stories


def access_youth_profile(user) -> YouthProfile:
    """The person's own youth profile; someone who is not a youth participant gets 404."""
    profile = youth_profile_of(user)
    if profile is None:
        raise AccessRefused
    return profile


# Youth Voices stories ------------------------------------------------------------------


def can_write_stories(user) -> bool:
    """Youth participants write stories (the kernel's youth role)."""
    return has_role(user, YOUTH)


def access_own_story(user, pk) -> Story:
    """A story of the person's own, for a youth participant; anything else is a 404."""
    if not can_write_stories(user):
        raise AccessRefused
    story = Story.objects.select_related("sector").filter(pk=pk, author=user).first()
    if story is None:
        raise AccessRefused
    return story


def access_story_to_moderate(user, pk) -> Story:
    """Any story with its author, for people acting as IOM staff; else 404."""
    if not acting_as_staff(user):
        raise AccessRefused
    story = (
        Story.objects.select_related("author", "author__youth_profile", "sector")
        .filter(pk=pk)
        .first()
    )
    if story is None:
        raise AccessRefused
    return story


def access_public_story(pk) -> Story:
    """A story anyone may see (published, its author consenting); else 404."""
    story = published_stories().filter(pk=pk).first()
    if story is None:
        raise AccessRefused
    return story


def access_story_photo(user, pk) -> tuple[Story, bool]:
    """The story whose photo is asked for, and whether it is public.

    Public when the story is on the public pages; otherwise only its author and people
    acting as IOM staff (moderators) see it. A story without a photo is a 404.
    """
    story = published_stories().filter(pk=pk).first()
    public = story is not None
    if story is None and getattr(user, "is_authenticated", False):
        story = Story.objects.filter(pk=pk).first()
        if story is not None and story.author_id != user.pk and not acting_as_staff(user):
            story = None
    if story is None or not story.photo:
        raise AccessRefused
    return story, public
