"""The technical and risk sections of the transparency record (Tier 2 sections 4 and 5), and shared facts.

:class:`TechnicalText` reads the model (card, taxonomy, policy, detectors), the MLflow run and the monitoring
facts once, and writes the tool, model and data specification and the risks; :class:`monitoring.atrs.RecordText`
adds the other sections on top of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from monitoring.atrs_performance import monitoring_figures, safeguarding_figures, segment_figures, training_figures
from monitoring.html import pct

if TYPE_CHECKING:
    from monitoring.atrs_facts import MonitoringFacts, RunFacts
    from monitoring.atrs_schema import Figure
    from training.registry import LoadedModel


@dataclass
class Content:
    """What the system can say in one field."""

    text: str
    items: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    note: str | None = None


@dataclass
class ForCouncil:
    """A field only the council can answer, with what the system knows that may help."""

    note: str | None = None


MODEL_TYPES = {
    "tfidf": "TF-IDF word and character n-grams with logistic regression",
    "embedding": "all-MiniLM-L6-v2 sentence embeddings (a small pre-trained language model run locally) with a "
    "logistic-regression head",
    "ensemble": "the average of two classifiers: TF-IDF word and character n-grams with logistic regression, and "
    "all-MiniLM-L6-v2 sentence embeddings (a small pre-trained language model run locally) with a "
    "logistic-regression head",
    "finetune": "all-MiniLM-L6-v2 (a small pre-trained language model) fine-tuned end to end with a classification "
    "head",
}
PII_NAMES = {
    "EMAIL": "email addresses",
    "PHONE": "phone numbers",
    "POSTCODE": "postcodes",
    "ADDRESS": "address lines",
    "NI_NUMBER": "National Insurance numbers",
    "NHS_NUMBER": "NHS numbers",
    "CARD_NUMBER": "card numbers",
    "BANK_ACCOUNT": "bank account numbers",
    "SORT_CODE": "sort codes",
    "COUNCIL_TAX_REF": "council-tax references",
    "BENEFIT_REF": "benefit references",
    "UPRN": "property reference numbers (UPRN)",
    "DOB": "dates of birth",
    "NAME": "names",
    "REFERENCE": "other reference numbers",
}


class TechnicalText:
    """Facts about the model and its run, and the content of the tool specification and risk fields."""

    def __init__(self, loaded: LoadedModel, run: RunFacts, monitoring: MonitoringFacts | None) -> None:
        self.loaded = loaded
        self.run = run
        self.monitoring = monitoring
        self.model = loaded.model
        self.card = loaded.model.card
        self.policy = loaded.model.policy
        self.taxonomy = loaded.model.taxonomy
        self.training = training_figures(run, target_precision=self.policy.target_precision)
        self.safeguarding = safeguarding_figures(run)
        self.segments = segment_figures(run)
        self.in_service = monitoring_figures(monitoring) if monitoring is not None else []

    # --- shared facts ---------------------------------------------------------------------------------------

    @property
    def self_service_intents(self) -> list:
        return [i for i in self.taxonomy.intents if i.route == "self_service"]

    @property
    def human_intents(self) -> list:
        return [i for i in self.taxonomy.intents if i.route == "human"]

    @property
    def pii_types(self) -> list[str]:
        from triage.redaction import PII_TYPES

        return [PII_NAMES.get(kind, kind.replace("_", " ").lower()) for kind in PII_TYPES]

    @property
    def safeguarding_categories(self) -> list[str]:
        from triage.safeguarding import CATEGORIES

        return [c.replace("_", " ") for c in CATEGORIES]

    @property
    def model_type_text(self) -> str:
        return MODEL_TYPES.get(self.card.model_type, self.card.model_type)

    @property
    def segment_sizes(self) -> list[Figure]:
        return [f for f in self.segments if f.key.startswith("segment_n/")]

    @property
    def segment_accuracy(self) -> list[Figure]:
        """Accuracy and gap per segment (the sizes are in 4.3.6)."""
        return [f for f in self.segments if not f.key.startswith("segment_n/")]

    def out_of_scope_points(self) -> list[str]:
        threshold = self.policy.out_of_scope_threshold
        if self.model.out_of_scope is None or threshold is None:
            return [
                "This model version has no out-of-scope check: a contact about something new is judged only by "
                "its confidence."
            ]
        rate = self.run.params.get("in_scope_pass_rate")
        return [
            f"A contact unlike anything the model was trained on (in-scope score below {threshold:g}) is never acted "
            "on: a person decides"
            + (
                f"; the check was set to let {pct(float(rate))} of correctly handled held-out contacts through."
                if rate
                else "."
            )
        ]

    def never_automated_points(self) -> list[str]:
        never = sorted(
            {i for i, t in self.policy.intent_thresholds.items() if t >= 1.0} | set(self.policy.disabled_intents)
        )
        if not never:
            return []
        return [f"Never automated by this model's policy (threshold 1.0 or switched off): {', '.join(never)}."]

    def controls_points(self) -> list[str]:
        controls = self.monitoring.controls if self.monitoring is not None else None
        if controls is None:
            return []
        points = []
        if not controls.automation_enabled:
            points.append("When this record was made the kill switch was engaged: every contact went to a person.")
        if controls.disabled_intents:
            points.append(
                "When this record was made automation was switched off for: "
                + ", ".join(sorted(controls.disabled_intents))
                + "."
            )
        if controls.threshold_overrides:
            shown = ", ".join(f"{k} {v:g}" for k, v in sorted(controls.threshold_overrides.items()))
            points.append(f"Threshold overrides in force when this record was made: {shown}.")
        return points or ["When this record was made no governance control overrode the model's policy."]

    def no_monitoring_note(self) -> str:
        if self.monitoring is not None and self.monitoring.note:
            return self.monitoring.note
        return "Generate the record with a decision-log window (--since/--until) to fill this from the service's log."

    # --- Tier 2: tool specification -------------------------------------------------------------------------

    def _system_architecture(self) -> Content:
        return Content(
            "Five parts, which can all run on the council's own infrastructure with no network access at run time:",
            items=[
                "An HTTP service (FastAPI) that routes each contact and records the agent's feedback.",
                "The core library: redaction, safeguarding, person-request rules, classifiers, calibration and the "
                "routing policy (a pure function from these signals to a decision).",
                "A decision log (a SQLite file, or a PostgreSQL database) holding every decision with redacted text, "
                "hash-chained so edits are detectable.",
                "An MLflow model registry: every trained version with its metrics and data hash; the alias "
                "'champion' is the version in service, 'challenger' the candidate.",
                "Monitoring: drift reports (Evidently), accuracy estimated from confidence beside accuracy measured "
                "from feedback, scheduled alert checks that notify staff by webhook or e-mail, a dashboard and a "
                "governance report.",
            ],
            sources=["software design"],
        )

    def _maintenance(self) -> Content:
        tags = self.run.version_tags
        items = [
            "Retraining (`triage train`, optionally with agents' feedback) registers a new version as challenger; "
            "`triage promote` moves it into service only if it is not worse than the current version on the same "
            "evaluation data beyond a tolerance; a forced promotion needs a reason and is recorded.",
            "The service picks up a new champion without downtime; moving the alias back rolls back.",
            "Scheduled checks (volume, drift, estimated and measured accuracy, accepted share, estimate gap, gaps "
            "by intent and by channel, language and region) alert staff when a condition fails.",
        ]
        if tags.get("promoted_at"):
            items.append(
                f"This version was promoted on {tags['promoted_at']} by {tags.get('promoted_by', 'unknown')}: "
                f"{tags.get('promotion_reason', 'no reason recorded')}."
            )
        return Content(
            "How the model is kept up to date and checked:",
            items=items,
            sources=["model registry", "monitoring checks"],
            note="Add how often the checks run, how often the model is reviewed and retrained, and by whom.",
        )

    def _models(self) -> Content:
        detector = self.model.safeguarding
        learned = getattr(detector, "classifier", None) is not None
        return Content(
            "The tool combines models and rules:",
            items=[
                f"Intent classifier ({self.card.model_type}): {self.model_type_text} (4.2 describes it).",
                f"Confidence calibration: {self.card.calibration or 'none'}, fitted on held-out data.",
                "Out-of-scope scorer: how much a contact looks like the training contacts."
                if self.model.out_of_scope is not None
                else "No out-of-scope scorer in this version.",
                "Safeguarding detector: rules for explicit statements"
                + (
                    " and a learned model trained on labelled vulnerable contacts."
                    if learned
                    else " (no learned part)."
                ),
                "Person-request rules (asking for a person, or saying online services will not work).",
                "Redaction rules for personal data (no model).",
            ],
            sources=["model card", "model folder"],
        )

    def _model_name(self) -> Content:
        name = self.run.registered_name or self.loaded.uri
        return Content(f"{name} (intent classifier)", sources=["model registry"])

    def _model_version(self) -> Content:
        items = [f"Trained on {self.card.trained_at:%d %B %Y %H:%M} UTC."]
        if self.run.run_id:
            items.append(f"MLflow run {self.run.run_id}.")
        items.append(f"Policy version {self.policy.version}; taxonomy '{self.taxonomy.name}' {self.taxonomy.version}.")
        items.append(f"Training data hash (SHA-256): {self.card.dataset_hash}.")
        return Content(self.loaded.version, items=items, sources=["model registry", "model card"])

    def _model_task(self) -> Content:
        return Content(
            f"Multi-class text classification: which of the {len(self.card.label_counts)} intents a contact is about, "
            "with a calibrated probability for each.",
            sources=["model card"],
        )

    def _model_input(self) -> Content:
        return Content(
            "The text of one contact, as written or transcribed, with its channel and declared language when the "
            "contact-centre system sends them. The text is read in memory; only its redacted form is stored.",
            sources=["HTTP API", "model card"],
        )

    def _model_output(self) -> Content:
        return Content(
            "A calibrated probability for each intent; the routing policy turns it into the decision described in 3.2.",
            sources=["model card"],
        )

    def _model_architecture(self) -> Content:
        card, policy = self.card, self.policy
        items = [f"Settings: {', '.join(f'{k}={v}' for k, v in sorted(card.params.items()))}."] if card.params else []
        if card.calibration:
            items.append(
                f"Calibration: {card.calibration}"
                + (f" (temperature {card.temperature:.3f})" if card.temperature is not None else "")
                + ", the method with the lower cross-fitted calibration error on held-out data."
            )
        items.append(
            f"Acceptance threshold {policy.acceptance_threshold:g} ({policy.threshold_source}), "
            f"{len(policy.intent_thresholds)} intents with a tuned threshold of their own, "
            f"ambiguity margin {policy.ambiguity_margin:g}"
            + (f", tuned to a precision target of {policy.target_precision:g}." if policy.target_precision else ".")
        )
        if policy.out_of_scope_threshold is not None:
            items.append(f"Out-of-scope threshold {policy.out_of_scope_threshold:g}.")
        return Content(
            self.model_type_text[:1].upper() + self.model_type_text[1:] + ".",
            items=items,
            sources=["model card", f"policy {policy.version}"],
        )

    def _model_performance(self) -> Content:
        items = []
        if not any(f.key == "out_of_scope_recall" for f in self.training):
            items.append(
                "Out-of-scope handling was not measured for this version: its held-out data had no contacts "
                "labelled out of scope (train with rows labelled 'oos' to measure it). The check itself is in 2.1."
            )
        if not self.safeguarding:
            items.append("Safeguarding recall was not measured for this version (its data had no safeguarding labels).")
        if not self.segments:
            items.append("No figures by channel, language or region: the held-out data had no such columns.")
        if self.run.note:
            items.append(self.run.note)
        if self.monitoring is None or not self.in_service:
            items.append("No in-service figures: " + self.no_monitoring_note())
        else:
            items.extend(self.check_points())
        return Content(
            "Held-out figures are the MLflow metrics of this version's training run; in-service figures come from "
            "the monitoring checks over the decision log. Each figure below names the data it was measured on.",
            items=items,
            figures=[*self.training, *self.safeguarding, *self.segment_accuracy, *self.in_service],
            sources=[f"MLflow run {self.run.run_id}" if self.run.run_id else "no MLflow run", "monitoring checks"],
            note="Add figures on the council's own labelled contacts (`triage evaluate --data FILE`): figures on one "
            "data set say little about another.",
        )

    def check_points(self) -> list[str]:
        report = self.monitoring.report if self.monitoring is not None else None
        if report is None:
            return []
        failed = ", ".join(r.condition for r in report.failed) or "none"
        return [
            f"Alert checks over {self.monitoring.window}: {len(report.failed)} failed ({failed}), "
            f"{len(report.passed)} passed, {len(report.skipped)} could not be judged."
        ]

    def _datasets(self) -> Content | ForCouncil:
        params = self.run.params
        if not params:
            return ForCouncil(f"The training data's hash is {self.card.dataset_hash}; no MLflow run says more.")
        items = [
            f"Training data: {params.get('data', 'unknown')} ({self.card.n_train:,} contacts, SHA-256 "
            f"{self.card.dataset_hash}).",
            f"Held-out data: {params.get('validation_data', 'a held-out split')} "
            f"({self.card.n_validation:,} contacts).",
        ]
        if self.card.n_out_of_scope_examples:
            items.append(f"Out-of-scope examples: {self.card.n_out_of_scope_examples:,} contacts labelled as such.")
        if params.get("feedback_rows", "0") not in ("0", ""):
            items.append(f"Agents' feedback from the decision log: {params['feedback_rows']} contacts.")
        return Content(
            self.run.tags.get("data_description", "Labelled contacts (see 4.3)."),
            items=items,
            sources=[f"MLflow run {self.run.run_id}", "model card"],
        )

    def _dataset_purposes(self) -> Content:
        return Content(
            "What each data set was used for:",
            items=[
                "Training data: fitting the classifier and the safeguarding detector.",
                "Held-out data: calibrating confidence, tuning the thresholds and the out-of-scope check, measuring "
                "the figures in 4.2.7, and (redacted) as the reference that drift monitoring compares with.",
                "Decision log: in-service monitoring, and agents' feedback for retraining when asked.",
            ],
            sources=["training procedure"],
        )

    def _source_data_name(self) -> Content | ForCouncil:
        data = self.run.params.get("data")
        if data is None:
            return ForCouncil()
        return Content(
            data,
            items=[self.run.tags["data_description"]] if "data_description" in self.run.tags else [],
            sources=[f"MLflow run {self.run.run_id}"],
        )

    def _data_modality(self) -> Content:
        return Content("Text: written or transcribed contacts, each labelled with its intent.", sources=["model card"])

    def _data_description(self) -> Content:
        extra = " and vulnerability category" if self.safeguarding else ""
        return Content(
            f"Contacts (column '{self.card.text_column}') with their intent (column '{self.card.label_column}'){extra}"
            f"; {len(self.card.label_counts)} intents; segment columns (channel, language, region) where present.",
            sources=["model card", f"MLflow run {self.run.run_id}"],
        )

    def _data_quantities(self) -> Content:
        counts = self.card.label_counts.values()
        return Content(
            f"{self.card.n_train:,} training contacts and {self.card.n_validation:,} held-out contacts; "
            f"{len(self.card.label_counts)} intents with {min(counts, default=0):,} to {max(counts, default=0):,} "
            "contacts each"
            + (
                f"; {self.card.n_out_of_scope_examples:,} out-of-scope examples."
                if self.card.n_out_of_scope_examples
                else "."
            ),
            sources=["model card"],
        )

    def _sensitive_attributes(self) -> Content:
        return Content(
            "Contact text can hold personal data and signs of vulnerability. Before anything is stored or printed, "
            "the tool replaces " + ", ".join(self.pii_types) + " with placeholders. No protected characteristic is an "
            "input (the text may still mention one); language decides Welsh handling; channel and region are used "
            "only to measure accuracy gaps between groups.",
            items=[f"Safeguarding categories it looks for: {', '.join(self.safeguarding_categories)}."],
            sources=["redaction rules", "safeguarding detector"],
        )

    def _data_completeness_and_representativeness(self) -> Content:
        sizes = self.segment_sizes
        return Content(
            "The held-out data's make-up by channel, language and region is below; accuracy per group is in 4.2.7."
            if sizes
            else "The held-out data had no channel, language or region columns, so its make-up cannot be shown.",
            items=[self.run.tags["data_description"]] if "data_description" in self.run.tags else [],
            figures=sizes,
            sources=[f"MLflow run {self.run.run_id}"],
            note="Compare this mix with the council's real contacts, and say which groups may be under-represented.",
        )

    def _data_collection(self) -> Content | ForCouncil:
        described = self.run.tags.get("data_description")
        return Content(described, sources=[f"MLflow run {self.run.run_id}"]) if described else ForCouncil()

    def _data_cleaning(self) -> Content:
        return Content(
            "A file with an empty text or label is refused until it is fixed; labels are trimmed; rows labelled as "
            "out of scope are kept apart (they tune the out-of-scope check and are never learnt as an intent); "
            "feedback rows are de-duplicated against the training data; the reference sample kept for monitoring is "
            "redacted.",
            sources=["training procedure"],
        )

    def _data_access_and_storage(self) -> Content:
        return Content(
            "Decisions and feedback are kept in the council's decision log with redacted text only; models, their "
            "metrics and a redacted reference sample of held-out contacts are kept in the council's MLflow store.",
            sources=["software design"],
            note="Add who can access the log and the registry, where they are hosted, and how long records are kept.",
        )

    # --- Tier 2: risks -----------------------------------------------------------------------------------------

    def _impact_assessment(self) -> ForCouncil:
        return ForCouncil(
            "Name, date and link of each assessment (data protection impact assessment, equality impact "
            "assessment, ...). The figures by channel, language and region in 4.2.7 can inform the equality one."
        )

    def _risks_and_mitigations(self) -> Content:
        def figure(key: str) -> list[Figure]:
            return [f for f in self.training + self.safeguarding if f.key == key]

        gaps = [f for f in self.segments if f.key.startswith("segment_gap/")]
        worst = [min(gaps, key=lambda f: f.value)] if gaps else []
        items = [
            "A wrong self-service answer: the thresholds are tuned on held-out data to a stated precision target and "
            "the tool abstains when unsure; agents' feedback finds misroutes, and a check alerts when measured "
            "accuracy falls.",
            "A vulnerable person not recognised: the safeguarding detector runs before anything else and beats "
            "confidence; its recall is measured per category (4.2.7). Indirect or unusual wording can still be "
            "missed: staff should read every contact they are given.",
            "A person who needs a person not getting one: asking for a person, or saying online services will not "
            "work, always reaches staff; intents the council wants people to handle are never automated.",
            "Contacts about something new or outside the taxonomy acted on: "
            + ("the out-of-scope check sends them to a person; " if self.model.out_of_scope is not None else "")
            + "the intent-gap and estimate-gap checks alert when agents' corrections show a new need.",
            "Worse service for some groups: accuracy is measured by channel, language and region, and a check "
            "alerts when a group falls behind; Welsh contacts never get an English-only answer.",
            "Change over time (new needs, new words, a policy change): drift and accuracy checks run on a schedule "
            "and notify staff; the estimate from confidence cannot see a change in what words mean, which is why "
            "feedback is checked against it.",
            "Personal data exposed: text is redacted before it is stored or printed; alerts carry only check names "
            "and figures.",
            "Over-reliance on automation: staff can stop it at once (kill switch) or per intent; every change and "
            "every decision is kept in a tamper-evident trail.",
            *self.check_points(),
        ]
        return Content(
            "The main risks and how the tool reduces each:",
            items=items,
            figures=[
                *figure("accepted_precision"),
                *figure("safeguarding_recall"),
                *figure("out_of_scope_recall"),
                *worst,
            ],
            sources=["routing policy", "monitoring checks", f"MLflow run {self.run.run_id}"],
            note="Add the risks of the council's own setting (staffing, channels, the people it serves).",
        )
