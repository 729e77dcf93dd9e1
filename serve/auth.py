"""API-key authentication: ``Authorization: Bearer KEY``, compared in constant time."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, status


def check_api_key(request: Request) -> None:
    """FastAPI dependency: 401 without a key, 403 with a wrong one; open in development mode with no keys."""
    settings = request.app.state.settings
    keys = settings.api_key_set
    if not keys and settings.dev_mode:
        return
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Missing API key: send the header 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    supplied = token.strip().encode()
    if not any(hmac.compare_digest(supplied, key.encode()) for key in keys):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="API key not recognised: check TRIAGE_API_KEYS.")
