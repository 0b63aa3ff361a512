"""The pipeline's batch in Airflow: `deno task batch` per day, and a backfill.

- ``pinterest_batch``: one run per day ``ds``, caught up from ``start_date``.
  It waits until 01:30 UTC the next day (as ``BATCH_SCHEDULE``), when the
  archiver has flushed the day's last events, then runs
  ``deno task batch --date <ds>``. ``airflow dags backfill -s A -e B
  pinterest_batch`` runs the same tasks for each day of a range.
- ``pinterest_batch_range``: triggered by hand with ``from`` and ``to``; one
  task runs ``deno task batch --from A --to B``.

The command runs in the project's directory: ``PIPELINE_HOME`` on the worker,
else the checkout this file is linked from. ``deno`` must be on the worker's
``PATH``; the pipeline's own variables (``CASSANDRA_CONTACT_POINTS``,
``S3_ENDPOINT``, ...) are passed on from the worker's environment.

Exit codes of the batch: 0 succeeds; 2 (a usage error) fails at once, since a
retry would fail the same way; 3 (another run holds a day's lease) and 1 (a
day failed, or a service did not answer) are retried with backoff.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowException, AirflowFailException
from airflow.models.param import Param
from airflow.operators.bash import BashOperator
from airflow.sensors.time_delta import TimeDeltaSensor

USAGE_ERROR = 2
LEASE_HELD = 3

DEFAULT_ARGS = {
    "owner": "pipeline",
    "retries": 4,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(hours=1),
    "execution_timeout": timedelta(hours=3),
}


def pipeline_home() -> str:
    """The project's directory: PIPELINE_HOME, else the checkout holding this file."""
    home = os.environ.get("PIPELINE_HOME") or str(Path(__file__).resolve().parents[3])
    if not Path(home, "deno.json").is_file():
        raise AirflowFailException(
            f"Cannot find the pipeline at {home} (no deno.json): set PIPELINE_HOME on the worker "
            "to the project's directory"
        )
    return home


class BatchOperator(BashOperator):
    """Runs a ``deno task batch`` command and turns its exit code into the task's outcome."""

    def execute(self, context):
        cwd = self.cwd or pipeline_home()
        result = self.subprocess_hook.run_command(
            command=["bash", "-c", self.bash_command], env=self.get_env(context), cwd=cwd
        )
        if result.exit_code == 0:
            return result.output
        if result.exit_code == USAGE_ERROR:
            raise AirflowFailException(f"The batch refused its arguments (exit 2): {result.output}")
        if result.exit_code == LEASE_HELD:
            raise AirflowException(
                f"Another run holds the day's lease (exit 3), to be retried: {result.output}"
            )
        raise AirflowException(f"The batch failed (exit {result.exit_code}): {result.output}")


with DAG(
    dag_id="pinterest_batch",
    description="deno task batch --date {{ ds }}, one run per day, caught up",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=True,
    max_active_runs=4,
    default_args=DEFAULT_ARGS,
    tags=["pipeline"],
):
    wait = TimeDeltaSensor(
        task_id="wait_for_archive", delta=timedelta(minutes=90), mode="reschedule", poke_interval=300
    )
    wait >> BatchOperator(task_id="batch", bash_command="deno task batch --date {{ ds }}")

with DAG(
    dag_id="pinterest_batch_range",
    description="deno task batch --from A --to B, triggered by hand",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    default_args=DEFAULT_ARGS,
    params={
        "from": Param(type="string", format="date", description="First day, YYYY-MM-DD"),
        "to": Param(type="string", format="date", description="Last day, included"),
    },
    tags=["pipeline"],
):
    # The days reach the shell as variables, never as command text.
    BatchOperator(
        task_id="batch",
        bash_command='deno task batch --from "$BATCH_FROM" --to "$BATCH_TO"',
        env={"BATCH_FROM": "{{ params['from'] }}", "BATCH_TO": "{{ params['to'] }}"},
        append_env=True,
    )
