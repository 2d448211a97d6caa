#!/usr/bin/env python3
"""Writes N usage events (account_external_id, user, feature, count, time) for the accounts BENCH-1 … BENCH-A
that `rapport bench success` makes, spread over the last 28 days. Usage: make_usage.py N A FILE [SEED]; another SEED gives events on other keys."""
import datetime, random, sys

n, accounts, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
features = ["claims", "reports", "documents", "api", "dashboard", "approvals", "chat", "export"]
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
times = [(now - datetime.timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ") for s in range(0, 28 * 86400, 97)]
with open(path, "w") as f:
    f.write("account_external_id,user,feature,count,time\n")
    for i in range(n):
        a = random.randint(1, accounts)
        f.write(f"BENCH-{a},user{random.randint(1, 40)}@bench{a}.example,{random.choice(features)},{random.randint(1, 5)},{random.choice(times)}\n")
