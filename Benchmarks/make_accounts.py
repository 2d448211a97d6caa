#!/usr/bin/env python3
"""Writes N accounts (external ids A000000…) for the page benchmarks. Deterministic."""
import random, sys

n = int(sys.argv[1]); out = sys.argv[2]
rng = random.Random(11)
stems = ["Alpen", "Nord", "Süd", "Rhein", "Donau", "Berg", "See", "Wald", "Stadt", "Hanse", "Northwind", "Blue Harbor", "Contoso"]
kinds = ["Versicherung AG", "Maschinenbau GmbH", "Logistik GmbH", "Software AG", "Energie GmbH", "Bank AG", "Analytics Ltd", "Retail Ltd"]
segments = ["Enterprise", "Mid-Market", "SMB"]
coverage = {"Enterprise": "high_touch", "Mid-Market": "pooled", "SMB": "tech_touch"}
with open(out, "w", encoding="utf-8") as f:
    f.write("external_id,name,segment,industry,country,coverage_model\n")
    for i in range(n):
        seg = rng.choice(segments)
        f.write(f"A{i:06d},{rng.choice(stems)} {rng.choice(kinds)} {i},{seg},Handel,{rng.choice(['DE', 'AT', 'CH'])},{coverage[seg]}\n")
