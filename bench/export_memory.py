"""Peak memory of the app's process exporting a large project: in memory (before) vs streamed.

    python bench/export_memory.py --db sqlite:////tmp/synth100k.db --format csv

The database is one ``workbench synth`` made (e.g. ``workbench init --db URL`` then
``workbench synth --documents 5600 --reviewers 4 --reviews-per-claim 1 --db URL``: ~100,000
claims). Each way runs in a fresh process, which reports its peak resident memory
(``ru_maxrss``) after loading the app's modules and after the export:

- ``bytes``: what the Export page did before (issue 13): the download button's callable built
  the file with ``render_export`` into a ``BytesIO`` and handed Streamlit the bytes, which its
  media store keeps while the page shows the button;
- ``stream``: the Export page now, run by Streamlit's AppTest in the process: "Prepare CSV"
  writes the file to a private temporary folder a batch at a time, with a progress bar; the
  download route then sends it from disk (not measured: Starlette's FileResponse reads 64 KB
  chunks).

It prints, for each way, the peak memory, its growth over the modules loaded, the time and the
file's size, and the ratio of the growths (stream over bytes).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def child(way: str, url: str, fmt_name: str) -> dict[str, float]:
    """One export in this process; returns its figures."""
    os.environ["WORKBENCH_DATABASE_URL"] = url
    from streamlit.testing.v1 import AppTest

    from workbench.app import downloads
    from workbench.auth.policy import SYSTEM
    from workbench.db.session import create
    from workbench.export.service import ExportFormat, render_export

    fmt = ExportFormat(fmt_name)
    engine = create(url)
    # Both ways start from the app as it stands on the Export page (its modules loaded), so
    # the growth is the export's alone.
    at = AppTest.from_file(str(ROOT / "workbench" / "app" / "Home.py"), default_timeout=600)
    at.run()
    at.sidebar.text_input(key="reviewer_name_input").input("Bench")
    at.sidebar.button[0].click()
    at.run()
    at.switch_page("views/export.py")
    at.run()
    assert not at.exception, at.exception
    loaded = peak_mb()
    started = time.perf_counter()
    if way == "bytes":
        data = render_export(engine, fmt, actor=SYSTEM)
        size = len(data)
    else:
        at.button(key=f"prepare_{fmt.value}").click()
        at.run()
        assert not at.exception, at.exception
        token = at.get("link_button")[0].proto.url.rsplit("/", 1)[1]
        offered = downloads._offers[token]
        size = offered.path.stat().st_size
        downloads.withdraw(token)
    seconds = time.perf_counter() - started
    return {"loaded_mb": loaded, "peak_mb": peak_mb(), "seconds": seconds, "size_mb": size / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL of a synthetic corpus")
    parser.add_argument("--format", default="csv", help="csv, jsonl, parquet or claimreview")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.db, args.format)))
        return
    found: dict[str, dict[str, float]] = {}
    for way in ("bytes", "stream"):
        out = subprocess.run(
            [sys.executable, __file__, "--db", args.db, "--format", args.format, "--child", way],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        ).stdout
        found[way] = json.loads(out.strip().splitlines()[-1])
    print(f"{'way':8} {'file MB':>8} {'seconds':>8} {'loaded MB':>10} {'peak MB':>8} {'growth':>8}")
    for way, f in found.items():
        growth = f["peak_mb"] - f["loaded_mb"]
        print(
            f"{way:8} {f['size_mb']:8.1f} {f['seconds']:8.1f} {f['loaded_mb']:10.0f} "
            f"{f['peak_mb']:8.0f} {growth:8.0f}"
        )
    grown = {way: f["peak_mb"] - f["loaded_mb"] for way, f in found.items()}
    print(f"growth, stream / bytes: {grown['stream'] / max(grown['bytes'], 1.0):.2f}")


if __name__ == "__main__":
    main()
