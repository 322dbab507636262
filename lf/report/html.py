"""The LF report as one self-contained HTML file (inline CSS, JS and SVG; no network).

Every piece of data text (LF names, label names, row ids, example texts) is HTML-escaped,
in element text and in attributes, with Unicode bidi controls shown as escapes
(``\\u202e``, see :mod:`lf.display`); the JSON embedded for scripts is escaped so that no
``</script>`` can end its tag. The page's size depends on the number of LFs and classes,
not on the number of rows: examples are capped.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from lf.analysis import conflict_matrix
from lf.display import BIDI_CONTROLS, visible
from lf.errors import DataError
from lf.intervals import format_bounds, format_fraction
from lf.report import svg
from lf.report.data import ReportData, build_report, label_counts, pick_examples, spread
from lf.report.gates import GateResult, format_failure
from lf.report.json import report_document

__all__ = ["HEATMAP_MAX_LFS", "TEXT_LIMIT", "render_html", "write_html"]

TEXT_LIMIT = 300  # characters of an example text shown
HEATMAP_MAX_LFS = 60  # the heatmap shows the LFs with the most conflicts beyond this
CORRELATED_SHOWN = 50  # correlated LF pairs listed, the most significant (the JSON has them all)

_CSS = """
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222;max-width:1200px}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85rem}
th,td{padding:.2rem .5rem;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th:first-child,td:first-child,td.text,th.text{text-align:left}
h3{font-size:1rem}h4{font-size:.9rem;margin:.6rem 0 .2rem}
table.sortable th{cursor:pointer;user-select:none;background:#f4f6f8}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.text{max-width:700px;white-space:pre-wrap;word-break:break-word}
.totals span{display:inline-block;margin-right:1.2rem}
.note{color:#666;font-style:italic}.fail{color:#b00020}.pass{color:#2e7d32}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem}
details{margin:.4rem 0}summary{cursor:pointer;font-weight:600}
mark{background:#ffe066;color:inherit;padding:0 .1em}td.ci{white-space:nowrap}
"""

# Sorts the table whose header is clicked; missing values (empty data-v) always sort last.
_JS = """
(function(){
function key(cell){var v=cell.getAttribute('data-v');if(v===null){v=cell.textContent;}
if(v===''){return null;}var f=Number(v);return isNaN(f)?v.toLowerCase():f;}
document.querySelectorAll('table.sortable').forEach(function(table){
var heads=table.tHead.rows[0].cells;
Array.prototype.forEach.call(heads,function(th,i){
th.addEventListener('keydown',function(ev){if(ev.key==='Enter'||ev.key===' '){ev.preventDefault();th.click();}});
th.addEventListener('click',function(){
var asc=th.getAttribute('aria-sort')!=='ascending';
Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
th.setAttribute('aria-sort',asc?'ascending':'descending');
var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);
if(x===null&&y===null){return 0;}if(x===null){return 1;}if(y===null){return -1;}
var c=x<y?-1:(x>y?1:0);return asc?c:-c;});
rows.forEach(function(r){body.appendChild(r);});});});});
})();
"""

# Nothing is fetched: the page works offline and cannot call out.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

_COLUMNS = (  # "fraction": 3 decimals, never reading as 0 or 1 unless it is (format_fraction)
    ("coverage", "fraction"),
    ("overlaps", "fraction"),
    ("conflicts", "fraction"),
    ("correct", "d"),
    ("incorrect", "d"),
    ("emp_acc", "fraction"),
    ("emp_acc_n", "d"),
    ("learned_acc", "fraction"),
    ("errors", "d"),
    ("seconds", ".3f"),
)


def _e(text: object) -> str:
    return escape(visible(text), quote=True)


def _value(v: Any) -> float | None:
    """A plain float, or None for NaN / pandas NA / None."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _cell(v: Any, fmt: str) -> str:
    f = _value(v)
    if f is None:
        return '<td data-v="">-</td>'
    shown = format(int(f), "d") if fmt == "d" else format_fraction(f) if fmt == "fraction" else format(f, fmt)
    return f'<td data-v="{f!r}">{shown}</td>'


def json_for_script(doc: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``<``, ``>``, ``&``."""
    text = json.dumps(doc, ensure_ascii=False, allow_nan=False)
    for ch, code in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, code)
    for ch in BIDI_CONTROLS:  # the same value once parsed, but no raw control in the page
        text = text.replace(ch, f"\\u{ord(ch):04x}")
    return text


def _interval_cell(row: Any) -> str:
    low, high = _value(row.get("emp_acc_low")), _value(row.get("emp_acc_high"))
    if low is None or high is None:
        return '<td class="ci" data-v="">-</td>'
    lo, hi = format_bounds(low, high, 3)
    return f'<td class="ci" data-v="{low!r}">{lo}\u2013{hi}</td>'


def _lf_table(data: ReportData) -> str:
    shown = [c for c, _ in _COLUMNS]
    shown.insert(shown.index("emp_acc_n") + 1, "95% interval")
    heads = "".join(f'<th tabindex="0">{name}</th>' for name in ("lf", "polarity", *shown))
    rows = []
    from lf.report.record import record_of

    for name, row in zip(data.names, record_of(data.summary).rows(), strict=True):
        pol = ", ".join(data.label_names[p] if p < len(data.label_names) else str(p) for p in row["polarity"])
        cells = "".join(_cell(row.get(col), fmt) + (_interval_cell(row) if col == "emp_acc_n" else "") for col, fmt in _COLUMNS)
        rows.append(f'<tr><td data-v="{_e(name)}">{_e(name)}</td><td data-v="{_e(pol)}">{_e(pol) or "-"}</td>{cells}</tr>')
    return (
        '<table id="lf-table" class="sortable"><thead><tr>'
        + heads
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def _totals(data: ReportData) -> str:
    t = data.totals
    labels = ", ".join(data.label_names)
    items = [
        f"{t['rows']:,} rows",
        f"{t['lfs']} LFs",
        f"{t['cardinality']} classes ({_e(labels)})",
        *(f"{k} {'-' if _value(t[k]) is None else format_fraction(t[k])}" for k in ("coverage", "overlap", "conflict")),
        f"model: {_e(data.model_name) if data.model_name else 'none'}",
        f"gold labels: {'yes' if data.gold is not None else 'no'}",
    ]
    return '<p class="totals">' + "".join(f"<span>{i}</span>" for i in items) + "</p>"


def _model_warnings(data: ReportData) -> str:
    """What the model's fit warned, before any number it learned is read."""
    if not data.model_warnings:
        return ""
    items = "".join(f'<li class="fail">{_e(w)}</li>' for w in data.model_warnings)
    return f'<section id="model-warnings"><h2>Label model warnings</h2><ul>{items}</ul></section>'


def _gates(gates: Sequence[GateResult]) -> str:
    if not gates:
        return ""
    failed = [g for g in gates if not g.passed]
    lines = [f'<li class="fail">{_e(format_failure(g))}</li>' for g in failed]
    head = f"{len(gates) - len(failed)} of {len(gates)} gate checks passed"
    cls = "fail" if failed else "pass"
    return f'<section id="gates"><h2>Quality gates</h2><p class="{cls}">{head}</p><ul>{"".join(lines)}</ul></section>'


def _heatmap(data: ReportData) -> str:
    if data.conflicts is None:
        return '<p class="note">Not computed.</p>'
    idx = np.arange(len(data.names))
    note = ""
    if len(idx) > HEATMAP_MAX_LFS:
        idx = np.sort(np.argsort(-data.conflicts.sum(axis=1), kind="stable")[:HEATMAP_MAX_LFS])
        note = f'<p class="note">The {HEATMAP_MAX_LFS} LFs with the most conflicts of {len(data.names)}.</p>'
    sub = data.conflicts[np.ix_(idx, idx)]
    names = [data.names[i] for i in idx]
    chart = svg.heatmap(names, sub.tolist(), label="Rows where both LFs vote and disagree (fraction of all rows)")
    return note + chart


def _correlated(data: ReportData) -> str:
    """The LF pairs the model treats as dependent, and those voting together far more than
    its independence predicts."""
    treated = ""
    if data.dependencies is not None:
        pairs = ", ".join(f"{_e(a)} &amp; {_e(b)}" for a, b in data.dependencies) or "none"
        treated = f"<p>Treated as dependent by {_e(data.model_name)} ({_e(data.dependencies_source)}): {pairs}.</p>"
    return treated + _correlated_pairs(data)


def _correlated_pairs(data: ReportData) -> str:
    if data.correlated is None:
        return '<p class="note">Needs a label model with vote rates (--model LabelModel, DawidSkene or TripletModel).</p>'
    model = _e(data.model_name or "the model")
    if not data.correlated:
        return f'<p class="note">No LF pair votes together far more than {model}\'s independence predicts.</p>'
    rows = "".join(
        f"<tr><td>{_e(c.first)} = {_e(_name(data, c.votes[0]))}</td><td>{_e(c.second)} = {_e(_name(data, c.votes[1]))}</td>"
        f"<td>{c.rows:,}</td><td>{c.expected:.1f}</td></tr>"
        for c in data.correlated[:CORRELATED_SHOWN]
    )
    more = len(data.correlated) - CORRELATED_SHOWN
    note = (
        f'<p class="note">Rows where both LFs cast these votes, and how many {model}\'s independence of the LFs '
        "given the class predicts: a model counts such LFs as separate evidence. Declare them dependent "
        "(--dependencies a:b), or keep one of them."
        + (f" The {CORRELATED_SHOWN} most significant of {len(data.correlated):,} pairs." if more > 0 else "")
        + "</p>"
    )
    return (
        note + '<table class="scores"><thead><tr><th>LF (vote)</th><th>LF (vote)</th><th>rows</th>'
        f"<th>expected</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _distribution(data: ReportData) -> str:
    k = len(data.label_names)
    series: dict[str, list[float]] = {}
    votes = data.array[data.array >= 0]
    counts = np.bincount(votes.astype(np.int64), minlength=k)[:k]
    series["LF votes"] = (counts / max(int(counts.sum()), 1)).tolist()
    unlabeled = ""
    if data.predictions is not None:  # shares of the rows it labels, as the votes' and gold's are
        pc = label_counts(data.predictions, k)
        series[f"{data.model_name} labels"] = (pc / max(int(pc.sum()), 1)).tolist()
        left = len(data.predictions) - int(pc.sum())
        if left:
            unlabeled = (
                f'<p class="note">{_e(data.model_name)} labels: shares of the {int(pc.sum()):,} rows it labels; '
                f"{left:,} rows have no label.</p>"
            )
    if data.gold is not None:
        gc = label_counts(data.gold, k)
        series["gold"] = (gc / max(len(data.gold), 1)).tolist()
    chart = svg.grouped_bars(data.label_names, series, label="Label distribution (fraction per class)")
    rows = "".join(
        f"<tr><td>{_e(c)}</td>" + "".join(f"<td>{s[i]:.3f}</td>" for s in series.values()) + "</tr>"
        for i, c in enumerate(data.label_names)
    )
    table = (
        '<table class="distribution"><thead><tr><th>class</th>'
        + "".join(f"<th>{_e(s)}</th>" for s in series)
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )
    note = "" if data.predictions is not None else '<p class="note">Give a label model (--model) to see its labels.</p>'
    return chart + table + unlabeled + note


def _model_scores(data: ReportData) -> str:
    """The model's scores on covered gold rows and its reliability diagram."""
    if data.model_scores is None or data.reliability is None:
        return '<p class="note">Needs gold labels (--gold) and a label model (--model).</p>'
    s = data.model_scores
    f1 = f"F1 ({data.label_names[1]})" if len(data.label_names) == 2 else "macro F1"  # class 1's, whatever its name
    shown = [("coverage", "coverage"), ("accuracy", "accuracy"), ("f1", f1), ("brier", "Brier score"), ("ece", "expected calibration error")]
    rows = "".join(f"<tr><td>{_e(name)}</td>{_cell(s.get(key), '.3f' if key == 'brier' else 'fraction')}</tr>" for key, name in shown)
    table = f'<table class="scores"><thead><tr><th>{_e(data.model_name or "model")}</th><th>score</th></tr></thead><tbody>{rows}</tbody></table>'
    r = data.reliability
    chart = svg.reliability(r.counts, r.accuracy, r.confidence, label="Reliability on covered gold rows")
    note = (
        '<p class="note">Scores on the rows the model labels (coverage: their share; rows no LF labels are '
        "left out, and ties where the model abstains). A calibrated "
        "model's bars follow the dashed diagonal; bars below it mean probabilities surer than the labels are.</p>"
    )
    return note + table + chart


def _raw_text(texts: Any, i: int) -> str:
    value = texts.iloc[i] if hasattr(texts, "iloc") else texts[i]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _text_at(texts: Any, i: int, lf: Any = None) -> str:
    """The escaped example text: cut around the LF's match, which is in a ``<mark>``
    (a template LF), else cut at :data:`TEXT_LIMIT` characters from the start."""
    from lf.rows import snippet
    from lf.templates import match_spans

    text = _raw_text(texts, i)
    spans = match_spans(lf, [text]) if lf is not None else None
    cut, span = snippet(text, spans[0] if spans else None, TEXT_LIMIT)
    if span is None:
        return _e(cut)
    a, b = span
    return f"{_e(cut[:a])}<mark>{_e(cut[a:b])}</mark>{_e(cut[b:])}"


def _example_rows(data: ReportData, texts: Any, rows: np.ndarray, lf_index: int | None, lf: Any = None) -> str:
    if rows.shape[0] == 0:
        return '<p class="note">none</p>'
    heads = ["row"] + (["LF vote"] if lf_index is not None else [])
    heads += (["model"] if data.predictions is not None else []) + (["gold"] if data.gold is not None else [])
    heads += ["text"] if texts is not None else []
    ths = "".join(f'<th class="{h}">{h}</th>' if h == "text" else f"<th>{h}</th>" for h in heads)
    out = ['<table class="examples"><thead><tr>' + ths + "</tr></thead><tbody>"]
    for i in rows.tolist():
        rid = data.row_ids[i] if data.row_ids is not None else i
        cells = [f"<td>{_e(rid)}</td>"]
        if lf_index is not None:
            cells.append(f"<td>{_e(_name(data, int(data.array[i, lf_index])))}</td>")
        if data.predictions is not None:
            cells.append(f"<td>{_e(_name(data, int(data.predictions[i])))}</td>")
        if data.gold is not None:
            cells.append(f"<td>{_e(_name(data, int(data.gold[i])))}</td>")
        if texts is not None:
            cells.append(f'<td class="text">{_text_at(texts, i, lf)}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    return "".join(out) + "</tbody></table>"


def _name(data: ReportData, label: int) -> str:
    if label < 0:
        return "ABSTAIN"
    return data.label_names[label] if label < len(data.label_names) else str(label)


def _examples(data: ReportData, texts: Any, per_lf: int, lfs: Sequence[Any] | None = None) -> str:
    ex = pick_examples(data.array, data.predictions, per_lf=per_lf)
    by_name = {x.name: x for x in lfs or []}
    parts = []
    if texts is None:
        parts.append('<p class="note">No texts given: rows are shown by position (give the data to see texts).</p>')
    for j, name in enumerate(data.names):
        lf = by_name.get(name)
        body = "<h4>Where it votes</h4>" + _example_rows(data, texts, ex.fires[j], j, lf)
        if data.gold is not None:
            col = data.array[:, j]
            wrong = spread(np.flatnonzero((col != -1) & (col != data.gold)), per_lf)
            body += "<h4>Where it is wrong (gold)</h4>" + _example_rows(data, texts, wrong, j, lf)
        if ex.disagrees is not None:
            body += "<h4>Where it disagrees with the model</h4>" + _example_rows(data, texts, ex.disagrees[j], j, lf)
        parts.append(f'<details class="lf-examples"><summary>{_e(name)}</summary>{body}</details>')
    parts.append("<h3>Rows no LF labels</h3>" + _example_rows(data, texts, ex.uncovered, None))
    return "".join(parts)


def render_html(
    data: ReportData,
    *,
    texts: Any = None,
    gates: Sequence[GateResult] = (),
    title: str = "lf report",
    per_lf: int = 3,
    lfs: Sequence[Any] | None = None,
) -> str:
    """The whole page as a string (see :func:`write_html`)."""
    names = data.names
    cov = [float(v) for v in data.summary["coverage"]]
    con = [float(v) for v in data.summary["conflicts"]]
    emp = [_value(v) for v in data.summary["emp_acc"]]
    learned = [_value(v) for v in data.summary["learned_acc"]]
    if data.gold is not None and any(v is not None for v in learned):
        scatter = svg.scatter(
            names,
            [math.nan if v is None else v for v in emp],
            [math.nan if v is None else v for v in learned],
            label="Learned vs empirical accuracy",
            x_label="empirical accuracy (gold)",
            y_label="learned accuracy",
        )
    else:
        scatter = '<p class="note">Needs gold labels (--gold) and a model that learns accuracies (--model).</p>'
    doc = report_document(data, gates, data.label_names)
    return "".join(
        [
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width,initial-scale=1">',
            f'<link rel="icon" href="data:,"><title>{_e(title)}</title><style>{_CSS}</style></head><body>',
            f"<h1>{_e(title)}</h1>",
            _totals(data),
            _model_warnings(data),
            _gates(gates),
            '<section id="lfs"><h2>Labeling functions</h2><p class="note">Click a header to sort.</p>',
            _lf_table(data),
            "</section>",
            '<section id="charts"><h2>Coverage and conflicts</h2><div class="charts">',
            svg.bar_chart(names, cov, label="Coverage (fraction of rows the LF labels)", css="coverage"),
            svg.bar_chart(names, con, label="Conflicts (fraction of rows with a disagreeing LF)", css="conflicts"),
            "</div></section>",
            f'<section id="heatmap"><h2>LF \u00d7 LF conflicts</h2>{_heatmap(data)}</section>',
            f'<section id="correlated"><h2>Dependent LFs</h2>{_correlated(data)}</section>',
            f'<section id="accuracy"><h2>Accuracy</h2>{scatter}</section>',
            f'<section id="model-scores"><h2>Label model against gold</h2>{_model_scores(data)}</section>',
            f'<section id="distribution"><h2>Label distribution</h2>{_distribution(data)}</section>',
            f'<section id="examples"><h2>Examples</h2>{_examples(data, texts, per_lf, lfs)}</section>',
            f'<script type="application/json" id="lf-report-data">{json_for_script(doc)}</script>',
            f"<script>{_JS}</script></body></html>",
        ]
    )


def write_html(
    path: str | Path,
    L: Any,
    *,
    y: Any = None,
    model: Any = None,
    texts: Any = None,
    gates: Sequence[GateResult] = (),
    title: str = "lf report",
    data: ReportData | None = None,
    lfs: Sequence[Any] | None = None,
) -> Path:
    """Write the HTML report of label matrix ``L`` to ``path`` (atomically) and return the path.

    ``y``: gold labels (adds accuracy); ``model``: a label model fitted on ``L`` (adds learned
    accuracy, its label distribution and disagreement examples); ``texts``: one text per row
    of ``L`` (a list, array or Series) shown in the examples; ``data``: an already computed
    :func:`~lf.report.data.build_report` result, to skip recomputing it; ``lfs``: the LFs
    (by name): a template LF's examples are cut around its match, which is highlighted.
    """
    from lf.io import atomic_path

    if data is None:
        data = build_report(L, y=y, model=model)
    elif data.conflicts is None:
        data = replace(data, conflicts=conflict_matrix(data.array, int(data.totals["cardinality"])))
    n = int(data.totals["rows"])
    if texts is not None and len(texts) != n:
        raise DataError(f"`texts` has {len(texts)} entries but the label matrix has {n} rows; give one text per row.")
    page = render_html(data, texts=texts, gates=gates, title=title, lfs=lfs)
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
