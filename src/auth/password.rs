//! Password hashing with argon2id (m=19456 KiB, t=2, p=1, the OWASP minimum) and the password rules.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::{AppError, text};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
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
    let ok = PasswordHash::new(candidate)
        .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    ok && real
}

/// The password rules: 12 to 256 characters, not the username, not a commonly used password.
pub fn check_rules(password: &str, username: &str) -> Result<(), AppError> {
    let len = password.chars().count();
    let problem = if len < 12 {
        Some(text("must be at least 12 characters long", "minimal 12 karakter"))
    } else if len > 256 {
        Some(text("must be at most 256 characters long", "maksimal 256 karakter"))
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

    #[test]
    fn rules() {
        assert!(check_rules("short", "u").is_err());
        assert!(check_rules("administrator1", "administrator1").is_err());
        assert!(check_rules("password1234", "u").is_err());
        assert!(check_rules("tanjung-emas-2024!", "u").is_ok());
    }
}
