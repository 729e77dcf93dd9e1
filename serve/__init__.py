"""The HTTP routing service (FastAPI)."""
