//! Relay engine tests.
