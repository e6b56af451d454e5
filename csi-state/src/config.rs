//! The engine's configuration: numbering plan, capability-query timing, limits and the
//! incoming-share policy.

use std::time::Duration;

use sip_lite::StatusCode;
use sip_lite::e164::{E164, E164Error, NumberingPlan, normalize_number};
use thiserror::Error;

/// Default delay between a call becoming the active call and the capability query
/// (rcsjta `CallManager`: OPTIONS about 2 s after the call connects).
pub const DEFAULT_QUERY_DELAY: Duration = Duration::from_secs(2);

/// Default time a capability query may stay unanswered before the engine counts it as timed
/// out: 64 x T1 = 32 s, the SIP non-INVITE transaction timeout (RFC 3261 §17.1.2.2, Timer F),
/// so that an application without its own transaction timer still gets a result.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(32);

/// Default minimum time between two capability queries to the same peer. Our choice (no
/// standard gives one): long enough that a burst of bearer changes costs one OPTIONS, short
/// enough that a re-query after a change is not noticeably late.
pub const DEFAULT_MIN_QUERY_INTERVAL: Duration = Duration::from_secs(5);

/// Default limit on calls tracked at once. GSM allows one active and one held call plus a
/// waiting one, and a multiparty call of up to five remote parties (3GPP TS 22.084); a
/// telephony layer that reports each conference leg as its own call needs a few more.
pub const DEFAULT_MAX_CALLS: usize = 8;

/// The SIP status the engine gives each kind of refused incoming share.
///
/// The defaults are what rcsjta answers (`RichcallService.receiveImageSharingInvitation`):
/// 606 when the sender cannot be identified or has no connected call with us, 603 for a blocked
/// sender or a file over the size limit, 486 when a share already runs in that direction.
/// Every status must be a final failure, 400 to 699.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
#[non_exhaustive]
pub struct RejectStatuses {
    /// No P-Asserted-Identity or From that normalises to E.164 (default 606).
    pub unknown_identity: u16,
    /// The sender has no active, two-party, non-held call with us (default 606).
    pub no_correlated_call: u16,
    /// The sender's number is on the block list (default 603).
    pub blocked: u16,
    /// A share in that direction is already running (default 486).
    pub busy: u16,
    /// The file is larger than [`Config::max_share_size`] (default 603).
    pub too_large: u16,
}

impl Default for RejectStatuses {
    fn default() -> Self {
        Self {
            unknown_identity: 606,
            no_correlated_call: 606,
            blocked: 603,
            busy: 486,
            too_large: 603,
        }
    }
}

impl RejectStatuses {
    fn check(&self) -> Result<(), ConfigError> {
        for status in [
            self.unknown_identity,
            self.no_correlated_call,
            self.blocked,
            self.busy,
            self.too_large,
        ] {
            if !(400..=699).contains(&status) {
                return Err(ConfigError::RejectStatus { status });
            }
        }
        Ok(())
    }

    pub(crate) fn status(status: u16) -> StatusCode {
        // Checked to be 400..=699 when the engine was built.
        StatusCode::from_u16(status).unwrap_or(StatusCode::NOT_ACCEPTABLE_ANYWHERE)
    }
}

/// Configuration of a [`CsiEngine`](crate::CsiEngine).
///
/// Build it with [`Config::default`] and the `with_` methods; [`CsiEngine::new`] checks it.
///
/// ```
/// use std::time::Duration;
/// use csi_state::Config;
/// use sip_lite::e164::NumberingPlan;
///
/// let plan = NumberingPlan::new("44")?.with_international_prefix("00")?.with_trunk_prefix("0")?;
/// let config = Config::default()
///     .with_numbering_plan(plan)
///     .with_query_delay(Duration::from_secs(2))
///     .with_blocked("+447700900123".parse()?)
///     .with_max_share_size(Some(10 * 1024 * 1024));
/// assert_eq!(config.max_calls, 8);
/// # Ok::<(), sip_lite::e164::E164Error>(())
/// ```
///
/// With the `serde` feature the configuration (de)serialises as a struct whose fields are all
/// optional (missing ones take their defaults); durations are whole milliseconds
/// (`query_delay_ms`, `query_timeout_ms`, `min_query_interval_ms`), numbers in the block list
/// are E.164 strings (`"+447700900123"`), and the numbering plan is sip-lite's
/// [`NumberingPlan`] form.
///
/// [`CsiEngine::new`]: crate::CsiEngine::new
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
#[non_exhaustive]
pub struct Config {
    /// How the CS call's number and SIP identities that are not in global form are completed
    /// to E.164 (default: no country, so only global numbers normalise).
    pub numbering_plan: NumberingPlan,
    /// Delay between a call becoming the active call and the capability query to its peer
    /// (default [`DEFAULT_QUERY_DELAY`]).
    #[cfg_attr(feature = "serde", serde(rename = "query_delay_ms", with = "millis"))]
    pub query_delay: Duration,
    /// How long a query may stay unanswered before it counts as timed out (default
    /// [`DEFAULT_QUERY_TIMEOUT`]; more than 0).
    #[cfg_attr(feature = "serde", serde(rename = "query_timeout_ms", with = "millis"))]
    pub query_timeout: Duration,
    /// Minimum time between two queries to the same peer (default
    /// [`DEFAULT_MIN_QUERY_INTERVAL`]).
    #[cfg_attr(
        feature = "serde",
        serde(rename = "min_query_interval_ms", with = "millis")
    )]
    pub min_query_interval: Duration,
    /// Most calls tracked at once (default [`DEFAULT_MAX_CALLS`], at least 1). A call reported
    /// beyond it is refused with [`CallError::TooManyCalls`](crate::CallError::TooManyCalls)
    /// and never counts; the same number bounds the peers kept.
    pub max_calls: usize,
    /// Senders whose incoming shares are refused ([`RejectStatuses::blocked`]).
    pub blocked: Vec<E164>,
    /// Largest file accepted or sent, in octets (default `None`: no limit). Larger incoming
    /// shares are refused with [`RejectStatuses::too_large`]; larger outgoing ones with
    /// [`ShareError::TooLarge`](crate::ShareError::TooLarge).
    pub max_share_size: Option<u64>,
    /// The status of each kind of refused incoming share.
    pub reject_statuses: RejectStatuses,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            numbering_plan: NumberingPlan::default(),
            query_delay: DEFAULT_QUERY_DELAY,
            query_timeout: DEFAULT_QUERY_TIMEOUT,
            min_query_interval: DEFAULT_MIN_QUERY_INTERVAL,
            max_calls: DEFAULT_MAX_CALLS,
            blocked: Vec::new(),
            max_share_size: None,
            reject_statuses: RejectStatuses::default(),
        }
    }
}

impl Config {
    /// Sets the numbering plan.
    #[must_use]
    pub fn with_numbering_plan(mut self, plan: NumberingPlan) -> Self {
        self.numbering_plan = plan;
        self
    }

    /// Sets the delay between a call becoming active and the capability query.
    #[must_use]
    pub fn with_query_delay(mut self, delay: Duration) -> Self {
        self.query_delay = delay;
        self
    }

    /// Sets the capability-query timeout.
    #[must_use]
    pub fn with_query_timeout(mut self, timeout: Duration) -> Self {
        self.query_timeout = timeout;
        self
    }

    /// Sets the minimum interval between two queries to the same peer.
    #[must_use]
    pub fn with_min_query_interval(mut self, interval: Duration) -> Self {
        self.min_query_interval = interval;
        self
    }

    /// Sets the limit on tracked calls.
    #[must_use]
    pub fn with_max_calls(mut self, max_calls: usize) -> Self {
        self.max_calls = max_calls;
        self
    }

    /// Adds a number to the block list.
    #[must_use]
    pub fn with_blocked(mut self, number: E164) -> Self {
        if !self.blocked.contains(&number) {
            self.blocked.push(number);
        }
        self
    }

    /// Sets the largest file size accepted or sent (`None`: no limit).
    #[must_use]
    pub fn with_max_share_size(mut self, max: Option<u64>) -> Self {
        self.max_share_size = max;
        self
    }

    /// Sets the statuses of refused incoming shares.
    #[must_use]
    pub fn with_reject_statuses(mut self, statuses: RejectStatuses) -> Self {
        self.reject_statuses = statuses;
        self
    }

    /// Checks every field; [`CsiEngine::new`](crate::CsiEngine::new) calls it.
    pub fn check(&self) -> Result<(), ConfigError> {
        // sip-lite checks the plan before normalising anything; a global number needs no
        // plan field, so only a malformed plan fails here.
        if let Err(e @ E164Error::InvalidPlan { .. }) = normalize_number("+1", &self.numbering_plan)
        {
            return Err(ConfigError::NumberingPlan(e));
        }
        if self.max_calls == 0 {
            return Err(ConfigError::ZeroMaxCalls);
        }
        if self.query_timeout.is_zero() {
            return Err(ConfigError::ZeroQueryTimeout);
        }
        self.reject_statuses.check()
    }
}

/// A [`Config`] that cannot be used.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A numbering-plan field is malformed (typically a deserialised plan).
    #[error("numbering plan: {0}")]
    NumberingPlan(E164Error),
    /// `max_calls` is 0, so no call could ever be tracked.
    #[error("max_calls must be at least 1")]
    ZeroMaxCalls,
    /// `query_timeout` is 0: every query would time out as it is sent.
    #[error("query_timeout must be more than 0")]
    ZeroQueryTimeout,
    /// A reject status that is not a final failure (400 to 699).
    #[error("reject status {status} is not a final failure status (400-699)")]
    RejectStatus {
        /// The offending status.
        status: u16,
    },
}

/// Durations as whole milliseconds, so that configuration files stay readable.
#[cfg(feature = "serde")]
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
