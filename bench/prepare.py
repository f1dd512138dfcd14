#!/usr/bin/env python3
"""Prepare the benchmark corpora from ../shared/corpus/allsides/allsides.jsonl.gz.

usage: prepare.py SOURCE.jsonl.gz WORKDIR [--scale N] [--part-size K]

Writes into WORKDIR:
  allsides/allsides.jsonl        the AllSides records, decompressed (the input every engine reads)
  scaled/part-NNNN.jsonl         N articles (default 1,000,000) in files of K records: the 37,554
                                 originals, then re-mixes of them (see below)
  add100/new.jsonl               100 further re-mixed articles, for the incremental-update figure
  queries.json                   the fixed query set, with the filters each query uses

A re-mix keeps the realism of the vocabulary, outlets and dates but is never a copy: it takes
one article's title and a shuffled selection of its paragraphs, interleaves paragraphs of
another article of the same outlet, shifts the date by up to two years and gets its own URL.
Deterministic (fixed seed), so every run measures the same corpus. Nothing here is committed:
WORKDIR is git-ignored, the text belongs to its publishers.
"""
import argparse
import gzip
import json
import os
import random
import sys
from datetime import date, timedelta

QUERIES = [
    # (label, query, extra flags for newsidx, SQL filter for SQLite or None when it has no equivalent)
    {"kind": "1-word", "query": "troops"},
    {"kind": "1-word", "query": "Trump"},
    {"kind": "1-word", "query": "vaccine"},
    {"kind": "2-word", "query": "election fraud"},
    {"kind": "2-word", "query": "climate change"},
    {"kind": "2-word", "query": "health insurance"},
    {"kind": "phrase", "query": "\"supreme court ruling\""},
    {"kind": "phrase", "query": "\"border wall\""},
    {"kind": "outlet", "query": "immigration", "outlet": "Fox News"},
    {"kind": "outlet", "query": "tax cuts", "outlet": "CNN (Web News)"},
    {"kind": "date", "query": "election", "since": "2016-11-01", "until": "2016-11-30"},
    {"kind": "date", "query": "impeachment", "since": "2019-09-01", "until": "2019-12-31"},
    {"kind": "entity", "query": "wall", "entity": "Donald Trump"},
    {"kind": "entity", "query": "sanctions", "entity": "Russia"},
]


def parse_date(s):
    try:
        y, m, d = (int(x) for x in (s or "").split("-"))
        return date(y, m, d)
    except (ValueError, TypeError):
        return None


def remix(rng, base, pool, serial):
    paras = [p for p in base["content_original"].split("\n\n") if p.strip()]
    other = rng.choice(pool) if pool else base
    extra = [p for p in other["content_original"].split("\n\n") if p.strip()]
    keep = rng.sample(paras, k=max(1, int(len(paras) * rng.uniform(0.5, 0.9)))) if paras else []
    mix = keep + rng.sample(extra, k=min(len(extra), rng.randint(1, 4))) if extra else keep
    rng.shuffle(mix)
    d = parse_date(base.get("date"))
    out = dict(base)
    out["ID"] = f"remix{serial:07d}"
    out["url"] = f"{base.get('url') or 'https://remix.invalid/'}#remix-{serial}"
    shift = rng.randint(-730, 730)
    out["date"] = (d + timedelta(days=shift)).isoformat() if d and d.year > 1900 else ""
    out["content_original"] = "\n\n".join(mix)
    return out


def main():
    ap = argparse.ArgumentParser(description="Prepare the benchmark corpora (see the module doc).")
    ap.add_argument("source")
    ap.add_argument("work")
    ap.add_argument("--scale", type=int, default=1_000_000)
    ap.add_argument("--part-size", type=int, default=10_000)
    a = ap.parse_args()
    src, work, scale, part = a.source, a.work, a.scale, a.part_size

    records = []
    os.makedirs(os.path.join(work, "allsides"), exist_ok=True)
    plain = os.path.join(work, "allsides", "allsides.jsonl")
    # The AllSides file exactly as published (decompressed), so every engine reads the same bytes.
    fresh = not os.path.exists(plain)
    out = open(plain + ".tmp", "w", encoding="utf-8") if fresh else None
    with gzip.open(src, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))
                if out:
                    out.write(line if line.endswith("\n") else line + "\n")
    if out:
        out.close()
        os.replace(plain + ".tmp", plain)

    by_outlet = {}
    for r in records:
        by_outlet.setdefault(r.get("source"), []).append(r)
    rng = random.Random(20221)

    scaled = os.path.join(work, "scaled")
    stamp = os.path.join(scaled, f".done-{scale}-{part}")
    if not os.path.exists(stamp):
        os.makedirs(scaled, exist_ok=True)
        for name in os.listdir(scaled):
            os.remove(os.path.join(scaled, name))
        n = 0
        fileno = 0
        while n < scale:
            path = os.path.join(scaled, f"part-{fileno:04d}.jsonl")
            with open(path, "w", encoding="utf-8") as out:
                for _ in range(min(part, scale - n)):
                    if n < len(records):
                        rec = records[n]
                    else:
                        base = rng.choice(records)
                        rec = remix(rng, base, by_outlet.get(base.get("source")), n)
                    out.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    n += 1
            fileno += 1
        open(stamp, "w").close()

    add = os.path.join(work, "add100")
    os.makedirs(add, exist_ok=True)
    with open(os.path.join(add, "new.jsonl"), "w", encoding="utf-8") as out:
        for i in range(100):
            base = rng.choice(records)
            rec = remix(rng, base, by_outlet.get(base.get("source")), 9_000_000 + i)
            rec["title"] = f"Fresh benchmark article {i} " + (rec.get("title") or "")
            # The marker goes into the article's own last paragraph: a line of its own,
            # the same in all 100 articles but for the digits, is boilerplate by the
            # indexer's repetition rule on a small corpus, and would be stripped.
            rec["content_original"] = rec["content_original"].rstrip() + f" (ref. zqfresh{i:03d})"
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")

    with open(os.path.join(work, "queries.json"), "w", encoding="utf-8") as out:
        json.dump(QUERIES, out, indent=1)
    print(f"prepared {len(records)} AllSides records, {scale} scaled articles in {work}")


if __name__ == "__main__":
    main()
