"""The HTML report: every section, escaping of data text, bounded size, and `lf report --html`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.errors import DataError
from lf.models import LabelModel, MajorityVoter
from lf.report import build_report, render_html, report_document, write_html
from lf.report.data import pick_examples, spread
from lf.report.html import TEXT_LIMIT, json_for_script

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "datasets" / "demo" / "comments.csv"
DEMO_LFS = ROOT / "labeling_functions" / "demo_spam.py"
EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
EVIL_NAME = 'odd</script><b title="x">name'


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def youtube(youtube_wrench):
    """WRENCH youtube train (real LFs' votes, gold, texts); one text and one LF name are hostile."""
    A, y, texts = youtube_wrench["train"]
    texts = list(texts)
    first_voted = int(np.flatnonzero(A[:, 0] != -1)[0])
    texts[first_voted] = EVIL  # shown as an example of LF 0
    uncovered = np.flatnonzero((A == -1).all(axis=1))
    texts[int(uncovered[0])] = EVIL + " (uncovered)"
    names = [f"lf_{j}" for j in range(A.shape[1])]
    names[1] = EVIL_NAME
    L = lf.LabelMatrix(A, names=names, labels=["HAM", "SPAM & <eggs>"])
    return L, y, texts


def _script_json(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="lf-report-data">(.*?)</script>', page, re.DOTALL)
    assert m is not None
    return json.loads(m.group(1))


def test_every_section_is_there_with_model_and_gold(youtube):
    L, y, texts = youtube
    model = LabelModel().fit(L)
    page = render_html(build_report(L, y=y, model=model), texts=texts)
    for section in ("lfs", "charts", "heatmap", "accuracy", "model-scores", "distribution", "examples"):
        assert f'<section id="{section}">' in page
    table = page.split('<table id="lf-table"', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == L.m + 1  # header + one row per LF
    for head in ("polarity", "coverage", "overlaps", "conflicts", "emp_acc", "learned_acc", "errors", "seconds"):
        assert f'<th tabindex="0">{head}</th>' in table
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 6  # 2 bars, heatmap, scatter, reliability, distribution
    assert page.count('<rect x="') >= L.m * L.m  # one heatmap cell per LF pair
    assert 'class="chart scatter"' in page
    assert page.count('class="lf-examples"') == L.m
    assert "LabelModel labels" in page and "Where it disagrees with the model" in page


def test_without_model_or_gold_the_page_says_what_is_missing(youtube):
    L, _, _ = youtube
    page = render_html(build_report(L))
    assert 'class="chart scatter"' not in page and "Needs gold labels (--gold)" in page
    assert "Give a label model (--model)" in page
    assert "Where it disagrees" not in page
    assert "No texts given" in page


def test_data_text_is_escaped_everywhere(youtube):
    L, y, texts = youtube
    page = render_html(build_report(L, y=y, model=MajorityVoter().fit(L)), texts=texts)
    assert "window.__pwned=1</script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in page
    assert "<b title=" not in page and "odd&lt;/script&gt;&lt;b title=&quot;x&quot;&gt;name" in page
    assert "SPAM &amp; &lt;eggs&gt;" in page and "SPAM & <eggs>" not in page
    # the only closing script tags are those of the page's own two scripts
    assert page.count("</script>") == 2
    doc = _script_json(page)
    assert doc["lfs"][1]["name"] == EVIL_NAME and doc["labels"][1] == "SPAM & <eggs>"


def test_empty_matrix_and_many_lfs(make_L):
    empty = render_html(build_report(lf.LabelMatrix(np.full((0, 3), -1)), model=None))
    assert "0 rows" in empty and empty.count('class="lf-examples"') == 3
    # no row, no coverage (the terminal line and the JSON say nan / null): not 0.000
    assert "<span>coverage -</span><span>overlap -</span><span>conflict -</span>" in empty
    one = lf.LabelMatrix(np.full((4, 1), -1))
    page = render_html(build_report(one, y=np.zeros(4, int), model=MajorityVoter().fit(one)), texts=["t"] * 4)
    assert "<h3>Rows no LF labels</h3>" in page and page.count("<td>0</td>") >= 1
    wide = lf.LabelMatrix(make_L(500, 70, 2, seed=3))
    page = render_html(build_report(wide))
    assert "The 60 LFs with the most conflicts of 70." in page
    heat = page.split('class="chart heatmap"', 1)[1].split("</svg>", 1)[0]
    assert heat.count("<rect ") == 60 * 60


def test_inline_json_cannot_close_its_script_tag():
    text = json_for_script({"a": "</script><script>alert(1)</script>", "b": "x & y \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><script>alert(1)</script>", "b": "x & y \u2028"}


def test_embedded_json_is_the_report_document(youtube):
    L, y, _ = youtube
    data = build_report(L, y=y, model=LabelModel().fit(L))
    doc = _script_json(render_html(data))
    assert doc == json.loads(json.dumps(report_document(data, (), data.label_names)))
    assert doc["schema"] == "lf.report/2"
    np.testing.assert_allclose(doc["conflict_matrix"], lf.analysis.conflict_matrix(L), atol=1e-6)


def test_examples_are_rows_where_the_lf_votes_and_disagrees():
    A = np.array([[0, 1], [0, -1], [-1, -1], [1, 1], [0, 0], [-1, -1], [1, -1]])
    pred = np.array([0, 0, 0, 1, 0, 1, 0])
    ex = pick_examples(A, pred, per_lf=2, uncovered=5)
    assert ex.fires[0].tolist() == [0, 6]  # spread over the 5 voting rows: first and last
    assert ex.disagrees is not None
    assert ex.disagrees[0].tolist() == [6] and ex.disagrees[1].tolist() == [0]
    assert ex.uncovered.tolist() == [2, 5]
    assert pick_examples(A, None).disagrees is None
    assert spread(np.arange(100), 3).tolist() == [0, 50, 99]


def test_texts_are_truncated_and_size_does_not_grow_with_rows(tmp_path: Path, make_L):
    sizes = []
    for n in (2_000, 200_000):
        L = lf.LabelMatrix(make_L(n, 8, 3, p_abstain=0.7, seed=1))
        texts = np.array([f"row {i} " + "x" * 1000 for i in range(n)], dtype=object)
        path = write_html(tmp_path / f"r{n}.html", L, model=MajorityVoter().fit(L), texts=texts)
        page = path.read_text(encoding="utf-8")
        assert "x" * (TEXT_LIMIT - 20) + "\u2026" in page and "x" * TEXT_LIMIT not in page
        sizes.append(path.stat().st_size)
    assert sizes[1] < sizes[0] * 1.1, sizes


def test_write_html_is_atomic_and_checks_texts(tmp_path: Path, youtube):
    L, _, texts = youtube
    target = tmp_path / "report.html"
    with pytest.raises(DataError, match=r"`texts` has 3 entries but the label matrix has 1686 rows"):
        write_html(target, L, texts=texts[:3])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(DataError, match="does not exist"):
        write_html(tmp_path / "nope" / "r.html", L)
    assert write_html(target, L, texts=pd.Series(texts, index=np.arange(len(texts)) + 7)) == target
    assert EVIL not in target.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_cli_html_from_data_and_lfs(tmp_path: Path, capsys):
    out = tmp_path / "report.html"
    code, stdout, err = run(capsys, "report", DEMO, "--lfs", DEMO_LFS, "--gold", "label", "--model", "LabelModel", "--html", out)
    assert code == 0, err
    assert "Labeling functions" in stdout and f"wrote {out}" in err.replace("\n", "")
    page = out.read_text(encoding="utf-8")
    demo = pd.read_csv(DEMO)
    L = lf.apply(lf.load_lfs(DEMO_LFS), DEMO)
    first_promo = int(np.flatnonzero(L.array[:, L.names.index("promo_words")] != -1)[0])
    assert demo["id"][first_promo] in page  # row ids name the example rows
    assert demo["text"][first_promo] in re.sub("</?mark>", "", page)  # the match is marked inside the text
    assert "model: LabelModel" in page and 'class="chart scatter"' in page


def test_cli_html_from_saved_matrix_escapes_hostile_rows(tmp_path: Path, capsys):
    corpus = tmp_path / "c.csv"
    pd.DataFrame({"body": ["free prize now", EVIL, "nice song", "free song"], "gold": ["SPAM", "SPAM", "HAM", "HAM"]}).to_csv(corpus, index=False)
    module = tmp_path / "tiny_lfs.py"
    module.write_text(
        "from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
        "free = keyword_lf('free', ['free', 'script'], 1)\nsong = keyword_lf('song', ['song'], 0)\n"
    )
    matrix = tmp_path / "L.parquet"
    assert run(capsys, "apply", corpus, "--lfs", module, "--text-column", "body", "-o", matrix)[0] == 0
    out = tmp_path / "r.html"
    code, _, err = run(capsys, "report", matrix, "--data", corpus, "--text-column", "body", "--gold", "gold", "--model", "mv", "--html", out)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=1" in page and EVIL not in page
    # without a text column the report still works, showing positions, and says why
    code, _, err = run(capsys, "report", matrix, "--data", corpus, "--html", out)
    assert code == 0 and "no 'text' column" in err and "No texts given" in out.read_text(encoding="utf-8")


def test_cli_model_from_saved_file_gives_learned_accuracies(tmp_path: Path, capsys):
    matrix = tmp_path / "L.parquet"
    assert run(capsys, "apply", DEMO, "--lfs", DEMO_LFS, "-o", matrix)[0] == 0
    L = lf.LabelMatrix.load(matrix)
    model = LabelModel().fit(L)
    model.save(tmp_path / "model.json")
    code, out, err = run(capsys, "report", matrix, "--model", tmp_path / "model.json", "--json")
    assert code == 0, err
    doc = json.loads(out)
    np.testing.assert_allclose([e["learned_acc"] for e in doc["lfs"]], model.accuracies_)
    assert doc["model"]["name"] == "LabelModel"
    # Counted as lf label writes the labels: a row no LF voted on has none (not the prior's class).
    labels = model.predict(L, abstain="uncovered")
    assert doc["model"]["label_counts"] == np.bincount(labels[labels >= 0], minlength=2).tolist()
    assert doc["model"]["abstained"] == int((~(np.asarray(L.array) != -1).any(axis=1)).sum()) > 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "nope"], "Unknown model 'nope'. Available:"),
        (["--model", "missing.json"], "Model file not found: 'missing.json'"),
        (["--html", "{tmp}/r.txt"], "use a .html file name"),
        (["--html", "{tmp}/no/r.html"], "does not exist"),
    ],
)
def test_cli_bad_model_or_html_path_exit_2(tmp_path: Path, capsys, extra: list[str], message: str):
    args = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    code, _, err = run(capsys, "report", DEMO, "--lfs", DEMO_LFS, *args)
    assert code == 2
    assert message in " ".join(err.split())


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("LabelModel(l2=-1)", "`l2` must be a number >= 0"),
        ("LabelModel(dependencies=[('promo_words', 'nope')])", "names an unknown LF 'nope'"),
        ("DawidSkene(max_iter=0)", "`max_iter` must be a positive integer"),
    ],
)
def test_cli_a_model_to_fit_with_a_bad_parameter_is_refused_before_the_lfs_run(
    capsys, monkeypatch: pytest.MonkeyPatch, spec: str, message: str
):
    # Before: refused by the fit, once every LF had labeled the whole corpus.
    import lf.io

    passes: list[object] = []
    real = lf.io.iter_chunks
    monkeypatch.setattr(lf.io, "iter_chunks", lambda *a, **k: passes.append(a) or real(*a, **k))
    code, _, err = run(capsys, "report", DEMO, "--lfs", DEMO_LFS, "--model", spec)
    assert code == 2 and message in " ".join(err.split()) and passes == []


def test_json_schema_keys_are_documented(capsys):
    code, out, _ = run(capsys, "report", DEMO, "--lfs", DEMO_LFS, "--gold", "label", "--model", "mv", "--json", "--min-coverage", "0.1")
    assert code == 0
    doc = json.loads(out)
    top = {"schema", "totals", "labels", "model", "gold_label_counts", "conflict_matrix", "gates", "lfs"}
    assert set(doc) == top
    assert set(doc["totals"]) == {"rows", "lfs", "cardinality", "coverage", "overlap", "conflict"}
    assert set(doc["model"]) == {"name", "label_counts", "abstained", "scores", "reliability", "warnings", "correlated_pairs", "dependencies"}
    assert set(doc["model"]["scores"]) == {"accuracy", "f1", "coverage", "brier", "ece"}
    assert set(doc["model"]["reliability"]) == {"counts", "confidence", "accuracy"}
    lf_keys = {"name", "polarity", "coverage", "overlaps", "conflicts", "correct", "incorrect", "emp_acc", "emp_acc_n", "emp_acc_low", "emp_acc_high", "learned_acc", "errors", "seconds"}
    assert set(doc["lfs"][0]) == lf_keys
    gate_keys = {"gate", "option", "threshold", "actual", "lf", "passed"}
    assert set(doc["gates"][0]) == gate_keys
    assert len(doc["conflict_matrix"]) == len(doc["lfs"]) == doc["totals"]["lfs"]
    docs = (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
    assert doc["schema"] in docs
    for key in top | lf_keys | gate_keys | set(doc["totals"]) | set(doc["model"]) | set(doc["model"]["reliability"]):
        assert f"`{key}`" in docs, key


def test_examples_are_cut_around_the_match_which_is_marked_and_escaped(tmp_path):
    import pandas as pd

    kw = lf.keyword_lf("kw", ["<b>free"], 1, whole_word=False)
    texts = ["x" * 2000 + " <b>FREE <i>money " + "y" * 2000, "nothing"]
    L = lf.apply([kw], pd.DataFrame({"text": texts}), labels=["HAM", "SPAM"], progress=False)
    page = write_html(tmp_path / "r.html", L, y=[0, 0], texts=texts, lfs=[kw]).read_text(encoding="utf-8")
    assert "<mark>&lt;b&gt;FREE</mark> &lt;i&gt;money" in page  # the match shown, escaped, in a mark
    assert "<i>" not in page and "\u2026" in page
    assert "Where it is wrong (gold)" in page
    without = write_html(tmp_path / "s.html", L, texts=texts).read_text(encoding="utf-8")
    assert "<mark>" not in without and "FREE" not in without  # no LFs given: cut from the start


def test_html_report_takes_gold_as_label_names(tmp_path):
    L = lf.LabelMatrix(np.array([[0, 1], [1, 1], [0, -1]]), names=["a", "b"], labels=["HAM", "SPAM"])
    page = write_html(tmp_path / "r.html", L, y=["HAM", "spam", "SPAM"]).read_text(encoding="utf-8")
    assert "Where it is wrong (gold)" in page and "gold labels: yes" in page


def test_model_scores_and_reliability_bins_agree_with_the_models_own_scores(youtube):
    L, y, _ = youtube
    model = LabelModel().fit(L)
    data = build_report(L, y=y, model=model)
    expected = model.score(L, y, ("accuracy", "f1", "coverage", "brier", "ece"))
    assert data.model_scores == expected
    r = data.reliability
    covered = int((L.array != -1).any(axis=1).sum())
    assert sum(r.counts) == covered and len(r.counts) == 10
    right = sum(c * a for c, a in zip(r.counts, r.accuracy) if c)
    assert right / covered == pytest.approx(expected["accuracy"])  # the bins hold every covered row
    gap = sum(c * abs(a - f) for c, a, f in zip(r.counts, r.accuracy, r.confidence) if c)
    assert gap / covered == pytest.approx(expected["ece"])
    page = render_html(data)
    chart = page.split('class="chart reliability"', 1)[1].split("</svg>", 1)[0]
    assert chart.count("<title>") == sum(1 for c in r.counts if c)  # one bar per non-empty bin
    section = page.split('<section id="model-scores">', 1)[1].split("</section>", 1)[0]
    assert f'data-v="{expected["accuracy"]!r}"' in section
    doc = _script_json(page)
    assert doc["model"]["reliability"]["counts"] == r.counts
    without_gold = render_html(build_report(L, model=model))
    assert 'class="chart reliability"' not in without_gold and "Needs gold labels (--gold) and a label model" in without_gold


def test_reliability_bins_score_the_labels_the_accuracy_scores():
    """With ``tie_break="random"`` a tie's label is not its argmax (the lowest class).
    Before, the bins counted right argmaxes: the diagram's accuracy was another model's."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 600)
    A = np.where(rng.random((600, 2)) < 0.7, y[:, None], 1 - y[:, None])
    L = lf.LabelMatrix(A, names=["a", "b"], cardinality=2, labels=["HAM", "SPAM"])
    model = MajorityVoter(tie_break="random", random_state=1).fit(L)
    data = build_report(L, y=y, model=model)
    labels = np.asarray(data.predictions)
    r = data.reliability
    right = sum(c * a for c, a in zip(r.counts, r.accuracy) if c)
    assert right == pytest.approx(float((labels == y).sum()))  # every row is covered and labeled
    assert right / sum(r.counts) == pytest.approx(data.model_scores["accuracy"])


def test_the_binary_f1_is_named_by_the_class_it_is_of():
    """F1 is class 1's. Before, both reports called it "F1 (positive class)", which with
    LABELS = ["SPAM", "HAM"] is HAM's F1 under a name that reads as SPAM's."""
    from lf.cli.report import model_lines

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    A = np.where(rng.random((400, 3)) < 0.8, y[:, None], 1 - y[:, None])
    L = lf.LabelMatrix(A, names=["a", "b", "c"], cardinality=2, labels=["SPAM", "HAM"])
    model = MajorityVoter().fit(L)
    lines = model_lines(L, y, model)
    assert "F1 (HAM)" in lines[1] and "positive" not in "".join(lines)
    html = render_html(build_report(L, y=y, model=model))
    assert "<td>F1 (HAM)</td>" in html and "positive class" not in html


def test_a_model_that_abstains_on_ties_is_not_said_to_score_every_covered_row():
    """MajorityVoter(tie_break="abstain") leaves ties unlabeled, and its scores leave them
    out. Before, the report said "on the rows some LF labels (coverage 0.5)" although LFs
    label every row: the coverage shown was the model's."""
    from lf.cli.report import model_lines

    A = np.array([[0, 0, 1], [1, 1, 0], [0, 1, -1], [1, 0, -1]] * 25)
    y = np.array([0, 1, 0, 1] * 25)
    L = lf.LabelMatrix(A, names=["a", "b", "c"], cardinality=2, labels=["HAM", "SPAM"])
    model = MajorityVoter(tie_break="abstain").fit(L)
    line = model_lines(L, y, model)[0]
    assert line == "MajorityVoter on the rows it labels (coverage 0.500; some LF labels 1.000):"
    assert len(line) <= 80
    html = render_html(build_report(L, y=y, model=model))
    assert "Scores on the rows the model labels" in html and "rows some LF labels (coverage" not in html
    plain = model_lines(L, y, MajorityVoter().fit(L))[0]
    assert plain == "MajorityVoter on the rows some LF labels (coverage 1.000):"


def test_the_models_label_shares_are_of_the_rows_it_labels(youtube):
    # The votes' and gold's shares sum to 1; the model's were divided by every row, its
    # unlabeled ones too, so a class looked rarer than the model makes it, beside gold.
    L, y, texts = youtube
    model = LabelModel().fit(L)
    pred = model.predict(L, abstain="uncovered")
    left = int((pred == -1).sum())
    assert left > 0
    page = render_html(build_report(L, y=y, model=model), texts=texts)
    table = page.split('<table class="distribution">', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td>[^<]*</td><td>([0-9.]+)</td><td>([0-9.]+)</td><td>([0-9.]+)</td></tr>", table)
    shares = np.bincount(pred[pred >= 0], minlength=2) / (pred >= 0).sum()
    assert [float(row[1]) for row in cells] == pytest.approx(shares, abs=5e-4)
    assert f"{left:,} rows have no label" in page


def test_an_lf_wrong_once_in_5000_rows_is_not_shown_as_perfect_on_the_page():
    """The page showed an LF right on 4,999 of 5,000 gold rows as 1.000, and its few
    overlaps and conflicts as 0.000."""
    n = 100_000
    A = np.full((n, 2), -1)
    A[:5000, 0] = 1
    A[:3, 1] = 0
    y = np.ones(n, dtype=int)
    y[0] = 0
    page = render_html(build_report(lf.LabelMatrix(A, names=["sure", "rare"], labels=["NEG", "POS"]), y=y))
    row = re.search(r'<tr><td data-v="sure">.*?</tr>', page).group(0)
    cells = re.findall(r">([^<>]*)</td>", row)
    assert cells[1:9] == ["POS", "0.050", "0.00003", "0.00003", "4999", "1", "0.9998", "5000"]
    assert cells[9] == "0.999\u20131.000"


def test_terminal_and_html_show_the_same_scores_of_a_model_breaking_ties_at_random(tmp_path: Path, capsys):
    """lf report --html with MajorityVoter(tie_break='random') (no seed) drew the tied rows'
    labels once for the page and again for the terminal lines: one run printed one accuracy,
    F1 and ECE and wrote others."""
    rng = np.random.default_rng(5)
    gold = rng.integers(0, 2, 2000)
    texts = np.where(rng.random(2000) < 0.5, "alpha beta", "beta")  # "beta" alone: no LF votes
    data = tmp_path / "data.csv"
    pd.DataFrame({"id": np.arange(2000), "text": texts, "gold": np.where(gold == 1, "SPAM", "HAM")}).to_csv(data, index=False)
    module = tmp_path / "lfs.py"
    module.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
                      "a = keyword_lf('a', ['alpha'], 0)\nb = keyword_lf('b', ['alpha'], 1)\n")  # every covered row a tie
    page = tmp_path / "r.html"
    code, out, err = run(capsys, "report", data, "--lfs", module, "--gold", "gold", "--model",
                         "MajorityVoter(tie_break='random')", "--html", page, "--no-progress")
    assert code == 0, err
    scores = _script_json(page.read_text(encoding="utf-8"))["model"]["scores"]
    line = next(ln for ln in out.splitlines() if ln.startswith("  accuracy "))
    assert line == (f"  accuracy {scores['accuracy']:.3f}, F1 (SPAM) {scores['f1']:.3f}, "
                    f"Brier {scores['brier']:.3f}, ECE {scores['ece']:.3f}")


def test_the_json_conflict_matrix_keeps_a_conflict_on_one_row_of_millions():
    """It was rounded to 6 decimals: two LFs at odds on 1 row of 2,000,000 read as never
    conflicting (0.0), in the JSON report and the page's embedded copy."""
    n = 2_000_000
    A = np.full((n, 2), -1, dtype=np.int8)
    A[0] = [0, 1]
    A[1:1000] = 0
    doc = report_document(build_report(lf.LabelMatrix(A, names=["a", "b"], cardinality=2)))
    assert doc["conflict_matrix"] == [[0.0, 1 / n], [1 / n, 0.0]]
