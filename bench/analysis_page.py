"""Benchmark: the researchers' analysis page of a 400-sort study, first and repeated visit.

A throwaway SQLite database under a temporary ``POETQ_HOME`` gets the joint-commissioning
study with ``--sorts`` simulated finished responses and a signed-in researcher; the page is
then fetched through the app (Flask's test client: the whole request, template included,
no network). The number-of-factors guidance (parallel analysis, 200 random data sets) is
the slow part; it is kept per grid, number of sorts and seed (poetq/services/guidance_cache.py).

Rows: the guidance page (/analysis) and a 5-factor analysis (/analysis?factors=5) on the
first visit (nothing cached), a repeated visit (same process), and a visit from another
worker process (memory cleared, the cache file read); then the guidance page with the cache
switched off, which is what every visit cost before.

    python bench/analysis_page.py [--sorts 400] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sorts", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="poetq-bench-"))
    os.environ["POETQ_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)

    from poetq.services import demo, guidance_cache, users
    from poetq.services.database import init_database
    from poetq.services.studies import get_study, set_state
    from poetq.store import make_engine, make_session_factory, session_scope
    from poetq.web import create_app

    url = init_database(None, examples=True).url
    engine = make_engine(url)
    with session_scope(make_session_factory(engine)) as session:
        set_state(session, "joint-commissioning", "open")
        demo.simulate_into_study(session, "joint-commissioning", None, args.sorts, seed=1)
        user = users.create_user(session, "bench@poetq.local", "violet-harbour-tractor-91")
        users.grant(session, get_study(session, "joint-commissioning").id, user)
    engine.dispose()

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "LOG_REQUESTS": False})
    client = app.test_client()
    r = client.post("/research/sign-in", data={"email": "bench@poetq.local",
                                                "password": "violet-harbour-tractor-91"})
    assert r.status_code == 302, r.status_code
    base = "/research/studies/joint-commissioning/analysis"

    cpu: list[float] = []

    def visit(path: str) -> float:
        """Wall seconds of one request.

        Its CPU seconds go to ``cpu`` (steadier on a busy machine).
        """
        c0, t0 = time.process_time(), time.perf_counter()
        r = client.get(path)
        elapsed = time.perf_counter() - t0
        cpu.append(time.process_time() - c0)
        assert r.status_code == 200, (path, r.status_code)
        return elapsed

    def cpu_of(count: int) -> float:
        return statistics.median(cpu[-count:])

    cache = guidance_cache.cache_dir()
    print(
        f"analysis page of a {args.sorts}-sort study (joint-commissioning, 40 statements), "
        f"wall seconds (and this process's CPU seconds), median of {args.repeat} where repeated"
    )
    for label, path in (("guidance page", base), ("5-factor analysis", f"{base}?factors=5")):
        for f in cache.glob("*.npz") if cache.is_dir() else ():
            f.unlink()
        guidance_cache.clear_memory()
        first = visit(path)
        first_cpu = cpu_of(1)
        repeated = statistics.median([visit(path) for _ in range(args.repeat)])
        repeated_cpu = cpu_of(args.repeat)
        other = []
        for _ in range(args.repeat):
            guidance_cache.clear_memory()
            other.append(visit(path))
        print(
            f"  {label:<18} first visit {first:6.3f} (cpu {first_cpu:.3f})   "
            f"repeated {repeated:6.3f} "
            f"(cpu {repeated_cpu:.3f})   another worker {statistics.median(other):6.3f} "
            f"(cpu {cpu_of(args.repeat):.3f})"
        )

    real = guidance_cache.cached_reference

    def uncached(sorts, **kw):
        return guidance_cache.parallel_reference(sorts, **kw)

    guidance_cache.cached_reference = uncached
    try:
        import poetq.services.factor_analysis  # noqa: F401 (run_guidance looks the name up there)

        times = [visit(base) for _ in range(max(1, args.repeat // 2))]
    finally:
        guidance_cache.cached_reference = real
    print(f"  guidance page, no cache (every visit before) {statistics.median(times):6.3f} "
          f"(cpu {cpu_of(len(times)):.3f})")


if __name__ == "__main__":
    main()
