"""Monitoring: drift reports over the decision log, compared with the model's training reference."""
