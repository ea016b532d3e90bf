from .models import ExportJob


def jobs_for(user):
    """The person's own export jobs, newest first."""
    return ExportJob.objects.filter(requested_by=user).order_by("-created_at", "-pk")
