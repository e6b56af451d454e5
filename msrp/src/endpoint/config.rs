//! Configuration of the [`Endpoint`](super::Endpoint) and of each session.

use std::time::Duration;

use crate::decoder::DecoderConfig;
use crate::header::{FailureReport, SuccessReport, Text};
use crate::reassembly::{ReassemblyConfig, SinkKind};

/// How long a sender waits for the response to a chunk sent with `Failure-Report: yes`
/// before it reports the message as failed with a local 408 (RFC 4975 §7.1.1: 30 s from the
/// last byte of the transaction).
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);

/// Limits and timers of an [`Endpoint`](super::Endpoint), shared by all its connections.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointConfig {
    /// Decoder limits, per connection.
    pub decoder: DecoderConfig,
    /// Sessions at once. Default 4096.
    pub max_sessions: usize,
    /// Connections at once. Default 256.
    pub max_connections: usize,
    /// Largest body slice handed out by one [`poll_transmit`](super::Endpoint::poll_transmit).
    /// Default 16 KiB.
    pub max_segment: usize,
    /// Body bytes a session may write in one turn before a chunk is interrupted for another
    /// session that has data waiting (RFC 4975 §7.1.1 fairness). At least 2048 octets go into
    /// every interrupted chunk whatever this says. Default 32 KiB.
    pub fair_share: usize,
    /// Content the engine holds per connection, pulled from the application but not yet
    /// handed out by `poll_transmit`. No more content is asked for while this is reached
    /// (backpressure). Default 1 MiB.
    pub write_queue_limit: usize,
    /// Responses and REPORTs waiting to be written per connection. A peer that keeps sending
    /// requests while not reading what we write is cut off at this point. Default 1 MiB.
    pub control_queue_limit: usize,
    /// Transactions awaiting a response per connection; no new chunk opens beyond it.
    /// Default 8192.
    pub max_pending_transactions: usize,
    /// Response timeout of chunks sent with `Failure-Report: yes`. Default
    /// [`RESPONSE_TIMEOUT`] (30 s).
    pub response_timeout: Duration,
    /// A connection with no session bound this long after it was opened fails
    /// ([`ConnectionError::Unbound`](super::ConnectionError::Unbound)), so an accepted
    /// connection that never sends a request does not stay forever (RFC 4976 §6 gives
    /// relays the same 30 s). `None` never. Default 30 s.
    pub bind_timeout: Option<Duration>,
}

impl Default for EndpointConfig {
    fn default() -> Self {
        Self {
            decoder: DecoderConfig::default(),
            max_sessions: 4096,
            max_connections: 256,
            max_segment: 16 << 10,
            fair_share: 32 << 10,
            write_queue_limit: 1 << 20,
            control_queue_limit: 1 << 20,
            max_pending_transactions: 8192,
            response_timeout: RESPONSE_TIMEOUT,
            bind_timeout: Some(Duration::from_secs(30)),
        }
    }
}

impl EndpointConfig {
    /// Sets [`decoder`](Self::decoder).
    pub fn with_decoder(mut self, v: DecoderConfig) -> Self {
        self.decoder = v;
        self
    }
    /// Sets [`max_sessions`](Self::max_sessions).
    pub fn with_max_sessions(mut self, v: usize) -> Self {
        self.max_sessions = v;
        self
    }
    /// Sets [`max_connections`](Self::max_connections).
    pub fn with_max_connections(mut self, v: usize) -> Self {
        self.max_connections = v;
        self
    }
    /// Sets [`max_segment`](Self::max_segment) (at least 1).
    pub fn with_max_segment(mut self, v: usize) -> Self {
        self.max_segment = v.max(1);
        self
    }
    /// Sets [`fair_share`](Self::fair_share).
    pub fn with_fair_share(mut self, v: usize) -> Self {
        self.fair_share = v;
        self
    }
    /// Sets [`write_queue_limit`](Self::write_queue_limit).
    pub fn with_write_queue_limit(mut self, v: usize) -> Self {
        self.write_queue_limit = v;
        self
    }
    /// Sets [`control_queue_limit`](Self::control_queue_limit).
    pub fn with_control_queue_limit(mut self, v: usize) -> Self {
        self.control_queue_limit = v;
        self
    }
    /// Sets [`max_pending_transactions`](Self::max_pending_transactions).
    pub fn with_max_pending_transactions(mut self, v: usize) -> Self {
        self.max_pending_transactions = v;
        self
    }
    /// Sets [`bind_timeout`](Self::bind_timeout).
    pub fn with_bind_timeout(mut self, v: Option<Duration>) -> Self {
        self.bind_timeout = v;
        self
    }
    /// Sets [`response_timeout`](Self::response_timeout).
    pub fn with_response_timeout(mut self, v: Duration) -> Self {
        self.response_timeout = v;
        self
    }
}

/// When success REPORTs are sent for received messages that ask for them
/// (`Success-Report: yes`, RFC 4975 §7.1.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SuccessReports {
    /// One REPORT covering the whole message, once it is complete.
    #[default]
    OnCompletion,
    /// One REPORT per received chunk, covering that chunk's bytes.
    Incremental,
}

/// Settings of one session.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionConfig {
    /// Media types accepted in received SENDs (`a=accept-types`): `*`, `type/*` or
    /// `type/subtype`, compared case-insensitively without parameters. Others get 415.
    /// Default: `*`.
    pub accept_types: Vec<String>,
    /// Whether the peer may send messages to us (`a=recvonly`/`sendrecv` on our side).
    /// SENDs with a body get 403 otherwise. Default true.
    pub receive: bool,
    /// How received bodies are handed out. Default [`SinkKind::Positional`].
    pub sink: SinkKind,
    /// Reassembly limits of the session's received messages.
    pub reassembly: ReassemblyConfig,
    /// Received body bytes handed out but not yet [released](super::Endpoint::release).
    /// A message that would exceed it fails alone with 413, so a reader that stops never
    /// stalls the connection. Default 8 MiB.
    pub receive_window: usize,
    /// Content pulled ahead per outgoing message. Default 256 KiB.
    pub send_buffer: usize,
    /// When success REPORTs go out. Default [`SuccessReports::OnCompletion`].
    pub success_reports: SuccessReports,
    /// Send a bodiless SEND when the session has sent nothing for this long (keeps NAT
    /// bindings and detects a dead peer through the response timeout). Default off.
    pub keepalive: Option<std::time::Duration>,
    /// Report settings of messages sent without explicit ones.
    pub default_reports: ReportOptions,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            accept_types: vec!["*".to_owned()],
            receive: true,
            sink: SinkKind::Positional,
            reassembly: ReassemblyConfig::default().with_max_messages(16),
            receive_window: 8 << 20,
            send_buffer: 256 << 10,
            success_reports: SuccessReports::OnCompletion,
            keepalive: None,
            default_reports: ReportOptions::default(),
        }
    }
}

impl SessionConfig {
    /// Sets [`accept_types`](Self::accept_types).
    pub fn with_accept_types<S: Into<String>>(mut self, v: impl IntoIterator<Item = S>) -> Self {
        self.accept_types = v.into_iter().map(Into::into).collect();
        self
    }
    /// Sets [`receive`](Self::receive).
    pub fn with_receive(mut self, v: bool) -> Self {
        self.receive = v;
        self
    }
    /// Sets [`sink`](Self::sink).
    pub fn with_sink(mut self, v: SinkKind) -> Self {
        self.sink = v;
        self
    }
    /// Sets [`reassembly`](Self::reassembly).
    pub fn with_reassembly(mut self, v: ReassemblyConfig) -> Self {
        self.reassembly = v;
        self
    }
    /// Sets [`receive_window`](Self::receive_window).
    pub fn with_receive_window(mut self, v: usize) -> Self {
        self.receive_window = v;
        self
    }
    /// Sets [`send_buffer`](Self::send_buffer) (at least 2048, one full chunk).
    pub fn with_send_buffer(mut self, v: usize) -> Self {
        self.send_buffer = v.max(crate::INTERRUPTIBLE_THRESHOLD);
        self
    }
    /// Sets [`success_reports`](Self::success_reports).
    pub fn with_success_reports(mut self, v: SuccessReports) -> Self {
        self.success_reports = v;
        self
    }
    /// Sets [`keepalive`](Self::keepalive).
    pub fn with_keepalive(mut self, v: Option<std::time::Duration>) -> Self {
        self.keepalive = v;
        self
    }
    /// Sets [`default_reports`](Self::default_reports).
    pub fn with_default_reports(mut self, v: ReportOptions) -> Self {
        self.default_reports = v;
        self
    }

    /// Whether `content_type` (a Content-Type value) matches [`accept_types`](Self::accept_types).
    pub fn accepts(&self, content_type: &Text) -> bool {
        let value = content_type.as_str();
        let media = value[..value.find(';').unwrap_or(value.len())].trim();
        let (main, _) = media.split_once('/').unwrap_or((media, ""));
        self.accept_types.iter().any(|pattern| {
            let pattern = pattern.trim();
            pattern == "*"
                || pattern.eq_ignore_ascii_case(media)
                || pattern
                    .strip_suffix("/*")
                    .is_some_and(|p| p.eq_ignore_ascii_case(main))
        })
    }
}

/// The report headers of an outgoing message (RFC 4975 §7.1.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ReportOptions {
    /// Success-Report (default `no`).
    pub success: SuccessReport,
    /// Failure-Report (default `yes`: every chunk is answered, 30 s timer).
    pub failure: FailureReport,
}

impl ReportOptions {
    /// Options with the given values.
    pub fn new(success: SuccessReport, failure: FailureReport) -> Self {
        Self { success, failure }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_types_match_wildcards_case_and_parameters() {
        let config = SessionConfig::default().with_accept_types(["image/*", "Text/Plain"]);
        let t = |s: &str| Text::new(s).unwrap();
        assert!(config.accepts(&t("image/png")));
        assert!(config.accepts(&t("IMAGE/JPEG; q=1")));
        assert!(config.accepts(&t("text/plain;charset=utf-8")));
        assert!(!config.accepts(&t("text/html")));
        assert!(!config.accepts(&t("imagex/png")));
        assert!(SessionConfig::default().accepts(&t("message/cpim")));
        assert!(
            !SessionConfig::default()
                .with_accept_types(Vec::<String>::new())
                .accepts(&t("a/b"))
        );
    }

    #[test]
    fn builders_keep_minimums() {
        assert_eq!(
            SessionConfig::default().with_send_buffer(10).send_buffer,
            2048
        );
        assert_eq!(EndpointConfig::default().with_max_segment(0).max_segment, 1);
        assert_eq!(EndpointConfig::default().response_timeout, RESPONSE_TIMEOUT);
    }
}
