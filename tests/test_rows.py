"""Inspecting rows: buckets, row selections, template spans, snippets and `lf rows`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf import LabelMatrix
from lf.cli import main
from lf.rows import buckets, rows, select_rows, snippet
from lf.templates import match_spans


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def L() -> LabelMatrix:
    arr = np.array([[0, 1], [1, 1], [-1, -1], [0, -1], [1, 0], [-1, 1]])
    return LabelMatrix(arr, names=["a", "b"], labels=["HAM", "SPAM"], row_ids=[f"r{i}" for i in range(6)])


def test_buckets_like_snorkel():
    y_true = np.array([0, 1, 1, 0, 1])
    y_pred = np.array([0, 0, 1, -1, 0])
    b = buckets(y_true, y_pred)
    assert b[(1, 0)].tolist() == [1, 4]
    assert b[(0, 0)].tolist() == [0] and b[(1, 1)].tolist() == [2] and b[(0, -1)].tolist() == [3]
    assert sum(len(v) for v in b.values()) == 5
    with pytest.raises(lf.errors.ParameterError, match="one length"):
        buckets(y_true, y_pred[:3])



def test_buckets_take_column_vectors_and_any_number_of_arrays_like_snorkel():
    """Snorkel's test_get_label_buckets(_multi): a gold column (n x 1) beside 1-d arrays."""
    gold = np.array([[4], [2], [4], [0], [2]])
    pred = np.array([2, 2, 4, 0, 0])
    votes = np.array([[-1], [2], [4], [-1], [2]])
    assert {k: v.tolist() for k, v in buckets(gold, pred).items()} == {
        (4, 2): [0], (2, 2): [1], (4, 4): [2], (0, 0): [3], (2, 0): [4]
    }
    three = buckets(gold, pred, votes)
    assert three[(4, 2, -1)].tolist() == [0] and three[(2, 0, 2)].tolist() == [4] and len(three) == 5


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.array([0.5, 1.0, 1.0]), r"`buckets`' array 1 must hold integer labels .*0.5"),  # was bucket 0
        (np.array([[0, 1, 1], [1, 1, 0]]).T, r"`buckets`' array 1 must hold one label per row \(shape \(n,\) or \(n, 1\)\). Got shape \(3, 2\)"),
        (np.array(["a", "b", "a"]), r"`buckets`' array 1 must hold integer labels. Got dtype <U1"),
        (np.array([np.nan, 1.0, 0.0]), r"`buckets`' array 1 must hold integer labels .*nan"),
    ],
)
def test_buckets_refuse_what_is_not_one_integer_label_per_row(bad, match):
    """Snorkel's get_label_buckets refuses non-integer values and 2-d arrays. Before, lf cut
    0.5 to 0, spread a 2-column array into twice the rows (no error when it came first),
    read NaN as -2**63 with a RuntimeWarning and raised a bare ValueError for text."""
    with pytest.raises(lf.errors.ParameterError, match=match):
        buckets(bad, np.array([1, 1, 0]))
    if bad.ndim == 2:
        with pytest.raises(lf.errors.ParameterError, match=r"one label per row"):
            buckets(bad)

def test_select_rows_filters(L):
    assert select_rows(L, lf="a").tolist() == [0, 1, 3, 4]
    assert select_rows(L, lf="a", label="spam").tolist() == [1, 4]
    assert select_rows(L, label=0).tolist() == [0, 3, 4]
    assert select_rows(L, conflicts=("a", "b")).tolist() == [0, 4]
    assert select_rows(L, uncovered=True).tolist() == [2]
    y = ["HAM", "HAM", "SPAM", "SPAM", "SPAM", "SPAM"]
    assert select_rows(L, lf="a", wrong=True, y=y).tolist() == [1, 3]
    assert select_rows(L, wrong=True, y=y).tolist() == [0, 1, 3, 4]
    with pytest.raises(lf.errors.ParameterError, match="'c' is not an LF.*a, b"):
        select_rows(L, lf="c")
    with pytest.raises(lf.errors.ParameterError, match="needs gold"):
        select_rows(L, wrong=True)


def test_rows_frame_has_ids_texts_votes_gold_and_is_capped(L):
    data = pd.DataFrame({"id": [f"r{i}" for i in range(6)], "text": [f"t{i}" for i in range(6)]})
    out = rows(L, data, lf="a", y=[0, 0, 1, 1, 1, 1], n=3)
    assert out.columns.tolist() == ["row", "id", "text", "a", "gold"]
    assert out["row"].tolist() == [0, 3, 4]  # spread over the 4 matches, not the first 3
    assert out["id"].tolist() == ["r0", "r3", "r4"]
    assert out["text"].tolist() == ["t0", "t3", "t4"]
    assert out["a"].tolist() == ["HAM", "HAM", "SPAM"] and out["gold"].tolist() == ["HAM", "SPAM", "SPAM"]


def test_template_spans_match_exactly_the_rows_it_votes_on():
    texts = ["Get FREE stuff", "freedom", "x c++ y", None, "café free", "no match"]
    kw = lf.keyword_lf("kw", ["free", "c++"], 1)
    spans = match_spans(kw, texts)
    assert spans == [(4, 8), None, (2, 5), None, (5, 9), None]
    votes = kw(pd.DataFrame({"text": texts}))
    assert [s is not None for s in spans] == (votes != lf.ABSTAIN).tolist()
    rx = lf.regex_lf("rx", r"(sub|follow)\s+(me|back)", 1)  # unnamed groups are fine
    assert match_spans(rx, ["pls SUB  me", "nope"]) == [(4, 11), None]
    assert match_spans(lf.labeling_function()(lambda x: 0), ["a"]) is None


def test_template_spans_agree_with_votes_on_real_comments(youtube_raw_files):
    lfs = lf.load_lfs(str(Path(__file__).resolve().parents[1] / "labeling_functions" / "youtube_spam.py"))
    df = pd.read_csv(youtube_raw_files[0]).rename(columns={"CONTENT": "text"})
    checked = 0
    for x in lfs:
        spans = match_spans(x, df["text"])
        if spans is None:
            continue
        votes = np.asarray(x(df))
        assert [s is not None for s in spans] == (votes != -1).tolist(), x.name
        checked += 1
    assert checked >= 3


def test_snippet_is_cut_around_the_match():
    text = "x" * 1000 + " FREE " + "y" * 1000
    cut, span = snippet(text, (1001, 1005), 80)
    assert len(cut) <= 80 and cut[span[0]:span[1]] == "FREE"
    assert cut.startswith("\u2026") and cut.endswith("\u2026")
    assert snippet("short", (0, 2), 80) == ("short", (0, 2))
    start_cut, none = snippet(text, None, 80)
    assert none is None and start_cut.startswith("xxx") and len(start_cut) == 80


def test_cli_rows_highlights_and_cuts_around_the_match(tmp_path, capsys):
    long_text = "word " * 300 + "subscribe to me " + "word " * 300
    df = pd.DataFrame({"id": ["a", "b", "c"], "text": [long_text, "nothing", "plain words"], "y": ["SPAM", "HAM", "HAM"]})
    df.to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text(
        "from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
        "sub = keyword_lf('sub', ['subscribe'], 1)\nwords = keyword_lf('words', ['words'], 1)\n"
    )
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--lf", "sub")
    assert code == 0, err
    assert "id a" in out and "subscribe" in out and "1 row match; 1 shown" in out
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--lf", "sub", "--json")
    rec = json.loads(out.splitlines()[0])
    assert rec["id"] == "a" and rec["text"][rec["span_start"]:rec["span_end"]] == "subscribe"
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--wrong", "--gold", "y", "--json")
    assert code == 0, err
    assert [(json.loads(line)["id"], json.loads(line)["wrong_lfs"]) for line in out.splitlines()] == [("c", "words")]
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--lf", "nope")
    assert code == 2 and "'nope' is not an LF" in err and "sub, words" in err


def test_terminal_highlights_the_match_and_shows_markup_literally():
    import io

    from rich.console import Console

    from lf.cli.rows import show_rows

    text = "[bold]not markup[/bold] " + "pad " * 100 + "please subscribe now " + "pad " * 100
    frame = pd.DataFrame({"row": [0], "id": ["x1"], "text": [text], "sub": ["SPAM"], "span_start": [text.index("subscribe")]})
    frame["span_end"] = frame["span_start"] + len("subscribe")
    buf = io.StringIO()
    show_rows(frame, Console(file=buf, width=80, force_terminal=True, color_system="standard"), lf_name="sub", total=1)
    out = buf.getvalue()
    assert "\x1b[1;7msubscribe\x1b[0m" in out  # bold reverse on exactly the match
    assert max(len(line) for line in re.sub(r"\x1b\[[0-9;]*m", "", out).splitlines()) <= 80
    plain_buf = io.StringIO()
    show_rows(frame.assign(span_start=[0], span_end=[6]), Console(file=plain_buf, width=80), lf_name="sub", total=1)
    assert "[bold]" in plain_buf.getvalue()  # user text is never read as rich markup


def test_terminal_control_characters_in_texts_are_shown_not_obeyed():
    # A text holding ESC sequences (clear screen, set title, colours) reached the terminal
    # raw; and escaping it before the cut moved the highlight off the match.
    import io

    from rich.console import Console

    from lf.cli.rows import show_rows

    text = "\x1b[2J\x1b]0;pwned\x07 \x1b[31mred\u202e please subscribe now"
    start = text.index("subscribe")
    frame = pd.DataFrame({"row": [0], "id": ["x\x1b[1A"], "text": [text], "span_start": [start], "span_end": [start + 9]})
    buf = io.StringIO()
    show_rows(frame, Console(file=buf, width=80, force_terminal=True, color_system="standard"), lf_name="sub", total=1)
    out = buf.getvalue()
    assert "\x1b[1;7msubscribe\x1b[0m" in out  # the highlight is still exactly on the match
    rest = re.sub(r"\x1b\[[0-9;]*m", "", out)  # rich's own colour codes
    assert "\x1b" not in rest and "\x07" not in rest
    assert "\\x1b[2J\\x1b]0;pwned\\x07 \\x1b[31mred\\u202e please subscribe" in rest
    assert "id x\\x1b[1A" in rest


def test_conflicts_of_an_lf_with_itself_is_refused_not_an_empty_answer(L, tmp_path, capsys):
    # `--conflicts a,a` answered "no rows match": an LF never disagrees with itself, so the
    # typo (meant a,b) looked like a finding.
    name = L.names[0]
    with pytest.raises(lf.errors.ParameterError, match=r"two different LFs"):
        select_rows(L, conflicts=(name, name))
    pd.DataFrame({"text": ["win now", "hello"]}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nwin = keyword_lf('win', ['win'], 1)\n")
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--conflicts", "win, win")
    assert code == 2 and "two different LFs" in err and "no rows match" not in out


def test_rows_json_is_valid_json_when_a_text_is_missing(tmp_path, capsys):
    # A row with an empty text printed "text": NaN, which is not JSON (jq and strict
    # parsers reject the line).
    (tmp_path / "d.csv").write_text("id,text\n1,subscribe now\n2,\n3,song\n")
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nsub = keyword_lf('sub', ['subscribe'], 1)\n")
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--json")
    assert code == 0, err

    def strict(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    recs = [json.loads(line, parse_constant=strict) for line in out.splitlines()]
    assert [r["text"] for r in recs] == ["subscribe now", None, "song"]


def test_rows_refuses_texts_from_another_data_set(tmp_path):
    # rows(L, data) with a data file other than the one L was made from showed that file's
    # texts beside L's votes and ids, without a word.
    lfs = [lf.keyword_lf("sub", ["subscribe"], 1)]
    mine = pd.DataFrame({"id": [7, 8, 9], "text": ["subscribe now", "song", "subscribe me"]})
    L = lf.apply(lfs, mine)
    other = pd.DataFrame({"id": ["x1", "x2", "x3"], "text": ["a", "b", "c"]})
    other.to_csv(tmp_path / "other.csv", index=False)
    with pytest.raises(lf.errors.DataError, match=r"Row 0 of the data has id 'x1' but the label matrix has id 7"):
        rows(L, tmp_path / "other.csv", lf="sub")
    mine.to_csv(tmp_path / "mine.csv", index=False)  # the same ids, read back from a file
    assert rows(L, tmp_path / "mine.csv", lf="sub")["text"].tolist() == ["subscribe now", "subscribe me"]
    with pytest.warns(UserWarning, match="taken by position, unchecked"):  # no ids to check
        assert rows(L, other.drop(columns="id"), lf="sub")["text"].tolist() == ["a", "c"]
    keyed = mine.rename(columns={"id": "key"}).assign(id=["x", "y", "z"])
    L2 = lf.apply(lfs, keyed, id_column="key")
    assert rows(L2, keyed, lf="sub", id_column="key")["id"].tolist() == [7, 9]


def test_an_unknown_label_is_refused_before_the_lfs_run_naming_the_option(tmp_path, capsys):
    # `--label SPAMM` ran every LF first, then failed naming "`label`", not the option
    (tmp_path / "d.csv").write_text("id,text\n1,subscribe now\n2,song\n")
    log = tmp_path / "ran.log"
    mod = tmp_path / "m.py"
    mod.write_text(
        "from lf import ABSTAIN, labeling_function\nLABELS = ['HAM', 'SPAM']\n"
        f"@labeling_function()\ndef sub(x):\n    with open({str(log)!r}, 'a') as fh:\n        fh.write('ran')\n"
        "    return 1 if 'subscribe' in x.text else ABSTAIN\n"
    )
    for bad in ("SPAMM", "2"):
        code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--label", bad)
        assert code == 2 and out == "" and err.startswith("error: --label has values")
        assert not log.exists()
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--label", "spam")
    assert code == 0 and "1 row match" in out


def test_line_breaks_in_ids_and_texts_are_shown_not_dropped():
    """A bare \\r in a text joined the words around it ('one\\rtwo' showed as 'onetwo'), and
    an id 'e\\rf' showed as 'ef', an id the data does not have."""
    import io

    from rich.console import Console

    from lf.cli.rows import show_rows

    frame = pd.DataFrame({"row": [0, 1], "id": ["e\rf", "g\nh"], "text": ["one\rtwo", "three\r\nfour"], "y": ["HAM\r", "SPAM"]})
    buf = io.StringIO()
    show_rows(frame, Console(file=buf, width=80), lf_name=None, total=2)
    out = buf.getvalue()
    assert "id e\\rf" in out and "id g\\nh" in out and "y=HAM\\r" in out
    assert "one two" in out and "three  four" in out


def test_long_numeric_ids_one_apart_are_two_ids(tmp_path):
    """Ids were compared as floats, where 19-digit ids one apart are one number: the same
    rows shifted by one (each id beside the next row's text) passed the check, and lf.rows
    and lf.sample.sample showed the texts of other rows."""
    from lf.errors import DataError
    from lf.models import MajorityVoter
    from lf.sample import sample

    base = 1234567890123456789
    texts = [f"free prize {i}" if i % 2 else f"nice song {i}" for i in range(41)]
    pd.DataFrame({"id": [str(base + i) for i in range(40)], "text": texts[:40]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"id": [str(base + i) for i in range(1, 41)], "text": texts[1:]}).to_csv(tmp_path / "shifted.csv", index=False)
    lfs = [lf.keyword_lf("free", ["free"], 1), lf.keyword_lf("song", ["song"], 0), lf.keyword_lf("prize", ["prize"], 1)]
    L = lf.apply(lfs, str(tmp_path / "a.csv"), progress=False)
    assert lf.rows(L, str(tmp_path / "a.csv"), lf="free", n=3)["text"].str.startswith("free").all()
    with pytest.raises(DataError, match="has id .* but the label matrix has id"):
        lf.rows(L, str(tmp_path / "shifted.csv"), lf="free", n=3)
    with pytest.raises(DataError, match="has id .* but the label matrix has id"):
        sample(L, str(tmp_path / "shifted.csv"), n=4, model=MajorityVoter().fit(L))


def test_a_bare_array_is_refused_naming_the_labelmatrix():
    """lf.rows(np.array(...)) died with AttributeError: 'numpy.ndarray' object has no
    attribute 'array', no LFError."""
    from lf.errors import ParameterError

    with pytest.raises(ParameterError, match="`L` must be a LabelMatrix .* Got a ndarray"):
        lf.rows(np.array([[0, 1], [1, -1]]))


def test_data_without_the_id_column_of_a_matrix_with_ids_warns_that_texts_go_by_position() -> None:
    """`lf.rows` and `lf.sample.sample` with data lacking the id column the matrix's ids came
    from took its texts by position without a word: on the data reordered, each id (and
    the hand label that comes back to it) got another row's text."""
    from lf.models import MajorityVoter
    from lf.sample import sample

    root = Path(__file__).resolve().parents[1]
    frame = pd.read_csv(root / "datasets" / "demo" / "comments.csv").iloc[:300]
    L = lf.apply(lf.load_lfs(str(root / "labeling_functions" / "demo_spam.py")), frame, progress=False)
    reordered = frame.drop(columns="id").sample(frac=1, random_state=0)
    model = MajorityVoter().fit(L)
    for call in (lambda: rows(L, reordered, n=5), lambda: sample(L, reordered, n=5, model=model)):
        with pytest.warns(UserWarning, match=r"has no 'id' column to check .* taken by position, unchecked"):
            call()
    shown = rows(L, frame, n=5)  # the data it was made from: checked by id, no warning
    assert shown["text"].tolist() == frame.set_index("id").loc[shown["id"], "text"].tolist()


def test_uncovered_with_a_filter_on_votes_is_refused_not_an_empty_answer(tmp_path, capsys):
    # `--uncovered --label spam` ran every LF and said "no rows match": no row can be both.
    (tmp_path / "d.csv").write_text("id,text\n1,subscribe now\n2,song\n3,hello\n")
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nsub = keyword_lf('sub', ['subscribe'], 1)\n")
    for extra in (["--label", "spam"], ["--lf", "sub"], ["--wrong", "--gold", "id"]):
        code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--uncovered", *extra)
        assert code == 2 and out == "" and "--uncovered selects rows no LF votes on" in err and extra[0] in err
    code, out, _ = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--uncovered")
    assert code == 0 and "2 rows match" in out


def test_rows_refuses_data_of_another_length_than_the_matrix(tmp_path) -> None:
    # A matrix without ids, shown with the data filtered (or grown) since: row i of the
    # matrix got row i of the other data's text beside its votes, without a word.
    from lf.models import MajorityVoter
    from lf.sample import sample

    lfs = [lf.keyword_lf("sub", ["subscribe"], 1), lf.keyword_lf("song", ["song"], 0)]
    frame = pd.DataFrame({"text": ["subscribe now", "a song", "great song", "subscribe me", "hi"]})
    L = lf.apply(lfs, frame)
    model = MajorityVoter().fit(L)
    for other in (frame.iloc[1:], pd.concat([frame, frame.iloc[:1]])):
        other.to_csv(tmp_path / "other.csv", index=False)
        for data in (other, tmp_path / "other.csv"):
            with pytest.raises(lf.errors.DataError, match=rf"The data has {len(other)} rows but the label matrix has 5: its rows"):
                rows(L, data, lf="sub")
            with pytest.raises(lf.errors.DataError, match=rf"The data has {len(other)} rows but the label matrix has 5"):
                sample(L, data, n=2, model=model)
    assert rows(L, frame, lf="sub")["text"].tolist() == ["subscribe now", "subscribe me"]


def test_rows_warns_when_a_template_lf_votes_otherwise_on_the_texts_read() -> None:
    # The same number of rows, reordered: a keyword LF run again on the texts shown
    # does not vote as the matrix says it did.
    lfs = [lf.keyword_lf("sub", ["subscribe"], 1)]
    frame = pd.DataFrame({"text": ["subscribe now", "a song", "great song", "subscribe me", "hi"]})
    L = lf.apply(lfs, frame)
    with pytest.warns(UserWarning, match=r"LF 'sub' votes ABSTAIN on the text `data` gives for row 0, but the label "
                      r"matrix holds its vote 1 there \(2 of the 2 rows shown differ\): the texts are not the rows"):
        shown = rows(L, frame.iloc[::-1], lf="sub", lfs=lfs)
    assert shown["text"].tolist() == ["hi", "a song"]
    assert rows(L, frame, lf="sub", lfs=lfs)["text"].tolist() == ["subscribe now", "subscribe me"]  # no warning


def test_rows_reads_what_lf_apply_reads_records_and_dask_frames() -> None:
    # the data a matrix was made from, given back to show its rows: Snorkel-style records
    # and a Dask DataFrame failed as "Item 0 of the data iterable is a str/dict"
    dd = pytest.importorskip("dask.dataframe")
    lfs = [lf.keyword_lf("sub", ["subscribe"], 1)]
    texts = ["subscribe now", "a song", "great song", "subscribe me", "hi"]
    records = [{"text": t} for t in texts]
    frames = [records, {"text": texts}, dd.from_pandas(pd.DataFrame({"text": texts}), npartitions=2)]
    for data in frames:
        L = lf.apply(lfs, data)
        assert rows(L, data, lf="sub", lfs=lfs)["text"].tolist() == ["subscribe now", "subscribe me"]


def test_snippet_in_cells_fits_wide_characters_and_escapes_in_the_width():
    from rich.cells import cell_len

    from lf.display import visible

    text = "好" * 300 + " FREE " + "😀" * 100 + "\x1b" * 50
    for span in (None, (301, 305)):
        cut, where = snippet(text, span, 152, cells=True)
        assert 140 <= cell_len(visible(cut)) <= 152, (span, cell_len(visible(cut)))
        if span:
            assert cut[where[0]:where[1]] == "FREE" and cut.startswith("\u2026") and cut.endswith("\u2026")
    cut, _ = snippet("\x1b" * 100, None, 40, cells=True)
    assert cell_len(visible(cut)) <= 40
    assert snippet("好" * 76, None, 152, cells=True) == ("好" * 76, None)


def test_cli_rows_shows_wide_texts_in_two_lines_of_80_columns(tmp_path, capsys, monkeypatch):
    # cut to 152 characters, a row of CJK text took four lines of the terminal instead of two
    from rich.cells import cell_len

    monkeypatch.setenv("COLUMNS", "80")
    pd.DataFrame({"id": ["a"], "text": ["好" * 300 + " FREE " + "😀" * 100]}).to_csv(tmp_path / "d.csv", index=False)
    mod = tmp_path / "m.py"
    mod.write_text("from lf import keyword_lf\nfree = keyword_lf('free', ['free'], 1)\nno = keyword_lf('no', ['nope'], 0)\n")
    code, out, err = run(capsys, "rows", tmp_path / "d.csv", "--lfs", mod, "--lf", "free")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("row 0") and lines[-1].endswith("1 shown")
    assert len(lines[1:-1]) <= 2 and all(cell_len(line) <= 80 for line in lines), lines
