#!/usr/bin/env python3
"""Writes Tests/QRCodeTests/Fixtures/qrcodegen-matrices.json: QR symbols, and penalty scores,
made by an encoder nobody here wrote, Nayuki's qrcodegen from PyPI, for the Swift encoder to
match module for module.

Every case pins what the encoder may choose: the segments (qrcodegen's make_segments, or an
explicit mixed list), the level, the version range, the mask (or None for its automatic
choice, which the Swift encoder must repeat) and whether the level may be raised. Cases with
api = "text" instead go through qrcodegen's encode_text end to end (single-mode texts only,
where the optimal segmentation is the same one segment).

    pip install qrcodegen==1.8.0
    python3 scripts/make-qr-fixtures.py
"""

import json
import random
from importlib.metadata import version as package_version
from pathlib import Path

from qrcodegen import QrCode, QrSegment

OUTPUT = Path(__file__).resolve().parent.parent / "Tests/QRCodeTests/Fixtures/qrcodegen-matrices.json"

ECC = {"L": QrCode.Ecc.LOW, "M": QrCode.Ecc.MEDIUM, "Q": QrCode.Ecc.QUARTILE, "H": QrCode.Ecc.HIGH}
ECC_LETTER = {QrCode.Ecc.LOW: "L", QrCode.Ecc.MEDIUM: "M", QrCode.Ecc.QUARTILE: "Q", QrCode.Ecc.HIGH: "H"}
MODE_NAME = {
    QrSegment.Mode.NUMERIC: "numeric",
    QrSegment.Mode.ALPHANUMERIC: "alphanumeric",
    QrSegment.Mode.BYTE: "byte",
}

OTPAUTH = ("otpauth://totp/ClientOne%20Console:jane.doe%40example.com"
           "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=ClientOne%20Console")

# Texts for qrcodegen's own segmentation (one mode for the whole text).
TEXTS = [
    "01234567",
    "8675309",
    "HELLO WORLD",
    "ABC$%*+-./: 123",
    "Hello, world!",
    OTPAUTH,
    "Grüße — 日本語 🙂",
    "🙂🚀👍🏽",
    "日本語のテキスト、漢字とかな",
    "",
]

# Explicit mixed segmentations, as an optimal splitter would write them.
MIXED = [
    [("byte", "otpauth://totp/ClientOne%20Console:jane.doe%40example.com?secret="),
     ("alphanumeric", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
     ("byte", "&issuer=ClientOne%20Console")],
    [("alphanumeric", "ABC"), ("numeric", "0123456789012"), ("alphanumeric", "DEF")],
    [("byte", "é"), ("numeric", "123456")],
    [("numeric", "3141592653589793238462643383279502884197"), ("alphanumeric", "PI/E"),
     ("byte", "≈ e"), ("numeric", "2718281828459045")],
]

# Texts for encode_text end to end: one mode is already the shortest encoding of each.
TEXT_API = [
    ("Hello, world!", "M"),
    ("01234567890123456789", "L"),
    ("HELLO WORLD", "Q"),
    ("Grüße — 日本語 🙂", "H"),
    ("https://example.com/a/b?c=d", "M"),
    ("7" * 7089, "L"),
    ("a" * 2953, "L"),
]


def make_segment(mode, text):
    if mode == "numeric":
        return QrSegment.make_numeric(text)
    if mode == "alphanumeric":
        return QrSegment.make_alphanumeric(text)
    return QrSegment.make_bytes(text.encode("utf-8"))


def rows_hex(qr):
    """Each row as hex, module x = bit x counted from the most significant, zero-padded to whole digits."""
    size = qr.get_size()
    width = (size + 3) // 4
    rows = []
    for y in range(size):
        value = 0
        for x in range(size):
            value = value << 1 | (1 if qr.get_module(x, y) else 0)
        value <<= width * 4 - size
        rows.append(format(value, "0{}x".format(width)))
    return rows


def result(qr):
    return {
        "version": qr.get_version(),
        "finalEcc": ECC_LETTER[qr.get_error_correction_level()],
        "finalMask": qr.get_mask(),
        "size": qr.get_size(),
        "rows": rows_hex(qr),
    }


def segment_case(name, segments, ecc, minversion=1, maxversion=40, mask=None, boost=False):
    """segments: list of (mode, text) or (mode, text, bytes) for raw byte data."""
    segs = []
    recorded = []
    for entry in segments:
        mode, text = entry[0], entry[1]
        if len(entry) == 3:
            segs.append(QrSegment.make_bytes(entry[2]))
            recorded.append({"mode": mode, "hex": entry[2].hex()})
        else:
            segs.append(make_segment(mode, text))
            recorded.append({"mode": mode, "text": text})
    qr = QrCode.encode_segments(segs, ECC[ecc], minversion, maxversion, -1 if mask is None else mask, boost)
    case = {"name": name, "api": "segments", "segments": recorded, "ecc": ecc,
            "minVersion": minversion, "maxVersion": maxversion, "mask": mask, "boostECC": boost}
    case.update(result(qr))
    return case


def qrcodegen_segments(text):
    """qrcodegen's make_segments, as (mode, text) pairs."""
    return [(MODE_NAME[s.get_mode()], text) for s in QrSegment.make_segments(text)]


def filler(length, seed):
    """Printable ASCII with lower-case letters throughout, so byte mode is the only sensible mode."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 -_.,;:!?/"
    return "".join(rng.choice(alphabet) for _ in range(length))


def symbol_cases():
    cases = []
    # Each text in every level, smallest version, automatic mask.
    for text in TEXTS:
        for ecc in "LMQH":
            cases.append(segment_case(f"{text[:24]!r} {ecc} auto", qrcodegen_segments(text), ecc))
    # All eight masks pinned, in a small and a mid-size symbol.
    for mask in range(8):
        cases.append(segment_case(f"HELLO WORLD 1-Q mask {mask}", qrcodegen_segments("HELLO WORLD"), "Q", 1, 1, mask))
        cases.append(segment_case(f"otpauth 8-M mask {mask}", qrcodegen_segments(OTPAUTH), "M", 8, 8, mask))
    # Every version pinned with a pinned mask; the levels take turns.
    for v in range(1, 41):
        ecc = "LMQH"[v % 4]
        capacity = QrCode._get_num_data_codewords(v, ECC[ecc]) - 3
        text = filler(max(1, capacity * 2 // 3), v)
        cases.append(segment_case(f"version {v}-{ecc} mask {v % 8}", [("byte", text)], ecc, v, v, v % 8))
    # Versions across the range with the automatic mask, version information from 7 on.
    for v in (1, 2, 6, 7, 10, 14, 20, 27, 33, 40):
        capacity = QrCode._get_num_data_codewords(v, QrCode.Ecc.MEDIUM) - 3
        text = filler(capacity, 100 + v)
        cases.append(segment_case(f"version {v}-M auto mask", [("byte", text)], "M", v, v))
    # A version range larger than needed, with the level raised where it fits.
    cases.append(segment_case("HELLO WORLD M boosted", qrcodegen_segments("HELLO WORLD"), "M", boost=True))
    cases.append(segment_case("otpauth L boosted", qrcodegen_segments(OTPAUTH), "L", boost=True))
    cases.append(segment_case("digits 5-10 L boosted", qrcodegen_segments("1234567890" * 5), "L", 5, 10, boost=True))
    # Mixed segmentations.
    for index, segments in enumerate(MIXED):
        for ecc in "LH":
            cases.append(segment_case(f"mixed {index} {ecc} auto", segments, ecc))
        cases.append(segment_case(f"mixed {index} M mask {index + 3}", segments, "M", mask=index + 3))
    # Raw bytes that are not UTF-8.
    cases.append(segment_case("bytes 00-ff L auto", [("byte", None, bytes(range(256)))], "L"))
    # The high-level text API end to end.
    for text, ecc in TEXT_API:
        qr = QrCode.encode_text(text, ECC[ecc])
        case = {"name": f"encode_text {text[:24]!r} {ecc}", "api": "text", "text": text, "ecc": ecc,
                "segments": [{"mode": MODE_NAME[s.get_mode()], "text": text} for s in QrSegment.make_segments(text)]}
        case.update(result(qr))
        cases.append(case)
    return cases


def penalty_of(grid):
    """qrcodegen's penalty score of an arbitrary square grid, by lending it a symbol's scorer."""
    qr = QrCode.encode_text("x", QrCode.Ecc.LOW)
    qr._size = len(grid)
    qr._modules = [list(row) for row in grid]
    return qr._get_penalty_score()


def grid_hex(grid):
    size = len(grid)
    width = (size + 3) // 4
    out = []
    for row in grid:
        value = 0
        for cell in row:
            value = value << 1 | (1 if cell else 0)
        out.append(format(value << (width * 4 - size), "0{}x".format(width)))
    return out


def penalty_cases():
    rng = random.Random(18004)
    grids = []
    for size in (21, 25, 29, 33, 45, 57, 77, 101, 177):
        for density in (0.5, 0.35, 0.65):
            grids.append([[rng.random() < density for _ in range(size)] for _ in range(size)])
    # Planted finder-like patterns at scales 1 to 3, on a light background with noise.
    for scale in (1, 2, 3):
        size = 41
        grid = [[rng.random() < 0.08 for _ in range(size)] for _ in range(size)]
        pattern = [True, False, True, True, True, False, True]
        for y in range(5, 30, 6):
            x0 = 4 + y % 5
            for i, dark in enumerate(pattern):
                for k in range(scale):
                    if x0 + i * scale + k < size:
                        grid[y][x0 + i * scale + k] = dark
        grids.append(grid)
        grids.append([list(col) for col in zip(*grid)])
    grids.append([[False] * 21 for _ in range(21)])
    grids.append([[True] * 21 for _ in range(21)])
    grids.append([[(x + y) % 2 == 0 for x in range(21)] for y in range(21)])
    return [{"size": len(g), "rows": grid_hex(g), "penalty": penalty_of(g)} for g in grids]


def mask_penalty_cases():
    """The score qrcodegen gives each of the eight masks of one symbol: what the automatic
    choice compares."""
    cases = []
    for name, segments, ecc, v in [
        ("otpauth 7-M", MIXED[0], "M", 7),
        ("HELLO WORLD 1-Q", qrcodegen_segments("HELLO WORLD"), "Q", 1),
        ("filler 23-H", [("byte", filler(300, 23))], "H", 23),
    ]:
        segs = [make_segment(mode, text) for mode, text in segments]
        scores = [QrCode.encode_segments(segs, ECC[ecc], v, v, mask, False)._get_penalty_score() for mask in range(8)]
        cases.append({"name": name, "segments": [{"mode": m, "text": t} for m, t in segments],
                      "ecc": ecc, "version": v, "penalties": scores})
    return cases


def main():
    fixture = {
        "generator": f"qrcodegen {package_version('qrcodegen')} (PyPI) via scripts/make-qr-fixtures.py",
        "symbols": symbol_cases(),
        "penalties": penalty_cases(),
        "maskPenalties": mask_penalty_cases(),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes, {len(fixture['symbols'])} symbols, "
          f"{len(fixture['penalties'])} penalty grids, {len(fixture['maskPenalties'])} mask sets)")


if __name__ == "__main__":
    main()
