"""API-key authentication: ``Authorization: Bearer KEY``, compared in constant time.

Route and feedback calls need an API key (or development mode with no keys configured); governance
controls need an admin key, always. The caller's key *name* (never the key) identifies who acted.
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request, status


def _match(request: Request, keys: dict[str, str]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Missing API key: send the header 'Authorization: Bearer <key>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    supplied = token.strip().encode()
    name = None
    for key, key_name in keys.items():  # check every key: time does not depend on which one matched
        if hmac.compare_digest(supplied, key.encode()):
            name = key_name
    if name is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="Key not recognised for this operation.")
    return name


async def check_api_key(request: Request) -> str:
    """Dependency for route and feedback; returns the caller's name."""
    settings = request.app.state.settings
    keys = settings.api_key_names
    if not keys and settings.dev_mode:
        return "development"
    return _match(request, keys)


async def check_admin_key(request: Request) -> str:
    """Dependency for governance controls; returns the administrator's name."""
    keys = request.app.state.settings.admin_key_names
    if not keys:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            detail="Governance controls are disabled: set TRIAGE_ADMIN_KEYS to enable them.",
        )
    return _match(request, keys)
