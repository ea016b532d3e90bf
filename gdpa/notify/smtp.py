"""SMTP delivery that lets the outbox mark a row sent exactly where the server accepts it.

An SMTP server takes a message only when it receives the line that ends DATA, the final
``<CRLF>.<CRLF>`` (RFC 5321, 4.1.1.4): a connection that closes before it leaves nothing
behind. ``EmailBackend`` is Django's SMTP backend with the mail transaction written here
(``MAIL``, ``RCPT``, then ``DATA`` by hand instead of ``smtplib.SMTP.data``): the message
is written, then the message's ``around_final_dot`` context is entered, the final dot is
written inside it, the context is left, and only then is the server's reply read.

``gdpa.notify.delivery`` marks the row *sent* on entering (one UPDATE in an open
transaction: the row is locked, nothing committed yet) and commits on leaving, right
after the final dot was written: whatever stops the worker before that commit (a kill,
a lost database) rolls the mark back, and the row is still *sending*.

A message without ``around_final_dot`` goes through Django's own path, unchanged.
"""

import contextlib
import re
import smtplib
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as DjangoEmailBackend
from django.core.mail.message import sanitize_address

CRLF = b"\r\n"
#: What ends DATA after the message's own last CRLF.
FINAL_DOT = b"." + CRLF
#: A line of the message that starts with "." gets a second one (RFC 5321, 4.5.2), as
#: ``smtplib`` does: no line of the message can then end DATA early.
_LEADING_DOT = re.compile(rb"(?m)^\.")


#: What the outbox gives a message: a context entered just before the final dot is
#: written and left just after.
AroundFinalDot = Callable[[], AbstractContextManager]


class EmailBackend(DjangoEmailBackend):
    """Django's SMTP backend, writing SMTP's final dot inside ``message.around_final_dot()``
    (see the module's docstring)."""

    #: ``gdpa.notify.delivery`` relies on ``around_final_dot`` only with this backend.
    supports_around_final_dot = True

    def open(self):
        opened = super().open()
        if opened:
            # The final dot is a write of its own, right after the message: without this,
            # Nagle's algorithm holds it until the server acknowledges the message, which
            # a server with nothing to answer yet delays by up to 40 ms (per message).
            self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return opened

    @property
    def connected(self) -> bool:
        """Whether the connection to the server is still usable (a send that failed in
        DATA, or a server answering 421, leaves it closed)."""
        return self.connection is not None and getattr(self.connection, "sock", None) is not None

    def _send(self, email_message) -> bool:
        around_final_dot = getattr(email_message, "around_final_dot", None)
        if around_final_dot is None:
            return super()._send(email_message)
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(addr, encoding) for addr in email_message.recipients()]
        content = email_message.message().as_bytes(linesep="\r\n")
        try:
            self._transaction(from_email, recipients, content, around_final_dot)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def _transaction(
        self,
        from_email: str,
        recipients: list[str],
        content: bytes,
        around_final_dot: AroundFinalDot,
    ) -> dict:
        """``smtplib.SMTP.sendmail`` (same replies, same exceptions), with DATA written by
        ``_data``. Returns the refused recipients when others were accepted."""
        smtp = self.connection
        smtp.ehlo_or_helo_if_needed()
        options = []
        if smtp.does_esmtp and smtp.has_extn("size"):
            options.append(f"size={len(content)}")
        code, reply = smtp.mail(from_email, options)
        if code != 250:
            self._after_refusal(smtp, code)
            raise smtplib.SMTPSenderRefused(code, reply, from_email)
        refused = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
            if code == 421:
                smtp.close()
                raise smtplib.SMTPRecipientsRefused(refused)
        if len(refused) == len(recipients):
            self._after_refusal(smtp)
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = self._data(smtp, content, around_final_dot)
        if code != 250:
            self._after_refusal(smtp, code)
            raise smtplib.SMTPDataError(code, reply)
        return refused

    @staticmethod
    def _after_refusal(smtp: smtplib.SMTP, code: int | None = None) -> None:
        """As ``smtplib``: 421 means the server is closing the connection; after any
        other refusal the transaction is reset (``RSET``) for the next message."""
        if code == 421:
            smtp.close()
            return
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            smtp.rset()

    def _data(
        self, smtp: smtplib.SMTP, content: bytes, around_final_dot: AroundFinalDot
    ) -> tuple[int, bytes]:
        """``DATA``: the message, then the final dot inside ``around_final_dot()``; returns
        the server's reply to the final dot.

        Anything raised from the message on (the context, a lost connection, a time
        limit) hangs up at once: in the middle of DATA the session cannot be reset, and
        a server that never received the final dot drops the unfinished message.
        """
        smtp.putcmd("data")
        code, reply = smtp.getreply()
        if code != 354:
            self._after_refusal(smtp, code)
            raise smtplib.SMTPDataError(code, reply)
        body = _LEADING_DOT.sub(b"..", content)
        if not body.endswith(CRLF):
            body += CRLF
        try:
            smtp.send(body)
            with around_final_dot():
                smtp.send(FINAL_DOT)
            return smtp.getreply()
        except BaseException:
            smtp.close()
            raise
