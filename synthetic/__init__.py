"""Synthetic labelled contacts for the default council taxonomy, drift scenarios and timestamped streams.

Modules: ``generator`` (contacts), ``splits`` (held-out-family splits), ``scenarios`` and ``stream``
(drift), ``fidelity`` (data-set report), ``cli`` (the ``triage synth`` commands).
"""
