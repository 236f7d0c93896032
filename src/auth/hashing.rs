//! The threads that compute password hashes.
//!
//! Argon2id takes 19 MiB per hash. Run on the general blocking pool, each of its many threads kept the
//! freed 19 MiB in its own malloc arena: after a burst of logins the process held 1.2 GB
//! (benches/RESULTS.md, scenario 5). A few dedicated threads bound both the cores hashing takes and the
//! memory it keeps.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use crate::error::AppError;

type Job = Box<dyn FnOnce() + Send>;

pub struct HashingPool {
    jobs: Sender<Job>,
}

impl HashingPool {
    /// Starts `threads` threads; they end when the pool is dropped.
    pub fn new(threads: usize) -> std::io::Result<HashingPool> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads.max(1) {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new().name(format!("password-hash-{n}")).spawn(move || work(&receiver))?;
        }
        Ok(HashingPool { jobs: sender })
    }

    /// Runs `f` on one of the pool's threads, after the jobs queued before it.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (answer, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            // The caller may have gone (client disconnected); then nobody needs the answer.
            let _ = answer.send(f());
        });
        self.jobs.send(job).map_err(|_| AppError::internal("password hashing is shut down"))?;
        result.await.map_err(|_| AppError::internal("password hashing failed"))
    }
}

fn work(jobs: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while taking the next job, not while running it.
        let next = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else { return };
        // A panicking job loses its answer (the caller sees an error), not the thread.
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}
