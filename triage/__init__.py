"""Contact triage core: taxonomy, schemas, classifiers, routing policy, redaction and decision log.

Importable without a web server, MLflow or Evidently.
"""

__version__ = "0.1.0"
