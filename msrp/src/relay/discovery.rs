//! Finding the relay an AUTH goes to (RFC 4976 §8), sans IO.
//!
//! A relay is configured as an `msrps:` URI. How the client reaches it depends on the URI's
//! authority ([`Lookup::for_uri`]):
//!
//! - an IP address with a port: connect there (the URI parser refuses an IP address
//!   without a port, as RFC 4976 §8 wants);
//! - a domain name with a port: look up its A/AAAA records and connect on that port;
//! - a domain name without a port: look up the SRV records of `_msrps._tcp.<domain>`
//!   ([`srv_name`]), try their targets in the order of RFC 2782 ([`order_srv`]), and when
//!   there are none, look up the domain's A/AAAA records and connect on port 2855.
//!
//! Whatever address is reached, the AUTH's To-Path keeps the configured URI and the TLS
//! server name stays the URI's host: the relay's certificate must match the host part of
//! the URI (RFC 4976 §9.2), not the SRV target.
//!
//! This module does no DNS itself. The tokio driver runs it with the SRV resolver the
//! application plugs in (`net::SrvResolver`); A/AAAA lookups go through the system resolver.
//!
//! ```
//! use msrp::relay::discovery::{Lookup, SrvRecord, order_srv, srv_name};
//! use msrp::IdGenerator;
//!
//! let uri = "msrps://example.com;tcp".parse()?;
//! assert_eq!(Lookup::for_uri(&uri), Lookup::Service { domain: "example.com".into() });
//! assert_eq!(srv_name("example.com"), "_msrps._tcp.example.com");
//!
//! // The answer RFC 4976 §8 shows, with a lower-priority backup added.
//! let records = [
//!     SrvRecord::new(0, 1, 9000, "server1.example.com."),
//!     SrvRecord::new(0, 2, 9000, "server2.example.com."),
//!     SrvRecord::new(10, 0, 2855, "backup.example.com."),
//! ];
//! let order = order_srv(&records, &mut IdGenerator::default())?;
//! assert_eq!(order.len(), 3);
//! // Priority 0 first (server2 is picked first about two times in three), the backup last.
//! assert_eq!(order[2], ("backup.example.com".to_owned(), 2855));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::net::{IpAddr, SocketAddr};

use thiserror::Error;

use crate::ident::IdGenerator;
use crate::uri::{Host, MsrpUri};

/// The port of a relay found without one: no SRV records, or a URI without port (RFC 4976
/// §8).
pub const DEFAULT_PORT: u16 = 2855;

/// How to reach the relay a URI names (RFC 4976 §8).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// An IP address and port: connect there, no DNS.
    Address(SocketAddr),
    /// A domain name with an explicit port: its A/AAAA records, on `port`.
    Host {
        /// The domain name.
        name: String,
        /// The port.
        port: u16,
    },
    /// A domain name without port: the SRV records of [`srv_name`]`(domain)`, ordered by
    /// [`order_srv`]; when there are none, the domain's A/AAAA records on [`DEFAULT_PORT`].
    Service {
        /// The domain name.
        domain: String,
    },
}

impl Lookup {
    /// What to look up for `uri`. (A parsed URI with an IP address always has a port; one
    /// without would get [`DEFAULT_PORT`].)
    pub fn for_uri(uri: &MsrpUri) -> Self {
        let port = uri.port();
        let ip = match uri.host() {
            Host::Name(name) => {
                let name = name.trim_end_matches('.').to_owned();
                return match port {
                    Some(port) => Self::Host { name, port },
                    None => Self::Service { domain: name },
                };
            }
            Host::Ipv4(a) => IpAddr::V4(a),
            Host::Ipv6(a) => IpAddr::V6(a),
        };
        Self::Address(SocketAddr::new(ip, port.unwrap_or(DEFAULT_PORT)))
    }
}

/// The SRV owner name for relays in `domain`: `_msrps._tcp.<domain>` (there is no `_msrp`
/// service: AUTH goes over TLS only).
pub fn srv_name(domain: &str) -> String {
    format!("_msrps._tcp.{}", domain.trim_end_matches('.'))
}

/// One SRV resource record (RFC 2782).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SrvRecord {
    /// Lower is tried first.
    pub priority: u16,
    /// Relative share among records of the same priority.
    pub weight: u16,
    /// The port on the target.
    pub port: u16,
    /// The target host (a trailing dot is allowed); `.` alone means "no such service here".
    pub target: String,
}

impl SrvRecord {
    /// A record.
    pub fn new(priority: u16, weight: u16, port: u16, target: impl Into<String>) -> Self {
        Self {
            priority,
            weight,
            port,
            target: target.into(),
        }
    }

    fn is_void(&self) -> bool {
        self.target.is_empty() || self.target == "."
    }
}

/// Why discovery finds no relay.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DiscoveryError {
    /// The domain's only SRV record has the target `.`: it decidedly offers no relay
    /// (RFC 2782), and the A/AAAA fallback does not apply.
    #[error("the domain offers no MSRP relay (SRV target \".\")")]
    NotOffered,
}

/// The targets (host without trailing dot, port) of `records` in the order to try them
/// (RFC 2782): by ascending priority; within a priority, picked one after the other at
/// random with chances proportional to their weights (records of weight 0 only get a small
/// chance, `1 / (sum of weights + 1)`, of going before others). Random numbers come from
/// `ids`.
///
/// An empty list means there were no usable records: fall back to the domain's A/AAAA
/// records on [`DEFAULT_PORT`]. A single record with target `.` gives
/// [`DiscoveryError::NotOffered`]; such records among others are skipped.
pub fn order_srv(
    records: &[SrvRecord],
    ids: &mut IdGenerator,
) -> Result<Vec<(String, u16)>, DiscoveryError> {
    if let [only] = records
        && only.is_void()
    {
        return Err(DiscoveryError::NotOffered);
    }
    let mut left: Vec<&SrvRecord> = records.iter().filter(|r| !r.is_void()).collect();
    // Ascending priority; within one, weight 0 first, as RFC 2782 arranges them.
    left.sort_by_key(|r| (r.priority, r.weight != 0));
    let mut order = Vec::with_capacity(left.len());
    while let Some(first) = left.first() {
        let priority = first.priority;
        let group = left.iter().take_while(|r| r.priority == priority).count();
        let total: u64 = left[..group].iter().map(|r| u64::from(r.weight)).sum();
        // The records of weight 0 are first in the group.
        let zeros = left[..group].iter().take_while(|r| r.weight == 0).count();
        // RFC 2782 picks in 0..=total, and 0 selects a record of weight 0 (which one is
        // drawn here). Without such records that 0 would favour the first record listed:
        // then the pick starts at 1 and each record's share is exactly its weight's.
        let pick = match zeros {
            0 => 1 + random_up_to(ids, total - 1),
            _ => random_up_to(ids, total),
        };
        let chosen = if pick == 0 {
            random_up_to(ids, zeros as u64 - 1) as usize
        } else {
            let mut running = 0u64;
            left[..group]
                .iter()
                .position(|r| {
                    running += u64::from(r.weight);
                    running >= pick
                })
                .unwrap_or(0)
        };
        let r = left.remove(chosen);
        order.push((r.target.trim_end_matches('.').to_owned(), r.port));
    }
    Ok(order)
}

/// A uniform random number in `0..=max` (the modulo bias is below 2^-32 for the sums of
/// 16-bit weights of any answer that fits in DNS).
fn random_up_to(ids: &mut IdGenerator, max: u64) -> u64 {
    let mut raw = [0u8; 8];
    ids.fill(&mut raw);
    u64::from_le_bytes(raw) % (max + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded(seed: u64) -> IdGenerator {
        let mut state = seed;
        IdGenerator::from_fn(move |buf: &mut [u8]| {
            for b in buf {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                *b = (state >> 56) as u8;
            }
        })
    }

    fn uri(s: &str) -> MsrpUri {
        s.parse().expect("a valid URI")
    }

    #[test]
    fn lookups_follow_the_authority() {
        assert_eq!(
            Lookup::for_uri(&uri("msrps://192.0.2.7:9000;tcp")),
            Lookup::Address("192.0.2.7:9000".parse().expect("address"))
        );
        assert_eq!(
            Lookup::for_uri(&uri("msrps://[2001:db8::1]:9000;tcp")),
            Lookup::Address("[2001:db8::1]:9000".parse().expect("address"))
        );
        // RFC 4976 §8: an IP address needs a port; the parser holds to it.
        assert!("msrps://192.0.2.7;tcp".parse::<MsrpUri>().is_err());
        assert_eq!(
            Lookup::for_uri(&uri("msrps://alice@relay.example.com:9000;tcp")),
            Lookup::Host {
                name: "relay.example.com".into(),
                port: 9000
            }
        );
        assert_eq!(
            Lookup::for_uri(&uri("msrps://alice@example.com;tcp")),
            Lookup::Service {
                domain: "example.com".into()
            }
        );
        assert_eq!(srv_name("example.com."), "_msrps._tcp.example.com");
    }

    #[test]
    fn priorities_go_in_order_and_every_record_is_listed_once() {
        let records = [
            SrvRecord::new(20, 5, 1, "c."),
            SrvRecord::new(10, 0, 2, "b"),
            SrvRecord::new(10, 7, 3, "a"),
            SrvRecord::new(30, 0, 4, "d"),
        ];
        for seed in 0..50 {
            let order = order_srv(&records, &mut seeded(seed)).expect("records");
            let mut first_two: Vec<&str> = order[..2].iter().map(|(h, _)| h.as_str()).collect();
            first_two.sort_unstable();
            assert_eq!(first_two, ["a", "b"]);
            assert_eq!(order[2], ("c".to_owned(), 1));
            assert_eq!(order[3], ("d".to_owned(), 4));
        }
    }

    #[test]
    fn any_answer_is_ordered_into_a_permutation_by_ascending_priority() {
        let mut draw = seeded(11);
        let mut ids = seeded(12);
        for _ in 0..500 {
            let mut raw = [0u8; 33];
            draw.fill(&mut raw);
            let n = usize::from(raw[0] % 9);
            let records: Vec<SrvRecord> = (0..n)
                .map(|i| {
                    let (p, w) = (raw[1 + 2 * i] % 3, raw[2 + 2 * i] % 4);
                    let target = if w == 3 && p == 2 { "." } else { "t" };
                    SrvRecord::new(u16::from(p), u16::from(w), i as u16, target)
                })
                .collect();
            let Ok(order) = order_srv(&records, &mut ids) else {
                assert!(records.len() == 1 && records[0].target == ".");
                continue;
            };
            let mut got: Vec<u16> = order.iter().map(|(_, port)| *port).collect();
            let priorities: Vec<u16> = got
                .iter()
                .map(|&i| records[usize::from(i)].priority)
                .collect();
            assert!(
                priorities.windows(2).all(|w| w[0] <= w[1]),
                "{records:?} -> {order:?}"
            );
            got.sort_unstable();
            let want: Vec<u16> = records
                .iter()
                .filter(|r| r.target != ".")
                .map(|r| r.port)
                .collect();
            assert_eq!(got, want, "{records:?}");
        }
    }

    #[test]
    fn weights_share_the_first_place() {
        let records = [
            SrvRecord::new(0, 1, 9000, "server1.example.com."),
            SrvRecord::new(0, 3, 9000, "server2.example.com."),
        ];
        let mut ids = seeded(7);
        let runs = 4000;
        let second_first = (0..runs)
            .filter(|_| {
                let order = order_srv(&records, &mut ids).expect("records");
                order[0].0 == "server2.example.com"
            })
            .count();
        // Expected in 3/4 of the runs.
        let share = second_first as f64 / runs as f64;
        assert!(
            (0.70..0.80).contains(&share),
            "server2 first in {share} of runs"
        );
    }

    #[test]
    fn zero_weights_still_get_a_turn() {
        let records = [
            SrvRecord::new(0, 0, 1, "zero"),
            SrvRecord::new(0, 0, 2, "none"),
        ];
        let mut ids = seeded(3);
        let firsts: std::collections::HashSet<String> = (0..64)
            .map(|_| order_srv(&records, &mut ids).expect("records")[0].0.clone())
            .collect();
        assert_eq!(firsts.len(), 2, "either may come first: {firsts:?}");
    }

    #[test]
    fn a_dot_target_means_no_relay_here() {
        let mut ids = seeded(1);
        assert_eq!(
            order_srv(&[SrvRecord::new(0, 0, 0, ".")], &mut ids),
            Err(DiscoveryError::NotOffered)
        );
        assert_eq!(order_srv(&[], &mut ids), Ok(Vec::new()));
        assert_eq!(
            order_srv(
                &[SrvRecord::new(0, 0, 0, "."), SrvRecord::new(1, 1, 7, "r")],
                &mut ids
            ),
            Ok(vec![("r".to_owned(), 7)])
        );
    }
}
