"""The page of `stance trends` in a real headless Chromium: its plots load from the page itself, nothing else is asked for, no console errors.

Like tests/predict/test_html.py (whose `browser` it uses): skipped without
Debian's chromium and chromium-driver, except in CI, where that fails.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from pipeline.cli.app import app
from tests.conftest import PARAMS
from tests.predict.test_html import browser
from tests.trends.synthetic import model, simulated, write_jsonl

runner = CliRunner()


@pytest.fixture
def page(tmp_path: Path) -> Path:
    source = write_jsonl(tmp_path / "records.jsonl", list(simulated(np.random.default_rng(9), 95, [0.3, 0.2, 0.05, 0.45])))
    out = tmp_path / "page.html"
    args = ["trends", str(source), "--model", str(model(tmp_path / "m")), "--group", "outlet", "--gold", "gold", "--min-articles", "16", "--page", str(out)]
    result = runner.invoke(app, [*args, "--params", str(PARAMS)])
    assert result.exit_code == 0, result.output
    return out


def test_the_page_names_its_estimator_and_small_cell_rule_and_marks_small_cells(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert "Estimator <strong>cc</strong>" in html and "fewer than <strong>16</strong> articles" in html
    # six cells (three years, two outlets), five of 16 articles and one of 15: that one is marked, and shown
    assert html.count('<tr class="small"><td>2012 (small)</td><td>The News</td><td>15</td>') == 1 and html.count("(small)") == 1


@pytest.mark.browser
def test_in_a_real_browser_the_plots_load_with_no_request_and_no_console_error(page: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser()
    try:
        driver.get(page.as_uri())
        images = driver.find_elements(By.CSS_SELECTOR, "figure.plot img")
        assert len(images) == 3
        assert all(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 300", image) for image in images)
        requested = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert requested == []
        assert len(driver.find_elements(By.CSS_SELECTOR, "tbody tr")) == 6
        assert [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"] == []
    finally:
        driver.quit()
