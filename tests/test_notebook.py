"""notebooks/timeline.ipynb runs from top to bottom against a processed folder (nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.timeline.builders import write_processed

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "timeline.ipynb"


@pytest.mark.slow
def test_timeline_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    out = write_processed(tmp_path / "processed")
    monkeypatch.setenv("ETL_PROCESSED_DIR", str(out))  # the kernel inherits the environment
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    # The last cell prints the conflict's events newest first; the Kharkiv strike has 3 sources.
    assert "Kharkiv" in printed and "3 sources" in printed


def test_notebook_is_stored_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.slow
def test_timeline_notebook_runs_on_the_sample_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from etl import build
    from tests.conftest import REPO

    out = tmp_path / "processed"
    build(REPO / "data" / "raw", out)
    monkeypatch.setenv("ETL_PROCESSED_DIR", str(out))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    printed = "".join(o.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    assert "Pokrovsk" in printed  # the sample article's Russian advance on Pokrovsk, UKR
