#!/usr/bin/env python3
"""Measure newsidx side by side with tantivy-cli and SQLite FTS5, in one run.

usage: bench.py WORKDIR NEWSIDX TANTIVY [--corpora allsides,scaled] [--runs N] [--out FILE]

WORKDIR is what prepare.py wrote. Every engine indexes the same JSON Lines files; every
figure is also given as a ratio to the peers measured in the same run, because this machine's
speed varies from run to run. Results go to FILE (default WORKDIR/results.json) and a Markdown
summary to stdout.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SQLITE = os.path.join(HERE, "sqlite_fts.py")

# tantivy-cli asks its schema interactively; these answers make stored, positional, stemmed
# `title` and `content_original` text fields (the AllSides field names, so every engine reads
# the very same file; other fields are ignored).
TANTIVY_SCHEMA = "title\nText\nY\nN\nY\nY\nY\nY\nY\ncontent_original\nText\nY\nN\nY\nY\nY\nY\nN\n"


def run_measured(cmd, stdin_files=None, stdin_text=None, env=None):
    """Runs cmd; returns (seconds, peak RSS in MB, stdout, stderr). With stdin_files the files
    are streamed to its standard input (as `cat` would)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if (stdin_files or stdin_text) else None,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out_chunks, err_chunks = [], []

    def drain(src, sink):
        for chunk in iter(lambda: src.read(65536), b""):
            sink.append(chunk)

    readers = [threading.Thread(target=drain, args=(p.stdout, out_chunks)),
               threading.Thread(target=drain, args=(p.stderr, err_chunks))]
    for r in readers:
        r.start()
    if stdin_files:
        for path in stdin_files:
            with open(path, "rb") as f:
                shutil.copyfileobj(f, p.stdin, 1 << 20)
        p.stdin.close()
    elif stdin_text:
        p.stdin.write(stdin_text.encode())
        p.stdin.close()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    secs = time.perf_counter() - t
    out, err = b"".join(out_chunks).decode(errors="replace"), b"".join(err_chunks).decode(errors="replace")
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {err[-2000:]}")
    return secs, usage.ru_maxrss / 1024, out, err


def du(path):
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def pct(values, p):
    v = sorted(values)
    if not v:
        return None
    k = (len(v) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def summary_ms(values):
    return {"median": round(statistics.median(values), 2), "p95": round(pct(values, 95), 2),
            "p99": round(pct(values, 99), 2), "n": len(values)}


def corpus_files(work, name):
    d = os.path.join(work, name)
    return sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".jsonl"))


def count_lines(files):
    n = 0
    for path in files:
        with open(path, "rb") as f:
            n += sum(1 for _ in f)
    return n


def newsidx_flags(q):
    flags = []
    for key, flag in (("outlet", "--outlet"), ("since", "--since"), ("until", "--until"),
                      ("entity", "--entity")):
        if q.get(key):
            flags += [flag, q[key]]
    return flags


def index_all(work, name, newsidx, tantivy, res, index_runs=1):
    files = corpus_files(work, name)
    mb = sum(os.path.getsize(f) for f in files) / 1e6
    n = count_lines(files)
    out = {"input_mb": round(mb, 1), "articles": n}
    idx = os.path.join(work, "idx")
    os.makedirs(idx, exist_ok=True)

    def entry(secs, rss, size):
        return {"seconds": round(secs, 2), "mb_per_s": round(mb / secs, 2),
                "articles_per_s": round(n / secs), "peak_rss_mb": round(rss),
                "index_mb": round(size / 1e6, 1), "index_fraction": round(size / (mb * 1e6), 3)}

    # Each engine builds its index `index_runs` times, the engines taking turns, and the
    # fastest build counts: on a shared two-core machine one slow build says more about the
    # neighbours than about the engine, and taking turns spreads any drift over all of them.
    nx = os.path.join(idx, f"newsidx-{name}")
    nx2 = os.path.join(idx, f"newsidx-noent-{name}")
    tv = os.path.join(idx, f"tantivy-{name}")
    db = os.path.join(idx, f"sqlite-{name}.db")

    def build_newsidx():
        shutil.rmtree(nx, ignore_errors=True)
        secs, rss, _, _ = run_measured([newsidx, "index", os.path.join(work, name), "--index", nx, "-q"])
        return secs, rss, du(nx)

    def build_newsidx_noent():
        shutil.rmtree(nx2, ignore_errors=True)
        secs, rss, _, _ = run_measured([newsidx, "index", os.path.join(work, name), "--index", nx2,
                                        "-q", "--no-entities"])
        size = du(nx2)
        shutil.rmtree(nx2, ignore_errors=True)
        return secs, rss, size

    def build_tantivy():
        # tantivy-cli, its default schema for two stemmed text fields, two threads.
        shutil.rmtree(tv, ignore_errors=True)
        run_measured([tantivy, "new", "-i", tv], stdin_text=TANTIVY_SCHEMA)
        secs, rss, _, _ = run_measured([tantivy, "index", "-i", tv, "-t", "2"], stdin_files=files)
        return secs, rss, du(tv)

    def build_sqlite():
        # SQLite FTS5 through python3's sqlite3.
        if os.path.exists(db):
            os.remove(db)
        secs, rss, _, _ = run_measured([sys.executable, SQLITE, "load", db] + files)
        return secs, rss, os.path.getsize(db)

    builders = [("newsidx", build_newsidx)]
    # newsidx without entity extraction, when this build can switch it off.
    help_text = subprocess.run([newsidx, "index", "--help"], capture_output=True, text=True).stdout
    if "--no-entities" in help_text:
        builders.append(("newsidx_no_entities", build_newsidx_noent))
    builders += [("tantivy_cli", build_tantivy), ("sqlite_fts5", build_sqlite)]
    best = {}
    all_secs = {key: [] for key, _ in builders}
    for r in range(max(1, index_runs)):
        for key, build in builders:
            secs, rss, size = build()
            all_secs[key].append(round(secs, 2))
            print(f"  {key} {name} (build {r + 1}): {secs:.1f}s", file=sys.stderr)
            if key not in best or secs < best[key][0]:
                best[key] = (secs, rss, size)
    for key, _ in builders:
        out[key] = entry(*best[key])
        out[key]["all_seconds"] = all_secs[key]

    for peer in ("tantivy_cli", "sqlite_fts5"):
        out[f"newsidx_speed_vs_{peer}"] = round(out[peer]["seconds"] / out["newsidx"]["seconds"], 2)
    if "newsidx_no_entities" in out:
        out["entities_speed_factor"] = round(
            out["newsidx_no_entities"]["seconds"] / out["newsidx"]["seconds"], 2)
    res.setdefault("indexing", {})[name] = out
    return nx, tv, db


def queries_per_process(work, newsidx, nx, db, runs, res, name):
    queries = json.load(open(os.path.join(work, "queries.json"), encoding="utf-8"))
    sqlite_sql = subprocess.run([sys.executable, SQLITE, "sql", db,
                                 os.path.join(work, "queries.json")],
                                capture_output=True, text=True, check=True).stdout.split("\n")
    rows = []
    for i, q in enumerate(queries):
        cmd = [newsidx, "search", q["query"], "--index", nx, "--format", "json"] + newsidx_flags(q)
        warm = subprocess.run(cmd, capture_output=True, text=True)
        hits = json.loads(warm.stdout)["total_articles"] if warm.returncode in (0, 1) else None
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - t) * 1000)
        row = {"kind": q["kind"], "query": q["query"], "matches": hits, "newsidx_ms": times}
        sql = sqlite_sql[i] if i < len(sqlite_sql) else ""
        if sql:
            subprocess.run(["sqlite3", db, sql], stdout=subprocess.DEVNULL)
            st = []
            for _ in range(runs):
                t = time.perf_counter()
                subprocess.run(["sqlite3", db, sql], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                st.append((time.perf_counter() - t) * 1000)
            row["sqlite_ms"] = st
        rows.append(row)
    allx = [t for r in rows for t in r["newsidx_ms"]]
    paired = [r for r in rows if "sqlite_ms" in r]
    out = {"newsidx": summary_ms(allx),
           "sqlite3_cli": summary_ms([t for r in paired for t in r["sqlite_ms"]]),
           "by_kind": {}}
    for kind in dict.fromkeys(r["kind"] for r in rows):
        ks = [r for r in rows if r["kind"] == kind]
        e = {"newsidx": summary_ms([t for r in ks for t in r["newsidx_ms"]])}
        if all("sqlite_ms" in r for r in ks):
            e["sqlite3_cli"] = summary_ms([t for r in ks for t in r["sqlite_ms"]])
        out["by_kind"][kind] = e
    out["newsidx_vs_sqlite_median"] = round(
        statistics.median([t for r in paired for t in r["newsidx_ms"]])
        / out["sqlite3_cli"]["median"], 2)
    out["queries"] = [{k: v for k, v in r.items() if not k.endswith("_ms")}
                      | {"newsidx_median_ms": round(statistics.median(r["newsidx_ms"]), 2)}
                      | ({"sqlite_median_ms": round(statistics.median(r["sqlite_ms"]), 2)}
                         if "sqlite_ms" in r else {})
                      for r in rows]
    res.setdefault("per_process", {})[name] = out


def queries_in_process(work, newsidx, nx, tantivy, tv, db, runs, res, name):
    qfile = os.path.join(work, "queries.json")
    out = {}
    help_text = subprocess.run([newsidx, "--help"], capture_output=True, text=True).stdout
    r = subprocess.run([newsidx, "bench-queries", qfile, "--index", nx, "--runs", str(runs)],
                       capture_output=True, text=True)
    if r.returncode == 0:
        rows = json.loads(r.stdout)
        stages = ("retrieve_ms", "documents_ms", "passages_ms", "facets_ms", "full_ms")
        for stage in stages:
            out[f"newsidx_{stage[:-3]}"] = summary_ms([t for row in rows for t in row[stage]])
        out["by_kind"] = {}
        for kind in dict.fromkeys(row["kind"] for row in rows):
            ks = [row for row in rows if row["kind"] == kind]
            out["by_kind"][kind] = {s[:-3]: summary_ms([t for row in ks for t in row[s]])
                                    for s in stages}
        med = {s[:-3]: out[f"newsidx_{s[:-3]}"]["median"] for s in stages}
        # Issue 4's measure: passages (splitting, scoring, highlighting) over a plain top 10
        # that returns its documents; then the same over bare top-10 addresses, and passage
        # work within the whole search (with facets).
        out["passage_overhead_vs_documents"] = round(med["passages"] / med["documents"] - 1, 3)
        out["passage_overhead_vs_top10"] = round(med["passages"] / med["retrieve"] - 1, 3)
        out["passage_overhead"] = round(med["full"] / med["facets"] - 1, 3)
        out["facet_overhead"] = round(out["newsidx_facets"]["median"]
                                      / out["newsidx_retrieve"]["median"] - 1, 3)
    else:
        out["newsidx_error"] = r.stderr.strip()[-500:]
    del help_text
    sq = subprocess.run([sys.executable, SQLITE, "query", db, qfile, str(runs)],
                        capture_output=True, text=True, check=True)
    out["sqlite_in_process"] = summary_ms([t for row in json.loads(sq.stdout) for t in row["ms"]])
    # tantivy-cli's own bench: top 10 + count, in-process, plain queries (no filters).
    qtxt = os.path.join(work, "tantivy-queries.txt")
    with open(qtxt, "w", encoding="utf-8") as f:
        for q in json.load(open(qfile, encoding="utf-8")):
            if not (q.get("outlet") or q.get("since") or q.get("entity")):
                f.write(q["query"] + "\n")
    tb = subprocess.run([tantivy, "bench", "-i", tv, "-q", qtxt, "-n", str(max(3, runs // 4))],
                        capture_output=True, text=True)
    out["tantivy_cli_bench_output"] = (tb.stdout + tb.stderr)[-3000:]
    res.setdefault("in_process", {})[name] = out


def incremental(work, newsidx, nx, res, name):
    """Adds 100 articles to an indexed corpus folder and re-indexes it."""
    src = os.path.join(work, "add100", "new.jsonl")
    dst = os.path.join(work, name, "zz-added-100.jsonl")
    shutil.copy(src, dst)
    try:
        secs, rss, out, _ = run_measured([newsidx, "index", os.path.join(work, name), "--index", nx])
        r = subprocess.run([newsidx, "search", "zqfresh042", "--index", nx, "--format", "json"],
                           capture_output=True, text=True)
        found = json.loads(r.stdout)["total_articles"] if r.returncode == 0 else 0
        res.setdefault("incremental", {})[name] = {
            "seconds": round(secs, 2), "peak_rss_mb": round(rss), "summary": out.strip(),
            "new_article_found": found == 1}
    finally:
        os.remove(dst)
        # Leave the index as the corpus is, for the next run.
        subprocess.run([newsidx, "index", os.path.join(work, name), "--index", nx, "-q"],
                       stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description="Measure newsidx beside its peers (see the module doc).")
    ap.add_argument("work")
    ap.add_argument("newsidx")
    ap.add_argument("tantivy")
    ap.add_argument("--corpora", default="allsides,scaled")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--index-runs", type=int, default=1,
                    help="builds per engine and corpus, taking turns; the fastest counts")
    ap.add_argument("--out")
    a = ap.parse_args()
    work, newsidx, tantivy, runs = a.work, a.newsidx, a.tantivy, a.runs
    corpora = a.corpora.split(",")
    out_file = a.out or os.path.join(work, "results.json")
    res = {"machine": {"nproc": os.cpu_count(),
                       "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                       "date": time.strftime("%Y-%m-%d %H:%M")}}
    for name in corpora:
        print(f"== {name}", file=sys.stderr)
        nx, tv, db = index_all(work, name, newsidx, tantivy, res, a.index_runs)
        queries_per_process(work, newsidx, nx, db, runs, res, name)
        queries_in_process(work, newsidx, nx, tantivy, tv, db, runs, res, name)
        incremental(work, newsidx, nx, res, name)
        with open(out_file, "w") as f:
            json.dump(res, f, indent=1)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
