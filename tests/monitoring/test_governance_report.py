from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from monitoring import cli, report_cli
from monitoring.governance_report import ModelChange, buckets_for, registry_changes
from triage.decision_log import DecisionLog, make_record
from triage.governance import GovernanceStore
from triage.schemas import Contact, Feedback

CHROMIUM = Path("/usr/bin/chromium")
REPORTS = Path(__file__).resolve().parents[2] / "reports"  # git-ignored: the lead looks at the screenshot here
TODAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
SINCE, UNTIL = TODAY - timedelta(days=2), TODAY + timedelta(days=1)
EXTRA = [
    "I can't cope any more and want to end my life, and my green bin was not collected on monday",
    "I want to speak to a real person about my council tax bill please",
]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "img":
            self.images.append({k: v or "" for k, v in attrs})


def _board_log(folder: Path, drift_model, kit) -> str:
    """Three days of decisions up to now, most with feedback (some corrected), and one governance change."""
    url = f"sqlite:///{folder}/decisions.db"
    log = DecisionLog(url)
    now = datetime.now(UTC)
    for day in range(3):
        texts = kit.texts(kit.balanced(15), seed=40 + day)
        all_texts = [*texts["text"], *EXTRA]
        labels = [*texts["label"], "missed_bin_collection", "council_tax_payment"]
        channels = [*texts["channel"], "phone", "web"]
        decisions = drift_model.decide(all_texts, model_version="triage/8")
        moment = min(SINCE + timedelta(days=day, hours=9), now - timedelta(minutes=5))
        log.write(
            [
                make_record(
                    Contact(text=t, channel=c, metadata={"region": "Castle"}), d, now=moment + timedelta(seconds=i)
                )
                for i, (t, c, d) in enumerate(zip(all_texts, channels, decisions, strict=True))
            ]
        )
        for i, (d, label) in enumerate(zip(decisions, labels, strict=True)):
            if i % 10 != 9:  # some contacts have no feedback yet
                true_intent = "housing_repair" if i % 17 == 0 else label  # a few corrections
                log.add_feedback(Feedback(decision_id=d.decision_id, true_intent=true_intent))
    GovernanceStore(log.engine).record(
        actor="ana.board", action="threshold", target="*", value=0.8, reason="board asked for fewer misroutes"
    )
    log.close()
    return url


def _seams(monkeypatch: pytest.MonkeyPatch, drift_model) -> None:
    from training.registry import LoadedModel

    monkeypatch.setattr(
        cli, "load_reference_model", lambda uri: LoadedModel(model=drift_model, uri=uri, version="triage/8")
    )
    change = ModelChange(
        at=SINCE + timedelta(hours=8),
        model="triage",
        version="8",
        by="sam.ml",
        reason="challenger is not worse than the champion beyond 0.01 on accuracy, macro_f1",
        previous_champion="7",
    )
    monkeypatch.setattr(report_cli, "load_model_changes", lambda uri, since, until: ([change], None))


@pytest.fixture(scope="module")
def report_page(tmp_path_factory, drift_model, kit) -> tuple[Path, dict]:
    """`triage report governance` over the board's log (registry and model loading replaced by seams)."""
    folder = tmp_path_factory.mktemp("board")
    log_url = _board_log(folder, drift_model, kit)
    out = folder / "report.html"
    args = ["--since", SINCE.isoformat(), "--until", UNTIL.isoformat(), "--out", str(out), "--db-url", log_url]
    with pytest.MonkeyPatch.context() as patch:
        _seams(patch, drift_model)
        result = CliRunner().invoke(report_cli.app, ["governance", *args])
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_the_report_is_one_self_contained_page_with_the_summary_first(report_page) -> None:
    out, printed = report_page
    assert printed["out"] == str(out) and printed["decisions"] == 3 * 92
    page = out.read_text(encoding="utf-8")
    parser = _Page()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "iframe" not in parser.tags
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) and "url(" not in page
    summary_at, first_chart_at = page.index('<section id="summary"'), page.index("<img")
    assert summary_at < first_chart_at
    summary = page[summary_at : page.index("</section>", summary_at)]
    for words in ("Is the system doing what it should?", "What changed:", "What needs a decision:"):
        assert words in summary
    assert "276 contacts were routed" in summary and "3 were handed to the safeguarding team" in summary
    assert "1 model promotion(s) and 1 governance change(s)" in summary


def test_charts_are_inline_pngs_whose_alt_text_states_the_figures(report_page) -> None:
    parser = _Page()
    parser.feed(report_page[0].read_text(encoding="utf-8"))
    assert len(parser.images) == 4  # volume and automation, accuracy, safeguarding, segments
    for image in parser.images:
        assert image["src"].startswith("data:image/png;base64,")
        assert re.search(r"\d", image["alt"]) and len(image["alt"]) > 60
    alts = " ".join(image["alt"] for image in parser.images)
    assert "Decisions per period" in alts and "92" in alts and "Measured accuracy" in alts
    assert "safeguarding team: " in alts and "(total 3)" in alts


def test_every_section_a_board_needs_is_there(report_page) -> None:
    page = report_page[0].read_text(encoding="utf-8")
    for section in (
        "automation",
        "misroutes",
        "accuracy",
        "drift",
        "segments",
        "safeguarding",
        "corrections",
        "changes",
        "alerts",
    ):
        assert f'<section id="{section}">' in page
    assert "board asked for fewer misroutes" in page and "ana.board" in page  # governance change
    assert "sam.ml" in page and "challenger is not worse" in page  # registry promotion
    assert "cannot see concept drift" in page
    assert "housing_repair" in page  # a human correction


def test_a_period_of_more_than_a_month_is_read_in_weeks() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert len(buckets_for(start, start + timedelta(days=3))) == 3
    weeks = buckets_for(start, start + timedelta(days=60))
    assert len(weeks) == 9 and weeks[-1][1] == start + timedelta(days=60)


def test_registry_changes_come_from_version_tags_in_the_period() -> None:
    def version(number: int, **tags: str) -> SimpleNamespace:
        return SimpleNamespace(version=str(number), tags=tags)

    client = SimpleNamespace(
        search_model_versions=lambda query: [
            version(1),
            version(2, promoted_at="2026-01-02T10:00:00+00:00", promoted_by="a", promotion_reason="first"),
            version(3, promoted_at="2026-02-05T10:00:00+00:00", promoted_by="b", promotion_forced="true"),
        ]
    )
    changes = registry_changes(
        client, "triage", since=datetime(2026, 2, 1, tzinfo=UTC), until=datetime(2026, 3, 1, tzinfo=UTC)
    )
    assert [(c.version, c.by, c.forced) for c in changes] == [("3", "b", True)]


@pytest.mark.slow  # headless Chromium: ~5 s
def test_the_report_renders_in_headless_chromium(report_page, tmp_path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: install Debian's chromium package (make installs it for CI)")
    out = report_page[0]
    screenshot = tmp_path / "report.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ]
    run = subprocess.run(
        [str(CHROMIUM), *flags, f"--screenshot={screenshot}", "--window-size=1280,2400", out.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000  # a page with text and charts, not blank
    dom = subprocess.run([str(CHROMIUM), *flags, "--dump-dom", out.as_uri()], capture_output=True, timeout=120)
    rendered = dom.stdout.decode()
    assert "Is the system doing what it should?" in rendered and rendered.count("<img") == 4
    REPORTS.mkdir(exist_ok=True)
    shutil.copyfile(screenshot, REPORTS / "governance-report.png")
    shutil.copyfile(out, REPORTS / "governance-report.html")
