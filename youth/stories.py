"""Youth Voices stories: the writes on a participant's stories (their lifecycle is
``Story.TRANSITIONS``)."""

from django.db import transaction

from gdpa.audit.services import audit_record

from .models import Story


@transaction.atomic
def stories_take_down_for_author(user, *, actor) -> int:
    """Take down every published story of ``user`` at once; returns how many.

    Called when the author withdraws their consent to public display (or their youth
    consent altogether): each published story becomes "taken down" (UNPUBLISHED), so no
    public page shows it any more. The moderator's comment is left as it was; each story
    taken down gets its own audit entry.
    """
    stories = list(
        Story.objects.select_for_update()
        .filter(author=user, status=Story.Status.PUBLISHED)
        .order_by("pk")
    )
    # Only the status changes: the rest of the story was checked when it was saved.
    unchanged = {f.name for f in Story._meta.concrete_fields} - {"status"}
    for story in stories:
        story.status = Story.Status.UNPUBLISHED
        story.full_clean(exclude=unchanged, validate_unique=False, validate_constraints=False)
        story.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="story.taken_down",
            target=story,
            before={"status": Story.Status.PUBLISHED},
            after={"status": Story.Status.UNPUBLISHED},
        )
    return len(stories)
