"""lf.train / lf.predict and lf train / lf predict: the end model on probabilistic labels."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lf
from lf.cli import main
from lf.errors import DataError, ParameterError
from lf.models import LabelModel
from lf.train import _expand, load_model, predict, train
from lf.train_data import prediction_chunks, write_predictions

SPAM_WORDS = ["free", "winner", "prize", "click", "offer", "cash"]
HAM_WORDS = ["song", "voice", "lyrics", "dance", "beat", "chorus"]


def _texts(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=n)
    texts = []
    for label in y:
        words = list(rng.choice(SPAM_WORDS if label else HAM_WORDS, size=2)) + list(rng.choice(["the", "a", "is", "so"], size=3))
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, y


def _labels(y: np.ndarray, covered: np.ndarray, ids: list[str]) -> pd.DataFrame:
    """What `lf label` writes: soft labels (0.9 / 0.1) on covered rows, the prior elsewhere."""
    spam = np.where(covered, np.where(y == 1, 0.9, 0.1), 0.5)
    return pd.DataFrame({
        "id": ids, "HAM": 1 - spam, "SPAM": spam, "label": np.where(spam > 0.5, "SPAM", "HAM"),
        "confidence": np.maximum(spam, 1 - spam), "covered": covered,
    })


@pytest.fixture
def corpus(tmp_path):
    texts, y = _texts(300, 0)
    ids = [f"r{i}" for i in range(len(texts))]
    data = tmp_path / "data.csv"
    pd.DataFrame({"id": ids, "text": texts}).to_csv(data, index=False)
    covered = np.arange(len(texts)) % 5 != 0
    labels = tmp_path / "labels.parquet"
    _labels(y, covered, ids).to_parquet(labels, index=False)
    return data, labels, y, covered


def test_end_model_learns_the_text_and_generalises(corpus):
    data, labels, _, covered = corpus
    model = train(str(data), str(labels))
    assert model.labels == ("HAM", "SPAM")
    assert model.info["trained_rows"] == int(covered.sum())  # covered rows only, by default
    texts, y = _texts(200, 1)
    assert (model.predict(texts) == y).mean() >= 0.95
    assert model.info["c_chosen_by"].startswith("3-fold")


def test_all_rows_also_trains_on_uncovered_rows(corpus):
    data, labels, _, covered = corpus
    assert train(str(data), str(labels), all_rows=True, C=1.0).info["trained_rows"] == len(covered)


def test_soft_targets_expand_rows_per_class_weighted_by_probability():
    import scipy.sparse as sp

    X = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    P = np.array([[0.7, 0.3], [1.0, 0.0]])
    Xe, ye, we = _expand(X, P)
    assert ye.tolist() == [0, 1, 0] and we.tolist() == [0.7, 0.3, 1.0]
    assert (Xe.toarray() == np.array([[1, 0], [1, 0], [0, 1]])).all()


def test_model_saves_as_json_and_npz_and_reloads_identically(corpus, tmp_path):
    data, labels, _, _ = corpus
    model = train(str(data), str(labels), C=4.0)
    folder = model.save(tmp_path / "model")
    doc = json.loads((folder / "model.json").read_text())
    assert sorted(p.name for p in folder.iterdir()) == sorted([doc["arrays"], "model.json"])
    assert doc["arrays"] == f"arrays.{doc['arrays_sha256'][:16]}.npz"
    np.load(folder / doc["arrays"], allow_pickle=False).close()  # no object arrays inside
    assert doc["format"] == "lf.end_model/1" and doc["labels"] == ["HAM", "SPAM"]
    texts, _ = _texts(50, 3)
    assert np.allclose(load_model(folder).predict_proba(texts), model.predict_proba(texts))
    doc["format"] = "pickle"
    (folder / "model.json").write_text(json.dumps(doc))
    with pytest.raises(DataError, match="not an lf end model"):
        load_model(folder)
    with pytest.raises(DataError, match="needs model.json and its arrays file"):
        load_model(tmp_path)


def test_labels_without_uncovered_rows_are_matched_by_id(corpus, tmp_path):
    data, labels, _, covered = corpus
    frame = pd.read_parquet(labels)
    kept = frame[frame["covered"]].iloc[::-1]  # --filter-abstain output, in another order
    path = tmp_path / "kept.csv"
    kept.to_csv(path, index=False)
    model = train(str(data), str(path), C=4.0)
    assert model.info["trained_rows"] == int(covered.sum())
    texts, y2 = _texts(100, 4)
    assert (model.predict(texts) == y2).mean() >= 0.95
    kept.assign(id=kept["id"] + "x").to_csv(path, index=False)
    with pytest.raises(DataError, match="not in the data"):
        train(str(data), str(path))


def test_repeated_ids_match_by_position_when_every_row_is_labeled(tmp_path):
    texts, y = _texts(100, 7)
    ids = ["dup" if i < 2 else f"r{i}" for i in range(100)]  # a source that repeats a comment id
    data, labels = tmp_path / "data.csv", tmp_path / "labels.csv"
    pd.DataFrame({"id": ids, "text": texts}).to_csv(data, index=False)
    frame = _labels(y, np.ones(100, dtype=bool), ids)
    frame.to_csv(labels, index=False)
    assert train(str(data), str(labels), C=4.0).info["trained_rows"] == 100
    frame.iloc[1:].to_csv(labels, index=False)  # a subset cannot be matched by a repeated id
    with pytest.raises(DataError, match="not unique"):
        train(str(data), str(labels))


def test_bad_parameters_and_labels_are_named(corpus, tmp_path):
    data, labels, _, _ = corpus
    with pytest.raises(ParameterError, match="`C`"):
        train(str(data), str(labels), C=0)
    with pytest.raises(ParameterError, match="`max_rows`"):
        train(str(data), str(labels), max_rows=1)
    bad = tmp_path / "bad.parquet"
    pd.read_parquet(labels).assign(SPAM=0.7).to_parquet(bad)
    with pytest.raises(DataError, match="sum to 1"):
        train(str(data), str(bad))


def test_dev_rows_choose_the_regularisation(corpus, tmp_path):
    data, labels, _, _ = corpus
    texts, y = _texts(60, 5)
    dev = tmp_path / "dev.csv"
    pd.DataFrame({"text": texts, "gold": np.where(y == 1, "spam", "ham")}).to_csv(dev, index=False)
    model = train(str(data), str(labels), dev_data=str(dev), dev_gold="gold")
    assert model.info["c_chosen_by"] == "dev accuracy" and len(model.info["c_scores"]) == 4


def test_predictions_stream_in_chunks_to_every_format(corpus, tmp_path):
    data, labels, _, _ = corpus
    model = train(str(data), str(labels), C=4.0)
    whole = predict(model, str(data), chunk_size=10_000)
    for suffix in (".parquet", ".csv", ".jsonl"):
        out = tmp_path / f"preds{suffix}"
        frames = prediction_chunks(model, str(data), "text", None, 7, False)
        assert write_predictions(frames, out) == len(whole)
        back = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out) if suffix == ".csv" else pd.read_json(out, lines=True)
        assert back["id"].astype(str).tolist() == whole["id"].astype(str).tolist()
        assert np.allclose(back["SPAM"], whole["SPAM"]) and back["label"].tolist() == whole["label"].tolist()


def test_end_model_scored_on_its_own_training_rows_says_so(tmp_path, capsys):
    """lf report --end-model on data holding the rows the end model was trained on gave its
    accuracy over all rows as if held out; it now counts those rows (the model keeps its
    training texts' hashes, saved and loaded) and gives the accuracy on the others."""
    texts, y = _texts(300, 4)
    texts = [f"{t} row{i}" for i, t in enumerate(texts)]  # each text once
    ids = [f"r{i}" for i in range(300)]
    data, train_data = tmp_path / "data.csv", tmp_path / "train.csv"
    flipped = (np.arange(300) >= 200) & (np.arange(300) % 5 == 0)  # gold the held-out rows' texts do not show
    gold = np.where((y == 1) != flipped, "SPAM", "HAM")
    pd.DataFrame({"id": ids, "text": texts, "gold": gold}).to_csv(data, index=False)
    pd.DataFrame({"id": ids[:200], "text": texts[:200]}).to_csv(train_data, index=False)
    labels = tmp_path / "labels.parquet"
    _labels(y[:200], np.ones(200, bool), ids[:200]).to_parquet(labels, index=False)
    model_dir = tmp_path / "model"
    train(train_data, labels, C=1.0, progress=False).save(model_dir)
    model = load_model(model_dir)
    assert model.seen(texts).tolist() == [i < 200 for i in range(300)]
    module = tmp_path / "lfs.py"
    module.write_text("from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
                      "spam = keyword_lf('spam', ['free', 'winner'], 1)\nham = keyword_lf('ham', ['song', 'voice'], 0)\n")
    assert main(["report", str(data), "--lfs", str(module), "--gold", "gold", "--end-model", str(model_dir), "--model", "mv",
                 "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("end model accuracy against gold: "))
    said = " ".join(x.strip() for x in lines[at + 1 : at + 3])
    assert said.startswith("(200 of them have the text of a row it was trained on, so it is not held out there: ")
    held_out = (predict(model, pd.DataFrame({"text": texts[200:]}), progress=False)["label"].to_numpy() == gold[200:]).mean()
    assert said.endswith(f"{held_out:.3f} on the other 100)") and held_out < 0.9
    assert all(len(x) <= 80 for x in lines[at : at + 3])


def test_cli_label_train_predict_report(tmp_path, capsys):
    texts, y = _texts(300, 6)
    data = tmp_path / "data.csv"
    pd.DataFrame({"id": [f"c{i}" for i in range(300)], "text": texts, "gold": np.where(y == 1, "SPAM", "HAM")}).to_csv(data, index=False)
    module = tmp_path / "lfs.py"
    module.write_text(
        "from lf import keyword_lf\nLABELS = ['HAM', 'SPAM']\n"
        "spam = keyword_lf('spam', ['free', 'winner'], 1)\ncash = keyword_lf('cash', ['cash', 'prize'], 1)\n"
        "ham = keyword_lf('ham', ['song', 'voice'], 0)\nbeat = keyword_lf('beat', ['beat', 'dance'], 0)\n"
    )
    labels, model_dir, preds = tmp_path / "labels.parquet", tmp_path / "model", tmp_path / "preds.parquet"
    assert main(["label", str(data), "--lfs", str(module), "-o", str(labels), "--no-progress"]) == 0
    assert main(["train", str(data), "--labels", str(labels), "-o", str(model_dir)]) == 0
    assert "trained on" in capsys.readouterr().err
    assert main(["predict", str(model_dir), str(data), "-o", str(preds), "--chunk-size", "50", "--no-progress"]) == 0
    out = pd.read_parquet(preds)
    assert len(out) == 300 and out["id"].iloc[0] == "c0"
    assert (out["label"].to_numpy() == np.where(y == 1, "SPAM", "HAM")).mean() >= 0.95
    assert main(["report", str(data), "--lfs", str(module), "--gold", "gold", "--end-model", str(model_dir), "--no-progress"]) == 0
    lines = capsys.readouterr().out.splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("end model accuracy against gold: "))
    # trained on these very rows: the next two lines say so (see the test above)
    assert lines[at + 1].startswith("  (271 of them have the text of a row it was trained on")
    at += 2
    assert lines[at + 1].startswith("label model (LabelModel): ")
    assert all(len(x) <= 80 for x in lines[at - 2 : at + 3])
    # The label model's figure is over every row, its guesses on rows no LF votes on included
    # (the labels lf label writes leave those rows out): the lines say so, and the figure is that.
    L = lf.apply(lf.load_lfs(module), data, progress=False)
    covered = (L.array != -1).any(axis=1)
    assert 0 < covered.sum() < 300
    guess = LabelModel().fit(L).predict_proba(L).argmax(axis=1)
    said = float(lines[at + 1].split(": ", 1)[1].split()[0])
    assert said == pytest.approx((guess == y).mean(), abs=5e-4)
    shown = " ".join(lines[at + 1 : at + 3])
    assert "over the same rows" in shown and "no LF votes on counts with the model's guess" in shown
    # ... and which label model it is: one fitted on these rows, not the one that labeled the training data
    assert lines[at + 3] == "  (fitted here on these rows' votes; --model model.json scores a saved one)"
    assert main(["predict", str(tmp_path), str(data), "-o", str(preds)]) == 2
    err = capsys.readouterr().err
    assert "not a model folder" in err and "Traceback" not in err


def test_sms_end_model_spam_f1_at_least_the_label_models(datasets_dir):
    from lf.models import LabelModel
    from lf.output import labels_frame

    lines = (datasets_dir / "sms_raw" / "SMSSpamCollection").read_text(encoding="utf-8").splitlines()
    rows = pd.DataFrame([line.split("\t", 1) for line in lines if line.strip()], columns=["gold", "text"])
    cut = int(len(rows) * 0.8)
    head, tail = rows.iloc[:cut].reset_index(drop=True), rows.iloc[cut:].reset_index(drop=True)
    lfs = lf.load_lfs("labeling_functions/sms_spam.py")
    L = lf.apply(lfs, head[["text"]], progress=False)
    label_model = LabelModel().fit(L)
    model = train(head[["text"]], labels_frame(L, label_model.predict_proba(L)), C=16.0)
    gold = (tail["gold"] == "spam").to_numpy()

    def f1(pred: np.ndarray) -> float:
        return 2 * float((pred & gold).sum()) / float(pred.sum() + gold.sum())

    lm = label_model.predict(lf.apply(lfs, tail[["text"]], progress=False)) == 1
    assert f1(model.predict(tail["text"].tolist()) == 1) >= f1(lm)


def test_without_scikit_learn_the_error_gives_the_install_command(corpus, monkeypatch):
    import sys

    from lf.errors import MissingExtraError

    data, labels, _, _ = corpus
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if it were not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'lf\[train\]'"):
        train(str(data), str(labels))


def test_predict_and_train_refuse_to_write_over_their_inputs(tmp_path, capsys):
    """`lf predict M data.csv -o data.csv` must not replace the corpus with predictions."""
    import hashlib

    data = tmp_path / "data.csv"
    pd.DataFrame({"text": ["win money now", "nice song", "free prize", "love it"] * 5}).to_csv(data, index=False)
    before = hashlib.sha256(data.read_bytes()).hexdigest()
    (tmp_path / "m").mkdir()
    assert main(["predict", str(tmp_path / "m"), str(data), "-o", str(data)]) == 2
    assert "is the input DATA: writing it would destroy the input" in capsys.readouterr().err
    labels = tmp_path / "m" / "model.json"
    labels.write_text("{}")
    assert main(["train", str(data), "--labels", str(labels), "-o", str(tmp_path / "m")]) == 2
    assert "is the input --labels: writing it would destroy the input" in capsys.readouterr().err
    assert labels.read_text() == "{}"
    assert hashlib.sha256(data.read_bytes()).hexdigest() == before


def test_arrays_of_another_model_of_the_same_shape_are_refused(corpus, tmp_path):
    """A save stopped between its two files (or a hand copy) leaves one model's arrays beside
    another's model.json. With the same vocabulary sizes (here: the same comments with every
    letter shifted by one) the shapes agree, and the model predicted with another's weights."""
    data, labels, _, _ = corpus
    frame = pd.read_csv(data)
    shifted = frame.assign(text=[t.translate(str.maketrans("abcdefghijklmnopqrstuvwxyz", "bcdefghijklmnopqrstuvwxyza")) for t in frame["text"]])
    shifted.to_csv(tmp_path / "shifted.csv", index=False)
    train(str(data), str(labels)).save(tmp_path / "a")
    train(str(tmp_path / "shifted.csv"), str(labels)).save(tmp_path / "b")
    ours, theirs = (json.loads((tmp_path / x / "model.json").read_text())["arrays"] for x in "ab")
    (tmp_path / "a" / ours).write_bytes((tmp_path / "b" / theirs).read_bytes())
    with pytest.raises(DataError, match="do not belong together"):
        load_model(tmp_path / "a")
    assert load_model(tmp_path / "b").labels == ("HAM", "SPAM")


def test_cli_predict_warns_of_label_names_pandas_reads_as_missing(corpus, tmp_path, capsys):
    """lf predict's `label` column holds the end model's label names: 'NA' came back
    missing to pandas.read_csv, as in lf label's output, which warns."""
    import warnings

    data, labels, _, _ = corpus
    frame = pd.read_parquet(labels).rename(columns={"HAM": "NA"})
    frame["label"] = frame["label"].replace("HAM", "NA")
    frame.to_parquet(labels, index=False)
    train(str(data), str(labels)).save(tmp_path / "m")
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        assert main(["predict", str(tmp_path / "m"), str(data), "-o", str(tmp_path / "p.csv"), "--no-progress"]) == 0
    assert "warning: Label name(s) ['NA'] in" in capsys.readouterr().err
    assert pd.read_csv(tmp_path / "p.csv")["label"].isna().any()
    assert main(["predict", str(tmp_path / "m"), str(data), "-o", str(tmp_path / "p.jsonl"), "--no-progress"]) == 0


def test_a_class_no_training_row_has_is_named(corpus, tmp_path, capsys):
    """Labels that never make SPAM the likeliest class (its LFs all missing) trained an end
    model that gave SPAM a probability of 0 on every text, without a word."""
    import warnings

    data, _, y, covered = corpus
    ham = _labels(np.zeros_like(y), covered, [f"r{i}" for i in range(len(y))])
    labels = tmp_path / "ham.parquet"
    ham.to_parquet(labels, index=False)
    with pytest.warns(UserWarning, match=r"No training row's labels make 'SPAM' the most probable class \(of 240 rows\)"):
        model = train(str(data), str(labels))
    assert (model.predict(_texts(50, 2)[0]) == 0).all()  # what it warned of
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # shown as the CLI shows it, one stderr line
        assert main(["train", str(data), "--labels", str(labels), "-o", str(tmp_path / "m")]) == 0
        assert "warning: No training row's labels make 'SPAM'" in capsys.readouterr().err
        assert main(["train", str(data), "--labels", str(corpus[1]), "-o", str(tmp_path / "m2")]) == 0
        assert "warning" not in capsys.readouterr().err  # labels of both classes: no word


def test_no_covered_row_names_the_option(corpus, tmp_path, capsys):
    data, _, y, _ = corpus
    labels = tmp_path / "none.parquet"
    _labels(y, np.zeros(len(y), dtype=bool), [f"r{i}" for i in range(len(y))]).to_parquet(labels, index=False)
    assert main(["train", str(data), "--labels", str(labels), "-o", str(tmp_path / "m")]) == 2
    assert "--all-rows" in capsys.readouterr().err


def test_predict_on_data_without_rows_writes_no_file(corpus, tmp_path, capsys):
    """A header-only data file gave 'wrote p.parquet: 0 rows' and an empty file that is
    no Parquet (nor CSV, nor JSON Lines) file: reading it back failed."""
    data, labels, _, _ = corpus
    train(str(data), str(labels)).save(tmp_path / "m")
    (tmp_path / "empty.csv").write_text("id,text\n")
    for name in ("p.parquet", "p.csv", "p.jsonl"):
        code = main(["predict", str(tmp_path / "m"), str(tmp_path / "empty.csv"), "-o", str(tmp_path / name), "--no-progress"])
        assert code == 2 and "The data has no rows: nothing to predict" in capsys.readouterr().err
        assert not (tmp_path / name).exists() and not list(tmp_path.glob(f".{name}.*"))


def test_predict_refuses_ids_that_change_type_between_chunks(corpus, tmp_path, capsys):
    """JSON Lines ids that are numbers in the first chunk and text in a later one made
    `lf predict -o p.parquet` die with an internal ArrowInvalid (and a traceback of the
    half-closed Parquet writer); it is refused as `lf label` refuses it, and no file is left."""
    data, labels, _, _ = corpus
    train(str(data), str(labels)).save(tmp_path / "m")
    rows = [{"id": 1, "text": "free cash"}, {"id": 2, "text": "the song"}, {"id": "x3", "text": "a prize"}]
    (tmp_path / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "p.parquet"
    args = ["predict", str(tmp_path / "m"), str(tmp_path / "d.jsonl"), "-o", str(out), "--chunk-size", "2", "--no-progress"]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and "internal error" not in err
    # named by column and value, not by pyarrow's own tuple of messages
    assert "the column 'id' was written as integers in the first 2 rows" in err and "'x3' (str)" in err
    assert "Conversion failed" not in err
    assert not out.exists() and not list(tmp_path.glob(".p.parquet*"))
    assert main([*args[:4], str(tmp_path / "p.jsonl"), *args[5:]]) == 0  # text formats hold both kinds
    assert [r["id"] for r in map(json.loads, (tmp_path / "p.jsonl").read_text().splitlines())] == [1, 2, "x3"]


def test_predict_refuses_files_of_which_only_some_have_ids(corpus, tmp_path, capsys):
    """`lf predict model a.csv b.csv` with an `id` column in a.csv only named a.csv's rows by
    id and b.csv's by position (2, 3 ...) in one `id` column, without a word; lf label
    refuses such DATA. Files that all have ids, or none, predict as before."""
    data, labels, _, _ = corpus
    train(str(data), str(labels)).save(tmp_path / "m")
    (tmp_path / "a.csv").write_text("id,text\nx1,free cash\nx2,the song\n")
    (tmp_path / "b.csv").write_text("text\na prize\nthe chorus\n")
    (tmp_path / "c.csv").write_text("id,text\nx3,a prize\nx4,the chorus\n")
    for files in (("a.csv", "b.csv"), ("b.csv", "a.csv")):
        out = tmp_path / "p.csv"
        code = main(["predict", str(tmp_path / "m"), *(str(tmp_path / f) for f in files), "-o", str(out), "--no-progress"])
        assert code == 2 and "Give every file an 'id' column, or none" in capsys.readouterr().err and not out.exists()
    with pytest.raises(DataError, match="by id and by position"):
        predict(load_model(tmp_path / "m"), [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")])
    out = tmp_path / "p.csv"
    assert main(["predict", str(tmp_path / "m"), str(tmp_path / "a.csv"), str(tmp_path / "c.csv"), "-o", str(out), "--no-progress"]) == 0
    assert pd.read_csv(out)["id"].tolist() == ["x1", "x2", "x3", "x4"]


def test_predict_on_data_without_rows_gives_a_frame_without_rows(corpus, tmp_path):
    """lf.predict on a header-only file (or an empty DataFrame) died with pandas' ValueError
    "No objects to concatenate", no LFError; it gives the columns with no rows."""
    data, labels, _, _ = corpus
    train(str(data), str(labels), C=4.0).save(tmp_path / "m")
    (tmp_path / "empty.csv").write_text("id,text\n")
    for empty in (str(tmp_path / "empty.csv"), pd.DataFrame({"text": []})):
        got = predict(tmp_path / "m", empty)
        assert len(got) == 0 and list(got.columns) == ["id", "HAM", "SPAM", "label", "confidence"]


def test_predict_proba_reads_texts_as_lf_predict_does(corpus, tmp_path):
    """EndModel.predict_proba died inside scikit-learn on a missing text (None, NaN: 'np.nan
    is an invalid document'), on no texts, and on one string instead of a list; lf predict
    reads a missing text as ""."""
    data, labels, _, _ = corpus
    model = train(str(data), str(labels), C=4.0)
    got = model.predict_proba(["free cash", None, float("nan"), ""])
    assert np.allclose(got[1], got[3]) and np.allclose(got[2], got[3]) and got.shape == (4, 2)
    assert model.predict_proba([]).shape == (0, 2)
    with pytest.raises(ParameterError, match="a sequence of texts, not one text"):
        model.predict_proba("free cash")
    (tmp_path / "d.csv").write_text("id,text\na,free cash\nb,\n")
    assert np.allclose(predict(model, str(tmp_path / "d.csv"))[["HAM", "SPAM"]].to_numpy(), got[[0, 3]])


def test_a_text_column_under_another_name_is_met_with_the_option_that_reads_it(corpus, tmp_path, capsys):
    # Raw corpora name their text column as they like (CONTENT, body ...): the error says how to read it.
    data, labels, _, _ = corpus
    body = tmp_path / "body.csv"
    pd.read_csv(data).rename(columns={"text": "body"}).to_csv(body, index=False)
    fix = "pass --text-column COLUMN"
    assert main(["train", str(body), "--labels", str(labels), "-o", str(tmp_path / "m")]) == 2
    assert fix in capsys.readouterr().err
    model = tmp_path / "model"
    assert main(["train", str(data), "--labels", str(labels), "-o", str(model)]) == 0
    assert main(["predict", str(model), str(body), "-o", str(tmp_path / "p.parquet")]) == 2
    assert fix in capsys.readouterr().err
    assert main(["suggest", str(body), "--gold-data", str(data), "--gold", "id", "-o", str(tmp_path / "s.py")]) == 2
    assert fix in capsys.readouterr().err
    L = lf.apply([lf.keyword_lf("free", ["free"], 1)], str(data), cardinality=2, progress=False)
    with pytest.raises(DataError, match=fix):
        lf.rows(L, str(body), lf="free")


def test_training_shows_its_fits_on_a_progress_bar(corpus, capfd, monkeypatch):
    # Choosing C takes 12 fits and a final one: a minute on 4,000 SMS texts, with nothing shown.
    data, labels, _, _ = corpus
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich draws the bar as on a terminal
    with pytest.raises(ParameterError, match="progress"):
        train(str(data), str(labels), progress="yes")
    train(str(data), str(labels), progress=True)
    assert "training" in capfd.readouterr().err
    train(str(data), str(labels), progress=False, C=4.0)
    assert capfd.readouterr().err == ""


def test_a_nan_regularisation_is_refused_naming_the_option(tmp_path, capsys):
    # NaN passed click's range check (no comparison with it holds), and the library's
    # refusal named its own parameter `C`, not the command's option.
    data = tmp_path / "d.csv"
    data.write_text("text\nhello\n")
    code = main(["train", str(data), "--labels", str(tmp_path / "labels.parquet"), "-o", str(tmp_path / "m"), "--C", "nan"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: Invalid value for '--C': nan is not a number") and len(err.splitlines()) == 1


def test_an_infinite_regularisation_is_refused(tmp_path, capsys):
    """--C inf (and C=float('inf')) trained without regularisation: on text the weights
    grow until the solver stops, and most probabilities came out near 0 or 1 (on the demo
    corpus 67% of rows above 0.999, against 29% with C=16)."""
    data = tmp_path / "d.csv"
    data.write_text("text\nhello\n")
    code = main(["train", str(data), "--labels", str(tmp_path / "labels.parquet"), "-o", str(tmp_path / "m"), "--C", "inf"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: Invalid value for '--C': inf leaves the weights unregularised")
    with pytest.raises(ParameterError, match=r"`C` must be a finite number > 0 \(inf would leave"):
        train(str(data), str(tmp_path / "labels.parquet"), C=float("inf"))


def test_predict_reads_the_text_column_the_model_was_trained_on(corpus, tmp_path, capsys):
    # Trained on `clean`, the model was applied to the data's raw `text` (there too) by
    # default: predictions from another column, with no sign of it.
    data, labels, y, _ = corpus
    frame = pd.read_csv(data).rename(columns={"text": "clean"})
    frame["text"] = "the a is so"  # a raw column the model never saw: every row looks alike
    both = tmp_path / "both.csv"
    frame.to_csv(both, index=False)
    model_dir = tmp_path / "model"
    assert main(["train", str(both), "--labels", str(labels), "--text-column", "clean", "-o", str(model_dir)]) == 0
    assert load_model(model_dir).text_column == "clean"
    out = tmp_path / "p.parquet"
    assert main(["predict", str(model_dir), str(both), "-o", str(out)]) == 0
    assert ((pd.read_parquet(out)["label"] == "SPAM").to_numpy() == (y == 1)).mean() >= 0.95
    assert (predict(model_dir, str(both))["label"].to_numpy() == pd.read_parquet(out)["label"].to_numpy()).all()
    raw = predict(model_dir, str(both), text_column="text")  # named: the column asked for
    assert raw["label"].nunique() == 1


_END_MODEL_KILLED_AT_ITS_ARRAYS = """
import os, signal, sys
from lf.train import load_model

real = os.replace
def replace(src, dst):  # killed the moment the new arrays file is in place
    real(src, dst)
    if str(dst).endswith(".npz"):
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace
model = load_model(sys.argv[2])
model.C = model.C * 2  # another model: other bytes
model.coef = model.coef * 2
model.save(sys.argv[1])
"""


def test_an_end_model_save_killed_between_its_files_leaves_the_old_model_whole(corpus, tmp_path):
    # arrays.npz had one name: a save killed between its two files left the new arrays
    # beside the old model.json, which load refused: neither model could be loaded
    import subprocess
    import sys

    data, labels, _, _ = corpus
    train(str(data), str(labels), C=4.0).save(tmp_path / "m")
    train(str(data), str(labels), C=4.0).save(tmp_path / "other")
    before = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", _END_MODEL_KILLED_AT_ITS_ARRAYS, str(tmp_path / "m"), str(tmp_path / "other")],
                          check=False, env={**os.environ, "PYTHONPATH": str(root)})
    assert done.returncode == -9
    after = {p.name: p.read_bytes() for p in (tmp_path / "m").iterdir()}
    assert {k: v for k, v in after.items() if k in before} == before and len(after) == 3  # and the new arrays
    texts, _ = _texts(20, 5)
    assert np.allclose(load_model(tmp_path / "m").predict_proba(texts), load_model(tmp_path / "other").predict_proba(texts))


def test_a_saved_end_model_replaces_its_old_arrays_and_older_folders_still_load(corpus, tmp_path):
    data, labels, _, _ = corpus
    model = train(str(data), str(labels), C=4.0)
    folder = model.save(tmp_path / "m")
    doc = json.loads((folder / "model.json").read_text())
    # the layout lf wrote before: arrays.npz, no name in model.json
    (folder / doc["arrays"]).rename(folder / "arrays.npz")
    del doc["arrays"]
    (folder / "model.json").write_text(json.dumps(doc))
    texts, _ = _texts(20, 6)
    assert np.allclose(load_model(folder).predict_proba(texts), model.predict_proba(texts))
    model.C = 1.0
    model.save(folder)  # replaces it: the old arrays go, a user's file stays
    (folder / "notes.npz").write_bytes(b"mine")
    model.coef = model.coef * 2
    model.save(folder)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([json.loads((folder / "model.json").read_text())["arrays"], "model.json", "notes.npz"])


def test_train_and_predict_read_a_glob_as_lf_apply_does(corpus, tmp_path):
    """lf.apply reads DATA given as a glob; lf.train.train and lf.train.predict said "Data
    file not found: 'shards/*.csv'". The shards' rows, in the sorted order of their names,
    train the same model as the list of files."""
    data, labels, _, _ = corpus
    rows = pd.read_csv(data)
    shards = tmp_path / "shards"
    shards.mkdir()
    for i, start in enumerate(range(0, len(rows), 100)):
        rows.iloc[start : start + 100].to_csv(shards / f"part-{i}.csv", index=False)
    files = sorted(str(p) for p in shards.glob("*.csv"))
    by_glob = train(str(shards / "*.csv"), str(labels), C=1.0)
    by_list = train(files, str(labels), C=1.0)
    texts = rows["text"].tolist()
    np.testing.assert_array_equal(by_glob.predict_proba(texts), by_list.predict_proba(texts))
    pd.testing.assert_frame_equal(predict(by_glob, str(shards / "*.csv")), predict(by_glob, files))
    with pytest.raises(DataError, match=r"The pattern '.*\*\.tsv' matches no data file"):
        predict(by_glob, str(shards / "*.tsv"))


def test_a_model_folder_that_is_a_dangling_symlink_is_made_where_it_points(corpus, tmp_path):
    # `lf train -o link` stopped after training with "Cannot access 'link': File exists."
    data, labels, _, _ = corpus
    link = tmp_path / "model"
    link.symlink_to(tmp_path / "runs" / "model")
    (tmp_path / "runs").mkdir()
    train(str(data), str(labels), C=1.0).save(link)
    assert link.is_symlink() and (tmp_path / "runs" / "model" / "model.json").is_file()
    assert load_model(link).labels == load_model(tmp_path / "runs" / "model").labels


def test_hundreds_of_classes_no_training_row_has_are_counted_past_the_first_ten(tmp_path):
    """With 300 declared labels and training labels that make only two of them the
    likeliest, the warning listed all 298 others, a screenful; it names ten and counts them."""
    texts, y = _texts(60, 3)
    names = [f"class_{i:03d}" for i in range(300)]
    P = np.full((len(y), 300), 0.1 / 299)
    P[np.arange(len(y)), np.where(y == 1, 255, 0)] = 0.9
    ids = [f"r{i}" for i in range(len(y))]
    pd.DataFrame({"id": ids, "text": texts}).to_csv(tmp_path / "data.csv", index=False)
    labels = pd.DataFrame(P, columns=names).assign(id=ids, label=[names[c] for c in P.argmax(axis=1)], confidence=0.9, covered=True)
    labels[["id", *names, "label", "confidence", "covered"]].to_parquet(tmp_path / "labels.parquet", index=False)
    with pytest.warns(UserWarning) as caught:
        train(str(tmp_path / "data.csv"), str(tmp_path / "labels.parquet"))
    said = " ".join(str(w.message) for w in caught)
    assert "No training row's labels make 'class_001', 'class_002', " in said
    assert "'class_010' ... (298 in all) the most probable class (of 60 rows)" in said and "'class_011'" not in said


def test_hundreds_of_label_columns_that_are_not_probabilities_are_named_by_ten(tmp_path):
    """Label columns that do not sum to 1 were named as a Python list of every column:
    thousands of characters with 300 labels. The error names ten and how many."""
    names = [f"class_{i:03d}" for i in range(300)]
    ids = [f"r{i}" for i in range(10)]
    pd.DataFrame({"id": ids, "text": ["a b"] * 10}).to_csv(tmp_path / "data.csv", index=False)
    pd.DataFrame(np.full((10, 300), 0.5), columns=names).assign(id=ids).to_parquet(tmp_path / "labels.parquet", index=False)
    with pytest.raises(DataError) as info:
        train(str(tmp_path / "data.csv"), str(tmp_path / "labels.parquet"))
    assert str(info.value) == (
        "The label columns class_000, class_001, class_002, class_003, class_004, class_005, class_006, "
        "class_007, class_008, class_009 ... (300 in all) must hold probabilities that sum to 1 on every row."
    )
