"""Youth participants' personal data, registered with gdpa.privacy (see its registry).

The youth profile (date of birth, countries, community, languages, what they wrote
about themselves, consents) is deleted: without those fields it would say nothing, and
youth figures then no longer count the person. Stories are the author's own words and
photos: they are deleted with their photo files. Youth inputs on recommendations are
alliance records and are handled there (the text replaced, the row kept).
"""

from gdpa.privacy.registry import model_handler, register_personal_data


def register() -> None:
    register_personal_data(
        model_handler(
            "youth.YouthProfile",
            owner="user",
            fields=(
                "user",
                "date_of_birth",
                "heritage_countries",
                "about",
                "country_of_residence",
                "diaspora_community",
                "languages",
            ),
            export_fields=(
                "date_of_birth",
                "heritage_countries",
                "about",
                "country_of_residence",
                "diaspora_community",
                "languages",
                "organization__name",
                "consent_at",
                "consent_version",
                "public_consent_at",
                "public_consent_version",
                "created_at",
            ),
            delete=True,
            order=70,
        )
    )
    register_personal_data(
        model_handler(
            "youth.Story",
            owner="author",
            fields=(
                "author",
                "title",
                "summary",
                "text",
                "photo",
                "photo_small",
                "photo_alt",
                "video_url",
                "moderation_comment",
                "moderated_by",
            ),
            export_fields=(
                "title",
                "summary",
                "text",
                "language",
                "country",
                "photo_alt",
                "video_url",
                "status",
                "moderation_comment",
                "submitted_at",
                "published_at",
            ),
            files=("photo", "photo_small"),
            delete=True,
            order=71,
        )
    )
