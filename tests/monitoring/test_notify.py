"""Alerts reach people: `triage monitor check --notify URL --email ADDRESS` against a real HTTP receiver and a real
SMTP server on loopback (aiosmtpd), including receivers that fail and recover, and ones that never recover."""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from monitoring import cli
from monitoring.checks import CheckReport, ConditionResult
from monitoring.notify import EXIT_DELIVERY_FAILED, Alert, webhook_body
from monitoring.notify_transport import post_webhook, send_email
from triage.config import NotifySettings

EMAIL = "jane.doe@example.com"
SECRET_PATH = "/hooks/T000/B000/s3cr3t-token"


class Receiver:
    """A webhook receiver on a free loopback port: answers with ``statuses`` in turn (then 200) and keeps bodies."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append(
                    {"path": self.path, "type": self.headers.get("content-type"), "body": body, "status": status}
                )
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{SECRET_PATH}"

    @property
    def delivered(self) -> list[dict]:
        return [r for r in self.requests if 200 <= r["status"] < 300]


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(statuses: list[int] | None = None) -> Receiver:
        server = Receiver(statuses)
        server.thread.start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.server.shutdown()
        server.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """aiosmtpd handler: refuses the first ``failures`` messages with a temporary 451, then accepts and keeps them."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.attempts += 1
        if self.attempts <= self.failures:
            return "451 4.3.0 Try again later"
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_sink(monkeypatch):
    """Start a local SMTP server and point TRIAGE_SMTP_* at it (plain SMTP on loopback, no STARTTLS)."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(failures: int = 0) -> Sink:
        sink = Sink(failures)
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        monkeypatch.setenv("TRIAGE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("TRIAGE_SMTP_PORT", str(port))
        monkeypatch.setenv("TRIAGE_SMTP_STARTTLS", "0")
        monkeypatch.setenv("TRIAGE_SMTP_FROM", "triage@council.example")
        return sink

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch) -> None:
    monkeypatch.setenv("TRIAGE_NOTIFY_ATTEMPTS", "4")
    monkeypatch.setenv("TRIAGE_NOTIFY_BACKOFF_SECONDS", "0.01")
    monkeypatch.setenv("TRIAGE_NOTIFY_TIMEOUT_SECONDS", "5")


@pytest.fixture
def use_model(monkeypatch, drift_model):
    from training.registry import LoadedModel

    monkeypatch.setattr(
        cli, "load_reference_model", lambda uri: LoadedModel(model=drift_model, uri="test", version="test/1")
    )


@pytest.fixture
def failing_file(kit, tmp_path):
    """Contacts about things the model never learned, each with personal data: drift and accuracy checks fail."""
    frame = kit.novel(120, seed=36)[["text", "channel"]]
    frame["text"] = frame["text"] + f" email me at {EMAIL}"
    path = tmp_path / "jane-doe-contacts" / "new.csv"
    path.parent.mkdir()
    frame.to_csv(path, index=False)
    return path


def check(*args: str):
    return CliRunner().invoke(cli.app, ["check", *args])


def test_a_failed_check_reaches_the_webhook_and_the_smtp_sink_once_each(
    use_model, failing_file, receiver, smtp_sink
) -> None:
    hook, sink = receiver(), smtp_sink()
    result = check("--current", str(failing_file), "--notify", hook.url, "--email", "ops@council.example")
    assert result.exit_code == 1, result.output  # the check's own exit code is kept
    failed = {c["condition"] for c in json.loads(result.stdout)["failed"]}
    assert {"drift", "estimated_accuracy"} <= failed

    assert len(hook.requests) == 1 and hook.requests[0]["path"] == SECRET_PATH
    assert hook.requests[0]["type"] == "application/json"
    alert = json.loads(hook.requests[0]["body"])
    assert {c["condition"] for c in alert["failed"]} == failed
    assert alert["model_version"] == "test/1" and alert["n"] == 120 and alert["window"] == "file new.csv"

    assert len(sink.messages) == 1
    envelope = sink.messages[0]
    assert envelope.rcpt_tos == ["ops@council.example"] and envelope.mail_from == "triage@council.example"
    mail = message_from_bytes(envelope.content)
    assert "monitoring checks failed for test/1" in mail["Subject"]
    assert "drift:" in mail.get_payload(decode=True).decode()

    for sent in (hook.requests[0]["body"].decode(), envelope.content.decode()):
        assert EMAIL not in sent and "jane" not in sent.lower() and "rebate" not in sent  # no contact, no folder
    assert "s3cr3t" not in result.stderr and "alert sent by webhook to http://127.0.0.1 (1 attempt)" in result.stderr


def test_a_failing_webhook_is_retried_until_it_accepts(use_model, failing_file, receiver) -> None:
    hook = receiver([503, 500])
    result = check("--current", str(failing_file), "--notify", hook.url, "--notify-format", "slack")
    assert result.exit_code == 1, result.output
    assert [r["status"] for r in hook.requests] == [503, 500, 200]
    assert len(hook.delivered) == 1 and "(3 attempts)" in result.stderr
    body = json.loads(hook.delivered[0]["body"])
    assert body["text"].startswith("Contact triage: ") and body["blocks"][0]["type"] == "header"


def test_a_receiver_that_never_recovers_gives_exit_3_after_every_retry(use_model, failing_file, receiver) -> None:
    hook = receiver([503] * 10)
    result = check("--current", str(failing_file), "--notify", hook.url)
    assert result.exit_code == EXIT_DELIVERY_FAILED
    assert len(hook.requests) == 4  # TRIAGE_NOTIFY_ATTEMPTS
    assert "error: the alert could not be delivered by webhook to http://127.0.0.1 after 4 attempts" in result.stderr
    assert "HTTP 503" in result.stderr and "s3cr3t" not in result.stderr
    assert json.loads(result.stdout)["failed"]  # the result itself is still printed


def test_a_client_error_from_the_webhook_is_not_retried(use_model, failing_file, receiver) -> None:
    hook = receiver([404])
    result = check("--current", str(failing_file), "--notify", hook.url)
    assert result.exit_code == EXIT_DELIVERY_FAILED and len(hook.requests) == 1
    assert "HTTP 404" in result.stderr and "check the webhook URL" in result.stderr


def test_a_smtp_server_that_refuses_for_now_is_retried(use_model, failing_file, smtp_sink) -> None:
    sink = smtp_sink(failures=2)
    result = check("--current", str(failing_file), "--email", "ops@council.example")
    assert result.exit_code == 1, result.output
    assert sink.attempts == 3 and len(sink.messages) == 1
    assert "alert sent by email to ops@council.example (3 attempts)" in result.stderr


def test_an_unreachable_smtp_server_gives_exit_3(use_model, failing_file, monkeypatch) -> None:
    monkeypatch.setenv("TRIAGE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TRIAGE_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("TRIAGE_SMTP_STARTTLS", "0")
    result = check("--current", str(failing_file), "--email", "ops@council.example")
    assert result.exit_code == EXIT_DELIVERY_FAILED
    assert "could not be delivered by email to ops@council.example after 4 attempts" in result.stderr


def test_nothing_is_sent_when_every_condition_passes(use_model, kit, tmp_path, receiver) -> None:
    hook = receiver()
    path = tmp_path / "normal.csv"
    kit.texts(kit.balanced(20), seed=35)[["text", "channel"]].to_csv(path, index=False)
    config = tmp_path / "calm.yaml"
    config.write_text(
        "drift: {enabled: false}\nestimated_accuracy: {enabled: false}\naccepted_share: {enabled: false}\n"
    )
    result = check("--current", str(path), "--config", str(config), "--notify", hook.url)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["failed"] == [] and hook.requests == [] and result.stderr == ""


def test_an_empty_window_alerts_with_its_dates_and_no_log_path(use_model, receiver, tmp_path) -> None:
    from triage.decision_log import DecisionLog

    db_url = f"sqlite:///{tmp_path}/jane-doe/decisions.db"
    (tmp_path / "jane-doe").mkdir()
    DecisionLog(db_url).close()
    hook = receiver()
    args = ["--since", "2020-01-01", "--until", "2020-01-02", "--db-url", db_url, "--notify", hook.url]
    result = check(*args)
    assert result.exit_code == 1, result.output
    alert = json.loads(hook.delivered[0]["body"])
    assert [c["condition"] for c in alert["failed"]] == ["volume"]
    assert alert["window"] == "2020-01-01T00:00:00+00:00 to 2020-01-02T00:00:00+00:00"
    assert "jane" not in hook.delivered[0]["body"].decode()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--notify", "ftp://example.org/hook"], "is not an http(s) URL"),
        (["--notify", "http://127.0.0.1/x", "--notify-format", "discord"], "--notify-format 'discord'"),
        (["--email", "not-an-address"], "is not an e-mail address"),
        (["--email", "ops@council.example"], "--email needs an SMTP server: set TRIAGE_SMTP_HOST"),
    ],
)
def test_bad_alert_options_are_refused_before_anything_runs(use_model, monkeypatch, args, message) -> None:
    monkeypatch.delenv("TRIAGE_SMTP_HOST", raising=False)
    result = check("--current", "does-not-exist.csv", *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


def report_with_personal_data() -> CheckReport:
    failed = ConditionResult(
        condition="segment_gap:channel=email",
        status="fail",
        message=f"Contact from {EMAIL} was misrouted",
        value=-0.2,
        threshold=-0.1,
        details={"example": f"my name is Jane Doe, {EMAIL}"},
    )
    return CheckReport(
        failed=[failed],
        passed=[],
        skipped=[],
        window="/home/jane.doe/exports/contacts.csv",
        n=80,
        checked_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        context={"model_version": "triage/7", "source": "/home/jane.doe/exports/contacts.csv"},
    )


@pytest.mark.parametrize("fmt", ["generic", "slack", "teams"])
def test_no_message_detail_or_folder_reaches_any_format(fmt) -> None:
    body = json.dumps(webhook_body(Alert.from_report(report_with_personal_data()), fmt))
    assert EMAIL not in body and "Jane" not in body and "jane" not in body
    assert "segment_gap:channel=email" in body and "triage/7" in body and "file contacts.csv" in body


def test_teams_body_is_an_adaptive_card_message() -> None:
    body = webhook_body(Alert.from_report(report_with_personal_data()), "teams")
    attachment = body["attachments"][0]
    assert body["type"] == "message" and attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["body"][1]["facts"][0]["title"] == "segment_gap:channel=email"


def test_backoff_doubles_between_tries(receiver) -> None:
    hook = receiver([500, 500, 500])
    waits: list[float] = []
    settings = NotifySettings(notify_attempts=4, notify_backoff_seconds=1.5, notify_backoff_max_seconds=5.0)
    delivery = post_webhook(hook.url, {"a": 1}, settings=settings, shown="test", sleep=waits.append)
    assert delivery.delivered and delivery.attempts == 4 and waits == [1.5, 3.0, 5.0]


def test_a_refused_smtp_login_is_not_retried(monkeypatch) -> None:
    calls = []

    class RefusingSMTP:
        def __init__(self, *args, **kwargs) -> None:
            calls.append(args)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            pass

        def login(self, user, password) -> None:
            import smtplib

            raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")

    monkeypatch.setattr("monitoring.notify_transport.smtplib.SMTP", RefusingSMTP)
    settings = NotifySettings(smtp_host="mail.example", smtp_user="u", smtp_password="p", smtp_starttls=False)
    delivery = send_email("ops@council.example", "s", "t", settings=settings, sleep=lambda _: None)
    assert not delivery.delivered and delivery.attempts == 1 and "SMTP 535" in (delivery.error or "")
    assert "p" not in (delivery.error or "").split()
