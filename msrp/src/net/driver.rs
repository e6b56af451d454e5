//! The driver task: owns the [`Endpoint`] and runs its loop.

mod connections;
mod dispatch;
mod messages;
#[cfg(all(feature = "relay", feature = "tls"))]
mod relay;

pub(super) use messages::{Command, Internal};
use messages::{Done, Reply};

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::task::JoinHandle;

use super::io::{self, SinkItem};
use super::stream;
use super::{CloseReason, DriverConfig, NetError, NetEvent, TransferError};
use crate::endpoint::{ConnectionId, Endpoint, MessageError, SessionId};
use crate::ident::{IdGenerator, MessageId};
use crate::reassembly::SinkKind;
use crate::uri::Path;

/// Reads of one connection handed to the driver task and not yet processed.
const READS_IN_FLIGHT: usize = 4;

/// One connection per peer scheme, host and port (RFC 4975 §5.4 reuse); for TLS, also per
/// server name checked and client configuration used, so a connection verified for one
/// name or fingerprint is never reused for a session that asked for another.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct PeerKey {
    secure: bool,
    host: String,
    port: u16,
    tls: Option<stream::TlsIdentity>,
}

/// Who waits for a connection being opened.
pub(super) enum Waiter {
    /// `connect` of a session.
    Session(SessionId, Reply<ConnectionId>),
    /// A relay registration's AUTH.
    #[cfg(all(feature = "relay", feature = "tls"))]
    Registration(super::relay::RegistrationId),
}

struct Conn {
    writer: mpsc::Sender<Bytes>,
    writer_task: JoinHandle<()>,
    reader: JoinHandle<()>,
    /// Read permits of the reader task: one is given back per processed read, unless the
    /// sinks fed from this connection are behind (then it is owed until they catch up).
    reads: Arc<Semaphore>,
    owed_reads: usize,
    /// Received body bytes handed to accepted sinks and not yet written.
    in_sinks: usize,
    /// Since when reads are owed because the sinks are behind.
    paused_since: Option<Instant>,
    key: Option<PeerKey>,
    last_activity: Instant,
}

struct Outgoing {
    wanted: mpsc::UnboundedSender<usize>,
    done: Done,
    provided: u64,
}

struct Incoming {
    sink: Option<mpsc::UnboundedSender<SinkItem>>,
    held: Vec<(u64, Bytes)>,
    end: Option<Result<u64, TransferError>>,
    /// When it was announced; unanswered after `accept_timeout`, it is refused.
    announced: Instant,
    /// Refused for want of an answer: forgotten once it ends.
    expired: bool,
}

/// An accepted message's sink task, until it ends.
struct SinkState {
    /// Fails the sink's pending write (a stalled sink).
    cancel: Option<tokio::sync::oneshot::Sender<()>>,
    /// Bytes handed to it and not yet written.
    unwritten: usize,
}

struct State {
    config: DriverConfig,
    ep: Endpoint,
    conns: HashMap<ConnectionId, Conn>,
    by_peer: HashMap<PeerKey, ConnectionId>,
    connecting: HashMap<PeerKey, Vec<Waiter>>,
    #[cfg(all(feature = "relay", feature = "tls"))]
    relays: relay::Relays,
    remotes: HashMap<SessionId, Path>,
    /// The connection each session's sink bytes were counted on.
    sink_conn: HashMap<SessionId, ConnectionId>,
    /// Sessions added with positional sinks.
    positional: HashSet<SessionId>,
    outgoing: HashMap<(SessionId, MessageId), Outgoing>,
    incoming: HashMap<(SessionId, MessageId), Incoming>,
    sinks: HashMap<(SessionId, MessageId), SinkState>,
    listeners: Vec<JoinHandle<()>>,
    events: VecDeque<NetEvent>,
    internal: mpsc::Sender<Internal>,
    wake: Arc<Notify>,
    /// The application's event channel, to know whether anyone listens.
    listener: mpsc::Sender<NetEvent>,
}

pub(super) fn start(
    mut config: DriverConfig,
    ids: IdGenerator,
) -> (mpsc::Sender<Command>, mpsc::Receiver<NetEvent>) {
    // The fields are public: apply the setters' floors here too.
    config.write_queue = config.write_queue.max(1);
    config.read_buffer = config.read_buffer.max(1024);
    config.input_pause = config.input_pause.max(1);
    config.event_capacity = config.event_capacity.max(1);
    config.max_unanswered = config.max_unanswered.max(1);
    let (commands, command_rx) = mpsc::channel(64);
    let (events_tx, events) = mpsc::channel(config.event_capacity.max(1));
    let (internal, internal_rx) = mpsc::channel(256);
    let state = State {
        ep: Endpoint::new(config.endpoint.clone(), ids),
        config,
        conns: HashMap::new(),
        by_peer: HashMap::new(),
        connecting: HashMap::new(),
        #[cfg(all(feature = "relay", feature = "tls"))]
        relays: relay::Relays::default(),
        remotes: HashMap::new(),
        sink_conn: HashMap::new(),
        positional: HashSet::new(),
        outgoing: HashMap::new(),
        incoming: HashMap::new(),
        sinks: HashMap::new(),
        listeners: Vec::new(),
        events: VecDeque::new(),
        internal,
        wake: Arc::new(Notify::new()),
        listener: events_tx.clone(),
    };
    tokio::spawn(run(state, command_rx, internal_rx, events_tx));
    (commands, events)
}

async fn run(
    mut st: State,
    mut commands: mpsc::Receiver<Command>,
    mut internal: mpsc::Receiver<Internal>,
    events: mpsc::Sender<NetEvent>,
) {
    let wake = st.wake.clone();
    loop {
        st.pump();
        let deadline = st.deadline();
        let has_events = !st.events.is_empty();
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Shutdown { reply }) => {
                    st.shutdown();
                    let _ = reply.send(Ok(()));
                    return;
                }
                Some(command) => st.command(command),
                None => {
                    st.shutdown();
                    return;
                }
            },
            Some(report) = internal.recv() => st.internal(report),
            () = wake.notified() => {}
            () = sleep_until(deadline), if deadline.is_some() => st.timeout(),
            permit = events.reserve(), if has_events => match permit {
                Ok(permit) => {
                    if let Some(event) = st.events.pop_front() {
                        permit.send(event);
                    }
                }
                // Nobody listens: nothing can be accepted any more, so refuse at once.
                Err(_) => st.events.clear(),
            },
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(at) = deadline {
        tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
    }
}

impl State {
    /// Drops an incoming message nobody accepted, with the bytes held for it; whether
    /// there was one.
    fn forget_unanswered(&mut self, session: SessionId, message_id: MessageId) -> bool {
        let key = (session, message_id);
        if self.incoming.get(&key).is_none_or(|m| m.sink.is_some()) {
            return false;
        }
        if let Some(m) = self.incoming.remove(&key) {
            let n: usize = m.held.iter().map(|(_, d)| d.len()).sum();
            if n > 0 {
                self.sink_released(session, message_id, n);
            }
        }
        true
    }

    fn deadline(&self) -> Option<Instant> {
        let accept = self
            .incoming
            .values()
            .filter(|m| m.sink.is_none() && !m.expired)
            .filter_map(|m| m.announced.checked_add(self.config.accept_timeout))
            .min();
        let idle = self.config.idle_timeout.and_then(|after| {
            self.conns
                .iter()
                .filter(|(id, _)| !self.pinned(**id))
                .filter_map(|(_, c)| c.last_activity.checked_add(after))
                .min()
        });
        let stall = self
            .conns
            .values()
            .filter_map(|c| c.paused_since?.checked_add(self.config.sink_stall))
            .min();
        #[cfg(all(feature = "relay", feature = "tls"))]
        let relays = self.relays.poll_timeout();
        #[cfg(not(all(feature = "relay", feature = "tls")))]
        let relays = None;
        [self.ep.poll_timeout(), idle, accept, stall, relays]
            .into_iter()
            .flatten()
            .min()
    }

    /// Whether a connection stays open however idle: a relay registration's, which the
    /// relay uses to reach us (RFC 4976 §5.4 keeps it up while sessions may use it).
    fn pinned(&self, connection: ConnectionId) -> bool {
        #[cfg(all(feature = "relay", feature = "tls"))]
        if self.relays.pinned(connection) {
            return true;
        }
        let _ = connection;
        false
    }

    fn timeout(&mut self) {
        let now = Instant::now();
        self.ep.handle_timeout(now);
        #[cfg(all(feature = "relay", feature = "tls"))]
        self.relay_timeout(now);
        // Unanswered incoming messages hold their connection's reads: refuse those still
        // arriving (413) and drop those that already ended, with what was held for them.
        let after = self.config.accept_timeout;
        let unanswered: Vec<(SessionId, MessageId, bool)> = self
            .incoming
            .iter_mut()
            .filter(|(_, m)| m.sink.is_none() && !m.expired)
            .filter(|(_, m)| m.announced.checked_add(after).is_some_and(|at| at <= now))
            .map(|(key, m)| {
                m.expired = true;
                (key.0, key.1, m.end.is_some())
            })
            .collect();
        for (session, message_id, ended) in unanswered {
            if ended {
                self.forget_unanswered(session, message_id);
            } else {
                let _ = self.ep.reject(now, session, message_id);
            }
        }
        self.fail_stalled_sinks(now);
        if let Some(after) = self.config.idle_timeout {
            let idle: Vec<ConnectionId> = self
                .conns
                .iter()
                .filter(|(id, c)| {
                    !self.pinned(**id)
                        && c.last_activity
                            .checked_add(after)
                            .is_some_and(|at| at <= now)
                })
                .map(|(id, _)| *id)
                .collect();
            for id in idle {
                self.close(id, CloseReason::Idle);
            }
        }
    }

    /// Connections paused by their sinks for [`DriverConfig::sink_stall`]: the accepted
    /// message with the most unwritten bytes on each is failed, so the others go on.
    fn fail_stalled_sinks(&mut self, now: Instant) {
        let stall = self.config.sink_stall;
        let stalled: Vec<ConnectionId> = self
            .conns
            .iter()
            .filter(|(_, c)| {
                c.paused_since
                    .and_then(|at| at.checked_add(stall))
                    .is_some_and(|at| at <= now)
            })
            .map(|(id, _)| *id)
            .collect();
        for conn in stalled {
            let worst = self
                .sinks
                .iter_mut()
                .filter(|(key, s)| s.cancel.is_some() && self.sink_conn.get(&key.0) == Some(&conn))
                .max_by_key(|(_, s)| s.unwritten)
                .and_then(|(_, s)| s.cancel.take());
            if let Some(cancel) = worst {
                let _ = cancel.send(());
            }
            // Another period before the next one, if this was not enough.
            if let Some(c) = self.conns.get_mut(&conn) {
                c.paused_since = Some(now);
            }
        }
    }

    /// Tells the engine to refuse new incoming messages (413, before any is acknowledged)
    /// while the application is behind: its event backlog full, `max_unanswered` messages
    /// waiting for an answer, or nobody listening.
    fn admission(&mut self) {
        let unanswered = self.incoming.values().filter(|m| m.sink.is_none()).count();
        let refuse = self.events.len() >= self.config.event_capacity
            || unanswered >= self.config.max_unanswered
            || self.listener.is_closed();
        self.ep.set_refusing_new_messages(refuse);
    }

    /// Moves bytes to writer queues with room and dispatches engine events, until neither
    /// makes progress.
    fn pump(&mut self) {
        loop {
            let mut progress = false;
            let ids: Vec<ConnectionId> = self.conns.keys().copied().collect();
            for id in ids {
                let Some(conn) = self.conns.get_mut(&id) else {
                    continue;
                };
                while conn.writer.capacity() > 0 {
                    let Some(t) = self.ep.poll_transmit_on(id) else {
                        break;
                    };
                    // Room was checked and only this task sends: this cannot fail except
                    // when the writer ended, which its Closed report handles.
                    let _ = conn.writer.try_send(t.data);
                    conn.last_activity = Instant::now();
                    progress = true;
                }
            }
            while let Some(event) = self.ep.poll_event() {
                progress = true;
                self.event(event);
            }
            #[cfg(all(feature = "relay", feature = "tls"))]
            {
                progress |= self.drive_relays();
            }
            if !progress {
                self.admission();
                return;
            }
        }
    }

    fn command(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Listen {
                listener,
                tls,
                reply,
            } => {
                let task = tokio::spawn(io::accept_loop(
                    listener,
                    tls,
                    self.config.connect_timeout,
                    self.config.endpoint.max_connections,
                    self.internal.clone(),
                ));
                self.listeners.push(task);
                let _ = reply.send(Ok(()));
            }
            Command::AddSession {
                local_path,
                remote_path,
                config,
                positional,
                reply,
            } => {
                let kind = if positional {
                    SinkKind::Positional
                } else {
                    SinkKind::InOrder
                };
                let config = config.with_sink(kind);
                let result = self
                    .ep
                    .add_session(local_path, remote_path.clone(), config)
                    .map_err(NetError::from);
                if let Ok(id) = result {
                    self.remotes.insert(id, remote_path);
                    if positional {
                        self.positional.insert(id);
                    }
                }
                let _ = reply.send(result);
            }
            Command::RemoveSession { session, reply } => {
                let result = self.ep.remove_session(now, session).map_err(NetError::from);
                self.remotes.remove(&session);
                #[cfg(all(feature = "relay", feature = "tls"))]
                self.relays.session_removed(session);
                self.positional.remove(&session);
                self.pump();
                let ended = TransferError::Message(MessageError::SessionEnded);
                let outgoing: Vec<_> = self
                    .outgoing
                    .keys()
                    .filter(|k| k.0 == session)
                    .copied()
                    .collect();
                for key in outgoing {
                    if let Some(m) = self.outgoing.remove(&key) {
                        let _ = m.done.send(Err(ended.clone()));
                    }
                }
                let incoming: Vec<_> = self
                    .incoming
                    .keys()
                    .filter(|k| k.0 == session)
                    .copied()
                    .collect();
                for key in incoming {
                    self.incoming_end(key.0, key.1, Err(ended.clone()));
                    self.incoming.remove(&key);
                }
                let _ = reply.send(result);
            }
            Command::Connect {
                session,
                tls,
                via,
                reply,
            } => self.connect(session, tls, via, reply),
            Command::Send {
                session,
                content_type,
                size,
                source,
                done,
                reply,
            } => match self.ep.send_message(now, session, content_type, size) {
                Ok(message_id) => {
                    let (wanted, wanted_rx) = mpsc::unbounded_channel();
                    let internal = self.internal.clone();
                    tokio::spawn(io::read_source(
                        source, session, message_id, size, wanted_rx, internal,
                    ));
                    self.outgoing.insert(
                        (session, message_id),
                        Outgoing {
                            wanted,
                            done,
                            provided: 0,
                        },
                    );
                    let _ = reply.send(Ok(message_id));
                }
                Err(e) => {
                    let _ = reply.send(Err(e.into()));
                }
            },
            Command::Accept {
                session,
                message_id,
                sink,
                done,
                reply,
            } => {
                let Some(m) = self.incoming.get_mut(&(session, message_id)) else {
                    let _ = reply.send(Err(NetError::UnknownMessage));
                    return;
                };
                if m.sink.is_some() {
                    let _ = reply.send(Err(NetError::UnknownMessage));
                    return;
                }
                let positional = matches!(sink, io::ContentSink::Positional(_));
                if positional != self.positional.contains(&session) {
                    let _ = reply.send(Err(NetError::WrongSink));
                    return;
                }
                let (tx, rx) = mpsc::unbounded_channel();
                let mut unwritten = 0;
                for (offset, data) in m.held.drain(..) {
                    unwritten += data.len();
                    let _ = tx.send(SinkItem::Data(offset, data));
                }
                let internal = self.internal.clone();
                let (cancel, cancelled) = tokio::sync::oneshot::channel();
                tokio::spawn(io::write_sink(
                    sink, session, message_id, rx, done, cancelled, internal,
                ));
                self.sinks.insert(
                    (session, message_id),
                    SinkState {
                        cancel: Some(cancel),
                        unwritten,
                    },
                );
                // The held bytes were counted (`sink_queued`) as they arrived.
                let end = m.end.take();
                match end {
                    Some(end) => {
                        let _ = tx.send(end_item(end));
                        self.incoming.remove(&(session, message_id));
                    }
                    None => {
                        if let Some(m) = self.incoming.get_mut(&(session, message_id)) {
                            m.sink = Some(tx);
                        }
                    }
                }
                let _ = reply.send(Ok(()));
            }
            Command::Reject {
                session,
                message_id,
                reply,
            } => {
                let result = self
                    .ep
                    .reject(now, session, message_id)
                    .map_err(NetError::from);
                // The driver lets go of it whatever the engine says: a message that already
                // ended (complete, or failed) is unknown to the engine but still held here.
                let known = self.forget_unanswered(session, message_id);
                let _ = reply.send(if known { Ok(()) } else { result });
            }
            Command::Shutdown { reply } => {
                self.shutdown();
                let _ = reply.send(Ok(()));
            }
            #[cfg(all(feature = "relay", feature = "tls"))]
            Command::Authenticate {
                config,
                local_host,
                local_port,
                tls,
                reply,
            } => self.authenticate(config, local_host, local_port, tls, reply),
            #[cfg(all(feature = "relay", feature = "tls"))]
            Command::AddRelaySession {
                registration,
                peer_path,
                config,
                reply,
            } => {
                let config = config.with_sink(SinkKind::InOrder);
                let _ = reply.send(self.add_relay_session(registration, &peer_path, config));
            }
            #[cfg(all(feature = "relay", feature = "tls"))]
            Command::Deregister {
                registration,
                reply,
            } => self.deregister(registration, reply),
        }
    }

    fn shutdown(&mut self) {
        for task in self.listeners.drain(..) {
            task.abort();
        }
        let now = Instant::now();
        for (id, conn) in self.conns.drain() {
            conn.reader.abort();
            io::linger(conn.writer, conn.writer_task);
            let _ = self.ep.close_connection(now, id);
        }
        self.by_peer.clear();
        #[cfg(all(feature = "relay", feature = "tls"))]
        self.relays.clear();
        for (_, m) in self.outgoing.drain() {
            let _ = m.done.send(Err(TransferError::Stopped));
        }
        for (_, m) in self.incoming.drain() {
            if let Some(tx) = m.sink {
                let _ = tx.send(SinkItem::Fail(TransferError::Stopped));
            }
        }
        // Sinks still writing a completed message's tail stop too.
        for (_, s) in self.sinks.drain() {
            if let Some(cancel) = s.cancel {
                let _ = cancel.send(());
            }
        }
    }
}

fn end_item(end: Result<u64, TransferError>) -> SinkItem {
    match end {
        Ok(size) => SinkItem::End(size),
        Err(e) => SinkItem::Fail(e),
    }
}
