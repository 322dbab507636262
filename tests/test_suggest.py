"""lf.suggest / lf suggest: mined LFs, their measured precision and coverage, the module written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.errors import DataError, ParameterError
from lf.suggest import suggest, wilson_interval


def _corpus(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """Spam says 'free' or 'winner' (disjoint rows), ham says 'song'; 'the' is everywhere."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        spam = i % 2 == 1
        cue = ("free" if i % 4 == 1 else "winner") if spam else "song"
        filler = " ".join(rng.choice(["the", "a", "video", "today", "really"], size=3))
        rows.append({"id": f"r{i}", "text": f"{filler} {cue} the", "gold": "SPAM" if spam else "HAM"})
    return pd.DataFrame(rows)


def test_wilson_interval_ranks_45_of_50_above_3_of_3():
    low3, high3 = wilson_interval(3, 3)
    low45, _ = wilson_interval(45, 50)
    assert low45 > low3 and high3 == pytest.approx(1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(5, 10)[0] == pytest.approx(0.2366, abs=1e-3)


def test_suggestions_are_the_discriminative_words_with_true_statistics():
    corpus = _corpus()
    labeled = corpus.sample(100, random_state=1)
    found = suggest(corpus, labeled, "gold", labels=["HAM", "SPAM"], n=10)
    patterns = {(s.pattern, found.labels[s.label]) for s in found.items}
    assert ("song", "HAM") in patterns and ("free", "SPAM") in patterns and ("winner", "SPAM") in patterns
    assert not any(s.pattern == "the" for s in found.items)
    y = (labeled["gold"] == "SPAM").to_numpy().astype(int)
    for s in found.items:  # the reported numbers are those of the LF as written
        fired = s.build()(labeled[["text"]]) != lf.ABSTAIN
        assert (s.fired, s.correct) == (int(fired.sum()), int((y[fired] == s.label).sum()))
        assert s.coverage == pytest.approx(float(np.mean(s.build()(corpus[["text"]]) != lf.ABSTAIN)))
        assert s.low > found.priors[s.label]
    assert [s.label for s in found.items] == sorted(s.label for s in found.items)


def test_no_suggestion_whose_interval_reaches_below_the_prior():
    # 'bonus' is 4/4 SPAM, but SPAM is 90% of the labeled rows: Wilson's lower end (0.51) is below.
    texts = ["bonus here"] * 4 + ["plain words"] * 86 + ["calm talk"] * 10
    gold = ["SPAM"] * 90 + ["HAM"] * 10
    labeled = pd.DataFrame({"text": texts, "gold": gold})
    found = suggest(labeled, labeled, "gold", labels=["HAM", "SPAM"], min_support=3)
    assert all(s.pattern != "bonus" for s in found.items)
    assert all(s.low > found.priors[s.label] for s in found.items)


def test_existing_lfs_steer_suggestions_to_rows_they_miss():
    corpus = _corpus()
    labeled = corpus.sample(100, random_state=1)
    alone = suggest(corpus, labeled, "gold", labels=["HAM", "SPAM"], n=3)
    first_spam = next(s.pattern for s in alone.items if s.label == 1)
    other = "winner" if first_spam == "free" else "free"
    existing = [lf.keyword_lf("mine", [first_spam], 1)]
    steered = suggest(corpus, labeled, "gold", lfs=existing, labels=["HAM", "SPAM"], n=3)
    spam = [s.pattern for s in steered.items if s.label == 1]
    assert spam and spam[0] == other and first_spam not in spam
    assert steered.existing == ("mine",)


def test_keywords_in_any_script_match_whole_words_only():
    texts = ["купить бесплатно сейчас"] * 8 + ["хорошая песня"] * 8
    labeled = pd.DataFrame({"text": texts, "gold": ["SPAM"] * 8 + ["HAM"] * 8})
    corpus = pd.DataFrame({"text": ["бесплатно!", "бесплатноесть", "песня"]})
    found = suggest(corpus, labeled, "gold", labels=["HAM", "SPAM"], n=4)
    lfn = {s.pattern: s for s in found.items}["бесплатно"].build()
    assert list(lfn(corpus) != lf.ABSTAIN) == [True, False, False]


def _files(tmp_path) -> tuple[pd.DataFrame, Path, Path]:
    """The corpus, its texts as data.csv and 100 of its rows with gold as labeled.csv."""
    corpus = _corpus()
    data = tmp_path / "data.csv"
    corpus[["id", "text"]].to_csv(data, index=False)
    labeled = tmp_path / "labeled.csv"
    corpus.sample(100, random_state=2).to_csv(labeled, index=False)
    return corpus, data, labeled


def test_generated_module_loads_and_runs_through_lf_label(tmp_path):
    corpus, data, labeled = _files(tmp_path)
    module = tmp_path / "suggested_lfs.py"
    args = ["suggest", str(data), "--gold-data", str(labeled), "--gold", "gold", "-n", "6", "-o", str(module)]
    assert main(args) == 0
    text = module.read_text(encoding="utf-8")
    assert "LABELS = ['HAM', 'SPAM']" in text and "precision" in text and "interval" in text
    lfs = lf.load_lfs(str(module))
    assert lfs.labels == ("HAM", "SPAM") and 1 <= len(lfs) <= 6
    out = tmp_path / "labels.parquet"
    assert main(["label", str(data), "--lfs", str(module), "-o", str(out), "--no-progress"]) == 0
    labels = pd.read_parquet(out)
    assert len(labels) == len(corpus) and labels["covered"].mean() > 0.9


def test_bad_inputs_fail_with_the_name_and_the_fix(tmp_path, capsys):
    corpus = _corpus(40)
    with pytest.raises(DataError, match="'label_col'"):
        suggest(corpus, corpus, "label_col")
    with pytest.raises(ParameterError, match="`n`"):
        suggest(corpus, corpus, "gold", n=0)
    existing = lf.LFSet([lf.keyword_lf("x", ["free"], 1)], labels=["NO", "YES"])
    with pytest.raises(ParameterError, match="differ from the LABELS"):
        suggest(corpus, corpus, "gold", lfs=existing, labels=["HAM", "SPAM"])
    with pytest.raises(DataError, match="neither label names nor class ids: 'maybe'"):
        suggest(corpus, corpus.assign(gold="maybe").iloc[:3].pipe(lambda d: pd.concat([corpus, d])), "gold", labels=["HAM", "SPAM"])
    data = tmp_path / "d.csv"
    corpus.to_csv(data, index=False)
    lfs = tmp_path / "mine.py"
    lfs.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nx = keyword_lf('x', ['free'], 1)\n")
    assert main(["suggest", str(data), "--gold-data", str(data), "--gold", "gold", "--lfs", str(lfs), "-o", str(lfs)]) == 2
    assert "is the input --lfs: writing it would destroy the input" in capsys.readouterr().err
    assert lfs.read_text().startswith("from lf import keyword_lf")  # the input is never overwritten
    link = tmp_path / "link.py"
    link.hardlink_to(lfs)  # the same file under another name
    assert main(["suggest", str(data), "--gold-data", str(data), "--gold", "gold", "--lfs", str(lfs), "-o", str(link)]) == 2
    assert "is the input --lfs" in capsys.readouterr().err
    assert lfs.read_text().startswith("from lf import keyword_lf")


def test_youtube_suggestions_from_100_labels_reach_the_targets(youtube_raw_files):
    from lf.models import LabelModel

    frames = [pd.read_csv(f).rename(columns={"CONTENT": "text"}) for f in youtube_raw_files]
    train, test = pd.concat(frames[:4], ignore_index=True), frames[4]
    found = suggest(train[["text"]], train.sample(100, random_state=0), "CLASS", labels=["HAM", "SPAM"], n=20)
    L = lf.apply(found.lfs(), train[["text"]], cardinality=2, progress=False)
    Lt = lf.apply(found.lfs(), test[["text"]], cardinality=2, progress=False)
    covered = (Lt.array != -1).any(axis=1)
    pred = LabelModel().fit(L).predict(Lt)
    assert covered.mean() >= 0.70
    assert (pred[covered] == test["CLASS"].to_numpy()[covered]).mean() >= 0.85


def test_existing_lfs_read_the_datas_other_columns_and_its_text_column(tmp_path, capsys):
    """`lf suggest --lfs existing.py` ran the existing LFs on the text column alone: an LF
    reading another column of the data (the demo's `numbered_author` reads x.author) failed
    with "The row has no field 'author'. Available fields: 'text'. Fix the LF"."""
    corpus = _corpus().rename(columns={"text": "body"})
    corpus["author"] = np.where(corpus["body"].str.contains("free"), "bot7", "fan")
    data, labeled, module = tmp_path / "data.csv", tmp_path / "labeled.csv", tmp_path / "mine.py"
    corpus[["id", "author", "body"]].to_csv(data, index=False)
    corpus.sample(100, random_state=1).to_csv(labeled, index=False)
    module.write_text(
        "from lf import ABSTAIN, labeling_function\nLABELS = ['HAM', 'SPAM']\n\n"
        "@labeling_function()\ndef bot_author(x):\n"
        "    return 1 if x.author.startswith('bot') and 'free' in x.text else ABSTAIN\n"
    )
    out = tmp_path / "suggested.py"
    args = ["suggest", str(data), "--gold-data", str(labeled), "--gold", "gold", "--text-column", "body",
            "--lfs", str(module), "-n", "3", "-o", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    spam = [s.pattern for s in suggest(str(data), str(labeled), "gold", lfs=str(module), text_column="body", n=3).items if s.label == 1]
    assert spam and "free" not in spam  # the rows bot_author labels are no reason for a new LF
    corpus.assign(text="other")[["id", "author", "body", "text"]].to_csv(data, index=False)
    assert main(args) == 2 and "the data has a 'text' column too" in capsys.readouterr().err


def test_suggesting_again_over_the_suggested_lfs_says_they_repeat_them(tmp_path, capsys):
    # Every precise candidate repeats an LF already written: lowering --min-support or labeling
    # more rows of the same kind would not help, so the message must not say so.
    _, data, labeled = _files(tmp_path)
    first = tmp_path / "suggested_lfs.py"
    args = ["suggest", str(data), "--gold-data", str(labeled), "--gold", "gold", "-o"]
    assert main([*args, str(first)]) == 0
    capsys.readouterr()
    again = tmp_path / "again.py"
    assert main([*args, str(again), "--lfs", str(first)]) == 2
    err = capsys.readouterr().err
    assert "repeats an LF of --lfs" in err and "lower --min-support" not in err and not again.exists()
    found = suggest(str(data), str(labeled), "gold", lfs=str(first))
    assert not found.items and found.precise > 0
    assert "repeats an LF of --lfs" in found.to_module()


def test_screening_shows_the_candidates_on_a_progress_bar(capfd, monkeypatch):
    # Each of some 400 candidates runs on up to 50,000 corpus rows: minutes on a corpus of
    # non-ASCII texts, with nothing on the screen.
    corpus = _corpus()
    with pytest.raises(ParameterError, match="progress"):
        suggest(corpus, corpus, "gold", progress="yes")
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws the bar as on a terminal
    suggest(corpus, corpus, "gold", progress=True)
    assert "screening" in capfd.readouterr().err
    suggest(corpus, corpus, "gold", progress=False)
    assert capfd.readouterr().err == ""


def test_label_errors_name_the_option_the_command_line_gave(tmp_path, capsys):
    _, data, labeled = _files(tmp_path)
    lfs = tmp_path / "mine.py"
    lfs.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\nx = keyword_lf('x', ['free'], 1)\n")
    args = ["suggest", str(data), "--gold-data", str(labeled), "--gold", "gold", "-o", str(tmp_path / "s.py")]
    assert main([*args, "--labels", "HAM"]) == 2
    assert "--labels" in capsys.readouterr().err
    assert main([*args, "--labels", "SPAM,HAM", "--lfs", str(lfs)]) == 2
    err = capsys.readouterr().err
    assert "--labels" in err and "--lfs" in err
