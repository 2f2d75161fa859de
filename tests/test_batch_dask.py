"""Batch conversion on a Dask distributed cluster (a LocalCluster stands in for a real one)."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import nvivo_bridge
from nvivo_bridge.batch import REPORT_NAME, load_report, plan_batch
from nvivo_bridge.batch.run import NOT_RUN_FAIL_FAST, run_dask
from nvivo_bridge.cli import main
from nvivo_bridge.errors import UsageError
from projects import rich_project, small_project

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def cluster():
    """One worker process (tasks really travel pickled to another interpreter)."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0",
                                  silence_logs=40) as c:
        yield c


@pytest.fixture
def inputs(tmp_path):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    nvivo_bridge.write(small_project(), src / "a.json")
    nvivo_bridge.write(rich_project(), src / "sub" / "b.json")
    (src / "broken.json").write_bytes(os.urandom(100))
    (src / "n.foo").write_text("x")
    return src


def test_cli_dask_scheduler(cluster, inputs, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["batch", str(inputs), str(inputs / "n.foo"), "--recursive", "-o", str(out),
                                    "--to", "json", "--dask-scheduler", cluster.scheduler_address])
    assert res.exit_code == 1, res.output
    rows = {Path(r.input).name: r for r in load_report(out / REPORT_NAME)}
    assert {n: r.status for n, r in rows.items()} == {"a.json": "ok", "broken.json": "failed", "n.foo": "skipped",
                                                    "b.json": "ok"}
    assert "broken.json" in rows["broken.json"].error
    assert nvivo_bridge.read(out / "sub" / "b.json").counts() == rich_project().counts()
    assert not [p for p in out.rglob("*.tmp")]


def test_dask_all_ok_exit_0_with_client_object(cluster, inputs, tmp_path):
    plan = plan_batch([inputs / "a.json", inputs / "sub" / "b.json"], tmp_path / "out", "json")
    with distributed.Client(cluster.scheduler_address) as client:
        outcome = run_dask(plan.tasks, client)
        assert client.status == "running"      # a Client passed in is not closed
    assert [r.status for r in outcome.results] == ["ok", "ok"]


def test_dask_fail_fast(cluster, tmp_path):
    """Regression: --fail-fast cancelled the futures of tasks already running on a worker, which
    Dask cannot stop; they wrote their outputs after the batch returned while their rows said
    "not run".  Now a running task finishes and is reported; only unstarted ones are skipped."""
    from batch_projects import mid_project

    src = tmp_path / "in"
    src.mkdir()
    nvivo_bridge.write(mid_project(3, sources=40, codings_per_source=200), src / "a00.json")
    (src / "a01.json").write_text("not json")   # fails at once, while a00 (~0.4 s) runs beside it
    for i in range(2, 22):   # the failure comes back long before these could all run, even under load
        shutil.copyfile(src / "a00.json", src / f"a{i:02d}.json")
    plan = plan_batch([src], tmp_path / "out", "json")
    outcome = run_dask(plan.tasks, cluster.scheduler_address, fail_fast=True)
    first, failed, *rest = outcome.results
    assert outcome.stopped and failed.status == "failed"
    assert first.status == "ok" and Path(first.output).is_file()
    assert {r.status for r in rest} <= {"ok", "skipped"}
    skipped = [r for r in rest if r.status == "skipped"]
    assert len(skipped) >= 5 and all(r.error == NOT_RUN_FAIL_FAST for r in skipped)
    assert all(Path(r.output).is_file() for r in rest if r.status == "ok")
    time.sleep(1)   # nothing is left running on the cluster to write a skipped row's output late
    assert not any(Path(r.output).exists() for r in skipped)


def test_unreachable_scheduler_is_usage_error(inputs, tmp_path):
    plan = plan_batch([inputs / "a.json"], tmp_path / "out", "json")
    with pytest.raises(UsageError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_dask(plan.tasks, "tcp://127.0.0.1:9", timeout="1s")


def test_dask_threads_in_process(inputs, tmp_path):
    """processes=False: tasks run in worker threads, where signal handlers cannot be set."""
    plan = plan_batch([inputs / "a.json", inputs / "broken.json"], tmp_path / "out", "json")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0",
                                  silence_logs=40) as local:
        outcome = run_dask(plan.tasks, local.scheduler_address)
    assert [r.status for r in outcome.results] == ["ok", "failed"]
    assert nvivo_bridge.read(tmp_path / "out" / "a.json").counts() == small_project().counts()
