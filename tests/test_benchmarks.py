"""The benchmarks still run (tiny sizes): a broken benchmark is found by CI, not at release."""

from __future__ import annotations

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
