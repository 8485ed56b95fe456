#!/usr/bin/env python3
"""Independent reference implementation of tenzro-tee leader selection (DESIGN §7).

This file is meant to be read next to the specification.  It deliberately
shares no code with the C++ implementation and uses only the Python 3
standard library (hashlib, json, argparse, sys, struct); ChaCha20 is written
out below from RFC 8439 section 2.3.

The algorithm, as specified in DESIGN §7:

  * weight = stake * multiplier if attested, else stake (unsigned 256-bit
    integers).  Validators are ordered by their 32-byte ids (lexicographic
    byte order).
  * Per-epoch key
        K = BLAKE2b-256(key = "tenzro-tee-leader-v1", msg = seed[32] || E as u64 LE)
    (libsodium crypto_generichash with a 20-byte key, 32-byte output).
  * For slot s, the ChaCha20-IETF keystream (RFC 8439: 32-bit block counter
    starting at 0, 96-bit nonce) under key K and nonce = (s as u64 LE) || 00000000
    is read as consecutive 32-byte little-endian words.  With W = total weight
    and b = bitlen(W - 1), each word is masked to its low b bits and the first
    one below W is r.
  * The leader is the validator i (0-based, id-ordered) with
        prefix[i-1] <= r < prefix[i],   prefix[i] = weights[0] + ... + weights[i],
    prefix[-1] = 0 (inverse CDF).  Validators of weight 0 never lead.

Usage:
  leader_reference.py GOLDEN.json           check every case's "expect" block
  leader_reference.py --emit GOLDEN.json    print GOLDEN.json with "expect" recomputed
  leader_reference.py --self-test           RFC 8439 check plus tiny built-in cases

Exit status: 0 all passed, 1 some case failed, 2 missing or malformed input.
"""

import argparse
import bisect
import hashlib
import json
import struct
import sys

U64_LIMIT = 1 << 64
U256_LIMIT = 1 << 256
MASK32 = 0xFFFFFFFF

EPOCH_KEY_PERSONALISATION = b"tenzro-tee-leader-v1"
WORD_BYTES = 32  # keystream is consumed in 32-byte words


# ---------------------------------------------------------------------------
# ChaCha20 block function, RFC 8439 section 2.3
# ---------------------------------------------------------------------------

def _rotl32(v, n):
    return ((v << n) | (v >> (32 - n))) & MASK32


def _quarter_round(x, a, b, c, d):
    """RFC 8439 section 2.1, applied in place to state list x."""
    x[a] = (x[a] + x[b]) & MASK32; x[d] = _rotl32(x[d] ^ x[a], 16)
    x[c] = (x[c] + x[d]) & MASK32; x[b] = _rotl32(x[b] ^ x[c], 12)
    x[a] = (x[a] + x[b]) & MASK32; x[d] = _rotl32(x[d] ^ x[a], 8)
    x[c] = (x[c] + x[d]) & MASK32; x[b] = _rotl32(x[b] ^ x[c], 7)


def chacha20_block(key, counter, nonce):
    """Return the 64-byte serialized ChaCha20 block (RFC 8439 section 2.3).

    key: 32 bytes, counter: 32-bit block counter, nonce: 12 bytes.
    """
    if len(key) != 32 or len(nonce) != 12 or not 0 <= counter <= MASK32:
        raise ValueError("chacha20_block: bad key, nonce or counter")
    state = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]   # "expand 32-byte k"
    state += list(struct.unpack("<8I", key))                     # words 4..11
    state.append(counter)                                        # word 12
    state += list(struct.unpack("<3I", nonce))                   # words 13..15

    working = list(state)
    for _ in range(10):  # 20 rounds = 10 x (column round + diagonal round)
        _quarter_round(working, 0, 4, 8, 12)
        _quarter_round(working, 1, 5, 9, 13)
        _quarter_round(working, 2, 6, 10, 14)
        _quarter_round(working, 3, 7, 11, 15)
        _quarter_round(working, 0, 5, 10, 15)
        _quarter_round(working, 1, 6, 11, 12)
        _quarter_round(working, 2, 7, 8, 13)
        _quarter_round(working, 3, 4, 9, 14)

    out = [(working[i] + state[i]) & MASK32 for i in range(16)]
    return struct.pack("<16I", *out)


def chacha20_keystream_words(key, nonce):
    """Yield the keystream as consecutive 32-byte words, little-endian ints.

    Block counter starts at 0; each 64-byte block gives two words
    (word 2k = first half of block k, word 2k+1 = second half).
    """
    for counter in range(MASK32 + 1):
        block = chacha20_block(key, counter, nonce)
        yield int.from_bytes(block[:WORD_BYTES], "little")
        yield int.from_bytes(block[WORD_BYTES:], "little")
    raise RuntimeError("ChaCha20 block counter exhausted")


# RFC 8439 section 2.3.2: key 00:01:..:1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00,
# block count 1.
RFC_2_3_2_KEY = bytes(range(32))
RFC_2_3_2_NONCE = bytes.fromhex("000000090000004a00000000")
RFC_2_3_2_COUNTER = 1
RFC_2_3_2_BLOCK = bytes.fromhex(
    "10f1e7e4d13b5915500fdd1fa32071c4"
    "c7d1f4c733c068030422aa9ac3d46c4e"
    "d2826446079faa0914c2d705d98b02a2"
    "b5129cd1de164eb9cbd083e8a2503c4e"
)

# RFC 8439 section 2.4.2: same key, nonce 00:00:00:00:00:00:00:4a:00:00:00:00,
# initial counter 1; ciphertext = plaintext XOR keystream.
RFC_2_4_2_NONCE = bytes.fromhex("000000000000004a00000000")
RFC_2_4_2_PLAINTEXT = (
    b"Ladies and Gentlemen of the class of '99: If I could offer you only one "
    b"tip for the future, sunscreen would be it."
)
RFC_2_4_2_CIPHERTEXT = bytes.fromhex(
    "6e2e359a2568f98041ba0728dd0d6981"
    "e97e7aec1d4360c20a27afccfd9fae0b"
    "f91b65c5524733ab8f593dabcd62b357"
    "1639d624e65152ab8f530c359f0861d8"
    "07ca0dbf500d6a6156a38e088a22b65e"
    "52bc514d16ccf806818ce91ab7793736"
    "5af90bbf74a35be6b40b8eedf2785e42"
    "874d"
)


def chacha20_rfc_self_check():
    """Return None if RFC 8439 vectors 2.3.2 and 2.4.2 reproduce, else a message."""
    block = chacha20_block(RFC_2_3_2_KEY, RFC_2_3_2_COUNTER, RFC_2_3_2_NONCE)
    if block != RFC_2_3_2_BLOCK:
        return "section 2.3.2 block mismatch: got %s" % block.hex()

    keystream = b"".join(
        chacha20_block(RFC_2_3_2_KEY, 1 + i, RFC_2_4_2_NONCE)
        for i in range((len(RFC_2_4_2_PLAINTEXT) + 63) // 64)
    )
    ciphertext = bytes(p ^ k for p, k in zip(RFC_2_4_2_PLAINTEXT, keystream))
    if ciphertext != RFC_2_4_2_CIPHERTEXT:
        return "section 2.4.2 ciphertext mismatch: got %s" % ciphertext.hex()
    return None


# ---------------------------------------------------------------------------
# Leader selection, DESIGN §7
# ---------------------------------------------------------------------------

def validator_weight(stake, attested, multiplier):
    weight = stake * multiplier if attested else stake
    if weight >= U256_LIMIT:
        raise ValueError("weight exceeds 256 bits")
    return weight


def epoch_key(seed, epoch):
    """K = BLAKE2b-256(key = "tenzro-tee-leader-v1", msg = seed || E as u64 LE)."""
    return hashlib.blake2b(seed + struct.pack("<Q", epoch),
                           digest_size=32, key=EPOCH_KEY_PERSONALISATION).digest()


def slot_nonce(slot):
    """nonce = slot as u64 little-endian || 4 zero bytes."""
    return struct.pack("<Q", slot) + b"\x00" * 4


def draw_r(key, slot, total_weight):
    """First masked keystream word below W (rejection sampling)."""
    b = (total_weight - 1).bit_length()      # b = 0 when W = 1
    mask = (1 << b) - 1
    for word in chacha20_keystream_words(key, slot_nonce(slot)):
        r = word & mask
        if r < total_weight:
            return r
    raise RuntimeError("unreachable")


def prefix_sums(weights):
    prefix, running = [], 0
    for w in weights:
        running += w
        prefix.append(running)
    return prefix


def leader_index(prefix, r):
    """The i with prefix[i-1] <= r < prefix[i]: the number of prefix entries <= r.

    A weight-0 validator has prefix[i] == prefix[i-1] and can never be chosen.
    """
    return bisect.bisect_right(prefix, r)


def compute_expect(case):
    """Recompute the "expect" block of a parsed case (see parse_case)."""
    validators = sorted(case["validators"], key=lambda v: v["id"])
    weights = [validator_weight(v["stake"], v["attested"], case["multiplier"])
               for v in validators]
    prefix = prefix_sums(weights)
    total = prefix[-1]
    if total == 0:
        raise ValueError("total weight is zero")
    if total >= U256_LIMIT:
        raise ValueError("total weight exceeds 256 bits")

    key = epoch_key(case["seed"], case["epoch"])
    leaders = []
    for slot in range(case["first_slot"], case["first_slot"] + case["slots"]):
        leaders.append(leader_index(prefix, draw_r(key, slot, total)))

    digest = hashlib.blake2b(b"".join(validators[i]["id"] for i in leaders),
                             digest_size=32).digest()
    return {
        "total_weight": str(total),
        "epoch_key": key.hex(),
        "leaders": leaders,
        "schedule_digest": digest.hex(),
    }


# ---------------------------------------------------------------------------
# Golden file parsing
# ---------------------------------------------------------------------------

class InputError(Exception):
    pass


def _hex_bytes(value, length, what):
    if not isinstance(value, str):
        raise InputError("%s: expected a hex string" % what)
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise InputError("%s: not valid hex" % what)
    if len(raw) != length:
        raise InputError("%s: expected %d bytes, got %d" % (what, length, len(raw)))
    return raw


def _uint(value, limit, what):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < limit:
        raise InputError("%s: expected an unsigned integer below 2**%d"
                         % (what, limit.bit_length() - 1))
    return value


def _stake(value, what):
    """Decimal string or 0x-hex string (a plain JSON integer is also accepted)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if text[:2].lower() == "0x":
                if not text[2:]:
                    raise ValueError
                value = int(text[2:], 16)
            else:
                if not text.isdigit():
                    raise ValueError
                value = int(text, 10)
        except ValueError:
            raise InputError("%s: not a decimal or 0x-hex integer: %r" % (what, text))
    return _uint(value, U256_LIMIT, what)


def _field(obj, name, what):
    if not isinstance(obj, dict) or name not in obj:
        raise InputError("%s: missing field %r" % (what, name))
    return obj[name]


def parse_case(raw, index):
    where = "case %d" % index
    name = _field(raw, "name", where)
    if not isinstance(name, str):
        raise InputError("%s: name must be a string" % where)
    where = "case %r" % name

    validators, seen = [], set()
    vlist = _field(raw, "validators", where)
    if not isinstance(vlist, list) or not vlist:
        raise InputError("%s: validators must be a non-empty list" % where)
    for j, v in enumerate(vlist):
        vw = "%s validator %d" % (where, j)
        vid = _hex_bytes(_field(v, "id", vw), 32, vw + " id")
        if vid in seen:
            raise InputError("%s: duplicate id %s" % (vw, vid.hex()))
        seen.add(vid)
        attested = _field(v, "attested", vw)
        if not isinstance(attested, bool):
            raise InputError("%s: attested must be true or false" % vw)
        validators.append({"id": vid, "stake": _stake(_field(v, "stake", vw), vw + " stake"),
                           "attested": attested})

    case = {
        "name": name,
        "multiplier": _uint(_field(raw, "multiplier", where), U256_LIMIT, where + " multiplier"),
        "epoch": _uint(_field(raw, "epoch", where), U64_LIMIT, where + " epoch"),
        "seed": _hex_bytes(_field(raw, "seed", where), 32, where + " seed"),
        "validators": validators,
        "first_slot": _uint(_field(raw, "first_slot", where), U64_LIMIT, where + " first_slot"),
        "slots": _uint(_field(raw, "slots", where), U64_LIMIT, where + " slots"),
    }
    if case["first_slot"] + case["slots"] > U64_LIMIT:
        raise InputError("%s: slot range runs past 2**64 - 1" % where)
    return case


def parse_expect(raw, case):
    where = "case %r expect" % case["name"]
    exp = _field(raw, "expect", "case %r" % case["name"])
    total = _field(exp, "total_weight", where)
    key = _field(exp, "epoch_key", where)
    leaders = _field(exp, "leaders", where)
    digest = _field(exp, "schedule_digest", where)
    if not isinstance(total, str) or not isinstance(key, str) or not isinstance(digest, str):
        raise InputError("%s: total_weight, epoch_key and schedule_digest must be strings" % where)
    if not isinstance(leaders, list) or not all(
            isinstance(x, int) and not isinstance(x, bool) for x in leaders):
        raise InputError("%s: leaders must be a list of integers" % where)
    return {"total_weight": total, "epoch_key": key.lower(),
            "leaders": leaders, "schedule_digest": digest.lower()}


def load_golden(path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise InputError("cannot read %s: %s" % (path, e))
    except ValueError as e:
        raise InputError("%s is not valid JSON: %s" % (path, e))
    cases = _field(doc, "cases", path)
    if not isinstance(cases, list):
        raise InputError("%s: \"cases\" must be a list" % path)
    return doc, cases


# ---------------------------------------------------------------------------
# Modes
# ---------------------------------------------------------------------------

def compare(expected, got, case):
    """Return a list of human-readable differences (empty if all four match)."""
    diffs = []
    if expected["total_weight"] != got["total_weight"]:
        diffs.append("total_weight: golden %s, reference %s"
                     % (expected["total_weight"], got["total_weight"]))
    if expected["epoch_key"] != got["epoch_key"]:
        diffs.append("epoch_key: golden %s, reference %s"
                     % (expected["epoch_key"], got["epoch_key"]))
    exp_l, got_l = expected["leaders"], got["leaders"]
    for k in range(min(len(exp_l), len(got_l))):
        if exp_l[k] != got_l[k]:
            diffs.append("leaders: first difference at slot %d: golden %d, reference %d"
                         % (case["first_slot"] + k, exp_l[k], got_l[k]))
            break
    else:
        if len(exp_l) != len(got_l):
            diffs.append("leaders: golden has %d entries, reference %d"
                         % (len(exp_l), len(got_l)))
    if expected["schedule_digest"] != got["schedule_digest"]:
        diffs.append("schedule_digest: golden %s, reference %s"
                     % (expected["schedule_digest"], got["schedule_digest"]))
    return diffs


def run_check(path):
    doc, raw_cases = load_golden(path)
    parsed = []
    for i, raw in enumerate(raw_cases):
        case = parse_case(raw, i)
        parsed.append((case, parse_expect(raw, case)))

    passed = failed = 0
    problem = chacha20_rfc_self_check()
    if problem is None:
        print("ok   chacha20_rfc8439")
        passed += 1
    else:
        print("FAIL chacha20_rfc8439: %s" % problem)
        failed += 1

    for case, expected in parsed:
        try:
            got = compute_expect(case)
        except ValueError as e:
            print("FAIL %s: cannot compute: %s" % (case["name"], e))
            failed += 1
            continue
        diffs = compare(expected, got, case)
        if diffs:
            print("FAIL %s: %s" % (case["name"], "; ".join(diffs)))
            failed += 1
        else:
            print("ok   %s" % case["name"])
            passed += 1

    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def run_emit(path):
    problem = chacha20_rfc_self_check()
    if problem is not None:
        print("ChaCha20 RFC 8439 self-check failed: %s" % problem, file=sys.stderr)
        return 1
    doc, raw_cases = load_golden(path)
    for i, raw in enumerate(raw_cases):
        case = parse_case(raw, i)
        try:
            raw["expect"] = compute_expect(case)
        except ValueError as e:
            raise InputError("case %r: %s" % (case["name"], e))
    json.dump(doc, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def run_self_test():
    passed = failed = 0

    def report(name, problem):
        nonlocal passed, failed
        if problem is None:
            print("ok   %s" % name)
            passed += 1
        else:
            print("FAIL %s: %s" % (name, problem))
            failed += 1

    report("chacha20_rfc8439", chacha20_rfc_self_check())

    # One validator: every slot is led by index 0.
    single = {
        "name": "single_validator", "multiplier": 3, "epoch": 5,
        "seed": bytes(range(32)),
        "validators": [{"id": b"\x42" * 32, "stake": 1000, "attested": True}],
        "first_slot": 0, "slots": 64,
    }
    got = compute_expect(single)
    report("single_validator",
           None if got["leaders"] == [0] * 64 and got["total_weight"] == "3000"
           else "unexpected %r" % (got,))

    # W = 1 (one unattested validator of stake 1): b = 0, so r = 0 every slot.
    unit = dict(single, name="unit_weight", multiplier=2,
                validators=[{"id": b"\x01" * 32, "stake": 1, "attested": False}])
    got = compute_expect(unit)
    key = epoch_key(unit["seed"], unit["epoch"])
    rs = [draw_r(key, s, 1) for s in range(64)]
    problem = None
    if (1 - 1).bit_length() != 0:
        problem = "b != 0"
    elif rs != [0] * 64:
        problem = "r values %r" % rs
    elif got["leaders"] != [0] * 64 or got["total_weight"] != "1":
        problem = "unexpected %r" % (got,)
    report("unit_weight", problem)

    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Independent reference for tenzro-tee leader selection (DESIGN §7).")
    parser.add_argument("golden", nargs="?", help="golden vector JSON file")
    parser.add_argument("--emit", action="store_true",
                        help="print the golden file with \"expect\" recomputed instead of checking")
    parser.add_argument("--self-test", action="store_true",
                        help="run only the RFC 8439 check and built-in cases")
    args = parser.parse_args(argv)

    if args.self_test:
        return run_self_test()
    if args.golden is None:
        parser.print_usage(sys.stderr)
        print("error: a golden file is required (or --self-test)", file=sys.stderr)
        return 2
    try:
        return run_emit(args.golden) if args.emit else run_check(args.golden)
    except InputError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
