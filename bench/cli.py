"""Benchmark: poetq commands as whole processes, the way researchers run them.

Each command runs as a fresh process; its CPU (user + system, from the kernel's rusage of
the child and everything it waited for) and wall time are taken, ``--repeat`` times, in
rounds that visit every command once, so a busy machine slows all of them alike. Printed
next to the baselines measured in the same rounds: ``python -c "import click"`` and
``python -c "import numpy"``, and R qmethod's whole process on the same files where
Rscript and qmethod are installed (``R_LIBS=/work/rlib`` is used when that folder holds
qmethod; skipped otherwise). Python runs with byte-code caches, as installed software does
(poetq's are compiled first into a temporary PYTHONPYCACHEPREFIX).

Then, inside one process each: ``analyse()`` of 60 x 1,000 sorts and a 200-step bootstrap of
60 x 200 with ``OPENBLAS_NUM_THREADS`` unset and set to 1 (poetq limits BLAS to one thread
around both; a third row runs them without that limit, to show what it saves).

    python bench/cli.py [--repeat 5] [--skip-r] [--only 'help|analyse|R qmethod']
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIPSET = ROOT / "tests" / "data" / "lipset" / "sorts.csv"
SIZES = (50, 200, 1000)
R_SCRIPT = """suppressMessages(library(qmethod))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], row.names = 1, check.names = FALSE)
r <- qmethod(d, nfactors = as.integer(args[2]), rotation = "varimax", forced = TRUE, silent = TRUE)
"""


def write_sorts(folder: Path) -> dict[str, Path]:
    """lipset and 60 statements x 50/200/1,000 simulated forced sorts, as sorts CSV files."""
    import numpy as np

    from poetq.domain import Grid
    from poetq.simulate import simulate_sorts

    grid = Grid.symmetric([2, 3, 5, 6, 7, 14, 7, 6, 5, 3, 2])
    files = {"lipset": LIPSET}
    for n in SIZES:
        x = simulate_sorts(grid, n, n_viewpoints=5, seed=n).values.astype(int)
        path = folder / f"sorts-60x{n}.csv"
        header = "statement," + ",".join(f"s{j + 1}" for j in range(n))
        rows = [f"{i + 1}," + ",".join(map(str, row)) for i, row in enumerate(np.asarray(x))]
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        files[f"60x{n}"] = path
    return files


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s) of one whole process; its output is discarded."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def r_command() -> tuple[list[str], dict[str, str]] | None:
    """Rscript with qmethod, or None when either is missing."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    env = dict(os.environ)
    if (Path("/work/rlib") / "qmethod").is_dir():
        env["R_LIBS"] = "/work/rlib"
    probe = subprocess.run([rscript, "-e", "library(qmethod)"], capture_output=True, env=env)
    return ([rscript], env) if probe.returncode == 0 else None


def cases(files: dict[str, Path], out: Path, poetq: list[str], with_r: bool):
    py = [sys.executable]
    yield "python -c 'import click'", py + ["-c", "import click"], None
    yield "python -c 'import numpy'", py + ["-c", "import numpy"], None
    yield "poetq --help", poetq + ["--help"], "click"
    yield (
        "poetq analyse lipset -k 3",
        poetq + ["analyse", str(files["lipset"]), "--factors", "3"],
        "numpy",
    )
    for n in SIZES:
        yield (f"poetq analyse 60x{n} -k 5",
               poetq + ["analyse", str(files[f"60x{n}"]), "--factors", "5"], "numpy")
    yield ("poetq plot --kind all 60x1000",
           poetq + ["plot", str(files["60x1000"]), "--factors", "5", "--kind", "all",
                    "--out", str(out / "figures")], "numpy")
    yield ("poetq report 60x1000",
           poetq + ["report", str(files["60x1000"]), "--factors", "5", "--out",
                    str(out / "report.html")], "numpy")
    if with_r:
        script = out / "qmethod.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        yield "R qmethod lipset -k 3", ["Rscript", str(script), str(files["lipset"]), "3"], "numpy"
        for n in SIZES:
            yield (
                f"R qmethod 60x{n} -k 5",
                ["Rscript", str(script), str(files[f"60x{n}"]), "5"],
                "numpy",
            )


THREADS_SNIPPET = """
import json, statistics, sys, time
from poetq.analysis import analyse, bootstrap
from poetq.domain import Grid
from poetq.simulate import simulate_sorts
grid = Grid.symmetric([2, 3, 5, 6, 7, 14, 7, 6, 5, 3, 2])
big = simulate_sorts(grid, 1000, n_viewpoints=5, seed=1000).values
small = simulate_sorts(grid, 200, n_viewpoints=5, seed=200).values
limit = sys.argv[1] == "limit"
run_analyse = analyse if limit else analyse.__wrapped__
run_boot = bootstrap if limit else bootstrap.__wrapped__
def median(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return statistics.median(times)
print(json.dumps({"analyse": median(lambda: run_analyse(big, 5), 7),
                  "bootstrap": median(lambda: run_boot(small, 5, steps=200, seed=1), 3)}))
"""


def thread_rows(repeat: int) -> list[tuple[str, float, float]]:
    """The three thread settings, each in its own process, visited in turn in ``repeat``
    rounds (so a busy machine slows them alike); medians of the rounds."""
    configs = (("OPENBLAS_NUM_THREADS unset", None, "limit"),
               ("OPENBLAS_NUM_THREADS=1", "1", "limit"),
               ("unset, poetq's limit off", None, "off"))
    found: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in configs}
    for _ in range(repeat):
        for label, value, limit in configs:
            env = {k: v for k, v in os.environ.items()
                   if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
            if value:
                env["OPENBLAS_NUM_THREADS"] = value
            out = subprocess.run([sys.executable, "-c", THREADS_SNIPPET, limit], env=env,
                                 capture_output=True, text=True, check=True).stdout
            found[label].append(json.loads(out))
    return [(label, statistics.median(f["analyse"] for f in found[label]),
             statistics.median(f["bootstrap"] for f in found[label])) for label, _, _ in configs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="Rounds (median reported).")
    parser.add_argument("--skip-r", action="store_true", help="Leave R qmethod out.")
    parser.add_argument("--skip-threads", action="store_true", help="Leave the thread rows out.")
    parser.add_argument("--only", default=None, metavar="REGEX",
                        help="Only the cases whose label matches (the baselines always run).")
    args = parser.parse_args()

    script = Path(sys.executable).with_name("poetq")
    poetq = [str(script)] if script.exists() else [sys.executable, "-m", "poetq"]
    r = None if args.skip_r else r_command()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        # As installed software runs: with byte-code caches (pip writes them for numpy and
        # click; poetq's are made here), even where PYTHONDONTWRITEBYTECODE is set.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(out / "pycache")
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "poetq")], env=env,
                       check=True)
        files = write_sorts(out)
        todo = list(cases(files, out, poetq, with_r=r is not None))
        if args.only:
            todo = [c for c in todo if c[2] is None or re.search(args.only, c[0])]
        times: dict[str, list[tuple[float, float]]] = {label: [] for label, _, _ in todo}
        for _ in range(args.repeat):
            for label, argv, _ in todo:
                run_env = {**r[1], "PYTHONPYCACHEPREFIX": env["PYTHONPYCACHEPREFIX"]} if (
                    r and argv[0] == "Rscript") else env
                argv = [r[0][0], *argv[1:]] if (r and argv[0] == "Rscript") else argv
                times[label].append(measure(argv, run_env))

    med = {label: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
           for label, t in times.items()}
    base = {
        "click": med["python -c 'import click'"][1],
        "numpy": med["python -c 'import numpy'"][1],
    }
    print(f"whole processes, median of {args.repeat} rounds (load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"{'command':<34} {'wall s':>7} {'CPU s':>7}  CPU vs baseline")
    for label, _, against in todo:
        wall, cpu = med[label]
        ratio = f"{cpu / base[against]:5.2f}x import {against}" if against else ""
        print(f"{label:<34} {wall:7.3f} {cpu:7.3f}  {ratio}")
    if r is not None:
        print("poetq analyse vs R qmethod, whole process (CPU; wall):")
        pairs = [("lipset", "lipset -k 3")] + [(f"60x{n}", f"60x{n} -k 5") for n in SIZES]
        for name, suffix in pairs:
            ours, theirs = med.get(f"poetq analyse {suffix}"), med.get(f"R qmethod {suffix}")
            if ours and theirs:
                print(f"  {name:<8} poetq is {theirs[1] / ours[1]:5.2f}x R's speed "
                      f"(CPU), {theirs[0] / ours[0]:5.2f}x (wall)")
    if not args.skip_threads:
        print(f"in one process: analyse() 60x1000 -k 5 (median of 7) and bootstrap 200 steps of "
              f"60x200 -k 5 (median of 3), median of {args.repeat} processes each")
        rows = thread_rows(args.repeat)
        ref = rows[1]
        for label, a, b in rows:
            print(f"  {label:<40} analyse {a:.4f} s ({a / ref[1]:.2f}x)   "
                  f"bootstrap {b:.3f} s ({b / ref[2]:.2f}x)")


if __name__ == "__main__":
    main()
