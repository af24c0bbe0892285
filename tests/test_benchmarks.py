"""The benchmarks still run (tiny sizes): a broken benchmark is found by CI, not at release."""

from __future__ import annotations

import pytest

from benchmarks.status import bench_status
from benchmarks.suites import bench_suites


def test_every_suite_row_is_measured() -> None:
    result = bench_suites(seconds=0.01)
    suites = [row["suite"] for row in result["suites"]]
    assert {"eddsa-rdfc-2022", "ecdsa-sd-2023", "vc-jwt"} <= set(suites)
    assert all(row["verify_per_s"] > 0 for row in result["suites"])


def test_status_checks_are_bit_lookups_after_the_first() -> None:
    result = bench_status(entries=131_072, lookups=200)
    assert result["decodes"] == 1 and result["verifications"] == 1


def test_batch_issuance_bench_runs() -> None:
    from benchmarks.issuer import bench_batch

    result = bench_batch(rows=12, workers=1)
    assert result["issued"] == 12 and result["failed"] == 0


def test_wallet_bench_runs() -> None:
    from benchmarks.wallet import bench_wallet

    result = bench_wallet(count=600)  # the first SD first-aid certificate is number 550
    assert all(isinstance(v, int | float | str) for v in result.values())


def test_the_report_reads_at_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.__main__ import _print_section, _print_suites, _print_targets
    from benchmarks.targets import target_rows

    suites = bench_suites(seconds=0.01)
    section = {
        "kinds": ["eddsa-rdfc-2022", "ecdsa-rdfc-2019", "ecdsa-sd-2023", "eddsa-jcs-2022"] * 3,
        "servers": [{"code": "new", "workers": 2, "req_per_s_spread": [805.8, 950.1]}] * 2,
        "cpu_ms_per_request_1_worker": 1.857,
        "req_per_s_2_workers": 881.0,
    }
    _print_suites(suites)
    _print_section(section)
    _print_targets(target_rows({"suites": suites, "serve": section}))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 20
    assert max(len(line) for line in lines) <= 80


def test_compare_measures_two_checkouts_alternately() -> None:
    """``benchmarks.compare`` with this very checkout on both sides: every suite row, twice."""
    from benchmarks.compare import HERE, compare

    rows = compare(HERE, ["suites"], runs=1, seconds=0.01)
    assert {row["work"] for row in rows} >= {"vc+jwt EdDSA", "eddsa-rdfc-2022"}
    assert all(row["before"] > 0 and row["after"] > 0 and row["gain"] > 0 for row in rows)
