//! Commitments (the obligations a party takes on under an agreement) and their append-only progress log.
//! A commitment is a resource of its own (its table, its audit events, its routes under `/commitments`)
//! that builds on its agreement: `model` holds the types, `repo` the queries, `service` the rules and the
//! use cases. `overdue` is derived from `due_on` and today's date, never stored.

pub mod model;
pub mod repo;
pub mod service;

// The paths other modules (reports, outcomes, the seed loader) name.
pub use model::{
    Commitment, CommitmentFilter, CommitmentPatch, CommitmentRow, CommitmentStatus, NewCommitment,
    NewProgress, ProgressUpdate, Standing, TargetUnit,
};
pub use repo::{by_agreement, standing_by_agreement};
