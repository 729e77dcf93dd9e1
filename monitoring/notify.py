"""Alerts that reach people: the failed conditions of ``triage monitor check`` as a webhook post or an e-mail.

The alert carries no personal data: only condition names, their figures and limits, the window, the number of
decisions and the model version (never a condition's free-text message, a contact or a file's folder). Webhook
bodies come in three formats: ``generic`` (the alert as JSON), ``slack`` (Block Kit) and ``teams`` (an Adaptive
Card message, as Teams workflow webhooks accept). Delivery is retried with exponential back-off
(:mod:`monitoring.notify_transport`); a delivery that still fails is reported, never hidden.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Literal, TextIO
from urllib.parse import urlsplit

from pydantic import BaseModel

from triage.errors import ConfigError
from triage.redaction import redact

if TYPE_CHECKING:
    from monitoring.checks import CheckReport
    from monitoring.notify_transport import Delivery
    from triage.config import NotifySettings

WebhookFormat = Literal["generic", "slack", "teams"]
WEBHOOK_FORMATS: tuple[str, ...] = ("generic", "slack", "teams")
EXIT_DELIVERY_FAILED = 3
_WINDOW = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.+\-Z]+ to \d{4}-\d\d-\d\dT[\d:.+\-Z]+$")
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class AlertCondition(BaseModel):
    """One failed condition: its name, the figure that failed and the limit it was held to."""

    condition: str
    value: float | None
    threshold: float | str | None


class Alert(BaseModel):
    """What is sent: the failed conditions of one check, with no personal data."""

    kind: str = "triage.monitor.check"
    checked_at: datetime
    window: str
    n: int
    model_version: str | None
    failed: list[AlertCondition]
    passed: int
    skipped: int

    @classmethod
    def from_report(cls, report: CheckReport, *, window: str | None = None) -> Alert:
        """The alert for ``report``; ``window`` replaces the report's window label (e.g. for an empty window)."""
        return cls(
            checked_at=report.checked_at,
            window=safe_window(window or report.window),
            n=report.n,
            model_version=redact(report.context["model_version"]) if "model_version" in report.context else None,
            failed=[
                AlertCondition(
                    condition=redact(r.condition),
                    value=r.value,
                    threshold=redact(r.threshold) if isinstance(r.threshold, str) else r.threshold,
                )
                for r in report.failed
            ],
            passed=len(report.passed),
            skipped=len(report.skipped),
        )

    @property
    def summary(self) -> str:
        names = ", ".join(c.condition for c in self.failed)
        model = f" for {self.model_version}" if self.model_version else ""
        plural = "s" if len(self.failed) != 1 else ""
        return f"{len(self.failed)} monitoring check{plural} failed{model} over {self.window}: {names}"

    def lines(self) -> list[str]:
        """One line per failed condition: name, figure and limit."""
        return [f"{c.condition}: {_figure(c.value)} (limit {_figure(c.threshold)})" for c in self.failed]


def safe_window(label: str) -> str:
    """The window as ``start to end``, or only a file's name (its folders may name a person)."""
    if _WINDOW.match(label):
        return label
    return redact(f"file {PurePath(label).name}")


def _figure(value: float | str | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4g}" if isinstance(value, float | int) else str(value)


def webhook_body(alert: Alert, fmt: WebhookFormat) -> dict[str, Any]:
    """The JSON body of the webhook post in ``fmt``."""
    if fmt == "generic":
        return alert.model_dump(mode="json")
    title = f"Contact triage: {alert.summary}"
    if fmt == "slack":
        bullets = "\n".join(f"• {line}" for line in alert.lines())
        return {
            "text": title,
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Contact triage: monitoring checks failed"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{alert.summary}*\n{bullets}"}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": _footer(alert)}]},
            ],
        }
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "size": "Large", "weight": "Bolder", "wrap": True, "text": title},
            {
                "type": "FactSet",
                "facts": [
                    {"title": c.condition, "value": line} for c, line in zip(alert.failed, alert.lines(), strict=True)
                ],
            },
            {"type": "TextBlock", "isSubtle": True, "wrap": True, "text": _footer(alert)},
        ],
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


def email_text(alert: Alert) -> tuple[str, str]:
    """The subject and plain-text body of the alert e-mail."""
    body = "\n".join(
        [
            alert.summary + ".",
            "",
            *alert.lines(),
            "",
            _footer(alert),
            "Run `triage monitor check` over the same window, or read the quality report, for the details.",
        ]
    )
    return f"[triage] {alert.summary}", body + "\n"


def _footer(alert: Alert) -> str:
    return (
        f"{alert.n} decisions checked at {alert.checked_at:%Y-%m-%d %H:%M} UTC; {alert.passed} conditions passed, "
        f"{alert.skipped} could not be judged."
    )


def check_webhook_url(url: str) -> str:
    """``url`` when it is an http(s) URL with a host; a clear error otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--notify {shown_url(url)} is not an http(s) URL. Give the webhook URL, e.g. https://...")
    return url


def shown_url(url: str) -> str:
    """A webhook URL without its path and query, which often hold its secret token."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}" if parts.scheme and parts.hostname else "(not a URL)"


def check_email(address: str, settings: NotifySettings) -> str:
    """``address`` when it looks like an e-mail address and an SMTP server is configured."""
    if not _EMAIL.match(address):
        raise ConfigError(f"--email {address!r} is not an e-mail address. Give one address per --email.")
    if not settings.smtp_host:
        raise ConfigError(
            "--email needs an SMTP server: set TRIAGE_SMTP_HOST (and TRIAGE_SMTP_PORT, TRIAGE_SMTP_USER, "
            "TRIAGE_SMTP_PASSWORD, TRIAGE_SMTP_FROM, TRIAGE_SMTP_STARTTLS as needed)."
        )
    return address


@dataclass(frozen=True)
class AlertTargets:
    """Where the failed conditions of a check go, checked before the check runs."""

    webhooks: list[str]
    webhook_format: WebhookFormat
    emails: list[str]
    settings: NotifySettings

    def deliver(self, report: CheckReport, *, window: str | None = None) -> list[Delivery]:
        """Send the failed conditions of ``report`` everywhere; nothing is sent when none failed."""
        from monitoring.notify_transport import post_webhook, send_email

        if not report.failed:
            return []
        alert = Alert.from_report(report, window=window)
        body = webhook_body(alert, self.webhook_format)
        results = [post_webhook(url, body, settings=self.settings, shown=shown_url(url)) for url in self.webhooks]
        subject, text = email_text(alert)
        return results + [send_email(address, subject, text, settings=self.settings) for address in self.emails]


def alert_targets(
    webhooks: list[str] | None, webhook_format: str, emails: list[str] | None, settings: NotifySettings | None = None
) -> AlertTargets | None:
    """The validated targets of ``--notify``/``--email``, or None when neither was given."""
    from triage.config import get_notify_settings

    if webhook_format not in WEBHOOK_FORMATS:
        raise ConfigError(f"--notify-format {webhook_format!r} is not one of {', '.join(WEBHOOK_FORMATS)}.")
    if not webhooks and not emails:
        return None
    settings = settings or get_notify_settings()
    return AlertTargets(
        webhooks=[check_webhook_url(url) for url in webhooks or []],
        webhook_format=webhook_format,  # type: ignore[arg-type]
        emails=[check_email(address, settings) for address in emails or []],
        settings=settings,
    )


def alert_and_exit_code(
    report: CheckReport, targets: AlertTargets | None, *, window: str | None = None, err: TextIO | None = None
) -> int:
    """Deliver the alert (when any condition failed) and say how it went on ``err``; the check's exit code.

    0: every condition passed or was skipped; 1: a condition failed (and every alert was delivered);
    :data:`EXIT_DELIVERY_FAILED` (3): a condition failed and an alert could not be delivered after its retries.
    """
    deliveries = targets.deliver(report, window=window) if targets is not None else []
    err = err or sys.stderr
    for d in deliveries:
        tries = f"{d.attempts} attempt{'s' if d.attempts != 1 else ''}"
        if d.delivered:
            err.write(f"alert sent by {d.channel} to {d.target} ({tries})\n")
        else:
            err.write(
                f"error: the alert could not be delivered by {d.channel} to {d.target} after {tries}: {d.error}. "
                "The check's result is on standard output.\n"
            )
    if any(not d.delivered for d in deliveries):
        return EXIT_DELIVERY_FAILED
    return 1 if report.failed else 0
