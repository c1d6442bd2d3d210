#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Seeds are small, meaningful inputs that put each target in its interesting states at once; the
fuzzer mutates from there. The shared protocol vectors (framing, messages) are included as they
are, so every vector is also replayed by the ctest `replay_*` programs. Re-run after changing a
target's input layout; crash reproducers (crash-*) are kept, everything else is rewritten.
Needs the `zstd` command for the decompression seeds. The handshake corpus is written by hand
(see corpus/handshake) and is not touched here.
"""
import json
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
VECTORS = os.path.join(ROOT, "shared", "protocol", "vectors")


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60]


def write_corpus(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if not f.startswith("crash-"):
            os.remove(os.path.join(d, f))
    for name, data in seeds:
        with open(os.path.join(d, slug(name)), "wb") as out:
            out.write(data)
    print(f"{target}: {len(seeds)} seeds, {sum(len(s) for _, s in seeds)} bytes")


def zstd(data, *args):
    return subprocess.run(["zstd", "-q", "-c", "--no-check", *args], input=data,
                          stdout=subprocess.PIPE, check=True).stdout


def frame(payload):
    return struct.pack("<I", len(payload)) + payload


# --- frame_decoder: [cap][split seed lo][split seed hi] stream ---------------------------------
def frame_decoder_seeds():
    seeds = []
    for i, case in enumerate(json.load(open(os.path.join(VECTORS, "framing.json")))["cases"]):
        cap = case["max_frame_bytes"]
        cap_byte = cap if cap < 255 else 255  # 255 = the protocol's default cap
        if cap_byte == 255 and cap != 33554432:
            cap_byte = 200  # the vectors' 1024 only needs to exceed their frames
        seeds.append(("vector-" + case["name"], bytes([cap_byte, i, 0]) + bytes.fromhex(case["input_hex"])))
    hello = b'{"type":"hello","id":1}'
    send = b'{"type":"send","data":{"k":[1,2,3],"t":"\xc3\xa9"}}'
    seeds += [
        ("several frames", bytes([255, 3, 1]) + frame(hello) + frame(send) + frame(b"") + frame(b'{"type":"end"}')),
        ("oversize between frames", bytes([32, 7, 0]) + frame(hello) + frame(b"x" * 40) + frame(b"[]")),
        ("oversize length at the end", bytes([16, 1, 0]) + frame(b"{}") + struct.pack("<I", 0xFFFFFFF0) + b"abc"),
        ("truncated frame", bytes([255, 9, 9]) + frame(hello) + frame(send)[:-5]),
        ("truncated length", bytes([255, 0, 0]) + frame(hello) + b"\x05\x00"),
        ("cap zero", bytes([0, 5, 0]) + frame(b"") + frame(b"a") + frame(b"")),
    ]
    return seeds


# --- message: one frame payload -------------------------------------------------------------
def message_seeds():
    seeds = []
    for case in json.load(open(os.path.join(VECTORS, "messages.json")))["cases"]:
        data = bytes.fromhex(case["input_hex"]) if "input_hex" in case else case["input"].encode()
        seeds.append(("vector-" + case["name"], data))
    big = json.dumps({"type": "send", "id": 9007199254740992,
                      "data": {"html": "<p class=\"x\">" + "d\u00e9j\u00e0 vu \u2603 \U0001F600 \t\n" * 20 + "</p>",
                               "ctl": "\u0001\u001f\\\"", "n": [1, -2.5e-3, True, None]}},
                     ensure_ascii=False).encode()
    seeds += [
        ("send larger than the chunk budget", big),
        ("deep nesting 200", b'{"type":"send","data":' + b"[" * 200 + b"]" * 200 + b"}"),
        ("deep nesting unbalanced", b"[" * 300),
        ("deep object nesting 64", b'{"type":"send","data":' + b'{"a":' * 63 + b"1" + b"}" * 63 + b"}"),
        ("duplicate type via escape", b'{"type":"hello","\\u0074ype":"end"}'),
        ("duplicate id", b'{"type":"hello","id":1,"id":1}'),
        ("huge id 2^64", b'{"type":"hello","id":18446744073709551616}'),
        ("id exactly 2^53", b'{"type":"end","id":9007199254740992}'),
        ("id 2^53 plus one", b'{"type":"end","id":9007199254740993}'),
        ("id with exponent", b'{"type":"end","id":1e2}'),
        ("huge exponent", b'{"type":"send","data":1e999999}'),
        ("join code escaped quote", b'{"type":"join","relay":"wss://r","code":"12\\"34"}'),
        ("join code not string", b'{"type":"join","relay":"wss://r","code":123}'),
        ("strings with braces", b'{"type":"send","data":"}]{[\\"\\\\","x":1}'),
        ("share relay unicode", '{"type":"share","relay":"wss://\u00e9xample.test/\U0001F600"}'.encode()),
        ("bad json unterminated", b'{"type":"send","data":"abc'),
        ("bad utf8 overlong", b'{"type":"send","data":"\xc0\xaf"}'),
        ("whitespace only", b" \n\t "),
        ("nul byte", b'{"type":"hello"}\x00'),
        # nlohmann's lexer ends the input at a NUL: found by fuzz_message (json_valid fix).
        ("nul then garbage after a document", b'{"type":"send","data":1}\x00\x86"{[ not json'),
        ("nul then garbage after a scalar", b'0\x00\xff\xfe}'),
    ]
    return seeds


# --- decompress: [piece size (0 = whole)][level] zstd bytes ---------------------------------
def decompress_seeds():
    text = json.dumps({"type": "mutation", "nodes": [{"id": i, "tag": "div", "text": "hello world"} for i in range(40)]}).encode()
    frame_ = zstd(text, "-3")
    bomb = zstd(b"\0" * (10 << 20), "-19")          # 10 MiB of zeros: far above the 1 MiB cap
    just_over = zstd(b"a" * ((1 << 20) + 1), "-19")  # one byte above the cap
    at_cap = zstd(b"b" * (1 << 20), "-19")           # exactly the cap
    # Hand-made frames: magic, descriptor 0x00 (no content size, not single-segment), window
    # descriptor (exponent << 3: window 2^(10 + exponent)), one last raw block "abc".
    def windowed(window_log):
        return struct.pack("<I", 0xFD2FB528) + bytes([0x00, (window_log - 10) << 3, 0x19, 0x00, 0x00]) + b"abc"
    big_window = windowed(27)   # above zstd_window_log: refused
    max_window = windowed(21)   # exactly zstd_window_log: accepted
    two_frames = zstd(b'{"a":1}') + zstd(b'{"b":2}')
    skippable = struct.pack("<II", 0x184D2A50, 4) + b"skip" + zstd(b"[1,2,3]")
    garbage = bytes((i * 37 + 11) & 0xFF for i in range(200))
    return [
        ("valid frame whole", bytes([0, 3]) + frame_),
        ("valid frame in 7-byte pieces", bytes([7, 1]) + frame_),
        ("truncated frame", bytes([16, 2]) + frame_[: len(frame_) // 2]),
        ("corrupt frame", bytes([0, 4]) + frame_[:20] + bytes([frame_[20] ^ 0xFF]) + frame_[21:]),
        ("bomb 10 MiB of zeros", bytes([0, 0]) + bomb),
        ("bomb in pieces", bytes([5, 0]) + bomb),
        ("one byte over the cap", bytes([0, 0]) + just_over),
        ("exactly the cap", bytes([64, 0]) + at_cap),
        ("window too large", bytes([0, 0]) + big_window),
        ("window at the limit", bytes([0, 0]) + max_window),
        ("two frames", bytes([3, 5]) + two_frames),
        ("skippable frame first", bytes([0, 6]) + skippable),
        ("garbage", bytes([0, 0]) + garbage),
        ("plain text round trip", bytes([1, 3]) + text),
        ("empty", bytes([0, 0])),
        # zstd v0.7 legacy magic (27 b5 2f fd), window byte 0x88 = 2^27: libzstd decodes legacy
        # frames without applying windowLogMax (the current-format twin above is refused).
        ("legacy v0.7 frame with a 128 MiB window", bytes([0, 0]) + bytes.fromhex("27b52ffd0088") + b"abc"),
        ("legacy v0.7 frame in pieces", bytes([1, 0]) + bytes.fromhex("27b52ffd0088") + b"abc"),
        # Fed whole, libzstd reports corruption; fed in small pieces it waits for more input.
        ("corruption seen only when fed whole", bytes.fromhex("032f28b52ffd420000000000000000010000")),
        # Fed 3 bytes at a time the raw block shows before the error; fed whole it does not.
        ("error after a raw block in pieces", bytes.fromhex(
            "030528b52ffd00583000007b2261222a317d000000000000000028b52ffd00583900007b2262223a327d")),
    ]


# --- peer_reader: [flags] then ops (see fuzz_peer_reader.cpp) -------------------------------
def u16(data):
    return struct.pack("<H", len(data)) + data


def op_raw(data): return b"\x00" + u16(data)
def op_header(): return b"\x01"
def op_message(text): return b"\x02" + u16(text)
def op_record(final, plain): return b"\x03" + bytes([1 if final else 0]) + u16(plain)
def op_end(reason): return b"\x04" + bytes([len(reason)]) + reason
def op_tamper(i): return b"\x05" + bytes([i])


def peer_reader_seeds():
    doc = json.dumps({"type": "snapshot", "html": "<div>" + "x" * 300 + "</div>"}).encode()
    return [
        ("messages then end", b"\x00" + op_message(b'{"a":1}') + op_message(doc) + op_message(b'{"a":1}') + op_end(b"bye")),
        ("empty message", b"\x00" + op_message(b"")),
        ("invalid json message", b"\x00" + op_message(b'{"a":')),
        ("too deep message", b"\x00" + op_message(b"[" * 65 + b"]" * 65)),
        ("end with bad reason", b"\x00" + op_end(b"tab\tclosed")),
        ("end reason too long", b"\x00" + op_end(b"r" * 65)),
        ("frame after end", b"\x00" + op_end(b"done") + op_raw(b"\x11" + b"\x00" * 40)),
        ("tampered frame", b"\x00" + op_message(b"[1]") + op_tamper(3) + op_message(b"[2]")),
        ("second header", b"\x00" + op_header() + op_message(b"1")),
        ("data before header", b"\x01" + op_message(b"[]") + op_header()),
        ("forged header", b"\x01" + op_raw(b"\x10\x00\x00\x00\x07" + bytes(24)) + op_message(b"[]")),
        ("wrong epoch header", b"\x01" + op_raw(b"\x10\x00\x00\x00\x08" + bytes(24))),
        ("short header", b"\x01" + op_raw(b"\x10\x00\x00\x00\x07")),
        ("unknown kind", b"\x00" + op_raw(b"\x12abc")),
        ("empty raw frame", b"\x00" + op_raw(b"")),
        ("crafted zstd record", b"\x00" + op_record(False, b"\x01" + zstd(b'{"crafted":true}'))),
        ("crafted garbage record", b"\x00" + op_record(False, b"\x01" + bytes(range(40)))),
        ("crafted more then last", b"\x00" + op_record(False, b"\x00" + zstd(b'{"a":')[:8]) + op_message(b"2")),
        ("unknown record type", b"\x00" + op_record(False, b"\x07hi")),
        ("empty record", b"\x00" + op_record(False, b"")),
        ("final tag on data", b"\x00" + op_record(True, b"\x01")),
        ("end record without final", b"\x00" + op_record(False, b"\x02bye")),
        ("tamper would hit the kind byte", b"\x00" + op_tamper(0) + op_end(b"") + op_message(b"e")),
        ("bomb record", b"\x00" + op_record(False, b"\x01" + zstd(b" " * (40 << 20), "-19"))),
    ]


def main():
    write_corpus("frame_decoder", frame_decoder_seeds())
    write_corpus("message", message_seeds())
    write_corpus("decompress", decompress_seeds())
    write_corpus("peer_reader", peer_reader_seeds())
    return 0


if __name__ == "__main__":
    sys.exit(main())
