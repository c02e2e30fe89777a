"""Bulk conversion: many merges at once, on all cores or a Dask cluster, with a resumable report.

::

    from msp_docs import batch

    jobs = batch.jobs_from_directory("uploads/")          # or batch.read_job_list("jobs.csv")
    summary = batch.run(jobs, output_dir="pdf/", report="pdf/msp-docs-batch.jsonl")
    print(summary.done, summary.skipped, summary.failed)

Each job is a ``merge`` (same limits, options and sanitising) of 1 to 4 inputs into one PDF,
written atomically. A failed job is reported and the batch goes on. The report is JSON Lines, one
line per job as it finishes; re-running with the same report skips the jobs whose output still
matches their inputs. See ``docs/batch.md`` for the report's schema and the resume rules.

Importing this package is light: the executors, Dask and the decoders are loaded when a batch
runs.
"""

from __future__ import annotations

from msp_docs.batch._jobs import (
    ListFormat,
    clean_output,
    jobs_from_directory,
    parse_job_list,
    plan_directory,
    read_job_list,
)
from msp_docs.batch._model import (
    ErrorRecord,
    InputRecord,
    Job,
    JobResult,
    Status,
    Summary,
)
from msp_docs.batch._report import REPORT_NAME, SCHEMA, load_previous, options_fingerprint
from msp_docs.batch._runner import default_workers, run
from msp_docs.errors import (
    BatchError,
    JobListError,
    PoolError,
    SchedulerError,
    UnguardedMainError,
)

__all__ = [
    "REPORT_NAME",
    "SCHEMA",
    "BatchError",
    "ErrorRecord",
    "InputRecord",
    "Job",
    "JobListError",
    "JobResult",
    "ListFormat",
    "PoolError",
    "SchedulerError",
    "Status",
    "Summary",
    "UnguardedMainError",
    "clean_output",
    "default_workers",
    "jobs_from_directory",
    "load_previous",
    "options_fingerprint",
    "parse_job_list",
    "plan_directory",
    "read_job_list",
    "run",
]
