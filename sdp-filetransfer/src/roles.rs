//! Who connects, and to where: RFC 6135 setup roles and RFC 6714 CEMA address rules.

use std::net::IpAddr;

use crate::media_attrs::Setup;
use crate::session::SessionDescription;

/// One side of an offer/answer exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Side {
    /// The side that sent the offer.
    Offerer,
    /// The side that sent the answer.
    Answerer,
}

/// The `a=setup` an offer carries (RFC 6135 §4.2.2): `actpass` when this endpoint can accept
/// connections at the address it advertises, otherwise `active` (with port 9 in `m=`). An offer
/// never uses `passive` and nothing ever uses `holdconn`.
pub fn offer_setup(reachable: bool) -> Setup {
    if reachable {
        Setup::ActPass
    } else {
        Setup::Active
    }
}

/// The `a=setup` an answer carries for the offered value (RFC 6135 §4.2, RFC 4145 §4.1).
///
/// - `active` offered: answer `passive`.
/// - `passive` offered (which RFC 6135 forbids, but a peer may send): answer `active`.
/// - `actpass` offered: `passive` when this endpoint is reachable (the SHOULD of RFC 6135
///   §4.2.2), else `active`.
/// - absent, or `holdconn` (read as absent, §4.2.1): RFC 4975's model, where the offerer
///   connects, so `passive`.
pub fn answer_setup(offered: Option<Setup>, reachable: bool) -> Setup {
    match offered {
        Some(Setup::Active) | None | Some(Setup::HoldConn) => Setup::Passive,
        Some(Setup::Passive) => Setup::Active,
        Some(Setup::ActPass) => {
            if reachable {
                Setup::Passive
            } else {
                Setup::Active
            }
        }
    }
}

/// Which side opens the MSRP connection (and is the TLS client, and sends the first SEND,
/// RFC 6135 §4.2.2, §6), given the offer's and the answer's `a=setup` (`holdconn` read as
/// absent). `None` when the pair does not leave exactly one active side (both active, both
/// passive, or an answer of `actpass`).
///
/// Behind an MSRP relay, an endpoint always connects to its relay whatever this says
/// (RFC 6135 §4.5); the result still says who sends the first SEND.
pub fn connecting_side(offer: Option<Setup>, answer: Option<Setup>) -> Option<Side> {
    let offer = offer.filter(|s| *s != Setup::HoldConn);
    let answer = answer.filter(|s| *s != Setup::HoldConn);
    match (offer, answer) {
        // RFC 4975 §8.5: without negotiation the offerer connects.
        (None | Some(Setup::Active | Setup::ActPass), None) => Some(Side::Offerer),
        (Some(Setup::Passive), None) => None,
        (Some(Setup::Active), Some(Setup::Passive)) => Some(Side::Offerer),
        (Some(Setup::Passive), Some(Setup::Active)) => Some(Side::Answerer),
        (Some(Setup::ActPass) | None, Some(Setup::Active)) => Some(Side::Answerer),
        (Some(Setup::ActPass) | None, Some(Setup::Passive)) => Some(Side::Offerer),
        _ => None,
    }
}

/// Whether CEMA is in use for a stream: both the offer's and the answer's media sections carry
/// `a=msrp-cema` (RFC 6714 §4).
pub fn cema_negotiated(
    offer: &SessionDescription,
    answer: &SessionDescription,
    index: usize,
) -> bool {
    let has = |sd: &SessionDescription| sd.media.get(index).is_some_and(|m| m.has_cema());
    has(offer) && has(answer)
}

/// Where to open the transport connection to the peer described by `remote`, media section
/// `index`: with CEMA, the `c=` address and the `m=` port (RFC 6714 §4.2); otherwise the host
/// and port of the first (leftmost) URI of `a=path`, the adjacent hop (RFC 4975 §8.3). `None`
/// when the section, its connection data or its path is missing, or the path URI has no port.
pub fn connect_target(
    remote: &SessionDescription,
    index: usize,
    cema: bool,
) -> Option<(String, u16)> {
    let media = remote.media.get(index)?;
    if cema {
        let c = remote.connection_for(index)?;
        let host = c.address.split('/').next().unwrap_or_default();
        return Some((host.to_owned(), media.port));
    }
    let uri = media.path()?.first();
    Some((uri.host_str().to_owned(), uri.port()?))
}

/// How the `c=`/`m=` data of a media section relates to its `a=path` (RFC 6714 §4.3, §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressCheck {
    /// The section carries `a=msrp-cema`: its `c=`/`m=` are meant to differ.
    Cema,
    /// `c=`/`m=` match the first path URI.
    Match,
    /// They differ: a middlebox that does not know MSRP probably rewrote `c=`/`m=`. Without
    /// CEMA the answerer rejects the stream (port 0) or the offer (488), RFC 6714 §4.3.
    Mismatch,
    /// One side is a host name and the other an IP address: only a DNS lookup can tell
    /// (RFC 6714 §4.4), which is the caller's job.
    NeedsResolution,
}

/// Compares the `c=` address and `m=` port of media section `index` with its first path URI
/// (RFC 6714 §4.4): IP addresses by value (so IPv6 forms are normalised, RFC 5952), host
/// names case-insensitively. Missing data reads as [`AddressCheck::Mismatch`].
pub fn check_address(sd: &SessionDescription, index: usize) -> AddressCheck {
    let Some(media) = sd.media.get(index) else {
        return AddressCheck::Mismatch;
    };
    if media.has_cema() {
        return AddressCheck::Cema;
    }
    let (Some(c), Some(path)) = (sd.connection_for(index), media.path()) else {
        return AddressCheck::Mismatch;
    };
    let uri = path.first();
    if uri.port() != Some(media.port) {
        return AddressCheck::Mismatch;
    }
    let c_host = c.address.split('/').next().unwrap_or_default();
    let u_host = uri.host_str();
    match (c_host.parse::<IpAddr>(), u_host.parse::<IpAddr>()) {
        (Ok(a), Ok(b)) if a == b => AddressCheck::Match,
        (Ok(_), Ok(_)) => AddressCheck::Mismatch,
        (Err(_), Err(_)) if c_host.eq_ignore_ascii_case(u_host) => AddressCheck::Match,
        (Err(_), Err(_)) => AddressCheck::Mismatch,
        _ => AddressCheck::NeedsResolution,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_tables() {
        assert_eq!(offer_setup(true), Setup::ActPass);
        assert_eq!(offer_setup(false), Setup::Active);
        for reachable in [true, false] {
            for offered in [
                None,
                Some(Setup::Active),
                Some(Setup::Passive),
                Some(Setup::ActPass),
                Some(Setup::HoldConn),
            ] {
                let answer = answer_setup(offered, reachable);
                assert_ne!(answer, Setup::HoldConn);
                assert_ne!(answer, Setup::ActPass);
                assert!(
                    connecting_side(offered, Some(answer)).is_some(),
                    "{offered:?} -> {answer:?}"
                );
            }
        }
        assert_eq!(
            connecting_side(Some(Setup::ActPass), Some(Setup::Active)),
            Some(Side::Answerer)
        );
        assert_eq!(
            answer_setup(Some(Setup::ActPass), false),
            Setup::Active,
            "behind a NAT the answerer connects"
        );
        assert_eq!(
            connecting_side(Some(Setup::Active), Some(Setup::Active)),
            None
        );
        assert_eq!(
            connecting_side(Some(Setup::Passive), Some(Setup::Passive)),
            None
        );
        assert_eq!(
            connecting_side(Some(Setup::ActPass), Some(Setup::ActPass)),
            None
        );
        assert_eq!(connecting_side(None, None), Some(Side::Offerer));
    }
}
