"""The HTML report in a real headless Chromium: it renders, sorts, logs no errors, runs no data.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (``scripts/test.sh`` tries to
install them; where it cannot, this test skips with the reason). ``.ci/run`` sets
``LF_REQUIRE_BROWSER=1``, so CI fails instead of skipping when they are missing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import lf
from lf.models import LabelModel
from lf.report import write_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
EVIL_NAME = '</script><script>window.__pwned=3</script>'

_missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
if _missing and not os.environ.get("LF_REQUIRE_BROWSER"):
    pytest.skip(
        f"headless browser test skipped: {', '.join(_missing)} not installed "
        "(apt-get install chromium chromium-driver; set LF_REQUIRE_BROWSER=1 to make this an error)",
        allow_module_level=True,
    )
if os.environ.get("LF_REQUIRE_BROWSER"):
    from selenium import webdriver
else:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install 'lf[dev]')")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    assert not _missing, f"LF_REQUIRE_BROWSER is set but {', '.join(_missing)} is missing"
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")  # fresh: no state from other runs
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1000", f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(youtube_wrench, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """WRENCH youtube train with hostile markup in a text and in an LF name, as HTML."""
    A, y, texts = youtube_wrench["train"]
    texts = list(texts)
    texts[int(np.flatnonzero(A[:, 0] != -1)[0])] = EVIL
    names = [f"lf_{j}" for j in range(A.shape[1])]
    names[2] = EVIL_NAME
    L = lf.LabelMatrix(A, names=names, labels=["HAM", "SPAM"])
    model = LabelModel().fit(L)
    return write_html(tmp_path_factory.mktemp("html") / "report.html", L, y=y, model=model, texts=texts)


@pytest.fixture(scope="module")
def loaded(driver, page: Path):
    driver.get(page.as_uri())
    return driver


def _column(driver, index: int) -> list[str]:
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "#lf-table tbody tr")
    return [r.find_elements(By.TAG_NAME, "td")[index].text for r in rows]


def test_table_and_charts_render_with_size(loaded):
    from selenium.webdriver.common.by import By

    table = loaded.find_element(By.ID, "lf-table")
    assert table.size["width"] > 200 and table.size["height"] > 100
    assert len(loaded.find_elements(By.CSS_SELECTOR, "#lf-table tbody tr")) == 10
    charts = loaded.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 6  # 2 bar charts, heatmap, scatter, reliability, distribution
    for chart in charts:
        assert chart.size["width"] > 100 and chart.size["height"] > 50, chart.get_attribute("class")
    bars = loaded.find_elements(By.CSS_SELECTOR, "svg.coverage rect")
    assert len(bars) == 10 and max(b.size["width"] for b in bars) > 100
    assert len(loaded.find_elements(By.CSS_SELECTOR, "svg.heatmap rect")) == 100
    assert len(loaded.find_elements(By.CSS_SELECTOR, "svg.scatter circle")) >= 8


def test_clicking_a_header_sorts_the_table(loaded):
    from selenium.webdriver.common.by import By

    header = loaded.find_element(By.XPATH, "//table[@id='lf-table']//th[text()='coverage']")
    header.click()
    up = [float(v) for v in _column(loaded, 2)]
    assert up == sorted(up) and header.get_attribute("aria-sort") == "ascending"
    header.click()
    down = [float(v) for v in _column(loaded, 2)]
    assert down == sorted(down, reverse=True) and down != up
    loaded.find_element(By.XPATH, "//table[@id='lf-table']//th[text()='lf']").click()
    assert _column(loaded, 0) == sorted(_column(loaded, 0), key=str.lower)
    from selenium.webdriver.common.keys import Keys

    loaded.find_element(By.XPATH, "//table[@id='lf-table']//th[text()='conflicts']").send_keys(Keys.ENTER)
    by_conflict = [float(v) for v in _column(loaded, 4)]
    assert by_conflict == sorted(by_conflict)  # the keyboard sorts too


def test_data_markup_shows_as_text_and_never_runs(loaded):
    from selenium.webdriver.common.by import By

    assert loaded.execute_script("return typeof window.__pwned") == "undefined"
    details = loaded.find_elements(By.CSS_SELECTOR, "details.lf-examples")
    details[0].find_element(By.TAG_NAME, "summary").click()
    cells = [c.text for c in details[0].find_elements(By.CSS_SELECTOR, "td.text")]
    assert EVIL in cells
    assert EVIL_NAME in _column(loaded, 0)
    data = loaded.execute_script("return JSON.parse(document.getElementById('lf-report-data').textContent)")
    assert data["lfs"][2]["name"] == EVIL_NAME
    assert loaded.execute_script("return typeof window.__pwned") == "undefined"


def test_no_console_errors(loaded):
    logs = loaded.get_log("browser")
    severe = [entry for entry in logs if entry["level"] == "SEVERE"]
    assert severe == [], severe


@pytest.fixture(scope="module")
def highlighted(driver, tmp_path_factory: pytest.TempPathFactory):
    """Long texts whose keyword sits past 300 characters, a template LF and gold labels."""
    import pandas as pd

    kw = lf.keyword_lf("kw_subscribe", ["subscribe"], 1)
    short = lf.keyword_lf("kw_song", ["song"], 0)
    texts = [("filler words " * 60) + "please SUBSCRIBE to me " + ("more words " * 60) for _ in range(6)]
    texts += ["great song"] * 6
    L = lf.apply([kw, short], pd.DataFrame({"text": texts}), labels=["HAM", "SPAM"], progress=False)
    y = np.array([1, 1, 1, 1, 0, 0] + [0] * 6)
    path = write_html(tmp_path_factory.mktemp("hl") / "report.html", L, y=y, texts=texts, lfs=[kw, short])
    driver.get(path.as_uri())
    return driver


def test_examples_highlight_the_match_and_table_shows_intervals(highlighted):
    from selenium.webdriver.common.by import By

    details = highlighted.find_elements(By.CSS_SELECTOR, "details.lf-examples")
    details[0].find_element(By.TAG_NAME, "summary").click()
    marks = [m for m in details[0].find_elements(By.TAG_NAME, "mark") if m.is_displayed()]
    assert marks and all(m.text == "SUBSCRIBE" for m in marks)
    assert marks[0].size["width"] > 20  # rendered, not just present in the source
    colour = marks[0].value_of_css_property("background-color")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    headings = [h.text for h in details[0].find_elements(By.TAG_NAME, "h4")]
    assert "Where it is wrong (gold)" in headings
    heads = [th.text for th in highlighted.find_elements(By.CSS_SELECTOR, "#lf-table thead th")]
    assert "95% interval" in heads and "emp_acc_n" in heads
    cells = highlighted.find_elements(By.CSS_SELECTOR, "#lf-table tbody tr")[0].find_elements(By.TAG_NAME, "td")
    interval = cells[heads.index("95% interval")].text
    assert interval == "0.300\u20130.903" and cells[heads.index("emp_acc_n")].text == "6"
