//! Programs outside the repository that some tests check the product's output with: poppler-utils
//! (`pdftotext`, `pdftoppm`, `pdffonts`) for the printed records, PyPI's `frictionless` for open data.
//! `.ci/run` installs them. Where one is missing the check is skipped with a note on stderr, except under
//! `SINERGI_TEST_REQUIRE_TOOLS=1` (which `.ci/run` sets), where a missing tool fails the test.

use std::path::PathBuf;
use std::process::Command;

/// The first of `candidates` that runs with `args` and succeeds; `None` (with a note) when none does.
pub fn find(what: &str, candidates: &[PathBuf], args: &[&str]) -> Option<PathBuf> {
    let found = candidates
        .iter()
        .find(|c| Command::new(c).args(args).output().is_ok_and(|out| out.status.success()))
        .cloned();
    if found.is_none() {
        assert!(
            std::env::var_os("SINERGI_TEST_REQUIRE_TOOLS").is_none(),
            "SINERGI_TEST_REQUIRE_TOOLS is set but {what} is missing (.ci/run installs it)"
        );
        eprintln!("{what} checks skipped: {what} is not installed");
    }
    found
}

/// poppler-utils' program `name` (`pdftotext`, `pdftoppm`, `pdffonts`), if installed.
pub fn poppler(name: &str) -> Option<PathBuf> {
    find(name, &[PathBuf::from(name)], &["-v"])
}
