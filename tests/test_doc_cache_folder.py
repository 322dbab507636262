"""The Doc cache folder holds only what lf writes, and `lf cache clear` removes only that."""

from __future__ import annotations

from pathlib import Path

import pytest

from lf.cli import main
from lf.doc_cache import DocCache, clear_doc_cache
from lf.errors import DataError

spacy = pytest.importorskip("spacy")


def _project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    (folder / "experiments").mkdir(parents=True)
    (folder / "experiments" / "pipeline.json").write_text('{"steps": 3}\n')
    (folder / "notes.txt").write_text("important\n")
    return folder


def test_a_folder_holding_other_files_is_not_taken_for_a_doc_cache(tmp_path: Path) -> None:
    folder = _project(tmp_path)
    with pytest.raises(DataError, match="is not a Doc cache: it holds other files"):
        DocCache(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["experiments", "notes.txt"]  # no marker left
    DocCache(tmp_path / "new")  # a new folder, or an empty one, becomes a Doc cache
    (tmp_path / "empty").mkdir()
    DocCache(tmp_path / "empty")


def test_clear_removes_only_the_folders_the_doc_cache_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "docs"
    cache = DocCache(folder)
    nlp = spacy.blank("en")
    cache.put({"name": "blank", "components": []}, ["a text"], [nlp("a text")])
    cache.put({"name": "blank", "components": ["x"]}, ["more text"], [nlp("more text")])
    (folder / "experiments").mkdir()  # the user's, added later
    (folder / "experiments" / "pipeline.json").write_text('{"steps": 3}\n')
    (stray,) = [p for p in folder.iterdir() if p.name not in ("LF_DOC_CACHE", "experiments")][:1]
    (stray / ".DS_Store").write_bytes(b"finder")  # a file of another kind in a pipeline folder
    assert main(["cache", "clear", str(folder)]) == 0
    assert "removed the cached Docs" in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == sorted(["LF_DOC_CACHE", "experiments", stray.name])
    assert [p.name for p in stray.iterdir()] == [".DS_Store"]  # every cached Doc went, the rest stays
    assert (folder / "experiments" / "pipeline.json").read_text() == '{"steps": 3}\n'
    assert clear_doc_cache(folder) == 0


def test_cache_info_shows_control_characters_of_a_pipelines_metadata_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nlp = spacy.blank("en")
    nlp.meta["name"] = "x\x1b[31mred\x1b]8;;http://evil\x07link"
    folder = tmp_path / "docs"
    description = {"name": f"en_{nlp.meta['name']}", "version": "1\x1b[2J", "spacy": "3", "components": ["a\x07:b"]}
    DocCache(folder).put(description, ["a text"], [nlp("a text")])
    assert main(["cache", "info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "en_x\\x1b[31mred\\x1b]8;;http://evil\\x07link 1\\x1b[2J" in out.replace("\n", "")


def test_cache_info_reports_a_damaged_pipeline_description(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A pipeline.json cut short (a writer stopped mid-write) made `lf cache info` fail with
    an internal JSONDecodeError; it is written atomically now, and read as unknown if damaged."""
    nlp = spacy.blank("en")
    folder = tmp_path / "docs"
    DocCache(folder).put({"name": "en_blank", "components": []}, ["a text"], [nlp("a text")])
    meta = next(folder.glob("*/pipeline.json"))
    meta.write_text('{"name": "en_bl')
    assert main(["cache", "info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "? ? (spaCy ?): components unknown" in out and "1 Docs in 1 segments" in out
