"""Run a Dask LocalCluster (2 worker processes, 127.0.0.1) until standard input closes.

Tests start it as a separate process (``python -m tests.batch.dask_cluster``): the scheduler's
threads then live there, not in the test process, whose address space stays what the other
tests expect. Its workers get the test hooks of ``tests.batch.crashers`` (a PNG carrying one of
its marks crashes for real; any other PNG is untouched). Prints the scheduler's address.
"""

from __future__ import annotations

import sys

from distributed import Client, LocalCluster

from tests.batch import crashers


def main() -> None:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=True,
    ) as cluster:
        with Client(cluster) as client:
            client.run(crashers.install)
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
