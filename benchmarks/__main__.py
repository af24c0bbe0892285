"""Benchmarks: ``python -m benchmarks [--seconds S] [--only NAME]... [--json]``.

Machines are shared and noisy, so each figure comes with a ratio against a
baseline measured in the same run (see each module). A change that lowers a
ratio needs a reason. Sections:

- ``suites``: sign and verify (and derive) rates per cryptosuite on a diploma (``suites.py``);
- ``status``: status checks against a 1,000,000-entry list (``status.py``);
- ``cold``: ``passeport verify`` of a five-credential presentation in a new process (``cold.py``);
- ``issuer``: batch issuance of a generated CSV (``issuer.py``);
- ``wallet``: listing and answering a request in a 10,000-credential wallet (``wallet.py``);
- ``registry``: issuance with 1, 2 and 4 processes on one PostgreSQL (``registry.py``);
- ``serve``: ``passeport serve`` verifying mixed suites over HTTP, 1 and 2 workers (``serve.py``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import textwrap
from collections.abc import Callable
from typing import Any

from benchmarks.targets import target_rows

SECTIONS: dict[str, tuple[str, str]] = {
    "suites": ("benchmarks.suites", "bench_suites"),
    "status": ("benchmarks.status", "bench_status"),
    "cold": ("benchmarks.cold", "bench_cold_verify"),
    "issuer": ("benchmarks.issuer", "bench_batch"),
    "wallet": ("benchmarks.wallet", "bench_wallet"),
    "registry": ("benchmarks.registry", "bench_registry"),
    "serve": ("benchmarks.serve", "bench_serve"),
}


def _section(name: str) -> Callable[..., dict[str, Any]] | None:
    module_name, function = SECTIONS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    found: Callable[..., dict[str, Any]] = getattr(module, function)
    return found


def _print_suites(result: dict[str, Any]) -> None:
    baseline = result["baseline_raw_ed25519_sign_per_s"]
    print(f"baseline: raw Ed25519 signature of the diploma's JCS bytes: {baseline:,.0f}/s")
    header = ("suite", "key", "sign/s", "verify/s", "sign ratio", "verify ratio")
    print(
        f"{header[0]:<17}{header[1]:<9}{header[2]:>9}{header[3]:>10}{header[4]:>12}{header[5]:>14}"
    )
    for row in result["suites"]:
        line = (
            f"{row['suite']:<17}{row['key']:<9}{row['sign_per_s']:>9,.0f}"
            f"{row['verify_per_s']:>10,.0f}{row['sign_ratio']:>12.4f}{row['verify_ratio']:>14.4f}"
        )
        print(line)
        if "derive_per_s" in row:  # selective-disclosure suites: the holder's derive step
            print(f"{'':<17}derive: {row['derive_per_s']:,.0f}/s (ratio {row['derive_ratio']:.4f})")


def _print_section(result: dict[str, Any]) -> None:
    """Print a section's figures, one per line, wrapped at 80 columns."""
    for key, value in result.items():
        items = value if isinstance(value, list) and value and isinstance(value[0], dict) else None
        if items is None:
            line = f"{key}: {value}"
            print(
                textwrap.fill(
                    line, 80, initial_indent="  ", subsequent_indent="    ", break_on_hyphens=False
                )
            )
            continue
        print(f"  {key}:")
        for item in items:
            text = ", ".join(f"{name}={figure}" for name, figure in item.items())
            print(
                textwrap.fill(
                    text,
                    80,
                    initial_indent="  - ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            )


def _print_targets(rows: list[dict[str, Any]]) -> None:
    print(f"{'work (issue 17)':<44}{'figure':>12}{'target':>12}{'ratio':>8}")
    for row in rows:
        unit = row["unit"]
        shown = f"{row['figure']:,.0f}/s" if unit == "/s" else f"{row['figure']:.3f} {unit}"
        target = f"{row['target']:,.0f}/s" if unit == "/s" else f"< {row['target']} {unit}"
        label = f"{row['work']}: {row['what']}"
        print(f"{label:<44}{shown:>12}{target:>12}{row['ratio']:>8.2f}")
    print("ratio: the figure against its target; 1 or more means the target is met")


def main() -> None:
    """Run the chosen sections and print a report (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per rate measurement")
    parser.add_argument("--only", action="append", choices=sorted(SECTIONS), help="section")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--against",
        metavar="FOLDER",
        help="cold, serve, wallet: another checkout (e.g. 'git worktree add /tmp/base HEAD'), "
        "measured in the same rounds",
    )
    args = parser.parse_args()
    results: dict[str, Any] = {}
    for name in args.only or list(SECTIONS):
        bench = _section(name)
        if bench is None:
            continue
        print(f"running {name}...", file=sys.stderr)
        if name == "suites":
            results[name] = bench(seconds=args.seconds)
        elif name in ("cold", "wallet"):
            results[name] = bench(against=args.against)
        elif name == "serve":
            results[name] = bench(seconds=args.seconds, against=args.against)
        else:
            results[name] = bench()
    results["targets"] = target_rows(results)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, result in results.items():
        print(f"\n== {name}")
        if name == "suites":
            _print_suites(result)
        elif name == "targets":
            _print_targets(result)
        else:
            _print_section(result)


if __name__ == "__main__":
    main()
