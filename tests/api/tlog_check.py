#!/usr/bin/env python3
"""An implementation of RFC 9162 section 2.1 independent of the server's, for transparency.rs.

Reads a JSON file: the log's leaf hashes (hex, by position), the latest checkpoint, and inclusion and
consistency proofs the API served. Checks each proof twice: by the RFC's verification algorithms
(2.1.3.2, 2.1.4.2) against the root recomputed here from the leaves, and by recomputing the proof itself
from its definition (2.1.3.1, 2.1.4.1). Exits 1 naming the first proof that fails.
"""

import base64
import hashlib
import json
import sys


def h(data):
    return hashlib.sha256(data).digest()


def node(left, right):
    return h(b"\x01" + left + right)


def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    if not leaves:
        return h(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = split(len(leaves))
    return node(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    if len(leaves) <= 1:
        return []
    k = split(len(leaves))
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, complete):
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = split(n)
    if m <= k:
        return subproof(m, leaves[:k], complete) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def consistency(m, leaves):
    if m == 0 or m == len(leaves):
        return []
    return subproof(m, leaves, True)


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_root, second_root, proof):
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    if not proof:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def main():
    with open(sys.argv[1]) as f:
        data = json.load(f)
    leaves = [bytes.fromhex(x) for x in data["leaves"]]
    checkpoint = data["checkpoint"]
    body = checkpoint["note"].split("\n\n")[0].split("\n")
    size, root = int(body[1]), base64.b64decode(body[2])
    if size != checkpoint["tree_size"] or size != len(leaves):
        fail("checkpoint size %d, %d leaves" % (size, len(leaves)))
    if mth(leaves) != root:
        fail("the checkpoint's root is not the root of the leaves")
    for p in data["inclusion"]:
        n, m = p["tree_size"], p["position"]
        proof = [bytes.fromhex(x) for x in p["hashes"]]
        r = mth(leaves[:n])
        if bytes.fromhex(p["root_hash"]) != r:
            fail("root of size %d" % n)
        if bytes.fromhex(p["leaf_hash"]) != leaves[m]:
            fail("leaf %d" % m)
        if not verify_inclusion(m, n, leaves[m], proof, r):
            fail("inclusion of %d in %d does not verify" % (m, n))
        if proof != path(m, leaves[:n]):
            fail("inclusion of %d in %d is not PATH" % (m, n))
    for p in data["consistency"]:
        a, b = p["from"], p["to"]
        proof = [bytes.fromhex(x) for x in p["hashes"]]
        ra, rb = mth(leaves[:a]), mth(leaves[:b])
        if bytes.fromhex(p["from_root"]) != ra or bytes.fromhex(p["to_root"]) != rb:
            fail("roots of %d and %d" % (a, b))
        if not verify_consistency(a, b, ra, rb, proof):
            fail("consistency %d -> %d does not verify" % (a, b))
        if proof != consistency(a, leaves[:b]):
            fail("consistency %d -> %d is not PROOF" % (a, b))
    print("ok: %d leaves, %d inclusion and %d consistency proofs" % (
        len(leaves), len(data["inclusion"]), len(data["consistency"])))


main()
