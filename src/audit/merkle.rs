//! The Merkle tree of RFC 9162 section 2.1: leaf and node hashes, the root of any size, inclusion and
//! consistency proofs made from stored subtree hashes, and their verification (used by the witness).

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

/// `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(entry);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256()` of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two smaller than `n` (n ≥ 2): where RFC 9162 splits a tree of `n` leaves.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// Hashes of complete subtrees: `node(level, index)` covers leaves `[index·2^level, (index+1)·2^level)`;
/// level 0 is the leaves themselves.
pub trait Nodes {
    type Error;
    fn node(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// `MTH(D[start:end])`, from as few stored nodes as the range allows.
pub fn subtree<N: Nodes>(nodes: &mut N, start: u64, end: u64) -> Result<Hash, N::Error> {
    let n = end - start;
    if n == 0 {
        return Ok(empty_root());
    }
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return nodes.node(n.trailing_zeros(), start / n);
    }
    let k = split(n);
    let left = subtree(nodes, start, start + k)?;
    let right = subtree(nodes, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The root of the tree of the first `size` leaves.
pub fn root<N: Nodes>(nodes: &mut N, size: u64) -> Result<Hash, N::Error> {
    subtree(nodes, 0, size)
}

/// `PATH(index, D[0:size])` of RFC 9162 section 2.1.3.1 (the caller checks `index < size`).
pub fn inclusion_proof<N: Nodes>(nodes: &mut N, index: u64, size: u64) -> Result<Vec<Hash>, N::Error> {
    let mut proof = Vec::new();
    path(nodes, index, 0, size, &mut proof)?;
    Ok(proof)
}

fn path<N: Nodes>(nodes: &mut N, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) -> Result<(), N::Error> {
    let n = end - start;
    if n <= 1 {
        return Ok(());
    }
    let k = split(n);
    if m < k {
        path(nodes, m, start, start + k, out)?;
        out.push(subtree(nodes, start + k, end)?);
    } else {
        path(nodes, m - k, start + k, end, out)?;
        out.push(subtree(nodes, start, start + k)?);
    }
    Ok(())
}

/// `PROOF(old, D[0:new])` of RFC 9162 section 2.1.4.1 (the caller checks `old <= new`); empty when
/// `old` is 0 or `new`.
pub fn consistency_proof<N: Nodes>(nodes: &mut N, old: u64, new: u64) -> Result<Vec<Hash>, N::Error> {
    let mut proof = Vec::new();
    if old > 0 && old < new {
        subproof(nodes, old, 0, new, true, &mut proof)?;
    }
    Ok(proof)
}

fn subproof<N: Nodes>(
    nodes: &mut N,
    m: u64,
    start: u64,
    end: u64,
    complete: bool,
    out: &mut Vec<Hash>,
) -> Result<(), N::Error> {
    let n = end - start;
    if m == n {
        if !complete {
            out.push(subtree(nodes, start, end)?);
        }
        return Ok(());
    }
    let k = split(n);
    if m <= k {
        subproof(nodes, m, start, start + k, complete, out)?;
        out.push(subtree(nodes, start + k, end)?);
    } else {
        subproof(nodes, m - k, start + k, end, false, out)?;
        out.push(subtree(nodes, start, start + k)?);
    }
    Ok(())
}

/// RFC 9162 section 2.1.3.2: whether `proof` shows leaf `leaf` at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// RFC 9162 section 2.1.4.2: whether `proof` shows that the tree of `new_size` with `new_root` extends
/// the tree of `old_size` with `old_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty();
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else { return false };
    let (mut f, mut s) = (old_size - 1, new_size - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if f & 1 == 0 {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == *old_root && sr == *new_root && s == 0
}

/// The root of leaves given one at a time, in order, keeping only the right edge of the tree.
#[derive(Debug, Default)]
pub struct Frontier {
    /// Complete subtrees, largest first: (number of leaves, hash).
    edge: Vec<(u64, Hash)>,
    size: u64,
}

impl Frontier {
    pub fn push(&mut self, leaf: Hash) {
        let mut entry = (1_u64, leaf);
        while let Some(&(n, left)) = self.edge.last() {
            if n != entry.0 {
                break;
            }
            self.edge.pop();
            entry = (2 * n, node_hash(&left, &entry.1));
        }
        self.edge.push(entry);
        self.size += 1;
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn root(&self) -> Hash {
        let mut iter = self.edge.iter().rev();
        let Some(&(_, mut r)) = iter.next() else { return empty_root() };
        for (_, left) in iter {
            r = node_hash(left, &r);
        }
        r
    }
}

/// Hex of a hash (how the API and the tables show them).
pub fn to_hex(h: &Hash) -> String {
    hex::encode(h)
}

/// A hash from 64 hex digits.
pub fn from_hex(text: &str) -> Option<Hash> {
    let mut h = [0_u8; 32];
    hex::decode_to_slice(text, &mut h).ok()?;
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Leaves(Vec<Hash>);

    impl Nodes for Leaves {
        type Error = ();
        fn node(&mut self, level: u32, index: u64) -> Result<Hash, ()> {
            let width = 1_u64 << level;
            let mut f = Frontier::default();
            for i in index * width..(index + 1) * width {
                f.push(self.0[i as usize]);
            }
            Ok(f.root())
        }
    }

    #[test]
    fn proofs_verify_for_every_index_and_size_up_to_33() {
        let leaves: Vec<Hash> = (0..33_u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut nodes = Leaves(leaves.clone());
        let roots: Vec<Hash> = (0..=33).map(|n| root(&mut nodes, n).unwrap()).collect();
        for n in 1..=33_u64 {
            let mut f = Frontier::default();
            leaves[..n as usize].iter().for_each(|l| f.push(*l));
            assert_eq!(f.root(), roots[n as usize]);
            for m in 0..n {
                let p = inclusion_proof(&mut nodes, m, n).unwrap();
                assert!(verify_inclusion(m, n, &leaves[m as usize], &p, &roots[n as usize]), "{m} in {n}");
                assert!(!verify_inclusion(m, n, &leaves[(m as usize + 1) % 33], &p, &roots[n as usize]));
            }
            for old in 0..=n {
                let p = consistency_proof(&mut nodes, old, n).unwrap();
                assert!(
                    verify_consistency(old, n, &roots[old as usize], &roots[n as usize], &p),
                    "{old}→{n}"
                );
                if old > 0 && old < n {
                    assert!(!verify_consistency(old, n, &roots[n as usize], &roots[n as usize], &p));
                }
            }
        }
    }
}
