//! Requests of the caller's own on a connection, outside any session: RFC 4976 AUTH sent
//! over the connection to the first relay, which also carries the sessions' traffic.
//!
//! The engine queues such a request with the responses and REPORTs (so it never lands
//! inside a chunk), remembers its transaction id, and hands the matching response back as
//! [`Event::ResponseReceived`]. It keeps no timer for it: the caller's own protocol engine
//! (the relay module's `AuthClient`) has its own.

use std::time::Instant;

use super::Endpoint;
use super::connection::FOREIGN_TRANSACTIONS;
use super::event::{ConnectionId, UserError};
use crate::ident::TransactionId;
use crate::message::{Flag, Head, Message, Method, Request};

impl Endpoint {
    /// Queues a bodiless request that belongs to no session (an RFC 4976 AUTH) on
    /// `connection`, before any further chunk data. Its response comes back as
    /// [`Event::ResponseReceived`](super::Event::ResponseReceived) (at most the 16 latest such requests per connection are
    /// awaited). From then on the connection counts as in use: the bind timeout no longer
    /// closes it for having no session.
    ///
    /// Refuses requests with a body, and SEND and REPORT, which sessions send.
    pub fn send_request(
        &mut self,
        now: Instant,
        connection: ConnectionId,
        request: &Request,
    ) -> Result<(), UserError> {
        self.tick(now);
        if request.content_type.is_some() || matches!(request.method, Method::Send | Method::Report)
        {
            return Err(UserError::NotAStandaloneRequest);
        }
        let c = self
            .connections
            .get_mut(&connection)
            .ok_or(UserError::UnknownConnection)?;
        let bytes = Message {
            head: Head::Request(request.clone()),
            body: None,
            flag: Flag::Complete,
        }
        .to_bytes()
        .map_err(|_| UserError::NotAStandaloneRequest)?;
        c.foreign_use = true;
        if c.foreign.len() >= FOREIGN_TRANSACTIONS {
            c.foreign.pop_front();
        }
        c.foreign.push_back(request.transaction_id);
        c.push_control(bytes);
        self.enforce_control_limit();
        Ok(())
    }

    /// Whether `tid` is a request of the caller's own on `conn`; it is no longer awaited.
    pub(super) fn take_foreign(&mut self, conn: ConnectionId, tid: TransactionId) -> bool {
        let Some(c) = self.connections.get_mut(&conn) else {
            return false;
        };
        match c.foreign.iter().position(|t| *t == tid) {
            Some(i) => c.foreign.remove(i).is_some(),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::endpoint::{Endpoint, EndpointConfig, Event, UserError};
    use crate::ident::{IdGenerator, TransactionId};
    use crate::message::{Flag, Head, Message, Method, Request};
    use crate::status::StatusCode;
    use crate::uri::Path;

    fn auth(ids: &mut IdGenerator) -> Request {
        Request::new(
            TransactionId::generate(ids),
            Method::Auth,
            "msrps://relay.example.com:2855;tcp".parse().expect("path"),
            "msrps://client.example.com:1234/abcdefgh12345678;tcp"
                .parse()
                .expect("path"),
        )
    }

    fn wire(request: &Request, status: StatusCode) -> Vec<u8> {
        let relay: Path = "msrps://relay.example.com:2855;tcp".parse().expect("path");
        Message {
            head: Head::Response(request.response(status, relay)),
            body: None,
            flag: Flag::Complete,
        }
        .to_bytes()
        .expect("encodes")
        .to_vec()
    }

    #[test]
    fn response_to_own_request_is_handed_back_once() {
        let now = Instant::now();
        let mut ids = IdGenerator::default();
        let mut ep = Endpoint::new(EndpointConfig::default(), IdGenerator::default());
        let conn = ep.open_connection(now).expect("connection");
        let request = auth(&mut ids);
        ep.send_request(now, conn, &request).expect("queued");
        let sent = ep.poll_transmit().expect("the AUTH");
        assert!(sent.data.starts_with(b"MSRP "));
        assert!(
            std::str::from_utf8(&sent.data)
                .expect("utf8")
                .contains(" AUTH\r\n")
        );

        ep.handle_input(now, conn, &wire(&request, StatusCode::Unauthorized))
            .expect("input");
        match ep.poll_event() {
            Some(Event::ResponseReceived {
                connection,
                response,
            }) => {
                assert_eq!(connection, conn);
                assert_eq!(response.transaction_id, request.transaction_id);
                assert_eq!(response.status, StatusCode::Unauthorized);
            }
            other => panic!("expected the response, got {other:?}"),
        }
        // The same transaction id again is not awaited any more: ignored.
        ep.handle_input(now, conn, &wire(&request, StatusCode::Ok))
            .expect("input");
        assert_eq!(ep.poll_event(), None);
        // An unrelated response is ignored as before.
        ep.handle_input(now, conn, &wire(&auth(&mut ids), StatusCode::Ok))
            .expect("input");
        assert_eq!(ep.poll_event(), None);
    }

    #[test]
    fn connection_used_for_own_requests_is_not_unbound() {
        let now = Instant::now();
        let config = EndpointConfig::default();
        let after = config.bind_timeout.expect("a bind timeout by default");
        let mut ep = Endpoint::new(config, IdGenerator::default());
        let used = ep.open_connection(now).expect("connection");
        let idle = ep.open_connection(now).expect("connection");
        let mut ids = IdGenerator::default();
        ep.send_request(now, used, &auth(&mut ids)).expect("queued");
        ep.handle_timeout(now + after + Duration::from_secs(1));
        let mut failed = Vec::new();
        while let Some(e) = ep.poll_event() {
            if let Event::ConnectionFailed { connection, .. } = e {
                failed.push(connection);
            }
        }
        assert_eq!(failed, vec![idle]);
    }

    #[test]
    fn refuses_session_methods_and_bodies() {
        let now = Instant::now();
        let mut ids = IdGenerator::default();
        let mut ep = Endpoint::new(EndpointConfig::default(), IdGenerator::default());
        let conn = ep.open_connection(now).expect("connection");
        let mut send = auth(&mut ids);
        send.method = Method::Send;
        assert_eq!(
            ep.send_request(now, conn, &send),
            Err(UserError::NotAStandaloneRequest)
        );
        let mut with_body = auth(&mut ids);
        with_body.content_type = Some(crate::header::Text::new("text/plain").expect("text"));
        assert_eq!(
            ep.send_request(now, conn, &with_body),
            Err(UserError::NotAStandaloneRequest)
        );
        assert!(ep.poll_transmit().is_none());
    }

    #[test]
    fn only_the_latest_requests_are_awaited() {
        let now = Instant::now();
        let mut ids = IdGenerator::default();
        let mut ep = Endpoint::new(EndpointConfig::default(), IdGenerator::default());
        let conn = ep.open_connection(now).expect("connection");
        let requests: Vec<Request> = (0..17).map(|_| auth(&mut ids)).collect();
        for r in &requests {
            ep.send_request(now, conn, r).expect("queued");
        }
        let (first, last) = (&requests[0], &requests[16]);
        ep.handle_input(now, conn, &wire(first, StatusCode::Ok))
            .expect("input");
        assert_eq!(ep.poll_event(), None);
        ep.handle_input(now, conn, &wire(last, StatusCode::Ok))
            .expect("input");
        assert!(matches!(
            ep.poll_event(),
            Some(Event::ResponseReceived { .. })
        ));
    }
}
