"""What the exports' audit entries mean in words (see gdpa/audit/registry.py)."""

from django.utils.translation import gettext_lazy as _

from gdpa.audit import formatters
from gdpa.audit.registry import register_action, register_field, register_values


def register_audit_vocabulary() -> None:
    from .models import ExportJob

    register_action("export.stream", _("Data exported (downloaded straight away)"))
    register_action("export.request", _("Large export requested"))
    register_action("export.build", _("Large export built"))
    register_action("export.download", _("Large export downloaded"))
    register_field("export", "dataset", _("dataset"))
    register_field("export", "format", _("format"), formatters.choices(ExportJob.Format.choices))
    register_field("export", "filters", _("filters"))
    register_field("export", "include_personal", _("personal fields included"), formatters.boolean)
    register_field("export", "rows", _("rows"))
    register_values("notify.outboundemail", "kind", [("export_ready", _("Export ready"))])
