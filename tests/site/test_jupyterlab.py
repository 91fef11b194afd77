"""`make notebooks` starts a JupyterLab that works: tested over its HTTP API on loopback."""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from graders.paths import REPO_ROOT

pytest.importorskip("jupyterlab", reason="JupyterLab (the `jupyter` package) is not installed")

TOKEN = "course-test-token"


def _lab_module():
    spec = importlib.util.spec_from_file_location(
        "notebooks_lab", REPO_ROOT / "notebooks" / "lab.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lab = _lab_module()


def test_root_gets_allow_root_and_the_notebook_opens_in_front(monkeypatch) -> None:
    notebook = REPO_ROOT / "notebooks" / "ch30_transactions.ipynb"
    monkeypatch.setattr(lab.os, "geteuid", lambda: 0)
    as_root = lab.lab_command(notebook, browser=False)
    assert "--allow-root" in as_root
    assert "--LabApp.default_url=/lab/tree/notebooks/ch30_transactions.ipynb" in as_root
    assert f"--ServerApp.root_dir={REPO_ROOT}" in as_root
    monkeypatch.setattr(lab.os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab.lab_command(notebook)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    subprocess.run(
        [str(REPO_ROOT / ".venv" / "bin" / "python"), "notebooks/build.py"]
        if (REPO_ROOT / ".venv").is_dir()
        else ["python", "notebooks/build.py"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
    )
    lab.write_quiet_settings()
    port = _free_port()
    home = tmp_path_factory.mktemp("jupyter-home")
    command = lab.lab_command(lab.default_notebook("ch30"), port=port, token=TOKEN, browser=False)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_CONFIG_DIR": str(home / "config"),
    }
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"JupyterLab exited: {process.stderr.read().decode()[-2000:]}")
        try:
            _get(f"{base}/api/status?token={TOKEN}")
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("JupyterLab did not answer within 90 s")
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stderr.close()


def test_lab_page_is_served(lab_server) -> None:
    status, page = _get(f"{lab_server}/lab?token={TOKEN}")
    assert status == 200 and "JupyterLab" in page


def test_a_notebook_is_served_through_the_contents_api(lab_server) -> None:
    status, body = _get(
        f"{lab_server}/api/contents/notebooks/ch30_transactions.ipynb?token={TOKEN}"
    )
    model = json.loads(body)
    assert status == 200 and model["type"] == "notebook"
    assert model["content"]["cells"], "the notebook came back empty"


def test_file_browser_hides_the_notebook_sources_but_not_exercises(lab_server) -> None:
    _, body = _get(f"{lab_server}/api/contents/notebooks?token={TOKEN}")
    names = {item["name"] for item in json.loads(body)["content"]}
    assert "ch30_transactions.ipynb" in names
    assert "ch30_transactions.py" not in names
    _, body = _get(f"{lab_server}/api/contents/exercises/ch30?token={TOKEN}")
    assert any(item["name"].endswith(".py") for item in json.loads(body)["content"])
    _, body = _get(f"{lab_server}/api/contents?token={TOKEN}")
    top = {item["name"] for item in json.loads(body)["content"]}
    assert {"chapters", "exercises", "notebooks"} <= top  # the lessons are reachable too


def test_news_pop_up_is_off(lab_server) -> None:
    plugin = "@jupyterlab/apputils-extension:notification"
    _, body = _get(f"{lab_server}/lab/api/settings/{plugin}?token={TOKEN}")
    # Overrides show up as the schema's defaults (JupyterLab's own default is "none": ask).
    properties = json.loads(body)["schema"]["properties"]
    assert properties["fetchNews"]["default"] == "false"
    assert properties["checkForUpdates"]["default"] is False
