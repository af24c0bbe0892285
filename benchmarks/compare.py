"""Before and after in the same run: ``python -m benchmarks.compare --against FOLDER``.

Runs ``python -m benchmarks --json`` alternately with the library of another
checkout (``FOLDER``, e.g. ``git worktree add /tmp/base <commit>``) and with
this one, ``--runs`` times each, always with this checkout's benchmark code,
so that both sides measure the same work on the same documents. On a shared
machine the load changes from one minute to the next: alternating the two
sides spreads it over both. Prints, per row of the issue-17 table, the median
figure before and after and their ratio (after over before for rates, before
over after for times: above 1 is faster).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["compare", "main"]

HERE = Path(__file__).resolve().parent.parent


def _run(library: Path, sections: list[str], seconds: float) -> dict[str, Any]:
    """Run the benchmarks of this checkout with the ``passeport`` of ``library``; return JSON."""
    args = ["--json", "--seconds", str(seconds)]
    for section in sections:
        args += ["--only", section]
    lib, here = str(library), str(HERE)
    code = (
        f"import sys; sys.path[:0] = [{lib!r}, {here!r}]; import passeport; "
        f"assert passeport.__file__.startswith({lib!r}), passeport.__file__; "
        f"from benchmarks.__main__ import main; sys.argv = ['benchmarks', *{args!r}]; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmarks failed with {library}: {done.stderr.strip()[-500:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def compare(
    against: Path, sections: list[str], *, runs: int = 3, seconds: float = 1.0
) -> list[dict[str, Any]]:
    """Return one row per issue-17 target: median figures before and after, and their ratio."""
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    for run in range(runs):
        order = [(against, before), (HERE, after)]
        for library, into in order if run % 2 == 0 else reversed(order):
            print(f"run {run + 1}/{runs}: {library}", file=sys.stderr)
            into.append(_run(library, sections, seconds))
    rows = []
    for index, row in enumerate(after[0]["targets"]):
        label = (row["work"], row["what"])
        old = [
            r["figure"]
            for result in before
            for r in result["targets"]
            if (r["work"], r["what"]) == label
        ]
        new = [result["targets"][index]["figure"] for result in after]
        if not old:
            continue
        was, now = statistics.median(old), statistics.median(new)
        gain = now / was if row["unit"] == "/s" else was / now
        rows.append(
            {
                "work": row["work"],
                "what": row["what"],
                "unit": row["unit"],
                "before": was,
                "after": now,
                "gain": round(gain, 2),
                "target": row["target"],
            }
        )
    return rows


def main() -> None:
    """Compare the library of ``--against`` with this checkout's, and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__)
    parser.add_argument("--against", required=True, type=Path, help="another checkout")
    parser.add_argument("--only", action="append", default=None, help="section (repeatable)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each side, alternated")
    parser.add_argument("--seconds", type=float, default=1.0, help="time per rate")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    rows = compare(args.against, args.only or ["suites"], runs=args.runs, seconds=args.seconds)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'work (issue 17)':<44}{'before':>11}{'after':>11}{'gain':>7}")
    for row in rows:
        unit = row["unit"]
        shown = [
            f"{value:,.0f}/s" if unit == "/s" else f"{value:.3f} s"
            for value in (row["before"], row["after"])
        ]
        label = f"{row['work']}: {row['what']}"
        print(f"{label:<44}{shown[0]:>11}{shown[1]:>11}{row['gain']:>7.2f}")


if __name__ == "__main__":
    main()
