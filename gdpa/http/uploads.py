"""Uploads stop at the size limit instead of being received whole."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

#: Set on the request when an upload was cut off: (field name, file name).
UPLOAD_REFUSED_ATTR = "gdpa_upload_refused"


class LimitedUploadHandler(FileUploadHandler):
    """First in ``FILE_UPLOAD_HANDLERS``: passes chunks on until a file passes the limit.

    Then it stops the whole upload without reading the rest of the request
    (``StopUpload(connection_reset=True)``) and marks the request, so
    ``RequestGuardMiddleware`` answers with a clear 413 page instead of the view running
    with the file missing.
    """

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > settings.UPLOAD_MAX_FILE_BYTES:
            if self.request is not None:
                setattr(self.request, UPLOAD_REFUSED_ATTR, (self.field_name, self.file_name))
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        """The next handler (memory or temporary file) builds the uploaded file."""
        return None
