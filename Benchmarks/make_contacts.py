#!/usr/bin/env python3
"""Writes N realistic contact rows (German and English names, umlauts, quoted fields) for the import
benchmark. Deterministic: the same N gives the same file."""
import random, sys

n = int(sys.argv[1]); out = sys.argv[2]
accounts = int(sys.argv[3]) if len(sys.argv) > 3 else 0
rng = random.Random(7)
first = ["Anna", "Jonas", "Lea", "Lukas", "Sophie", "Maximilian", "Marie", "Felix", "Jürgen", "Götz", "Emma", "Oliver", "Chloé", "Noah", "Mia", "Ben"]
last = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Smith", "Brown", "Keller", "Huber", "Gruber", "Brändle"]
roles = ["Geschäftsführerin", "IT-Leiter", "Head of Customer Service", "Einkauf", "CFO", "Teamleitung Service, Nord", ""]
langs = ["de", "de", "de", "en", "fr"]
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("external_id,account_external_id,first_name,last_name,email,phone,role,language,channel_preferences\n")
    for i in range(n):
        fn, ln = rng.choice(first), rng.choice(last)
        email = f"{fn.lower()}.{ln.lower()}.{i}@example.org".replace("ü", "ue").replace("ö", "oe").replace("ä", "ae").replace("é", "e")
        role = rng.choice(roles)
        role = f'"{role}"' if "," in role else role
        acct = f"A{rng.randrange(accounts):06d}" if accounts else ""
        f.write(f"C{i:07d},{acct},{fn},{ln},{email},+49 89 {rng.randrange(1000000, 9999999)},{role},{rng.choice(langs)},\"email,phone\"\n")
