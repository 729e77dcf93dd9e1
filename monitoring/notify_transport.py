"""Delivering an alert: an HTTP POST to a webhook (httpx) or an e-mail over SMTP (smtplib), retried with back-off.

Each delivery is tried up to ``TRIAGE_NOTIFY_ATTEMPTS`` times with exponential back-off (tenacity): the wait
before the second try is ``TRIAGE_NOTIFY_BACKOFF_SECONDS`` and doubles after each failure, up to
``TRIAGE_NOTIFY_BACKOFF_MAX_SECONDS``. Only failures that may pass are retried: a connection error or timeout,
an HTTP 408, 429 or 5xx answer, an SMTP 4xx answer. A 4xx from a webhook or a 5xx from an SMTP server (a wrong
URL, a refused login or address) fails at once: trying again would not help.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Any

import httpx
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

if TYPE_CHECKING:
    from triage.config import NotifySettings

RETRIED_HTTP_STATUS = frozenset({408, 425, 429})


@dataclass(frozen=True)
class Delivery:
    """How one delivery went: where (without secrets), whether it arrived, after how many tries, and why not."""

    channel: str  # "webhook" or "email"
    target: str
    delivered: bool
    attempts: int
    error: str | None = None


class TransientDeliveryError(Exception):
    """A failure worth another try (the receiver was down, busy or slow)."""


class PermanentDeliveryError(Exception):
    """A failure another try would repeat (wrong URL, refused login or address)."""


def _retrying(settings: NotifySettings, sleep: Callable[[float], None] | None) -> Retrying:
    options: dict[str, Any] = {}
    if sleep is not None:
        options["sleep"] = sleep
    return Retrying(
        stop=stop_after_attempt(settings.notify_attempts),
        wait=wait_exponential(multiplier=settings.notify_backoff_seconds, max=settings.notify_backoff_max_seconds),
        retry=retry_if_exception(lambda exc: isinstance(exc, TransientDeliveryError)),
        reraise=True,
        **options,
    )


def _run(
    channel: str, target: str, send: Callable[[], None], settings: NotifySettings, sleep: Callable[[float], None] | None
) -> Delivery:
    attempts = 0

    def counted() -> None:
        nonlocal attempts
        attempts += 1
        send()

    try:
        _retrying(settings, sleep)(counted)
    except (TransientDeliveryError, PermanentDeliveryError) as exc:
        return Delivery(channel, target, False, attempts, str(exc))
    return Delivery(channel, target, True, attempts)


def post_webhook(
    url: str,
    body: dict[str, Any],
    *,
    settings: NotifySettings,
    shown: str,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] | None = None,
) -> Delivery:
    """POST ``body`` as JSON to ``url``; any 2xx answer is a delivery. ``shown`` names it in messages."""
    own = client is None
    http = client or httpx.Client(timeout=settings.notify_timeout_seconds, follow_redirects=False)

    def send() -> None:
        try:
            response = http.post(url, json=body)
        except httpx.TransportError as exc:
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return
        message = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        if response.status_code in RETRIED_HTTP_STATUS or response.status_code >= 500:
            raise TransientDeliveryError(message)
        raise PermanentDeliveryError(message + " (check the webhook URL)")

    try:
        return _run("webhook", shown, send, settings, sleep)
    finally:
        if own:
            http.close()


def email_message(to: str, subject: str, text: str, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    return message


def send_email(
    to: str,
    subject: str,
    text: str,
    *,
    settings: NotifySettings,
    sleep: Callable[[float], None] | None = None,
) -> Delivery:
    """Send one plain-text e-mail through the configured SMTP server (``TRIAGE_SMTP_*``)."""
    message = email_message(to, subject, text, sender=settings.smtp_from)

    def send() -> None:
        try:
            with _connect(settings) as smtp:
                if settings.smtp_starttls and not settings.smtp_ssl:
                    smtp.starttls(context=ssl.create_default_context())
                if settings.smtp_user:
                    password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                    smtp.login(settings.smtp_user, password)
                smtp.send_message(message)
        except smtplib.SMTPNotSupportedError as exc:
            raise PermanentDeliveryError(
                f"the SMTP server does not support {exc} (set TRIAGE_SMTP_STARTTLS=0 only for a trusted local relay)"
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            error = _smtp_error(min(codes), "recipient refused")
            raise error from exc
        except smtplib.SMTPResponseException as exc:
            raise _smtp_error(exc.smtp_code, _decode(exc.smtp_error)) from exc
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as exc:
            raise TransientDeliveryError(f"{type(exc).__name__}: {exc}") from exc

    return _run("email", to, send, settings, sleep)


def _connect(settings: NotifySettings) -> smtplib.SMTP:
    host, port, timeout = settings.smtp_host or "", settings.smtp_port, settings.notify_timeout_seconds
    if settings.smtp_ssl:
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    return smtplib.SMTP(host, port, timeout=timeout)


def _smtp_error(code: int, detail: str) -> Exception:
    message = f"SMTP {code} {detail}".strip()
    return TransientDeliveryError(message) if 400 <= code < 500 else PermanentDeliveryError(message)


def _decode(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
