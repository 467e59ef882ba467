"""linkguard.integrations.spark: partition functions, schema, and the job in PySpark local mode."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from helpers import assert_missing_extra_hint

import linkguard
from linkguard import ROW_FIELDS

pytest.importorskip("pyspark")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

import pandas as pd
from pyspark.sql import Row, SparkSession

from linkguard.integrations import spark as lg_spark
from linkguard.integrations import spark_daemon

pytestmark = [
    pytest.mark.spark,
    # PySpark 4.x warns on pandas >= 3 ("does not yet fully support"); the paths used here work.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

WARC = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "warc" / "resiliparse-warcfile.warc.gz"
WARC_RESPONSES = 16  # documented in ../shared/corpus/warc/README.md
CLEAN = "<p>A normal paragraph about the weather today, written for the town's newsletter.</p>"


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java")
    saved = {k: os.environ.get(k) for k in ("SPARK_LOCAL_IP", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("linkguard-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config(lg_spark.DAEMON_CONF, spark_daemon.MODULE)  # as the ready job starts its session
        .config("spark.local.dir", str(tmp_path_factory.mktemp("spark-local")))
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


# ------------------------------------------------------------ without a Spark session


def test_missing_pyspark_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_missing_extra_hint(monkeypatch, "pyspark", "spark")


def test_schema_matches_row_fields() -> None:
    assert tuple(lg_spark.OUTPUT_SCHEMA.fieldNames()) == ROW_FIELDS


def test_score_partition_takes_rows_and_dicts(clean_model: str) -> None:
    records: list[Any] = [  # one not a record on purpose
        Row(id=1, url="https://a.example/", html=CLEAN),
        {"id": "b", "url": "https://b.example/", "html": CLEAN.encode()},
        {"id": "c", "url": "https://c.example/"},  # no page: skipped, still a row
        "not a record",  # error row, not an exception
    ]
    rows = list(lg_spark.score_partition(iter(records), model=clean_model))
    assert len(rows) == len(records)
    assert [tuple(r) for r in rows] == [ROW_FIELDS] * len(records)
    assert [r["id"] for r in rows] == ["1", "b", "c", None]
    assert [r["status"] for r in rows] == ["ok", "ok", "skipped", "error"]


def test_score_pandas_turns_nulls_into_skips_and_keeps_columns(clean_model: str) -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "url": ["https://a.example/", None, "https://c.example/"],
            "html": [CLEAN, CLEAN, None],
        }
    )
    (out,) = list(lg_spark.score_pandas(iter([frame]), model=clean_model))
    assert list(out.columns) == list(ROW_FIELDS)
    assert out["status"].tolist() == ["ok", "ok", "skipped"]
    assert out["id"].tolist() == ["1", "2", "3"]
    assert out["url"].tolist()[1] is None


def test_model_spec_drives_the_verdict(spam_model: str, clean_model: str) -> None:
    """The model given by path is what scores (wiring only: constant models, no trained weights needed)."""
    records = [{"id": "x", "url": "https://x.example/", "html": CLEAN}]
    (hot,) = lg_spark.score_partition(records, model=spam_model)
    (cold,) = lg_spark.score_partition(records, model=Path(clean_model))
    assert hot["is_spam"] is True and hot["n_spam_segments"] == hot["n_segments"] >= 1
    assert cold["is_spam"] is False and cold["n_spam_segments"] == 0


def test_cli_help_runs_without_a_jvm() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "linkguard.integrations.spark", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for flag in ("--input", "--output", "--input-format", "--html-field", "--num-partitions", "--master"):
        assert flag in proc.stdout


# ------------------------------------------------------------ in PySpark local mode


def test_mappartitions_and_mapinpandas_in_spark(spark: SparkSession, spam_model: str) -> None:
    data = [(str(i), f"https://site{i}.example/", CLEAN if i % 3 else None) for i in range(12)]
    df = spark.createDataFrame(data, "id string, url string, html string").repartition(3)
    by_rdd = df.rdd.mapPartitions(partial(lg_spark.score_partition, model=spam_model))
    via_rdd = spark.createDataFrame(by_rdd, lg_spark.OUTPUT_SCHEMA)
    via_arrow = df.mapInPandas(partial(lg_spark.score_pandas, model=spam_model), schema=lg_spark.OUTPUT_SCHEMA)
    for out in (via_rdd, via_arrow):
        rows = {r["id"]: r for r in out.collect()}
        assert len(rows) == len(data)
        assert {rows[str(i)]["status"] for i in range(0, 12, 3)} == {"skipped"}
        ok = [rows[str(i)] for i in range(12) if i % 3]
        assert all(r["status"] == "ok" and r["is_spam"] is True for r in ok)
        assert all(r["n_segments"] >= 1 and isinstance(r["spam_links"], list) for r in ok)


def test_warc_list_job_one_row_per_record_plus_unreadable_file(
    spark: SparkSession, tmp_path: Path, clean_model: str
) -> None:
    if not WARC.is_file():
        pytest.skip(f"shared WARC not found at {WARC}")
    from linkguard.io.warc import iter_records

    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(WARC.read_bytes()[:60_000])  # a download that stopped half way
    missing = tmp_path / "gone.warc.gz"
    listing = tmp_path / "warc.paths"
    listing.write_text(f"{WARC.resolve()}\n{cut}\n\n{missing}\n", "utf-8")
    cut_records = list(iter_records(str(cut)))
    assert cut_records[-1]["status"] == "error"  # the reader reports the damage itself
    out = str(tmp_path / "out")
    rows = lg_spark.run_job(spark, str(listing), out, num_partitions=2, model_path=clean_model).collect()
    assert len(rows) == WARC_RESPONSES + len(cut_records) + 1  # + 1: the file that cannot be opened
    ok = [r for r in rows if r["status"] == "ok"]
    assert len(ok) == WARC_RESPONSES + len(cut_records) - 1
    assert all(r["url"].startswith("http") and r["id"].startswith("<urn:uuid:") for r in ok)
    errors = [r for r in rows if r["status"] == "error"]
    assert len(errors) == 2 and all(r["error"] for r in errors)
    assert str(missing) in {r["id"] for r in errors}


def test_jsonl_job_counts_in_equal_rows_out(spark: SparkSession, tmp_path: Path, clean_model: str) -> None:
    src = tmp_path / "pages.jsonl"
    lines = [json.dumps({"id": i, "url": f"https://p{i}.example/", "html": CLEAN}) for i in range(4)]
    lines.insert(2, '{"id": 99, "url": "https://broken.example/", "html": ')  # malformed JSON line
    lines.append(json.dumps({"id": 5, "url": "https://nopage.example/"}))  # no page
    src.write_text("\n".join(lines) + "\n", "utf-8")
    table = lg_spark.run_job(
        spark, str(src), str(tmp_path / "out"), input_format="jsonl", num_partitions=2, model_path=clean_model
    )
    rows = table.collect()
    assert len(rows) == len(lines)
    by_status: dict[str, int] = {}
    for r in rows:
        by_status[r["status"]] = by_status.get(r["status"], 0) + 1
    assert by_status == {"ok": 4, "error": 1, "skipped": 1}
    assert {r["id"] for r in rows if r["status"] == "ok"} == {"0", "1", "2", "3"}
    (bad,) = [r for r in rows if r["status"] == "error"]
    assert bad["id"] == "99"  # the malformed line keeps its record id


def test_malformed_line_without_an_id_is_named_by_file_and_place(
    spark: SparkSession, tmp_path: Path, clean_model: str
) -> None:
    src = tmp_path / "pages.jsonl"
    src.write_text(json.dumps({"id": "a", "html": CLEAN}) + "\n{broken\n", "utf-8")
    table = lg_spark.run_job(spark, str(src), str(tmp_path / "out"), input_format="jsonl", model_path=clean_model)
    (bad,) = [r for r in table.collect() if r["status"] == "error"]
    assert bad["id"].endswith("pages.jsonl:2")


def test_parquet_job_with_html_field_and_model_path(spark: SparkSession, tmp_path: Path, spam_model: str) -> None:
    src = tmp_path / "pages.parquet"
    pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "url": ["https://a.example/", "https://b.example/", "https://c.example/"],
            "content": [CLEAN, CLEAN.encode(), None],
        }
    ).to_parquet(src)
    table = lg_spark.run_job(
        spark,
        str(src),
        str(tmp_path / "out"),
        input_format="parquet",
        html_field="content",
        model_path=spam_model,
    )
    rows = {r["id"]: r for r in table.collect()}
    assert set(rows) == {"a", "b", "c"}
    assert rows["a"]["is_spam"] is True and rows["b"]["is_spam"] is True
    assert rows["c"]["status"] == "skipped"


def test_workers_inherit_linkguard_from_the_daemon(spark: SparkSession) -> None:
    from linkguard._pool import GC_GEN0

    def worker_state(_: Iterable[int]) -> Iterator[tuple[bool, int]]:
        # Sent by value (a local function) and run before anything of linkguard is imported in the
        # task: what the worker inherited from its daemon.
        import gc
        import sys

        yield ("linkguard._model" in sys.modules, gc.get_threshold()[0])

    states = spark.sparkContext.parallelize(range(2), 2).mapPartitions(worker_state).collect()
    assert states == [(True, GC_GEN0)] * 2


def test_daemon_preload_writes_nothing_to_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    """The daemon tells the JVM its port on standard output: a preload may not print there."""
    spark_daemon.preload()
    out, err = capfd.readouterr()
    assert out == ""
    assert "could not preload" not in err


def test_a_failed_preload_is_reported_and_the_daemon_goes_on(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    import linkguard._model

    def broken() -> None:
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(linkguard._model, "default_model", broken)
    spark_daemon.preload()  # does not raise
    out, err = capfd.readouterr()
    assert out == ""
    assert "could not preload" in err and "model file unreadable" in err


def test_ready_job_starts_its_session_with_the_preloading_daemon(tmp_path: Path) -> None:
    """In a fresh process (no session yet), as a user runs it; the event log lists the session's settings."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Spark needs Java")
    if not WARC.is_file():
        pytest.skip(f"shared WARC not found at {WARC}")
    listing = tmp_path / "warc.paths"
    listing.write_text(f"{WARC.resolve()}\n", "utf-8")
    events = tmp_path / "events"
    events.mkdir()
    env = dict(os.environ, SPARK_LOCAL_IP="127.0.0.1")
    env["PYSPARK_SUBMIT_ARGS"] = (
        f"--conf spark.eventLog.enabled=true --conf spark.eventLog.dir={events.as_uri()} "
        "--conf spark.eventLog.compress=false --conf spark.eventLog.rolling.enabled=false "
        "--conf spark.ui.enabled=false pyspark-shell"
    )
    cmd = [sys.executable, "-m", "linkguard.integrations.spark", "--master", "local[1]", "--log-level", "ERROR"]
    done = subprocess.run(
        [*cmd, "--input", str(listing), "--output", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{WARC_RESPONSES} rows ({WARC_RESPONSES} ok" in done.stderr
    settings = {}
    for log in events.iterdir():
        for line in log.read_text("utf-8").splitlines():
            event = json.loads(line)
            if event.get("Event") == "SparkListenerEnvironmentUpdate":
                settings.update(event["Spark Properties"])
    assert settings.get(lg_spark.DAEMON_CONF) == spark_daemon.MODULE
    assert "could not preload" not in done.stderr


def test_main_writes_parquet_and_reuses_the_session(spark: SparkSession, tmp_path: Path) -> None:
    if not WARC.is_file():
        pytest.skip(f"shared WARC not found at {WARC}")
    listing = tmp_path / "warc.paths"
    listing.write_text(f"{WARC.resolve()}\n", "utf-8")
    out = tmp_path / "out"
    argv = ["--input", str(listing), "--output", str(out), "--num-partitions", "1", "--log-level", "ERROR"]
    assert lg_spark.main(argv) == 0
    assert spark.read.parquet(str(out)).count() == WARC_RESPONSES
    with pytest.raises(Exception, match="already exists"):
        lg_spark.main(argv)
    assert lg_spark.main([*argv, "--overwrite"]) == 0
    assert not spark.sparkContext._jsc.sc().isStopped()  # main did not stop a session it did not create
    nothing = tmp_path / "wrong.paths"
    nothing.write_text(f"{tmp_path / 'no-such.warc.gz'}\n", "utf-8")
    assert lg_spark.main(["--input", str(nothing), "--output", str(tmp_path / "out2")]) == 1  # all errors


def test_trained_model_verdicts_in_spark(spark: SparkSession, tmp_path: Path, seed_page: str) -> None:
    """Needs the trained model: the seed page (real injected spam) is spam, a plain paragraph is not."""
    from linkguard import ModelError, default_model

    try:
        if default_model().metadata.get("note") == "placeholder":
            pytest.skip("bundled model is the placeholder; verdicts need the trained model")
    except ModelError as exc:
        pytest.skip(f"bundled model does not load: {exc}")
    src = tmp_path / "pages.jsonl"
    src.write_text(
        json.dumps({"id": "seed", "url": "https://www.afintl.com/news/", "html": seed_page})
        + "\n"
        + json.dumps({"id": "clean", "url": "https://town.example/", "html": CLEAN})
        + "\n",
        "utf-8",
    )
    rows = {
        r["id"]: r for r in lg_spark.run_job(spark, str(src), str(tmp_path / "out"), input_format="jsonl").collect()
    }
    assert rows["seed"]["is_spam"] is True and "http://103.49.239.135/" in rows["seed"]["spam_links"]
    assert rows["clean"]["is_spam"] is False


def _harbour_pages(n: int, inject_from: int) -> list[dict[str, str]]:
    payload = (
        '<div style="display:none"><a href="https://slot-gacor88.com/">slot gacor</a> '
        '<a href="https://togel-online77.net/">togel online</a> <a href="http://103.49.239.135/">judi slot</a></div>'
    )
    return [
        {
            "id": f"h{k}",
            "url": f"https://www.harbour-town.org/news/{k}",
            "date": f"2024-05-{k + 1:02d}T08:00:00Z",
            "html": (
                f"<html><body><article><p>The harbour committee met on day {k} to discuss the ferry timetable "
                f"and the repairs to the north pier.</p></article>{payload if k >= inject_from else ''}"
                "<footer><p>Harbour Town Council</p></footer></body></html>"
            ),
        }
        for k in range(n)
    ] + [{"id": "o1", "url": "https://other.org/", "html": CLEAN, "date": "2024-04-01T00:00:00Z"}]


def test_host_summaries_in_spark_equal_the_cli(spark: SparkSession, tmp_path: Path) -> None:
    """The group-by on the registrable domain gives what 'linkguard hosts' gives on the same rows."""
    from linkguard.cli import main

    rows = list(linkguard.score_records(_harbour_pages(8, 3)))
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    out = tmp_path / "hosts.jsonl"
    assert main(["hosts", str(path), "-q", "-o", str(out)]) == 0
    cli = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    names = lg_spark.OUTPUT_SCHEMA.fieldNames()
    df = spark.createDataFrame([tuple(r.get(n) for n in names) for r in rows], lg_spark.OUTPUT_SCHEMA)
    for parts in (1, 3):
        assert lg_spark.host_summaries(df.repartition(parts)) == cli
    assert [s["host"] for s in cli] == ["harbour-town.org", "other.org"]
    assert cli[0]["pages"] == 8 and cli[0]["first_date"] == "2024-05-01T08:00:00Z"


def test_jsonl_job_writes_host_summary_and_dates(spark: SparkSession, tmp_path: Path) -> None:
    src = tmp_path / "pages.jsonl"
    src.write_text("".join(json.dumps(p) + "\n" for p in _harbour_pages(5, 0)), "utf-8")
    hosts_dir = tmp_path / "hosts"
    table = lg_spark.run_job(
        spark,
        str(src),
        str(tmp_path / "out"),
        input_format="jsonl",
        num_partitions=2,
        host_summary_path=str(hosts_dir),
        campaigns_path=str(tmp_path / "campaigns"),
    )
    assert {r["date"] for r in table.collect()} >= {"2024-05-01T08:00:00Z"}
    lines = [json.loads(x) for f in sorted(hosts_dir.glob("part-*")) for x in f.read_text("utf-8").splitlines()]
    assert [s["host"] for s in lines] == ["harbour-town.org", "other.org"]
    assert lines[0]["records"] == 5


def test_warc_list_dealt_one_file_per_partition(spark: SparkSession) -> None:
    """Each file of the list goes to its own partition (k mod n), so n files keep n tasks busy."""
    paths = spark.sparkContext.parallelize([f"part-{k}.warc.gz" for k in range(6)], 1)
    parts = lg_spark._deal(paths, 4).glom().collect()
    assert sorted(len(p) for p in parts) == [1, 1, 2, 2]
    assert sorted(x for p in parts for x in p) == [f"part-{k}.warc.gz" for k in range(6)]
    assert [
        len(p) for p in lg_spark._deal(spark.sparkContext.parallelize(["a", "b", "c", "d"], 2), 4).glom().collect()
    ] == [1, 1, 1, 1]
