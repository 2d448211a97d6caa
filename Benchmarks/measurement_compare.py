"""NPS with n per touchpoint per month, three ways on the same rows: pandas and DuckDB on the raw
answers (loaded into memory first, loading not timed), and Rapport's metrics API answering from its
roll-ups over HTTP (timed end to end). Checks that all three agree on every group.
Usage: measurement_compare.py ROWS.csv URL TOKEN FROM TO"""
import json, statistics, sys, time, urllib.request

import duckdb
import pandas as pd

rows, url, token, start, end = sys.argv[1:6]
REPEAT = 7


def median_ms(fn):
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), out


t = time.perf_counter()
df = pd.read_csv(rows, names=["tp", "month", "nps"], dtype={"tp": "category", "month": "category", "nps": "int8"})
print(f"pandas: loaded {len(df):,} rows in {time.perf_counter() - t:.1f} s (not timed below)")


def with_pandas():
    g = df.assign(p=df.nps >= 9, d=df.nps <= 6).groupby(["tp", "month"], observed=True).agg(n=("nps", "size"), p=("p", "sum"), d=("d", "sum"))
    g["value"] = 100.0 * (g.p - g.d) / g.n
    return g


con = duckdb.connect()
t = time.perf_counter()
con.execute(f"CREATE TABLE r AS SELECT * FROM read_csv('{rows}', header=false, columns={{'tp': 'VARCHAR', 'month': 'VARCHAR', 'nps': 'TINYINT'}})")
print(f"duckdb: loaded in {time.perf_counter() - t:.1f} s (not timed below)")


def with_duckdb():
    return con.execute("SELECT tp, month, count(*) AS n, 100.0 * (count(*) FILTER (WHERE nps >= 9) - count(*) FILTER (WHERE nps <= 6)) / count(*) AS value "
                       "FROM r GROUP BY tp, month").fetchall()


def with_rapport():
    req = urllib.request.Request(f"{url}/api/v1/metrics?metric=nps&kind=transactional&group_by=touchpoint,month&from={start}&to={end}",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


pandas_ms, p = median_ms(with_pandas)
duck_ms, d = median_ms(with_duckdb)
rapport_ms, api = median_ms(with_rapport)

expected = {(tp.lower(), m): (int(n), v) for tp, m, n, v in d}
got = {(g["key"]["touchpoint"].lower(), g["key"]["month"]): (g["n"], g.get("value")) for g in api["groups"] if g["n"] > 0}
pd_groups = {(str(tp).lower(), str(m)): (int(r.n), float(r.value)) for (tp, m), r in p.iterrows()}
assert set(expected) == set(got) == set(pd_groups), f"groups differ: duckdb {len(expected)}, rapport {len(got)}, pandas {len(pd_groups)}"
for k, (n, v) in expected.items():
    gn, gv = got[k]
    assert gn == n and pd_groups[k][0] == n, f"{k}: n duckdb {n}, rapport {gn}, pandas {pd_groups[k][0]}"
    if gv is not None:
        assert abs(gv - v) < 1e-6 and abs(pd_groups[k][1] - v) < 1e-6, f"{k}: NPS duckdb {v}, rapport {gv}, pandas {pd_groups[k][1]}"
print(f"all three agree on {len(expected)} touchpoint × month groups ({sum(n for n, _ in expected.values()):,} answers)")
print(f"median of {REPEAT}: pandas {pandas_ms:.0f} ms, DuckDB {duck_ms:.0f} ms, Rapport API (HTTP, from roll-ups) {rapport_ms:.0f} ms")
