"""What a user of the compose stack sees, through its published ports (tests/deploy/run.sh).

``/health`` ready with the model loaded; a login; a new application (the documented example)
with its decision and its letter (a PDF); the dashboard's login page in a browser, and a login
there (it calls the API over compose's network); with ``--applicant``, the applicant space's
health endpoint and page. ``--health-only`` after a roll: ready, and the
same model version as the first run (``--expect-state``). Exits 1 with what failed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")


class CheckError(Exception):
    pass


def _request(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def health(api: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    body: Any = None
    while time.monotonic() < deadline:
        try:
            status, _, raw = _request(f"{api}/health")
            body = json.loads(raw)
            if status == 200 and body.get("ready") and body.get("model_version"):
                return dict(body)
        except (OSError, ValueError) as exc:
            body = repr(exc)
        time.sleep(2)
    raise CheckError(f"{api}/health is not ready with a model after {seconds:.0f} s: {body}")


def login(api: str, username: str, password: str) -> str:
    form = urllib.parse.urlencode({"username": username, "password": password}).encode()
    status, _, raw = _request(
        f"{api}/auth/token",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200:
        raise CheckError(f"login as {username}: {status} {raw[:300]!r}")
    return str(json.loads(raw)["access_token"])


def new_application(api: str, token: str, example: Path) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}"}
    status, _, raw = _request(
        f"{api}/applications?lang=en",
        data=example.read_bytes(),
        headers={**auth, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())},
    )
    if status != 201:
        raise CheckError(f"POST /applications: {status} {raw[:500]!r}")
    out = json.loads(raw)
    if out.get("decision") not in ("grant", "refuse", "refer") or not out.get("reasons_against"):
        raise CheckError(f"POST /applications answered without a decision and reasons: {out}")
    status, headers, pdf = _request(
        f"{api}/applications/{out['application_id']}/letter?lang=en", headers=auth
    )
    kind = headers.get("content-type", headers.get("Content-Type", ""))
    if status != 200 or not pdf.startswith(b"%PDF") or "application/pdf" not in kind:
        raise CheckError(f"the letter: {status} {kind} {pdf[:100]!r}")
    return {"application_id": out["application_id"], "decision": out["decision"], "pdf": len(pdf)}


def dashboard_page(dashboard: str) -> None:
    status, _, raw = _request(f"{dashboard}/_stcore/health")
    if status != 200 or raw.strip() != b"ok":
        raise CheckError(f"{dashboard}/_stcore/health: {status} {raw[:200]!r}")
    status, _, raw = _request(dashboard)
    if status != 200 or b"<html" not in raw.lower():
        raise CheckError(f"{dashboard}/: {status} {raw[:200]!r}")


def applicant_page(applicant: str) -> None:
    """The applicant space's health endpoint and its page through the published port."""
    status, _, raw = _request(f"{applicant}/_stcore/health")
    if status != 200:
        raise CheckError(f"{applicant}/_stcore/health: {status} {raw[:200]!r}")
    status, _, raw = _request(applicant)
    if status != 200:
        raise CheckError(f"{applicant}/: {status} {raw[:200]!r}")


def dashboard_login(dashboard: str, username: str, password: str) -> str:
    """The login page in Debian's chromium, then a login (the dashboard calls the API)."""
    if not CHROMIUM.exists():
        raise CheckError(f"{CHROMIUM} is missing (`apt-get install chromium`; `make test` does it)")
    from playwright.sync_api import expect, sync_playwright

    wait = 60_000
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page()
            page.goto(dashboard)
            expect(page.get_by_text("Prêt à dépenser — espace conseiller")).to_be_visible(
                timeout=wait
            )
            page.get_by_label("Identifiant").fill(username)
            page.get_by_label("Mot de passe").fill(password)
            page.get_by_role("button", name="Se connecter").click()
            found = page.get_by_text(re.compile(r"\d+ client\(s\) trouvé\(s\)"))
            expect(found).to_be_visible(timeout=wait)
            return str(found.first.inner_text())
        finally:
            browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", required=True)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--applicant", help="the applicant space's published address")
    parser.add_argument("--username")
    parser.add_argument("--password")
    parser.add_argument("--application", type=Path)
    parser.add_argument("--out", type=Path, help="write the served model version here")
    parser.add_argument("--health-only", action="store_true")
    parser.add_argument("--expect-state", type=Path, help="the --out of an earlier run")
    args = parser.parse_args()
    try:
        served = health(args.api)
        print(f"   /health: ready, {served['model_name']} v{served['model_version']}")
        if args.expect_state:
            before = json.loads(args.expect_state.read_text(encoding="utf-8"))
            if served["model_version"] != before["model_version"]:
                raise CheckError(
                    f"the API serves v{served['model_version']}, not v{before['model_version']}"
                )
        dashboard_page(args.dashboard)
        print("   dashboard: /_stcore/health ok and its page through the published port")
        if args.applicant:
            applicant_page(args.applicant)
            print("   applicant space: /_stcore/health ok and its page through the published port")
        if not args.health_only:
            token = login(args.api, args.username, args.password)
            print(f"   login as {args.username}: token received")
            done = new_application(args.api, token, args.application)
            print(
                f"   new application {done['application_id']}: {done['decision']}, "
                f"letter {done['pdf']:,} bytes (PDF)"
            )
            found = dashboard_login(args.dashboard, args.username, args.password)
            print(f"   dashboard in chromium: login page, logged in, '{found}'")
        if args.out:
            args.out.write_text(json.dumps({"model_version": served["model_version"]}))
    except CheckError as exc:
        print(f"   check failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
