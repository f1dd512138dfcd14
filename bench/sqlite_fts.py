#!/usr/bin/env python3
"""SQLite FTS5, the peer newsidx is measured against, driven the way a user would.

usage:
  sqlite_fts.py load DB FILE.jsonl...       build an FTS5 table (title, body; source and date
                                            unindexed, for filters) with executemany
  sqlite_fts.py query DB QUERIES.json RUNS  in-process latency of top-10 by bm25 with snippet()
                                            per query; prints JSON

The tokenizer is 'porter unicode61' (stemming, case and diacritic folding), the nearest
equivalent of newsidx's analyzer.
"""
import json
import sqlite3
import statistics
import sys
import time

SCHEMA = (
    "CREATE VIRTUAL TABLE a USING fts5(title, body, source UNINDEXED, date UNINDEXED, "
    "tokenize='porter unicode61')"
)


def rows(files):
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    r = json.loads(line)
                except json.JSONDecodeError:
                    continue
                yield (r.get("title") or "", r.get("content_original") or "",
                       r.get("source") or "", r.get("date") or "")


def load(db, files):
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(SCHEMA)
    batch = []
    for r in rows(files):
        batch.append(r)
        if len(batch) >= 5000:
            con.executemany("INSERT INTO a VALUES (?,?,?,?)", batch)
            batch.clear()
    if batch:
        con.executemany("INSERT INTO a VALUES (?,?,?,?)", batch)
    con.commit()
    con.close()


def sql_for(q):
    """The SQL and parameters of one benchmark query (None when SQLite has no equivalent)."""
    if q.get("entity"):
        return None
    where = ["a MATCH ?"]
    params = [q["query"]]
    if q.get("outlet"):
        where.append("source = ?")
        params.append(q["outlet"])
    if q.get("since"):
        where.append("date >= ?")
        params.append(q["since"])
    if q.get("until"):
        where.append("date <= ?")
        params.append(q["until"])
    sql = ("SELECT title, snippet(a, 1, '[', ']', '...', 24) FROM a WHERE "
           + " AND ".join(where) + " ORDER BY bm25(a) LIMIT 10")
    return sql, params


def cli_sql(q):
    """The same query as one SQL string for the sqlite3 command-line tool."""
    s = sql_for(q)
    if s is None:
        return None
    sql, params = s
    for p in params:
        sql = sql.replace("?", "'" + p.replace("'", "''") + "'", 1)
    return sql + ";"


def query(db, qfile, runs):
    con = sqlite3.connect(db)
    out = []
    for q in json.load(open(qfile, encoding="utf-8")):
        s = sql_for(q)
        if s is None:
            continue
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            con.execute(*s).fetchall()
            times.append((time.perf_counter() - t) * 1000)
        out.append({"kind": q["kind"], "query": q["query"], "ms": times,
                    "median_ms": statistics.median(times)})
    print(json.dumps(out))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) == 5 and sys.argv[1] == "query":
        query(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "sql":
        for q in json.load(open(sys.argv[3], encoding="utf-8")):
            print(cli_sql(q) or "")
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
