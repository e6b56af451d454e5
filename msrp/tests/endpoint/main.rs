//! The endpoint engine in simulated time (testkit), two parties over one connection.

mod harness;

mod basic;
mod errors;
mod fairness;
mod lifecycle;
mod random;
mod relayed;
