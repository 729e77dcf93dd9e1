"""Monitoring that keeps a human in charge: drift, measured and estimated accuracy, checks, dashboard, reports.

Modules: ``frames`` and ``window`` (what is compared: the model's reference and a window of decisions),
``drift`` (Evidently drift report), ``estimate`` (accuracy before labels: CBPE), ``quality`` (automation,
accuracy, segments, misroutes), ``checks`` (conditions a scheduler alerts on), ``workspace`` (the Evidently
dashboard), ``governance_report`` and ``charts`` (the board's HTML page), ``cli`` and ``report_cli`` (the
``triage monitor`` and ``triage report`` commands), ``scenario_table`` (the detection table script).
"""
