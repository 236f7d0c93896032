//! A private PostgreSQL cluster in a temporary folder (initdb + pg_ctl), for tests that stop and start
//! the database without disturbing the shared server the other tests use.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct PrivateCluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    pub port: u16,
    as_postgres: bool,
}

/// The newest PostgreSQL server binaries on this machine.
fn server_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

impl PrivateCluster {
    /// Creates and starts a cluster on a free port with trust authentication.
    pub fn start() -> PrivateCluster {
        let bin = server_bin_dir().expect("PostgreSQL server binaries under /usr/lib/postgresql");
        let dir = tempfile::Builder::new().prefix("sinergi-pg-").tempdir().expect("temp dir");
        // initdb refuses to run as root: run the server as the postgres user then.
        let as_postgres = running_as_root();
        if as_postgres {
            Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir.path()).status().expect("chown");
        }
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let cluster = PrivateCluster { bin, dir, port, as_postgres };
        let data = cluster.data_dir();
        cluster.run("initdb", &["-D", path_str(&data), "-A", "trust", "-U", "postgres", "--no-sync"]);
        cluster.pg_ctl_start();
        cluster
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let program = self.bin.join(tool);
        let status = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--"]).arg(&program).args(args).status()
        } else {
            Command::new(&program).args(args).status()
        }
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(status.success(), "{tool} {args:?} failed");
    }

    pub fn pg_ctl_start(&self) {
        let data = self.data_dir();
        let log = self.dir.path().join("server.log");
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            path_str(self.dir.path())
        );
        self.run("pg_ctl", &["-D", path_str(&data), "-l", path_str(&log), "-o", &options, "-w", "start"]);
    }

    pub fn pg_ctl_stop(&self) {
        let data = self.data_dir();
        self.run("pg_ctl", &["-D", path_str(&data), "-m", "fast", "-w", "stop"]);
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let program = self.bin.join("pg_ctl");
        let args = ["-D", path_str(&data), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--"]).arg(&program).args(args).output()
        } else {
            Command::new(&program).args(args).output()
        };
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
