//! Configuration of the [`Relay`](super::Relay).

use std::time::Duration;

use crate::decoder::DecoderConfig;

/// Limits, timers and identity of a [`Relay`](super::Relay).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RelayConfig {
    /// The relay's fully qualified host name: requests whose first To-Path URI names another
    /// host are not addressed to the relay (RFC 4976 §6.2), and the URIs handed out in
    /// Use-Path carry it (§4.2: a name, not an address).
    pub host: String,
    /// The port the relay listens on, written into the URIs it hands out. A To-Path URI
    /// addressed to the relay may name it or no port (RFC 4976 §8: only in AUTH).
    pub port: u16,
    /// Decoder limits, per connection.
    pub decoder: DecoderConfig,
    /// Connections at once, accepted and opened. Default 1024.
    pub max_connections: usize,
    /// Client URIs handed out and not yet expired. Default 4096.
    pub max_clients: usize,
    /// Forwarded SEND messages in progress, over all connections. Default 4096.
    pub max_messages: usize,
    /// Forwarded SEND messages in progress coming in on one connection, so one peer cannot
    /// take them all; chunks of further messages get 413. Default 256.
    pub max_messages_per_connection: usize,
    /// Client URIs handed out on one connection. Default 64.
    pub max_clients_per_connection: usize,
    /// Body bytes held per forwarded message: received and not yet written to the next hop.
    /// When a message's buffer is full the relay stops reading its input connection (the
    /// sender is slowed down by TCP) for at most [`stall_timeout`](Self::stall_timeout).
    /// Default 256 KiB.
    pub message_buffer: usize,
    /// How long one message may hold its input connection still because its next hop does
    /// not take the bytes; then that message alone fails (its forwarded chunk ends with `#`,
    /// its sender gets 413 and a failure REPORT) and the connection's other messages go on.
    /// Default 5 s.
    pub stall_timeout: Duration,
    /// A forwarded message that receives no bytes this long while it waits for more fails
    /// (its sender went quiet in the middle of it). Default 120 s.
    pub message_idle_timeout: Duration,
    /// Bytes received and not yet decoded per connection while its reading is paused; the
    /// driver must not read a connection for which [`readable`](super::Relay::readable)
    /// is false, and input beyond this is refused. Default 256 KiB.
    pub input_buffer_limit: usize,
    /// Responses, REPORTs and forwarded non-SEND requests waiting to be written per
    /// connection; a connection over it is closed (its peer does not read). Default 1 MiB.
    pub control_queue_limit: usize,
    /// Largest body slice handed out by one `poll_transmit`. Default 16 KiB.
    pub max_segment: usize,
    /// Body bytes one message writes in a turn before its chunk is interrupted for another
    /// message waiting on the same connection (RFC 4975 §7.1.1 fairness). Default 32 KiB.
    pub fair_share: usize,
    /// Forwarded transactions awaiting a response per connection; no new chunk opens
    /// beyond it. Default 4096.
    pub max_pending_transactions: usize,
    /// How long the next hop has to answer a forwarded chunk sent with
    /// `Failure-Report: yes` (from its last byte) or a forwarded non-SEND request before
    /// the sender gets a 408 (RFC 4976 §6.4.1: 30 s).
    pub response_timeout: Duration,
    /// An accepted connection with no successful request this long after it opened is
    /// closed (RFC 4976 §6.1: 30 s).
    pub probation: Duration,
    /// A connection nothing depends on (no client URI, nothing in flight) that moved no
    /// bytes this long is closed (RFC 4976 §6.5: more than an hour). `None` never. Default
    /// one hour.
    pub idle_timeout: Option<Duration>,
    /// Unsuccessful requests after which a connection that has had no successful one is
    /// closed (RFC 4976 §6.1, §6.3). Default 3.
    pub max_failed_requests: u32,
    /// Shortest client URI lifetime granted, seconds; a shorter `Expires` in AUTH gets 423
    /// with `Min-Expires` (RFC 4976 §4.6, §6.3). Default 60.
    pub min_expires: u32,
    /// Longest client URI lifetime granted, seconds; a longer `Expires` gets 423 with
    /// `Max-Expires`. Default 86400.
    pub max_expires: u32,
    /// Lifetime granted to an AUTH without `Expires`, seconds. Default 1800.
    pub default_expires: u32,
}

impl RelayConfig {
    /// A configuration with the defaults for a relay at `host:port`.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            decoder: DecoderConfig::default(),
            max_connections: 1024,
            max_clients: 4096,
            max_messages: 4096,
            max_messages_per_connection: 256,
            max_clients_per_connection: 64,
            message_buffer: 256 << 10,
            stall_timeout: Duration::from_secs(5),
            message_idle_timeout: Duration::from_secs(120),
            input_buffer_limit: 256 << 10,
            control_queue_limit: 1 << 20,
            max_segment: 16 << 10,
            fair_share: 32 << 10,
            max_pending_transactions: 4096,
            response_timeout: Duration::from_secs(30),
            probation: Duration::from_secs(30),
            idle_timeout: Some(Duration::from_secs(3600)),
            max_failed_requests: 3,
            min_expires: 60,
            max_expires: 86400,
            default_expires: 1800,
        }
    }

    /// Sets [`decoder`](Self::decoder).
    pub fn with_decoder(mut self, v: DecoderConfig) -> Self {
        self.decoder = v;
        self
    }
    /// Sets [`max_connections`](Self::max_connections).
    pub fn with_max_connections(mut self, v: usize) -> Self {
        self.max_connections = v;
        self
    }
    /// Sets [`max_clients`](Self::max_clients).
    pub fn with_max_clients(mut self, v: usize) -> Self {
        self.max_clients = v;
        self
    }
    /// Sets [`max_messages`](Self::max_messages).
    pub fn with_max_messages(mut self, v: usize) -> Self {
        self.max_messages = v;
        self
    }
    /// Sets [`max_messages_per_connection`](Self::max_messages_per_connection).
    pub fn with_max_messages_per_connection(mut self, v: usize) -> Self {
        self.max_messages_per_connection = v;
        self
    }
    /// Sets [`max_clients_per_connection`](Self::max_clients_per_connection).
    pub fn with_max_clients_per_connection(mut self, v: usize) -> Self {
        self.max_clients_per_connection = v;
        self
    }
    /// Sets [`message_buffer`](Self::message_buffer) (at least 2048, one full chunk).
    pub fn with_message_buffer(mut self, v: usize) -> Self {
        self.message_buffer = v.max(crate::INTERRUPTIBLE_THRESHOLD);
        self
    }
    /// Sets [`stall_timeout`](Self::stall_timeout).
    pub fn with_stall_timeout(mut self, v: Duration) -> Self {
        self.stall_timeout = v;
        self
    }
    /// Sets [`message_idle_timeout`](Self::message_idle_timeout).
    pub fn with_message_idle_timeout(mut self, v: Duration) -> Self {
        self.message_idle_timeout = v;
        self
    }
    /// Sets [`input_buffer_limit`](Self::input_buffer_limit).
    pub fn with_input_buffer_limit(mut self, v: usize) -> Self {
        self.input_buffer_limit = v;
        self
    }
    /// Sets [`control_queue_limit`](Self::control_queue_limit).
    pub fn with_control_queue_limit(mut self, v: usize) -> Self {
        self.control_queue_limit = v;
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
    /// Sets [`max_pending_transactions`](Self::max_pending_transactions).
    pub fn with_max_pending_transactions(mut self, v: usize) -> Self {
        self.max_pending_transactions = v;
        self
    }
    /// Sets [`response_timeout`](Self::response_timeout).
    pub fn with_response_timeout(mut self, v: Duration) -> Self {
        self.response_timeout = v;
        self
    }
    /// Sets [`probation`](Self::probation).
    pub fn with_probation(mut self, v: Duration) -> Self {
        self.probation = v;
        self
    }
    /// Sets [`idle_timeout`](Self::idle_timeout).
    pub fn with_idle_timeout(mut self, v: Option<Duration>) -> Self {
        self.idle_timeout = v;
        self
    }
    /// Sets [`max_failed_requests`](Self::max_failed_requests).
    pub fn with_max_failed_requests(mut self, v: u32) -> Self {
        self.max_failed_requests = v;
        self
    }
    /// Sets [`min_expires`](Self::min_expires), [`max_expires`](Self::max_expires) and
    /// [`default_expires`](Self::default_expires) (the default clamped between them).
    pub fn with_expires(mut self, min: u32, max: u32, default: u32) -> Self {
        self.min_expires = min.min(max);
        self.max_expires = max;
        self.default_expires = default.clamp(self.min_expires, max);
        self
    }
}
