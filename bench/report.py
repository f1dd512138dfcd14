#!/usr/bin/env python3
"""Render bench.py's results.json as the Markdown tables of BENCHMARKS.md.

usage: report.py results.json
"""
import json
import sys


def fmt(v, unit=""):
    return "-" if v is None else f"{v}{unit}"


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    r = json.load(open(sys.argv[1]))
    m = r["machine"]
    print(f"Machine: {m['nproc']} cores, {m['mem_gb']} GiB, run {m['date']}.\n")
    for name, ix in r.get("indexing", {}).items():
        print(f"### Indexing: {name} ({ix['articles']:,} articles, {ix['input_mb']} MB of JSON Lines)\n")
        print("| engine | time (s) | MB/s | articles/s | peak RSS (MB) | index (MB) | index / input | all builds (s) |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for key, label in (("newsidx", "newsidx (stemming, folding, entities)"),
                           ("newsidx_no_entities", "newsidx --no-entities"),
                           ("tantivy_cli", "tantivy-cli (-t 2)"),
                           ("sqlite_fts5", "SQLite FTS5 (python3 executemany)")):
            e = ix.get(key)
            if e:
                builds = ", ".join(str(x) for x in e.get("all_seconds", [e["seconds"]]))
                print(f"| {label} | {e['seconds']} | {e['mb_per_s']} | {e['articles_per_s']:,} | "
                      f"{e['peak_rss_mb']} | {e['index_mb']} | {e['index_fraction']} | {builds} |")
        print()
        print(f"newsidx indexing speed as a multiple of SQLite FTS5: **{ix['newsidx_speed_vs_sqlite_fts5']}x**, "
              f"of tantivy-cli: **{ix['newsidx_speed_vs_tantivy_cli']}x**"
              + (f"; with entities vs without: {ix['entities_speed_factor']}x" if "entities_speed_factor" in ix else "")
              + ".\n")
    for name, pp in r.get("per_process", {}).items():
        print(f"### Queries per process: {name} (a new process per query, as a user runs it)\n")
        print("| query kind | newsidx median / p95 / p99 (ms) | sqlite3 CLI median / p95 / p99 (ms) |")
        print("|---|---:|---:|")
        for kind, e in pp["by_kind"].items():
            n = e["newsidx"]
            s = e.get("sqlite3_cli")
            print(f"| {kind} | {n['median']} / {n['p95']} / {n['p99']} | "
                  + (f"{s['median']} / {s['p95']} / {s['p99']}" if s else "no equivalent") + " |")
        n, s = pp["newsidx"], pp["sqlite3_cli"]
        print(f"| **all** | **{n['median']}** / {n['p95']} / {n['p99']} | **{s['median']}** / {s['p95']} / {s['p99']} |")
        print(f"\nnewsidx per-process median as a fraction of SQLite's (same queries): "
              f"**{pp['newsidx_vs_sqlite_median']}x**.\n")
    for name, ip in r.get("in_process", {}).items():
        print(f"### Queries in process: {name}\n")
        if "newsidx_error" in ip:
            print(f"newsidx bench-queries failed: {ip['newsidx_error']}\n")
            continue
        print("| stage | median (ms) | p95 | p99 |")
        print("|---|---:|---:|---:|")
        for key, label in (("newsidx_retrieve", "top 10 articles only"),
                           ("newsidx_documents", "top 10 with their stored documents"),
                           ("newsidx_passages", "top 10 with documents and passages (no count, no facets)"),
                           ("newsidx_facets", "top 10 + count and facets"),
                           ("newsidx_full", "the whole search: facets + passages (JSON)")):
            e = ip[key]
            print(f"| {label} | {e['median']} | {e['p95']} | {e['p99']} |")
        s = ip["sqlite_in_process"]
        print(f"| SQLite FTS5 top 10 + snippet (python3) | {s['median']} | {s['p95']} | {s['p99']} |")
        print(f"\nPassages add {round(ip['passage_overhead_vs_documents'] * 100)}% to a plain top 10 "
              f"with its documents, {round(ip['passage_overhead_vs_top10'] * 100)}% to bare top-10 "
              f"addresses, {round(ip['passage_overhead'] * 100)}% to retrieval with facets; "
              f"facets add {round(ip['facet_overhead'] * 100)}% to plain top 10.\n")
        print("By query kind (median ms: top 10 / + documents / + passages / + facets / whole):\n")
        for kind, e in ip["by_kind"].items():
            print(f"- {kind}: " + " / ".join(str(e[s]["median"]) for s in
                                            ("retrieve", "documents", "passages", "facets", "full"))
                  + f" (whole p99 {e['full']['p99']})")
        print()
    for name, inc in r.get("incremental", {}).items():
        print(f"### Incremental update: {name}\n")
        print(f"Adding 100 articles (one new file) and re-indexing: **{inc['seconds']} s**, "
              f"peak RSS {inc['peak_rss_mb']} MB, new article found: {inc['new_article_found']}.\n"
              f"`{inc['summary']}`\n")


if __name__ == "__main__":
    main()
