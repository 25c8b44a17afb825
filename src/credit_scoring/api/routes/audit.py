"""``/audit/...`` (admin): browse and export (CSV) the audit log, and check its hash chains."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from credit_scoring.api.deps import AdminUser
from credit_scoring.db import audit_chain, audit_queries
from credit_scoring.lending import audit_schemas as a
from credit_scoring.lending.schemas import ErrorOut

router = APIRouter(
    prefix="/audit",
    tags=["audit"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}},
)
Filters = Annotated[a.AuditFilters, Query()]
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(ge=1, le=500)]
Format = Annotated[Literal["json", "csv"], Query(description="csv: every match, oldest first")]

_SCHEMAS: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "decisions": (a.DecisionRecord, a.DecisionRecordPage),
    "scores": (a.ScoreRecord, a.ScoreRecordPage),
    "data-access": (a.DataAccessRecord, a.DataAccessRecordPage),
    "auth-events": (a.AuthEventRecord, a.AuthEventRecordPage),
}


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _csv(request: Request, kind: str, filters: a.AuditFilters) -> StreamingResponse:
    record = _SCHEMAS[kind][0]
    columns = list(record.model_fields)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        with request.app.state.sessions() as session:
            for i, row in enumerate(
                audit_queries.audit_export(session, kind, filters.model_dump()), start=1
            ):
                item = record.model_validate(row).model_dump()
                writer.writerow([_csv_cell(item[c]) for c in columns])
                if i % 500 == 0:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    name = f"audit-{kind}.csv"
    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _page(request: Request, kind: str, filters: a.AuditFilters, page: int, page_size: int) -> Any:
    record, page_model = _SCHEMAS[kind]
    with request.app.state.sessions() as session:
        rows, total = audit_queries.audit_page(
            session, kind, filters.model_dump(), page=page, page_size=page_size
        )
        items = [record.model_validate(r) for r in rows]
    return page_model(items=items, total=total, page=page, page_size=page_size)


_CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "JSON page, or CSV with format=csv"}
}


def _listing(kind: str) -> Callable[..., Any]:
    """The route of one audit table: a JSON page of it, or every match as CSV."""

    def route(
        request: Request,
        user: AdminUser,
        filters: Filters,
        page: Page = 1,
        page_size: PageSize = 50,
        format: Format = "json",
    ) -> Any:
        if format == "csv":
            return _csv(request, kind, filters)
        return _page(request, kind, filters, page, page_size)

    return route


# One route a table, in this order; its name (audit_<kind>) makes its OpenAPI id and summary.
_DESCRIPTIONS = {
    "decisions": "Decisions as recorded (newest first), or all of them as CSV.",
    "scores": "Every score served (the score log), or all of them as CSV.",
    "data-access": (
        "Reads of clients' personal data and scores (who, when, which client, which route)."
    ),
    "auth-events": (
        "Logins, failures, locks, logouts and user administration (who, when, from where)."
    ),
}
for _kind, _description in _DESCRIPTIONS.items():
    router.add_api_route(
        f"/{_kind}",
        _listing(_kind),
        methods=["GET"],
        name="audit_" + _kind.replace("-", "_"),
        description=_description,
        response_model=_SCHEMAS[_kind][1],
        responses=_CSV_RESPONSE,
    )


@router.get("/verify")
async def audit_verify(request: Request, user: AdminUser) -> list[a.ChainStatus]:
    """Walk every hash chain now (reads every record: for spot checks; the CLI does the same)."""
    reports = await run_in_threadpool(audit_chain.verify, request.app.state.engine)
    return [
        a.ChainStatus(table=r.table, records=r.records, intact=r.ok, first_break=r.first_break)
        for r in reports
    ]
