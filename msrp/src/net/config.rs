//! Settings of the [`Driver`](super::Driver).

use std::time::Duration;

use crate::endpoint::EndpointConfig;
/// Settings of a [`Driver`](super::Driver).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DriverConfig {
    /// The engine's limits and timers.
    pub endpoint: EndpointConfig,
    /// Segments (each at most [`EndpointConfig::max_segment`]) queued per connection for its
    /// writer task; a connection whose queue is full is not polled. Default 8.
    pub write_queue: usize,
    /// Bytes read from a socket at once. Default 64 KiB.
    pub read_buffer: usize,
    /// A connection on which nothing was read or written for this long is closed
    /// ([`CloseReason::Idle`](super::CloseReason::Idle)). `None` never. Default 5 minutes.
    pub idle_timeout: Option<Duration>,
    /// Received body bytes waiting in the sinks of one connection (or held for messages not
    /// yet accepted) beyond which the driver stops reading that connection until they are
    /// written (TCP backpressure on the sender). Keep it well below the sessions'
    /// [`receive_window`](crate::SessionConfig::receive_window), which fails a message whose
    /// bytes are not released in time. Default 1 MiB.
    pub input_pause: usize,
    /// How long an incoming message may wait for [`accept`](super::Driver::accept) or
    /// [`reject`](super::Driver::reject) before the driver refuses it with 413. Its bytes
    /// count against [`input_pause`](Self::input_pause) meanwhile, so an unanswered
    /// message stops the reads of its connection until then. Default 30 s.
    pub accept_timeout: Duration,
    /// How long a TCP connect (with its TLS handshake) may take, and an accepted TLS
    /// handshake. Default 10 s.
    pub connect_timeout: Duration,
    /// Events queued for the application before further incoming messages are refused with
    /// 413 (the peer is told; nothing is dropped silently). Default 256.
    pub event_capacity: usize,
    /// Incoming messages announced and not yet accepted or rejected, at most: further ones
    /// are refused with 413 (their held bytes are bounded by
    /// [`input_pause`](Self::input_pause); this bounds their number). Default 4096.
    pub max_unanswered: usize,
    /// How long a connection may stay paused by its sinks ([`input_pause`](Self::input_pause))
    /// without them catching up before the accepted message with the most unwritten bytes
    /// on it is failed (413 to the peer, [`TransferError::Sink`](super::TransferError::Sink)
    /// with `TimedOut` locally), so one stalled sink cannot stop the other sessions of its
    /// connection for long. Default 4 s: below the relay engine's default
    /// `RelayConfig::stall_timeout` (5 s, feature `relay`), so behind
    /// a relay the stalled message fails here before the relay gives up on the other
    /// messages it holds for this connection.
    pub sink_stall: Duration,
    /// The SRV lookups of relay discovery (RFC 4976 §8) for
    /// [`authenticate`](super::Driver::authenticate): a relay URI with a domain name and no
    /// port is reached through the targets of `_msrps._tcp.<domain>`. `None` (the default):
    /// such a relay is reached on port 2855 of the domain's A/AAAA records.
    #[cfg(all(feature = "relay", feature = "tls"))]
    pub srv_resolver: Option<std::sync::Arc<dyn super::relay::SrvResolver>>,
}

impl Default for DriverConfig {
    fn default() -> Self {
        Self {
            endpoint: EndpointConfig::default(),
            write_queue: 8,
            read_buffer: 64 << 10,
            idle_timeout: Some(Duration::from_secs(300)),
            input_pause: 1 << 20,
            accept_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            event_capacity: 256,
            max_unanswered: 4096,
            sink_stall: Duration::from_secs(4),
            #[cfg(all(feature = "relay", feature = "tls"))]
            srv_resolver: None,
        }
    }
}

impl DriverConfig {
    /// Sets [`endpoint`](Self::endpoint).
    pub fn with_endpoint(mut self, v: EndpointConfig) -> Self {
        self.endpoint = v;
        self
    }
    /// Sets [`write_queue`](Self::write_queue) (at least 1).
    pub fn with_write_queue(mut self, v: usize) -> Self {
        self.write_queue = v.max(1);
        self
    }
    /// Sets [`read_buffer`](Self::read_buffer) (at least 1 KiB).
    pub fn with_read_buffer(mut self, v: usize) -> Self {
        self.read_buffer = v.max(1024);
        self
    }
    /// Sets [`idle_timeout`](Self::idle_timeout).
    pub fn with_idle_timeout(mut self, v: Option<Duration>) -> Self {
        self.idle_timeout = v;
        self
    }
    /// Sets [`input_pause`](Self::input_pause) (at least 1).
    pub fn with_input_pause(mut self, v: usize) -> Self {
        self.input_pause = v.max(1);
        self
    }
    /// Sets [`accept_timeout`](Self::accept_timeout).
    pub fn with_accept_timeout(mut self, v: Duration) -> Self {
        self.accept_timeout = v;
        self
    }
    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn with_connect_timeout(mut self, v: Duration) -> Self {
        self.connect_timeout = v;
        self
    }
    /// Sets [`max_unanswered`](Self::max_unanswered) (at least 1).
    pub fn with_max_unanswered(mut self, v: usize) -> Self {
        self.max_unanswered = v.max(1);
        self
    }
    /// Sets [`sink_stall`](Self::sink_stall).
    pub fn with_sink_stall(mut self, v: Duration) -> Self {
        self.sink_stall = v;
        self
    }
    /// Sets [`event_capacity`](Self::event_capacity) (at least 1).
    pub fn with_event_capacity(mut self, v: usize) -> Self {
        self.event_capacity = v.max(1);
        self
    }
    /// Sets [`srv_resolver`](Self::srv_resolver).
    #[cfg(all(feature = "relay", feature = "tls"))]
    pub fn with_srv_resolver(mut self, v: std::sync::Arc<dyn super::relay::SrvResolver>) -> Self {
        self.srv_resolver = Some(v);
        self
    }
}
