"""The ``serve`` benchmark still runs (tiny sizes): real servers on 127.0.0.1, stopped after."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.serve import KINDS, bench_serve
from benchmarks.targets import target_rows

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads CPU times from /proc")
def test_the_serve_bench_measures_one_and_two_workers() -> None:
    result = bench_serve(seconds=0.1, rounds=2)
    json.dumps(result)
    assert result["kinds"] == list(KINDS) and result["requests_per_round"] == 4 * len(KINDS)
    assert result["library_cpu_ms_per_verify"] > 0
    assert [(row["code"], row["workers"]) for row in result["servers"]] == [("new", 1), ("new", 2)]
    for row in result["servers"]:
        assert row["req_per_s"] > 0 and row["cpu_ms_per_request"] > 0 and row["cores_busy"] > 0
        assert row["overhead_ratio"] > 0
    rows = {row["what"]: row for row in target_rows({"serve": result})}
    assert rows["CPU per request"]["unit"] == "ms"
    assert rows["CPU per request"]["figure"] == result["cpu_ms_per_request_1_worker"]
    assert rows["2 workers"]["figure"] == result["req_per_s_2_workers"]
