"""`repl dashboard` on the embedded stack, in real headless Chromium (selenium + chromedriver): the runs
list, a run's logs and phases, Cancel, instances and snapshots; one browser for every page. Each page's
screenshot is saved: under docs/ for the README when SKYREPL_SCREENSHOTS=docs (so that `make test` leaves the
checkout as it found it), in the test's temporary directory otherwise."""
import os
import signal
import subprocess
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import REPO
from tests.e2e.test_run import SPEC

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
WAIT_SECONDS = 30
HELLO = "echo hello from the dashboard"


@pytest.fixture
def browser():
    # A missing browser fails the test, never skips it: `make test` installs both (its `chromium` target).
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "no Chromium: apt-get install -y chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1360,860"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    yield driver
    driver.quit()


@pytest.fixture
def shots(tmp_path):
    return REPO / "docs" if os.environ.get("SKYREPL_SCREENSHOTS") == "docs" else tmp_path


@pytest.fixture
def dashboard(repl):
    proc = repl.start("dashboard", "--no-open", "--port", "0")
    line = proc.stdout.readline()
    assert line.startswith("dashboard at http://127.0.0.1:"), line + proc.stderr.read()
    yield proc, line.split()[2]
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_the_dashboard_shows_runs_logs_and_phases_and_its_cancel_ends_a_run(repl, dashboard, browser, shots):
    # Given a run that has finished and one still going, both started side by side
    finished = repl.start("run", *SPEC, "-c", HELLO, "--no-sync")
    going = repl("run", *SPEC, "-c", "echo going; sleep 600", "--no-sync", "--detach")
    assert going.returncode == 0, going.stderr
    going_id = going.stdout.strip()
    try:
        _, err = finished.communicate(timeout=60)
        assert finished.returncode == 0, err
        see_every_page(repl, dashboard, browser, shots, going_id)
    finally:  # a failure above leaves no run going (the page's Cancel has ended it otherwise: 409, ignored)
        repl("run", "cancel", going_id)


def see_every_page(repl, dashboard, browser, shots, going_id):
    finished_id = next(r["run_id"] for r in repl.json("run", "list")["runs"] if r["command"] == HELLO)
    proc, url = dashboard
    wait = WebDriverWait(browser, WAIT_SECONDS)
    text = lambda css: text_of(browser, css)  # noqa: E731

    # The runs list: the finished run, its status and its cost cell (a price or "—")
    browser.get(url)
    row = f'#runs tr[data-run-id="{finished_id}"]'
    wait.until(lambda _: text(f"{row} .status") == "succeeded")
    assert text(f"{row} .cost") == "—" or text(f"{row} .cost").startswith("$")
    assert text(f"{row} .start") == "cold"  # launched for it: no pool of the user's matched
    browser.save_screenshot(str(shots / "dashboard-runs.png"))

    # A run's page: its output, and every phase up to its instance's end
    browser.get(f"{url}#/runs/{finished_id}")
    wait.until(lambda _: "hello from the dashboard" in text("#logs"))
    wait.until(lambda _: phase_done(browser, "terminated"))
    for phase in ("queued", "launched", "booted", "registered", "started", "exited"):
        assert phase_done(browser, phase), phase
    assert text("#exit-code") == "0" and text("#status") == "succeeded"
    assert not browser.find_elements(By.ID, "cancel")  # an ended run has no Cancel
    browser.save_screenshot(str(shots / "dashboard-run.png"))

    # Cancel on the running run: the page shows it ending (the autouse fixture: no instance left)
    browser.get(f"{url}#/runs/{going_id}")
    wait.until(lambda _: "going" in text("#logs") and browser.find_elements(By.ID, "cancel"))
    browser.execute_script("document.getElementById('cancel').click()")  # one step: the page redraws every 2 s
    wait.until(lambda _: text("#status") == "cancelled")
    assert not browser.find_elements(By.ID, "cancel")

    # Instances (the embedded token is the administrator's: orphans listed, not refused) and snapshots
    browser.get(f"{url}#/instances")
    wait.until(lambda _: finished_id in text("#instances"))
    assert "administrators only" not in text("#orphans")
    browser.save_screenshot(str(shots / "dashboard-instances.png"))
    # Pools: one of size 0 (it keeps nothing, so it costs the test no boot), with what its idle instances cost
    assert repl("pool", "create", "dash", "--spec", "t3.micro", "--size", "0").returncode == 0
    try:
        browser.get(f"{url}#/pools")
        wait.until(lambda _: "dash" in text("#pools"))
        assert text('#pools tr[data-pool="dash"] .idle-cost') == "$0.0000/h" or \
            text('#pools tr[data-pool="dash"] .idle-cost') == "—"
        browser.save_screenshot(str(shots / "dashboard-pools.png"))
    finally:
        repl("pool", "delete", "dash")
    browser.get(f"{url}#/snapshots")
    wait.until(lambda _: text("h1") == "Snapshots" and browser.find_elements(By.CSS_SELECTOR, "#snapshots, .empty"))
    browser.save_screenshot(str(shots / "dashboard-snapshots.png"))
    assert not browser.find_element(By.ID, "error").is_displayed()

    # Ctrl-C stops the server: exit 130
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 130


def text_of(browser, css: str) -> str:
    """The element's text, read in one step in the page: it is redrawn every few seconds, so an element
    found first and read after may be gone by then (StaleElementReferenceException)."""
    return browser.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : ''", css)


def phase_done(browser, phase: str) -> bool:
    return browser.execute_script("const e = document.querySelector(arguments[0]); return !!e && "
                                  "e.classList.contains('done')", f'[data-phase="{phase}"]')
