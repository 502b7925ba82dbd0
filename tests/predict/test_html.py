"""`stance predict --format html`: one self-contained page, checked as text and driven in a real headless browser.

The browser test needs Debian's Chromium and its driver (`.ci/run` installs
them); elsewhere it is skipped, but never in CI, where a missing browser fails.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import PARAMS, ROOT

ARTICLE = ROOT / "data" / "articles" / "004_4e83cf9310ecd704.txt"
MARKUP = 'Talks must begin now, said <script>alert("x")</script> the envoy, and <b>soon</b>.\nThe rebels rejected any talks.\n'
runner = CliRunner()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, seed_tfidf: Path) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("html")
    markup = folder / "markup.txt"
    markup.write_text(MARKUP, encoding="utf-8")
    out = folder / "page.html"
    args = ["predict", str(ARTICLE), str(markup), "--model", str(seed_tfidf), "--params", str(PARAMS)]
    result = runner.invoke(app, [*args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    return out, document


def test_the_page_is_self_contained_escapes_markup_and_highlights_every_claim(page: tuple[Path, dict]) -> None:
    path, document = page
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "http://" not in html and "https://" not in html and "<link" not in html
    assert '<script>alert("x")</script>' not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;soon&lt;/b&gt;" in html
    claims = sum(article["claim_count"] for article in document["articles"])
    assert claims > 0 and html.count('class="sentence claim"') == claims
    assert html.count("<article ") == len(document["articles"]) == 2


def browser():
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium and its driver (.ci/run) for the browser test.")
        pytest.skip("needs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=420,900"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


@pytest.mark.browser
def test_in_a_real_browser_the_page_loads_clean_counts_claims_filters_and_shows_markup_as_text(page: tuple[Path, dict]) -> None:
    from selenium.webdriver.common.by import By

    path, document = page
    driver = browser()
    try:
        driver.get(path.as_uri())
        assert [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"] == []
        claims = driver.find_elements(By.CSS_SELECTOR, ".sentence.claim")
        assert len(claims) == sum(article["claim_count"] for article in document["articles"])
        stances = {claim.get_attribute("data-stance") for claim in claims}
        chosen = sorted(stances)[0]
        driver.find_element(By.CSS_SELECTOR, f'input[name="show"][value="{chosen}"]').click()
        shown = [s for s in driver.find_elements(By.CSS_SELECTOR, ".sentence") if s.is_displayed()]
        assert shown and all(s.get_attribute("data-stance") == chosen and "claim" in s.get_attribute("class") for s in shown)
        driver.find_element(By.CSS_SELECTOR, 'input[name="show"][value=""]').click()
        markup = driver.find_element(By.ID, "a2").text
        assert '<script>alert("x")</script>' in markup and "<b>soon</b>" in markup
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")  # no sideways scrolling at phone width
        assert [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"] == []
    finally:
        driver.quit()
