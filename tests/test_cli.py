"""The ``etl`` command through click's CliRunner, on real files in tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from etl import __version__, build, load
from etl.cli import main
from tests.tables import table_bytes


def test_version_and_help() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
    for args in (["--help"], ["build", "--help"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.output


def test_build_seed_article(seed_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(seed_raw), str(out)])
    assert result.exit_code == 0, result.output
    assert "built 1 articles from 1 files (1 processed" in result.output
    articles = pd.read_parquet(out / "articles.parquet")
    assert articles["article_id"].tolist() == ["ukraine-2024-12-17"]
    assert articles["published"].iloc[0] == pd.Timestamp("2024-12-17")
    assert articles["published_basis"].tolist() == ["metadata"]
    assert (out / "problems.parquet").exists()


def test_bad_input_is_recorded_and_strict_fails(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    (raw / "notes.pdf").write_bytes(b"%PDF-1.4")
    (raw / "ok.jsonl").write_text(json.dumps({"id": "a", "text": "Shelling.", "published": "2024-01-02"})
                                  + "\n{bad\n")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(raw), str(out)])
    assert result.exit_code == 0, result.output
    problems = load(out)["problems"]
    assert sorted(problems["code"]) == ["bad_json", "empty_file", "unknown_format"]
    assert problems.loc[problems["code"] == "bad_json", "line"].tolist() == [2]
    assert load(out)["articles"]["article_id"].tolist() == ["a"]
    result = runner.invoke(main, ["build", "--strict", str(raw), str(out)])
    assert result.exit_code == 3
    assert "3 problems" in result.output and "bad_json" in result.output


def test_default_published(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Title\nShelling hit the city on Monday.\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", "--default-published", "2024-03-04", str(raw), str(out)])
    assert result.exit_code == 0, result.output
    articles = load(out)["articles"]
    assert articles["published_basis"].tolist() == ["default"]
    assert articles["published"].iloc[0] == pd.Timestamp("2024-03-04")
    result = CliRunner().invoke(main, ["build", "--default-published", "March", str(raw), str(out)])
    assert result.exit_code == 2 and "not an ISO date" in result.output
    result = CliRunner().invoke(main, ["build", "--default-published", "9999-12-31", str(raw), str(out)])
    assert result.exit_code == 2 and "outside the years" in result.output


def test_no_reference_date_still_flows(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Title\nShelling hit the city on Monday.\n")
    build(raw, tmp_path / "out")
    articles = load(tmp_path / "out")["articles"]
    assert articles["published_basis"].tolist() == ["none"]
    assert articles["published"].isna().all()


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    line = json.dumps({"id": "same", "text": "x", "published": "2024-12-17"})
    (raw / "a.jsonl").write_text(f"{line}\n{line}\n")
    build(raw, tmp_path / "out")
    tables = load(tmp_path / "out")
    assert tables["articles"]["article_id"].tolist() == ["same"]
    assert tables["problems"]["code"].tolist() == ["duplicate_article_id"]


def test_deterministic_bytes(seed_raw: Path, tmp_path: Path) -> None:
    (seed_raw / "more.jsonl").write_text(
        "".join(json.dumps({"id": f"a{i}", "text": f"Shelling hit Kharkiv on Monday, {i}.",
                            "published": "2024-12-17"}) + "\n" for i in range(5)))
    build(seed_raw, tmp_path / "one", jobs=1)
    build(seed_raw, tmp_path / "two", jobs=2)
    one, two = table_bytes(tmp_path / "one"), table_bytes(tmp_path / "two")
    assert one and one.keys() == two.keys()
    for name in one:
        assert one[name] == two[name], name


def test_python_dash_m(seed_raw: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "etl", "build", str(seed_raw), str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (out / "articles.parquet").exists()
    assert done.stderr == ""  # quiet when not attached to a terminal


def test_builds_choose_the_system_allocator_before_pyarrow_loads(tmp_path: Path) -> None:
    # Arrow's C++ default pool (mimalloc) keeps freed pages resident and is chosen once, from
    # ARROW_DEFAULT_MEMORY_POOL, when pyarrow loads: the command sets it first, unless the user
    # chose a pool. A fresh interpreter, as the command runs in.
    script = ("import os, sys\nfrom etl.cli import main\nprint('pyarrow' in sys.modules)\n"
              "main(['build', '--jobs', '1', sys.argv[1], sys.argv[2]], standalone_mode=False)\n"
              "print('pyarrow' in sys.modules, os.environ['ARROW_DEFAULT_MEMORY_POOL'])\n")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("KYIV, 2024-12-17 - Shelling killed two people on Monday.\n")
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    for chosen, expected in ((None, "system"), ("mimalloc", "mimalloc")):
        if chosen:
            env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
        run = subprocess.run([sys.executable, "-c", script, str(raw), str(tmp_path / f"out-{expected}")],
                             capture_output=True, text=True, env=env, check=True)
        lines = run.stdout.splitlines()
        assert lines[0] == "False" and lines[-1].split() == ["True", expected]


def test_jobs_over_the_usable_cores_are_lowered_with_a_note(seed_raw: Path, tmp_path: Path,
                                                             monkeypatch) -> None:
    import etl.engines

    monkeypatch.setattr(etl.engines, "usable_cpus", lambda: 1)
    made: list[etl.engines.Engine] = []
    real = etl.engines.make_engine
    monkeypatch.setattr(etl.engines, "make_engine", lambda *a, **k: made.append(real(*a, **k)) or made[-1])
    result = CliRunner().invoke(main, ["build", "--jobs", "16", str(seed_raw), str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "note: --jobs 16 lowered to 1, the usable cores" in result.output
    assert [engine.jobs for engine in made] == [1]  # type: ignore[attr-defined]
    result = CliRunner().invoke(main, ["build", "--jobs", "1", str(seed_raw), str(tmp_path / "out")])
    assert "note:" not in result.output


def test_an_os_error_writing_out_is_an_error_line_not_a_traceback(seed_raw: Path, tmp_path: Path,
                                                                   monkeypatch) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = CliRunner().invoke(main, ["build", str(seed_raw), str(tmp_path / "a-file" / "out")])
    assert result.exit_code == 1
    assert result.output.startswith("error: Not a directory: ") and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)

    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "out" / "articles.parquet"))

    monkeypatch.setattr("etl.pipeline.build", refused)
    result = CliRunner().invoke(main, ["build", str(seed_raw), str(tmp_path / "out")])
    assert (result.exit_code, result.output) == (
        1, f"error: Permission denied: {tmp_path / 'out' / 'articles.parquet'}\n")


def test_a_local_url_raw_folder_must_exist(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", f"local://{tmp_path}/missing", str(tmp_path / "out")])
    assert result.exit_code == 2 and "does not exist" in result.output
