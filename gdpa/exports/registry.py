"""The datasets staff can export. The kernel knows no app: each app registers, in its
``AppConfig.ready()``, what it can export::

    register_dataset(
        ExportDataset(
            key="members-people",
            label=_("People"),
            columns=(
                Column("name", _("Name"), personal=True),
                Column("country", _("Country")),
            ),
            rows=people_rows,      # (filters, *, personal) -> iterable of dicts by column key
            count=people_count,    # (filters) -> int
            filter_form=PeopleFilterForm,
        )
    )

``filters`` is the query string of the page the export was started from (the member
directory's filters and any selection, say) as a ``QueryDict`` (a Celery task rebuilds it
from the stored ``urlencode()``); a dataset reads it through its own ``filter_form``, so an
export shows exactly what the page showed, and the exports page offers the same form. ``rows`` must stream
(``.values_list(...).iterator(chunk_size=...)``): exports run in constant memory. With
``personal=False`` the kernel drops every ``personal`` column, and ``rows`` need not fetch
them.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.http import QueryDict


@dataclass(frozen=True)
class Column:
    key: str
    header: object
    #: A person's personal data (name, e-mail, phone, date of birth, gender...): exported
    #: only for staff with the export-personal-data permission.
    personal: bool = False


@dataclass(frozen=True)
class ExportDataset:
    key: str
    label: object
    columns: tuple[Column, ...]
    rows: Callable[..., Iterable[Mapping[str, object]]]
    count: Callable[[QueryDict], int]
    #: The form that reads ``filters`` (a Django form class taking the QueryDict as data).
    filter_form: type | None = None
    order: int = 100


_datasets: dict[str, ExportDataset] = {}


def register_dataset(dataset: ExportDataset) -> None:
    _datasets[dataset.key] = dataset


def dataset(key: str) -> ExportDataset | None:
    return _datasets.get(key)


def datasets() -> list[ExportDataset]:
    return sorted(_datasets.values(), key=lambda d: (d.order, d.key))
