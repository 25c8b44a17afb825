"""How long an advisor waits for a client file, measured in headless Chromium.

Needs a running API and dashboard on demo data (e.g. ``make run`` then
``credit-scoring serve`` and ``credit-scoring dashboard``) and an advisor account:

    BENCH_PASSWORD=... uv run python bench/bench_dashboard.py \
        --dashboard http://127.0.0.1:8501 --user advisor --clients 8

For each client: the time from the click on "Ouvrir le dossier" to the file's title and its
first chart being drawn (cold: first opening; warm: opened again, served from the cache).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from playwright.sync_api import Page, expect, sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def open_file(page: Page, client_id: str) -> float:
    page.get_by_test_id("stSidebarNav").get_by_text("Recherche de clients", exact=True).click()
    box = page.get_by_label("Identifiant client")
    box.fill(client_id)
    box.press("Enter")
    expect(page.get_by_text("1 client(s) trouvé(s).")).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)
    start = time.perf_counter()
    page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.get_by_role("heading", name=f"Dossier du client n° {client_id}")).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible(timeout=30_000)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dashboard", default="http://127.0.0.1:8501")
    parser.add_argument("--user", default="advisor")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--first-id", type=int, default=100_010)
    args = parser.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(args.dashboard)
        page.get_by_label("Identifiant").fill(args.user)
        page.get_by_label("Mot de passe").fill(os.environ["BENCH_PASSWORD"])
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_text("client(s) trouvé(s)", exact=False)).to_be_visible(timeout=30_000)
        ids = [str(args.first_id + i) for i in range(args.clients)]
        cold = [open_file(page, i) for i in ids]
        warm = [open_file(page, i) for i in ids]
        browser.close()
    for name, times in (("cold", cold), ("warm", warm)):
        print(
            f"client file, {name}: median {statistics.median(times):.2f} s, "
            f"max {max(times):.2f} s over {len(times)} clients"
        )


if __name__ == "__main__":
    main()
