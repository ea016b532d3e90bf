"""Reads of Youth Voices stories, shaped for the pages that show them.

Every public page (the showcase, a story's page, its photo, the home page) starts from
``published_stories()``: published AND its author still consents to public display. A
story that is not published, or whose author withdrew that consent (or stopped being a
youth participant), is in no public query.
"""

from django.db.models import Count, Q, QuerySet

from .models import Story

#: How many stories the home page features.
FEATURED_COUNT = 3


def published_stories() -> QuerySet[Story]:
    """The stories anyone may see, newest first, with their author and sector."""
    return (
        Story.objects.filter(
            status=Story.Status.PUBLISHED,
            author__youth_profile__public_consent_at__isnull=False,
        )
        .select_related("author", "sector")
        .order_by("-published_at", "-pk")
    )


def is_public(story: Story) -> bool:
    """Whether the story is on the public pages now (published, author consenting)."""
    return published_stories().filter(pk=story.pk).exists()


def showcase(*, sector=None, country: str = "") -> QuerySet[Story]:
    stories = published_stories()
    if sector is not None:
        stories = stories.filter(sector=sector)
    if country:
        stories = stories.filter(country=country)
    return stories


def featured_stories() -> list[Story]:
    """The most recent published stories for the home page (one query)."""
    return list(published_stories()[:FEATURED_COUNT])


def home_facts() -> dict:
    return {"featured_stories": featured_stories()}


def stories_of(user) -> QuerySet[Story]:
    """The person's own stories, those they worked on last first."""
    return Story.objects.filter(author=user).select_related("sector").order_by("-updated_at", "-pk")


def story_counts_of(user) -> dict[str, int]:
    """How many of the person's stories are in each state that asks something of them."""
    return Story.objects.filter(author=user).aggregate(
        total=Count("pk"),
        changes=Count("pk", filter=Q(status=Story.Status.CHANGES_REQUESTED)),
        waiting=Count("pk", filter=Q(status=Story.Status.SUBMITTED)),
        published=Count("pk", filter=Q(status=Story.Status.PUBLISHED)),
    )


def moderation_queue() -> QuerySet[Story]:
    """Stories waiting for moderation, the longest waiting first."""
    return (
        Story.objects.filter(status=Story.Status.SUBMITTED)
        .select_related("author", "sector", "author__youth_profile")
        .order_by("submitted_at", "pk")
    )
