"""The learner's "My trainings" dashboard panel."""

from . import selectors


def my_trainings_context(request) -> dict:
    """The person's current enrollments with their statuses (one query)."""
    return {"training_enrollments": selectors.enrollments_of(request.user)}
