//! The `sinergi` binary as a separate process on a test's database: its commands, and `serve` on a free
//! port, for the tests that restart, kill or signal the server or run several of them.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{ADMIN_PASSWORD, JWT_SECRET, TestApp};

/// The binary with a clean environment pointing at `database_url` and `data_dir`.
pub fn command(database_url: &str, data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sinergi"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("SINERGI_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("SINERGI_JWT_SECRET", JWT_SECRET)
        .env("SINERGI_DATA_DIR", data_dir)
        .env("SINERGI_WORKERS", "1")
        .env("RUST_LOG", "warn")
        .current_dir(data_dir)
        .stdin(Stdio::null());
    cmd
}

impl TestApp {
    /// The binary on this test's database.
    pub fn sinergi(&self) -> Command {
        command(self.db.url(), self.data_dir.path())
    }
}

/// A `sinergi serve` process, killed when dropped however the test ends.
pub struct ServerProcess {
    child: Child,
    pub address: String,
}

impl ServerProcess {
    /// Runs `cmd serve ARGS --bind` on a free port and waits until `/readyz` answers 200.
    pub async fn start(mut cmd: Command, args: &[&str]) -> ServerProcess {
        let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let bind = format!("127.0.0.1:{port}");
        cmd.arg("serve").args(args).args(["--bind", &bind]).stdout(Stdio::null()).stderr(Stdio::null());
        let mut server = ServerProcess {
            child: cmd.spawn().expect("start sinergi serve"),
            address: format!("http://{bind}"),
        };
        let client = reqwest::Client::new();
        // Generous: `--demo` loads a data set first, and CI machines are slow.
        for _ in 0..600 {
            if let Ok(res) = client.get(server.url("/readyz")).send().await
                && res.status() == 200
            {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("sinergi serve exited before it was ready: {status}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server at {bind} did not become ready within 60 s");
    }

    /// The process id (audit checkpoints name the sequencer that signed them by it).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sends `signal` (a `libc::SIG*`) to the process.
    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) on our own child, which is not reaped before `wait` or drop.
        let sent = unsafe { libc::kill(pid, signal) };
        assert_eq!(sent, 0, "kill({pid}, {signal}) failed");
    }

    /// SIGKILL, then reap the process.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }

    /// The exit status once the process has exited, polling for at most `limit`.
    pub async fn wait_for_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    /// Whether the process still runs.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
