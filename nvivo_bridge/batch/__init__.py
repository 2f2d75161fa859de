"""Batch conversion of many inputs with one command (``nvivo-bridge batch``, ``docs/batch.md``).

- :mod:`.plan`: find the inputs, plan one output per input, read and write the report; its public
  names are importable from here (``from nvivo_bridge.batch import plan_batch, load_report``);
- :mod:`.run`: run a plan: the per-file task, the process pool and the Dask runners
  (``from nvivo_bridge.batch.run import run_batch``);
- :mod:`.nvivo`: folders of NVivo's own exports taken as one input each.
"""
from __future__ import annotations

from .plan import (OUTPUT_EXT, REPORT_NAME, STATUSES, UP_TO_DATE, Plan, Result, Task, discover, load_report,
                   plan_batch, write_report)

__all__ = ["OUTPUT_EXT", "REPORT_NAME", "Task", "Result", "Plan", "discover", "plan_batch",
           "load_report", "write_report", "UP_TO_DATE", "STATUSES"]
