"""Reads of a client's personal data and scores, recorded in ``data_access_events``.

Routes that show one client's data take ``ClientReader`` instead of ``CurrentUser``: the
read (who, role, when, which client, which route) is synced to the audit spool before the
route runs, so no client's data is shown without its access record. Score routes write
the access record together with the score log record (one disk sync).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request

from credit_scoring.api.deps import CurrentUser
from credit_scoring.lending.security import Principal

ClientId = Annotated[int, Path(ge=0, le=2**53, description="SK_ID_CURR")]


def access_row(user: Principal, route: str, sk_id_curr: int | None) -> dict[str, Any]:
    return {"username": user.username, "role": user.role, "route": route, "sk_id_curr": sk_id_curr}


async def record_client_access(
    request: Request, sk_id_curr: ClientId, user: CurrentUser
) -> Principal:
    endpoint = request.scope.get("endpoint")
    route = getattr(endpoint, "__name__", request.url.path)
    await request.app.state.audit.awrite(
        [("data_access_events", access_row(user, route, sk_id_curr))]
    )
    return user


ClientReader = Annotated[Principal, Depends(record_client_access)]
