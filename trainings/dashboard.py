"""The learner's "My trainings" dashboard panel."""

from . import selectors


def my_trainings_context(request) -> dict:
    """The person's enrollments with their statuses: awaiting approval, enrolled, waiting,
    and declined ones with the reason (one query)."""
    return {"training_enrollments": selectors.enrollments_of(request.user)}
