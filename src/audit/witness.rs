//! `sinergi audit witness`: run on an auditor's own machine, it keeps the last checkpoint it has seen and
//! refuses any later one that does not extend it. The server is trusted for nothing: the checkpoint must
//! carry the pinned key's signature, and the consistency proof is checked here (RFC 9162 section 2.1.4.2).

use std::path::Path;

use serde::Deserialize;

use super::merkle::{self, Hash};
use super::note::{Checkpoint, NoteVerifier};

/// How the witness proves to the API that it may read the log (an auditor's or administrator's account).
pub enum Credentials {
    Token(String),
    Password { username: String, password: String },
}

/// What one run found.
#[derive(Debug)]
pub struct Witnessed {
    pub previous_size: Option<u64>,
    pub size: u64,
    pub root: Hash,
    /// The key was stored by this run (trust on first use, or `--public-key`).
    pub pinned_now: bool,
}

#[derive(Deserialize)]
struct CheckpointBody {
    note: String,
}

#[derive(Deserialize)]
struct ConsistencyBody {
    hashes: Vec<String>,
}

#[derive(Deserialize)]
struct PublicKeyBody {
    verifier_key: String,
}

#[derive(Deserialize)]
struct LoginBody {
    access_token: String,
}

/// Fetches the latest checkpoint from the server at `url`, checks it against the checkpoint stored in
/// `store` (and the key pinned there), and stores it. `Err` says why the log is not trusted.
pub async fn run(
    url: &str,
    store: &Path,
    credentials: &Credentials,
    public_key: Option<&str>,
) -> Result<Witnessed, String> {
    let url = url.trim_end_matches('/');
    let client = reqwest::Client::new();
    std::fs::create_dir_all(store).map_err(|e| format!("cannot create {}: {e}", store.display()))?;
    let key_path = store.join("public-key");
    let pinned = std::fs::read_to_string(&key_path).ok();
    let (vkey, pinned_now) = match (pinned, public_key) {
        (Some(stored), Some(given)) if stored.trim() != given.trim() => {
            return Err(format!(
                "--public-key differs from the key pinned in {}; remove that file to pin another key",
                key_path.display()
            ));
        }
        (Some(stored), _) => (stored.trim().to_string(), false),
        (None, Some(given)) => (given.trim().to_string(), true),
        (None, None) => {
            let body: PublicKeyBody = get(&client, &format!("{url}/api/v1/audit/public-key"), None).await?;
            (body.verifier_key, true)
        }
    };
    let verifier = NoteVerifier::parse(&vkey)?;
    let token = match credentials {
        Credentials::Token(t) => t.clone(),
        Credentials::Password { username, password } => {
            let res = client
                .post(format!("{url}/api/v1/auth/login"))
                .json(&serde_json::json!({"username": username, "password": password}))
                .send()
                .await
                .map_err(|e| format!("cannot reach {url}: {e}"))?;
            if !res.status().is_success() {
                return Err(format!("login as {username} failed: {}", res.status()));
            }
            res.json::<LoginBody>().await.map_err(|e| format!("login answer: {e}"))?.access_token
        }
    };
    let body: CheckpointBody = get(&client, &format!("{url}/api/v1/audit/checkpoint"), Some(&token)).await?;
    let latest = verifier.open(&body.note).map_err(|e| format!("the server's checkpoint: {e}"))?;

    let stored_path = store.join("checkpoint");
    let previous = match std::fs::read_to_string(&stored_path) {
        Ok(note) => Some(
            verifier
                .open(&note)
                .map_err(|e| format!("the stored checkpoint {}: {e}", stored_path.display()))?,
        ),
        Err(_) => None,
    };
    if let Some(old) = &previous {
        check_extends(&client, url, &token, old, &latest).await?;
    }
    if pinned_now {
        write_atomically(&key_path, &format!("{vkey}\n"))?;
    }
    write_atomically(&stored_path, &body.note)?;
    Ok(Witnessed {
        previous_size: previous.map(|p| p.size),
        size: latest.size,
        root: latest.root,
        pinned_now,
    })
}

/// `Ok` when `new` extends `old`: same root at the same size, or a consistency proof that checks.
async fn check_extends(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    old: &Checkpoint,
    new: &Checkpoint,
) -> Result<(), String> {
    if new.size < old.size {
        return Err(format!(
            "the log has been rewritten: it had {} leaves and now has {}",
            old.size, new.size
        ));
    }
    if new.size == old.size {
        if new.root != old.root {
            return Err(format!(
                "the log has been rewritten: two different roots for the same {} leaves",
                old.size
            ));
        }
        return Ok(());
    }
    let proof: ConsistencyBody = get(
        client,
        &format!("{url}/api/v1/audit/proofs/consistency?from={}&to={}", old.size, new.size),
        Some(token),
    )
    .await?;
    let hashes = proof
        .hashes
        .iter()
        .map(|h| merkle::from_hex(h).ok_or_else(|| format!("the consistency proof holds a bad hash {h:?}")))
        .collect::<Result<Vec<Hash>, String>>()?;
    if !merkle::verify_consistency(old.size, new.size, &old.root, &new.root, &hashes) {
        return Err(format!(
            "the log has been rewritten: the tree of {} leaves does not extend the {} leaves of the stored \
             checkpoint (the consistency proof fails)",
            new.size, old.size
        ));
    }
    Ok(())
}

async fn get<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
) -> Result<T, String> {
    let mut req = client.get(url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.map_err(|e| format!("cannot reach {url}: {e}"))?;
    let status = res.status();
    if !status.is_success() {
        let text = res.text().await.unwrap_or_default();
        return Err(format!("{url} answered {status}: {text}"));
    }
    res.json().await.map_err(|e| format!("{url}: unexpected answer: {e}"))
}

/// Writes `path` through a temporary file and a rename, so that a crash never leaves half a checkpoint.
fn write_atomically(path: &Path, content: &str) -> Result<(), String> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, content).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
