"""Score pages in PySpark: partition functions, the output schema, and a ready job.

Three ways in, all one row per input record (``status`` ``ok``/``skipped``/``error``),
so a job's input and output counts match:

* :func:`score_partition` for ``rdd.mapPartitions`` (Rows or dicts in, dicts out);
* :func:`score_pandas` for ``df.mapInPandas(score_pandas, OUTPUT_SCHEMA)`` (Arrow batches);
* ``python -m linkguard.integrations.spark --input ... --output ...``: a WARC path list
  (Common Crawl style, like cc-pyspark) or a JSONL/Parquet table in, Parquet out.

:func:`host_summaries` is the host view of :mod:`linkguard._hosts` over a scored
table: rows keyed by the registrable domain of their URL, folded per host into a
bounded sketch with ``aggregateByKey`` (no host's rows are ever gathered in one
place), the same summaries ``linkguard hosts`` writes; the job writes them with
``--host-summary DIR``, and the campaigns across hosts with ``--campaigns DIR``.

The model is never broadcast: each Python worker loads it once through a
process-level cache (the bundled model, or a JSON model file given by path).
The ready job starts its session with
``spark.python.daemon.module=linkguard.integrations.spark_daemon``, so that an
executor's workers inherit linkguard and the bundled model from their daemon
instead of each loading them (:mod:`linkguard.integrations.spark_daemon`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from linkguard.integrations import missing_extra

try:
    from pyspark import SparkConf
    from pyspark.sql import DataFrame, Row, SparkSession
    from pyspark.sql import functions as F  # noqa: N812 - the PySpark convention
    from pyspark.sql.types import (
        ArrayType,
        BooleanType,
        DoubleType,
        IntegerType,
        StringType,
        StructField,
        StructType,
    )
    from pyspark.sql.window import Window
except ImportError as _exc:  # pragma: no cover - exercised by the missing-extra test
    raise missing_extra("spark", _exc) from _exc

from linkguard._batch import score_records
from linkguard._campaigns import MIN_HOSTS_DEFAULT, find_campaigns
from linkguard._config import Config
from linkguard._hosts import MIN_PAGES_DEFAULT, HostSketch, host_of
from linkguard._records import FIELDS, ROW_FIELDS, failed_record
from linkguard.integrations import ModelSpec, resolve_model, spark_daemon

if TYPE_CHECKING:
    import pandas as pd
    from pyspark import RDD

__all__ = [
    "OUTPUT_SCHEMA",
    "SCORE_JOB",
    "build_parser",
    "host_summaries",
    "main",
    "run_job",
    "score_pandas",
    "score_partition",
    "score_warc_paths",
]

log = logging.getLogger("linkguard.spark")

DAEMON_CONF = "spark.python.daemon.module"
"""The Spark setting that names the Python daemon the job's session uses (unless already set)."""

SCORE_JOB = "linkguard: score and write Parquet"
"""The description :func:`run_job` gives its scoring job (in the Spark UI and the event log)."""

_SPARK_TYPES: dict[str, Any] = {
    "string": StringType(),
    "bool": BooleanType(),
    "float": DoubleType(),
    "int": IntegerType(),
    "strings": ArrayType(StringType(), containsNull=False),
}

OUTPUT_SCHEMA = StructType([StructField(f.name, _SPARK_TYPES[f.kind], nullable=f.nullable) for f in FIELDS])
"""Spark schema of :data:`linkguard.ROW_FIELDS`, derived from the one row definition (``id`` as a string)."""


def _as_mapping(record: Any) -> Any:
    """Spark Rows become dicts; anything else goes to score_records as it is (it reports non-mappings)."""
    if isinstance(record, Row):
        return record.asDict()
    return record


def _spark_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only the schema's columns and make ``id`` a string, so one schema fits every input."""
    out = {name: row.get(name) for name in ROW_FIELDS}
    if out["id"] is not None and not isinstance(out["id"], str):
        out["id"] = str(out["id"])
    return out


def score_partition(
    records: Iterable[Row | Mapping[str, Any]],
    *,
    html_field: str | None = None,
    url_field: str = "url",
    id_field: str = "id",
    config: Config | None = None,
    model: ModelSpec = None,
    batch_size: int = 64,
) -> Iterator[dict[str, Any]]:
    """Score one partition: Rows or dicts with id/url/html in, one ``OUTPUT_SCHEMA`` dict per record out.

    Use with options through :func:`functools.partial`::

        rows = df.rdd.mapPartitions(partial(score_partition, html_field="content"))
        out = spark.createDataFrame(rows, OUTPUT_SCHEMA)

    Give ``model`` as a path (not a loaded model) so executors read it once each.
    """
    rows = score_records(
        (_as_mapping(r) for r in records),
        page_field=html_field,
        url_field=url_field,
        id_field=id_field,
        config=config,
        model=resolve_model(model),
        batch_size=batch_size,
    )
    for row in rows:
        yield _spark_row(row)


def _pandas() -> Any:
    """pandas, imported when a pandas path runs: a worker scoring WARC files never needs it, and
    importing it cost each Python worker about 0.17 s of start-up."""
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - pyspark's own pandas paths need it too
        raise missing_extra("spark", exc) from exc
    return pandas


def _clean_value(value: Any, isna: Callable[[Any], Any]) -> Any:
    """pandas puts NaN/NaT where Arrow had nulls; linkguard wants ``None`` (``isna``: pandas')."""
    if value is None or isinstance(value, (str, bytes, bytearray)):
        return value
    try:
        return None if isna(value) else value
    except (TypeError, ValueError):  # arrays and other non-scalars
        return value


def score_pandas(
    batches: Iterable[pd.DataFrame],
    *,
    html_field: str | None = None,
    url_field: str = "url",
    id_field: str = "id",
    config: Config | None = None,
    model: ModelSpec = None,
    batch_size: int = 64,
) -> Iterator[pd.DataFrame]:
    """``mapInPandas`` function: batches with id/url/html columns in, ``OUTPUT_SCHEMA`` frames out.

    ::

        out = df.select("id", "url", "html").mapInPandas(score_pandas, schema=OUTPUT_SCHEMA)

    Extra columns ``encoding``, ``mode``, ``status`` and ``error`` are honoured
    as in :func:`linkguard.score_records`.
    """
    pd = _pandas()
    for frame in batches:
        records = (
            {key: _clean_value(value, pd.isna) for key, value in rec.items()} for rec in frame.to_dict("records")
        )
        rows = list(
            score_partition(
                records,
                html_field=html_field,
                url_field=url_field,
                id_field=id_field,
                config=config,
                model=model,
                batch_size=batch_size,
            )
        )
        # object dtype keeps None as None (pandas 3 would make string nulls NaN); Arrow casts per schema.
        yield pd.DataFrame(rows, columns=list(ROW_FIELDS), dtype=object)


def _open_source(path: str) -> Any:
    """Local paths go to the WARC reader as they are; remote URLs are opened with fsspec if present."""
    if "://" in path and not path.startswith("file://"):
        try:
            import fsspec
        except ImportError:
            return path  # let the reader try (and report an error row if it cannot)
        return fsspec.open(path, "rb").open()
    return path.removeprefix("file://")


def _warc_records(paths: Iterable[str], wet: bool | None) -> Iterator[dict[str, Any]]:
    """All records of all WARC files, plus one error record for a file that fails to open or read."""
    from linkguard.io.warc import iter_records

    for line in paths:
        path = line.strip()
        if not path or path.startswith("#"):
            continue
        source = None
        try:
            source = _open_source(path)
            yield from iter_records(source, wet=wet)
        except Exception as exc:
            log.warning("WARC input failed: %s: %s", path, exc)
            yield failed_record(path, None, f"cannot read WARC file {path}: {type(exc).__name__}: {exc}"[:500])
        finally:
            close = getattr(source, "close", None)
            if callable(close):
                close()


def score_warc_paths(
    paths: Iterable[str],
    *,
    wet: bool | None = None,
    config: Config | None = None,
    model: ModelSpec = None,
    batch_size: int = 64,
) -> Iterator[dict[str, Any]]:
    """``mapPartitions`` function for a WARC path list: each partition streams its files.

    One row per WARC record the reader yields (including its error rows) and one
    error row, ``id`` = the path, for a file that cannot be opened or read to the end.
    """
    rows = score_records(
        _warc_records(paths, wet),
        config=config,
        model=resolve_model(model),
        batch_size=batch_size,
    )
    for row in rows:
        yield _spark_row(row)


def _fold(sketch: HostSketch | None, item: tuple[str, dict[str, Any]]) -> HostSketch:
    host, row = item
    return (sketch or HostSketch(host)).add_row(row)


def _keyed(row: Row | Mapping[str, Any]) -> tuple[str, tuple[str, dict[str, Any]]]:
    data = row.asDict() if isinstance(row, Row) else dict(row)
    host = host_of(data.get("url"))
    return host, (host, data)


def _combine(a: HostSketch | None, b: HostSketch | None) -> HostSketch | None:
    if a is None:
        return b
    return a if b is None else a.merge(b)


def _summary(kv: tuple[str, HostSketch | None], *, min_pages: int) -> dict[str, Any]:
    sketch = kv[1] if kv[1] is not None else HostSketch(kv[0])
    return sketch.summary(min_pages=min_pages)


def host_summaries(
    rows: DataFrame | RDD[Any], *, min_pages: int = MIN_PAGES_DEFAULT, num_partitions: int | None = None
) -> list[dict[str, Any]]:
    """Per-host summaries of a scored table (``OUTPUT_SCHEMA`` rows), as ``linkguard hosts`` gives them.

    A group-by on the registrable domain of ``url`` that folds rows into a
    :class:`~linkguard._hosts.HostSketch` per host and partition, then merges the
    sketches (``aggregateByKey``): memory per host is the sketch, whatever the
    number of its pages.  Rows without a URL are left out.  Sorted by host.
    """
    rdd = rows.rdd if isinstance(rows, DataFrame) else rows
    keyed = rdd.map(_keyed).filter(lambda kv: bool(kv[0]))
    folded = keyed.aggregateByKey(None, _fold, _combine, numPartitions=num_partitions)
    out = folded.map(partial(_summary, min_pages=min_pages)).collect()
    return sorted(out, key=lambda s: s["host"])


def _write_json_lines(spark: SparkSession, items: list[dict[str, Any]], path: str, overwrite: bool) -> None:
    """Summaries as one JSON text file (one object a line) in the folder ``path``."""
    import json

    text = [json.dumps(item, ensure_ascii=False, default=str) for item in items]
    frame = spark.createDataFrame([(t,) for t in text], "value string").coalesce(1)
    frame.write.mode("overwrite" if overwrite else "errorifexists").text(path)


def _re_escape(text: str) -> str:
    """``text`` as a literal inside a Java regular expression."""
    return "".join("\\" + c if not c.isalnum() and c != "_" else c for c in text)


def _read_table(
    spark: SparkSession, path: str, input_format: str, html_field: str, url_field: str, id_field: str
) -> DataFrame:
    """A JSONL/Parquet table as ``id, url, html, encoding, date, status, error``.

    A malformed JSON line becomes an error record rather than vanishing.
    """
    if input_format == "jsonl":
        df = spark.read.option("mode", "PERMISSIVE").json(path)
    else:
        df = spark.read.parquet(path)
    cols = set(df.columns)
    if html_field not in cols:
        raise SystemExit(f"input has no column {html_field!r} (columns: {sorted(cols)}); use --html-field")

    def col_or_null(name: str) -> Any:
        return F.col(name) if name in cols else F.lit(None)

    record_id = F.col(id_field).cast("string") if id_field in cols else F.monotonically_increasing_id().cast("string")
    if "_corrupt_record" in cols:
        bad = F.col("_corrupt_record").isNotNull()
        status = F.when(bad, F.lit("error"))
        error = F.when(bad, F.lit("malformed JSON record"))
        # A malformed line keeps an id: its own, when the text still shows one, else "<file>:<N>"
        # (its place among the file's records, as the command line's "<file>:<line>").
        own = F.regexp_extract(F.col("_corrupt_record"), rf'"{_re_escape(id_field)}"\s*:\s*"?([^",}}]+)', 1)
        source = F.col("_metadata.file_path")  # the file-source metadata column (input_file_name() is empty here)
        position = F.row_number().over(Window.partitionBy(source).orderBy(F.monotonically_increasing_id()))
        where = F.concat(F.regexp_replace(source, "^file:", ""), F.lit(":"), position.cast("string"))
        record_id = F.when(bad, F.coalesce(F.when(own != "", own), where)).otherwise(record_id)
    else:
        status = F.lit(None).cast("string")
        error = F.lit(None).cast("string")
    return df.select(
        record_id.alias("id"),
        col_or_null(url_field).cast("string").alias("url"),
        F.col(html_field).alias("html"),
        col_or_null("encoding").cast("string").alias("encoding"),
        col_or_null("date").cast("string").alias("date"),
        status.alias("status"),
        error.alias("error"),
    )


def _deal(paths: RDD[str], n: int) -> RDD[str]:
    """The files of the list spread evenly over ``n`` partitions (contiguous slices, in list order).

    The list (a few lines per file) is read back to the driver and sliced there: a job over it
    with no Python function in it, so no Python worker starts for it.  (Numbering and
    partitioning the lines on the workers cost a whole stage of Python worker start-up, about
    1.2 s; ``repartition`` round-robins from a random start in each input partition, so with a
    few files several land together and one or two partitions do all the work.)"""
    return paths.context.parallelize(paths.collect(), n)


def run_job(
    spark: SparkSession,
    input_path: str,
    output_path: str,
    *,
    input_format: str = "warc-list",
    html_field: str = "html",
    url_field: str = "url",
    id_field: str = "id",
    num_partitions: int | None = None,
    num_output_partitions: int | None = None,
    threshold: float | None = None,
    model_path: str | None = None,
    wet: bool | None = None,
    overwrite: bool = False,
    prescreen: bool = False,
    host_summary_path: str | None = None,
    campaigns_path: str | None = None,
    min_pages: int = MIN_PAGES_DEFAULT,
    min_hosts: int = MIN_HOSTS_DEFAULT,
) -> DataFrame:
    """Read, score, write Parquet to ``output_path``; returns the written table (read back).

    ``host_summary_path``/``campaigns_path``: also write the host summaries and the
    campaigns across hosts, each as a folder holding one JSON Lines text file.
    """
    config = Config(threshold=threshold, prescreen=prescreen)
    if input_format == "warc-list":
        # The list is small: read as one partition, it is numbered without a job of its own.
        paths: RDD[str] = spark.sparkContext.textFile(input_path, minPartitions=1)
        if num_partitions:
            paths = _deal(paths, num_partitions)
        fn: Callable[[Iterable[str]], Iterator[dict[str, Any]]] = partial(
            score_warc_paths, wet=wet, config=config, model=model_path
        )
        out = spark.createDataFrame(paths.mapPartitions(fn), OUTPUT_SCHEMA)
    elif input_format in ("jsonl", "parquet"):
        table = _read_table(spark, input_path, input_format, html_field, url_field, id_field)
        if num_partitions:
            table = table.repartition(num_partitions)
        out = table.mapInPandas(
            partial(score_pandas, html_field="html", config=config, model=model_path),
            schema=OUTPUT_SCHEMA,
        )
    else:
        raise ValueError(f"unknown input format {input_format!r}")
    if num_output_partitions:
        out = out.coalesce(num_output_partitions)
    context = spark.sparkContext
    context.setJobDescription(SCORE_JOB)
    try:
        out.write.mode("overwrite" if overwrite else "errorifexists").parquet(output_path)
    finally:
        context.setJobDescription(None)  # type: ignore[arg-type]  # None clears it
    table = spark.read.parquet(output_path)
    if host_summary_path or campaigns_path:
        summaries = host_summaries(table, min_pages=min_pages)
        if host_summary_path:
            _write_json_lines(spark, summaries, host_summary_path, overwrite)
        if campaigns_path:
            _write_json_lines(spark, find_campaigns(summaries, min_hosts=min_hosts), campaigns_path, overwrite)
    return table


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m linkguard.integrations.spark",
        description="Score pages for injected link spam with Spark; writes one Parquet row per record.",
    )
    parser.add_argument(
        "--input", required=True, help="WARC path list (one path or URL a line), or a JSONL/Parquet table"
    )
    parser.add_argument("--output", required=True, help="output directory (Parquet)")
    parser.add_argument("--input-format", choices=("warc-list", "jsonl", "parquet"), default="warc-list")
    parser.add_argument("--html-field", default="html", help="page column of a table input (default: html)")
    parser.add_argument("--url-field", default="url", help="URL column of a table input (default: url)")
    parser.add_argument("--id-field", default="id", help="id column of a table input (default: id)")
    parser.add_argument("--num-partitions", type=int, default=None, help="input partitions")
    parser.add_argument("--num-output-partitions", type=int, default=None, help="output files")
    parser.add_argument("--threshold", type=float, default=None, help="spam threshold (default: the model's)")
    parser.add_argument("--model", default=None, help="JSON model file readable on every executor")
    parser.add_argument(
        "--prescreen", action="store_true", help="clear plainly clean pages without scoring them (see README)"
    )
    wet = parser.add_mutually_exclusive_group()
    wet.add_argument("--wet", dest="wet", action="store_const", const=True, help="inputs are WET (text)")
    wet.add_argument("--no-wet", dest="wet", action="store_const", const=False, help="inputs are WARC")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing output directory")
    parser.add_argument("--host-summary", metavar="DIR", help="also write per-host summaries (JSON Lines) here")
    parser.add_argument("--campaigns", metavar="DIR", help="also write the campaigns across hosts (JSON Lines) here")
    parser.add_argument("--min-pages", type=int, default=MIN_PAGES_DEFAULT, help="pages for a template injection")
    parser.add_argument("--min-hosts", type=int, default=MIN_HOSTS_DEFAULT, help="hosts a campaign must span")
    parser.add_argument("--master", default=None, help="e.g. local[2] (default: spark-submit's)")
    parser.add_argument("--log-level", default="WARN", help="Spark log level (default: WARN)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m linkguard.integrations.spark``.

    Exit status 0 when the job ran, even with some error rows (a crawl always has
    a few, and they are in the output with their message); 1 when every row is an
    error, which means a wrong list file or table rather than bad records.
    """
    args = build_parser().parse_args(argv)
    had_session = SparkSession.getActiveSession() is not None
    builder = SparkSession.builder.appName("linkguard")
    if args.master:
        builder = builder.master(args.master)
    if (args.master or "").startswith("local"):
        # Local workers must run this Python (the one with linkguard); on a cluster spark-submit decides.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if not had_session and not SparkConf().contains(DAEMON_CONF):
        # Workers forked from a daemon that has linkguard and the model loaded (see spark_daemon).
        builder = builder.config(DAEMON_CONF, spark_daemon.MODULE)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(args.log_level)
    try:
        table = run_job(
            spark,
            args.input,
            args.output,
            input_format=args.input_format,
            html_field=args.html_field,
            url_field=args.url_field,
            id_field=args.id_field,
            num_partitions=args.num_partitions,
            num_output_partitions=args.num_output_partitions,
            threshold=args.threshold,
            model_path=args.model,
            wet=args.wet,
            overwrite=args.overwrite,
            prescreen=args.prescreen,
            host_summary_path=args.host_summary,
            campaigns_path=args.campaigns,
            min_pages=args.min_pages,
            min_hosts=args.min_hosts,
        )
        counts = {r["status"]: r["count"] for r in table.groupBy("status").count().collect()}
        spam = table.filter(F.col("is_spam")).count()
        print(
            f"linkguard: {sum(counts.values())} rows ({counts.get('ok', 0)} ok, "
            f"{counts.get('skipped', 0)} skipped, {counts.get('error', 0)} error), "
            f"{spam} spam -> {args.output}",
            file=sys.stderr,
        )
        total = sum(counts.values())
        return 1 if total and counts.get("error", 0) == total else 0
    finally:
        if not had_session:
            spark.stop()


if __name__ == "__main__":
    # Run under the module's own name: Spark then pickles the functions it sends to the workers
    # by reference to an importable module, not by value from ``__main__``, where an object that
    # is not a plain function (a cached helper, a class) could not be sent.
    from linkguard.integrations import spark as _module

    sys.exit(_module.main())
