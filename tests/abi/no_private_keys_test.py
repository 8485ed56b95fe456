#!/usr/bin/env python3
"""The production module carries no private key of the simulators' development
PKIs (issue 9 item 14): no "PRIVATE KEY" text, and none of the committed keys'
PEM lines, DER encodings or EC private scalars.

usage: no_private_keys_test.py MODULE.so SOURCE_FILE...
"""
import base64
import re
import sys


def keys_of(path):
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r"-----BEGIN ([A-Z ]*PRIVATE KEY)-----(.*?)-----END \1-----", text, re.S):
        body = "".join(line.strip() for line in m.group(2).splitlines() if line.strip())
        yield m.group(2), base64.b64decode(body)


def ec_scalars(der):
    # ECPrivateKey (RFC 5915): SEQUENCE { INTEGER 1, OCTET STRING privateKey, ... },
    # bare or inside PKCS#8.
    for m in re.finditer(rb"\x02\x01\x01\x04([\x20\x30\x42])", der):
        n = m.group(1)[0]
        yield der[m.end():m.end() + n]


def main():
    module = open(sys.argv[1], "rb").read()
    failures = 0
    if b"PRIVATE KEY" in module:
        print("FAIL: the module contains the text 'PRIVATE KEY'")
        failures += 1
    n_keys = 0
    for src in sys.argv[2:]:
        for pem_body, der in keys_of(src):
            n_keys += 1
            needles = [("DER", der)]
            needles += [("PEM line", line.strip().encode()) for line in pem_body.splitlines()
                        if len(line.strip()) >= 40]
            needles += [("EC scalar", s) for s in ec_scalars(der)]
            for kind, needle in needles:
                if needle in module:
                    print(f"FAIL: {src}: a committed private key's {kind} is in the module")
                    failures += 1
                    break
    if n_keys == 0:
        print("FAIL: no private keys found in the sources (the test would prove nothing)")
        failures += 1
    print(f"{n_keys} committed development private keys checked, {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
