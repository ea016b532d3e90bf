"""Input validation of the Youth Voices pages: writing a story, moderating it, and the
showcase filter. What a story may contain (sanitized text, photo, video link) is the
service's to decide (youth/stories.py); these forms check what was typed."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from alliance.forms import CHOOSE_FROM_LIST
from alliance.selectors import sectors
from gdpa.portal.countries import any_country_choices
from gdpa.portal.widgets import QuickSelect

from .models import Story


class SectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


def _photo_help() -> str:
    return _(
        "Optional. A JPEG, PNG or WebP image of at most %(size)s. We resize it and remove "
        "its hidden details (such as where it was taken) before it is shown."
    ) % {"size": filesizeformat(settings.STORY_PHOTO_MAX_BYTES)}


class StoryForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={
            "required": _("Enter the title of your story"),
            "max_length": _("Shorten the title to at most 200 characters"),
        },
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or two sentences shown in lists and when the story is shared."),
        error_messages={
            "required": _("Enter a short summary of your story"),
            "max_length": _("Shorten the summary to at most 300 characters"),
        },
    )
    text = forms.CharField(
        label=_("Your story"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Leave an empty line between paragraphs. You may also write simple HTML: "
            "paragraphs, bold and italic text, lists, quotes, small headings and links; "
            "anything else is removed."
        ),
        error_messages={
            "required": _("Write your story"),
            "max_length": _("Shorten your story to at most 20,000 characters"),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of the story"),
        choices=settings.LANGUAGES,
        error_messages={
            "required": _("Choose the language your story is written in"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    sector = SectorChoiceField(
        label=_("Sector"),
        queryset=sectors(),
        empty_label="—",
        error_messages={
            "required": _("Choose the sector your story is about"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    country = LazyTypedChoiceField(
        label=_("Country"),
        choices=[("", "—"), *countries],
        help_text=_("The country your story takes place in."),
        error_messages={
            "required": _("Choose the country your story takes place in"),
            "invalid_choice": CHOOSE_FROM_LIST,
        },
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=lazy(_photo_help, str)(),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={
            "invalid": _("Choose a photo file"),
            "missing": _("Choose a photo file"),
            "empty": _("The photo file is empty. Choose another file"),
            "max_length": _("Give the photo file a shorter name"),
            "contradiction": _("Choose a new photo or remove the current one, not both"),
        },
    )
    remove_photo = forms.BooleanField(label=_("Remove the current photo"), required=False)
    photo_alt = forms.CharField(
        label=_("Photo description"),
        max_length=300,
        required=False,
        help_text=_(
            "Needed with a photo: what it shows, for people who cannot see it, for example "
            '"Three young women planting mangroves on a beach".'
        ),
        error_messages={"max_length": _("Shorten the description to at most 300 characters")},
    )
    video_url = forms.URLField(
        label=_("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_(
            "Optional. A link to your video on YouTube or Vimeo, starting with https://. "
            "It is shown as a link; the video is not embedded in the page."
        ),
        error_messages={
            "invalid": _("Enter a link to the video on YouTube or Vimeo, starting with https://"),
            "max_length": _("Shorten the link to at most 500 characters"),
        },
    )

    def __init__(self, *args, story: Story | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if story is None or not story.photo:
            del self.fields["remove_photo"]


class ModerationCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the author"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("E-mailed to the author and shown with their story."),
        error_messages={
            "required": _("Write a comment for the author"),
            "max_length": _("Shorten the comment to at most 2,000 characters"),
        },
    )


class ShowcaseFilterForm(forms.Form):
    sector = SectorChoiceField(
        label=_("Sector"),
        required=False,
        queryset=sectors(),
        empty_label=_("Any sector"),
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=any_country_choices,
        widget=QuickSelect,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )

    def filters(self) -> dict:
        """The valid filters; an unreadable one is left out (its message shows)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"sector": data.get("sector"), "country": data.get("country", "")}
