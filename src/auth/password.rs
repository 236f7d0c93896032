//! Password hashing with argon2id (m=19456 KiB, t=2, p=1, the OWASP minimum) and the password rules.

use std::cell::RefCell;
use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::{AppError, text};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

thread_local! {
    /// The 19 MiB of argon2 working memory, kept by each thread that hashes (the few threads of
    /// `auth::hashing`). Allocating it per hash left the freed blocks in malloc's per-thread arenas: a
    /// minute of logins grew the process by hundreds of MB (benches/RESULTS.md, scenario 5). Every pass
    /// of argon2 overwrites the blocks before reading them, so reusing them is safe.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// `hasher`'s output for `password` and `salt`, `len` bytes long, computed in this thread's memory.
fn compute(
    hasher: &Argon2<'_>,
    password: &[u8],
    salt: Salt<'_>,
    len: usize,
) -> argon2::password_hash::Result<Output> {
    let mut salt_buffer = [0u8; Salt::MAX_LENGTH];
    let salt = salt.decode_b64(&mut salt_buffer)?;
    MEMORY.with_borrow_mut(|blocks| {
        blocks.resize(hasher.params().block_count(), Block::default());
        Output::init_with(len, |out| {
            Ok(hasher.hash_password_into_with_memory(password, salt, out, &mut blocks[..])?)
        })
    })
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let failed =
        |e: argon2::password_hash::Error| AppError::internal(format!("password hashing failed: {e}"));
    let hasher = argon2();
    let salt = SaltString::generate(&mut OsRng);
    let len = hasher.params().output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = compute(&hasher, password.as_bytes(), salt.as_salt(), len).map_err(failed)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(hasher.params()).map_err(failed)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Checks a password against a stored hash. With no hash (an unknown user) it checks against a dummy
/// hash, so that an unknown user and a wrong password take the same time.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash("dummy password for unknown users").unwrap_or_default());
    let (candidate, real) = match stored {
        Some(h) => (h, true),
        None => (DUMMY.as_str(), false),
    };
    matches(password, candidate).unwrap_or(false) && real
}

/// Recomputes the stored hash with its own algorithm, version, parameters and salt; the comparison of
/// the outputs takes constant time (`Output`'s equality).
fn matches(password: &str, stored: &str) -> argon2::password_hash::Result<bool> {
    let parsed = PasswordHash::new(stored)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return Ok(false) };
    let algorithm = Algorithm::try_from(parsed.algorithm)?;
    let version = parsed.version.map(Version::try_from).transpose()?.unwrap_or_default();
    let hasher = Argon2::new(algorithm, version, Params::try_from(&parsed)?);
    Ok(compute(&hasher, password.as_bytes(), salt, expected.len())? == expected)
}

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 256;

/// The password rules: 12 to 256 characters, not the username, not a commonly used password.
pub fn check_rules(password: &str, username: &str) -> Result<(), AppError> {
    let len = password.chars().count();
    let problem = if len < MIN_LENGTH {
        Some(text(
            format!("must be at least {MIN_LENGTH} characters long"),
            format!("minimal {MIN_LENGTH} karakter"),
        ))
    } else if len > MAX_LENGTH {
        Some(text(
            format!("must be at most {MAX_LENGTH} characters long"),
            format!("maksimal {MAX_LENGTH} karakter"),
        ))
    } else if password.eq_ignore_ascii_case(username) {
        Some(text("must not be the username", "tidak boleh sama dengan nama pengguna"))
    } else if is_common(password) {
        Some(text("is too common; choose another", "terlalu umum; pilih kata sandi lain"))
    } else {
        None
    };
    match problem {
        Some(message) => Err(AppError::invalid("password", message)),
        None => Ok(()),
    }
}

const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    COMMON_PASSWORDS.lines().any(|p| p.trim() == lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_wrong_passwords_do_not() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", Some(&h)));
        assert!(!verify("wrong horse battery", Some(&h)));
        assert!(!verify("correct horse battery", None));
    }

    // Hashes stored before the working memory was reused came from the crate's own hasher: both ways
    // must agree, also when one thread's memory has served other hashes in between.
    #[test]
    fn hashes_agree_with_the_argon2_crate_both_ways() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let salt = SaltString::generate(&mut OsRng);
        let theirs = argon2().hash_password(b"tanjung-emas-2024!", &salt).unwrap().to_string();
        assert!(verify("tanjung-emas-2024!", Some(&theirs)));
        assert!(!verify("tanjung-emas-2025!", Some(&theirs)));
        let ours = hash("tanjung-emas-2024!").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon2().verify_password(b"tanjung-emas-2024!", &parsed).is_ok());
        assert!(argon2().verify_password(b"tanjung-emas-2025!", &parsed).is_err());
        assert!(verify("tanjung-emas-2024!", Some(&theirs)));
    }

    #[test]
    fn rules() {
        assert!(check_rules("short", "u").is_err());
        assert!(check_rules("administrator1", "administrator1").is_err());
        assert!(check_rules("password1234", "u").is_err());
        assert!(check_rules("tanjung-emas-2024!", "u").is_ok());
    }
}
