"""Who may see and do what in the youth app."""

from django.http import Http404

from .models import YouthProfile
from .selectors import youth_profile_of


def access_youth_profile(user) -> YouthProfile:
    """The person's own youth profile; someone who is not a youth participant gets 404."""
    profile = youth_profile_of(user)
    if profile is None:
        raise Http404
    return profile
