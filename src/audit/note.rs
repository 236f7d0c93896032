//! Checkpoints as C2SP signed notes (`tlog-checkpoint` body, Ed25519 `signed-note` signature), the log's
//! signing key, and the verifier key (`name+keyid+base64`) that auditors pin.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier as _, VerifyingKey};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The signature type of Ed25519 in signed notes.
const ED25519: u8 = 0x01;

/// What a checkpoint says: the log, its size and its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The note's text before its signatures.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, B64.encode(self.root))
    }

    fn parse(body: &str) -> Result<Checkpoint, String> {
        let mut lines = body.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or("the checkpoint has no origin line")?;
        let size = lines
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or("the checkpoint's second line is not a tree size")?;
        let root = lines
            .next()
            .and_then(|r| B64.decode(r).ok())
            .and_then(|r| Hash::try_from(r.as_slice()).ok())
            .ok_or("the checkpoint's third line is not a base64 SHA-256 root hash")?;
        Ok(Checkpoint { origin: origin.to_string(), size, root })
    }
}

/// `SHA-256(name || "\n" || 0x01 || public key)[..4]`, as signed notes define a key's id.
fn key_id(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public.as_bytes());
    let digest = h.finalize();
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The log's signing key; its name is the log's origin.
pub struct LogKey {
    name: String,
    signing: SigningKey,
}

impl LogKey {
    pub fn from_seed(name: &str, seed: [u8; 32]) -> LogKey {
        LogKey { name: name.to_string(), signing: SigningKey::from_bytes(&seed) }
    }

    /// `SINERGI_AUDIT_KEY` (32 bytes as 64 hex digits or base64), or the key kept in the data directory
    /// (`audit-key`, made on first start, mode 0600) as the JWT secret is.
    pub fn load(name: &str, configured: Option<&str>, data_dir: &Path) -> Result<LogKey, String> {
        if let Some(text) = configured {
            let seed = parse_seed(text)
                .ok_or("SINERGI_AUDIT_KEY must be 32 bytes, as 64 hex digits or in base64")?;
            return Ok(LogKey::from_seed(name, seed));
        }
        let path = data_dir.join("audit-key");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            return parse_seed(&existing)
                .map(|seed| LogKey::from_seed(name, seed))
                .ok_or_else(|| format!("{} does not hold a 32-byte key in hex", path.display()));
        }
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let mut seed = [0_u8; 32];
        rand::rng().fill_bytes(&mut seed);
        crate::auth::token::write_private(&path, &hex::encode(seed))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        tracing::info!(path = %path.display(), "generated the audit log's signing key");
        Ok(LogKey::from_seed(name, seed))
    }

    pub fn origin(&self) -> &str {
        &self.name
    }

    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier { name: self.name.clone(), public: self.signing.verifying_key() }
    }

    /// The checkpoint as a signed note.
    pub fn sign(&self, size: u64, root: Hash) -> String {
        let body = Checkpoint { origin: self.name.clone(), size, root }.body();
        let signature = self.signing.sign(body.as_bytes());
        let mut blob = key_id(&self.name, &self.signing.verifying_key()).to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        format!("{body}\n\u{2014} {} {}\n", self.name, B64.encode(blob))
    }
}

fn parse_seed(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    let bytes = hex::decode(text).ok().or_else(|| B64.decode(text).ok())?;
    <[u8; 32]>::try_from(bytes.as_slice()).ok()
}

/// A public key that checks notes.
#[derive(Debug, Clone)]
pub struct NoteVerifier {
    name: String,
    public: VerifyingKey,
}

impl NoteVerifier {
    /// `name+keyid+base64(0x01 || public key)`, the verifier key format of signed notes.
    pub fn parse(vkey: &str) -> Result<NoteVerifier, String> {
        let bad = || format!("not a verifier key (name+keyid+base64): {vkey:?}");
        // The name has no '+'; the base64 key may.
        let mut parts = vkey.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let key = B64.decode(key).map_err(|_| bad())?;
        let [ED25519, public @ ..] = key.as_slice() else {
            return Err(format!("{vkey:?} is not an Ed25519 key"));
        };
        let public = <[u8; 32]>::try_from(public)
            .ok()
            .and_then(|p| VerifyingKey::from_bytes(&p).ok())
            .ok_or_else(bad)?;
        let verifier = NoteVerifier { name: name.to_string(), public };
        if hex::encode(key_id(name, &public)) != id {
            return Err(format!("the key id of {vkey:?} does not match its key"));
        }
        Ok(verifier)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn key_id(&self) -> String {
        hex::encode(key_id(&self.name, &self.public))
    }

    pub fn public_key(&self) -> String {
        B64.encode(self.public.as_bytes())
    }

    pub fn vkey(&self) -> String {
        let mut key = vec![ED25519];
        key.extend_from_slice(self.public.as_bytes());
        format!("{}+{}+{}", self.name, self.key_id(), B64.encode(key))
    }

    /// The checkpoint of `note` when this key signed it, else why not.
    pub fn open(&self, note: &str) -> Result<Checkpoint, String> {
        let split = note.find("\n\n").ok_or("the note has no signature block")?;
        let (body, signatures) = (&note[..=split], &note[split + 2..]);
        let id = key_id(&self.name, &self.public);
        for line in signatures.lines() {
            let Some((name, blob)) = line.strip_prefix("\u{2014} ").and_then(|l| l.rsplit_once(' ')) else {
                return Err(format!("not a signature line: {line:?}"));
            };
            let Ok(blob) = B64.decode(blob) else { continue };
            if name != self.name || blob.len() != 68 || blob[..4] != id {
                continue;
            }
            let signature = Signature::from_slice(&blob[4..]).map_err(|e| e.to_string())?;
            self.public
                .verify(body.as_bytes(), &signature)
                .map_err(|_| format!("the signature by {} does not verify", self.name))?;
            let checkpoint = Checkpoint::parse(body)?;
            if checkpoint.origin != self.name {
                return Err(format!("the checkpoint is of {:?}, not {:?}", checkpoint.origin, self.name));
            }
            return Ok(checkpoint);
        }
        Err(format!("the note has no signature by the key {}+{}", self.name, hex::encode(id)))
    }
}
