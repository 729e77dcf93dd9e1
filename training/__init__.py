"""Training, evaluation, MLflow tracking and gated model releases."""
