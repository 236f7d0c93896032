//! Access tokens: JWTs signed with HS256 (pinned: no other algorithm is accepted), living 15 minutes.

use std::path::Path;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::db::Id;
use crate::error::AppError;

pub const ISSUER: &str = "sinergi";
pub const AUDIENCE: &str = "sinergi-api";
pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub org: Option<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The user's session epoch when the token was issued; a token from an older epoch is refused.
    pub epoch: i32,
}

pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Keys {
    pub fn new(secret: &[u8]) -> Keys {
        Keys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }

    /// The configured secret, or the one kept in the data directory (made on first start, mode 0600).
    pub fn load(configured: Option<&str>, data_dir: &Path) -> Result<Keys, String> {
        if let Some(secret) = configured {
            return Ok(Keys::new(secret.as_bytes()));
        }
        let path = data_dir.join("jwt-secret");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim();
            if existing.len() >= 32 {
                return Ok(Keys::new(existing.as_bytes()));
            }
        }
        std::fs::create_dir_all(data_dir)
            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
        let mut bytes = [0_u8; 48];
        rand::rng().fill_bytes(&mut bytes);
        let secret = hex::encode(bytes);
        write_private(&path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        tracing::info!(path = %path.display(), "generated a JWT secret");
        Ok(Keys::new(secret.as_bytes()))
    }

    pub fn issue(
        &self,
        user: Id,
        role: &str,
        org: Option<Id>,
        epoch: i32,
        now: DateTime<Utc>,
    ) -> Result<String, AppError> {
        let iat = now.timestamp();
        let claims = Claims {
            sub: user.to_string(),
            role: role.to_string(),
            org: org.map(|o| o.to_string()),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat,
            nbf: iat,
            exp: iat + ACCESS_TOKEN_SECONDS,
            jti: Id::new().to_string(),
            epoch,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::internal(format!("token signing failed: {e}")))
    }

    /// The claims of a valid token at `now`, or `None`.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Claims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        // Both are checked below against the injected clock, not the system's.
        validation.validate_nbf = false;
        validation.validate_exp = false;
        validation.leeway = 0;
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).ok()?.claims;
        let now = now.timestamp();
        (claims.exp > now && claims.nbf <= now + 5).then_some(claims)
    }
}

#[cfg(unix)]
pub(crate) fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file =
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
pub(crate) fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}
