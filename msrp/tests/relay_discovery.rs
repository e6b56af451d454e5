//! RFC 4976 §8 relay discovery in the driver, over loopback: a relay URI with a domain and no
//! port reached through the SRV targets an application resolver gives (in RFC 2782 order,
//! past a target that fails), a domain whose SRV answer is `.`, and a URI with a port (no
//! SRV lookup). The real relay (`RelayDriver`) answers; ports are chosen by the OS.

#[path = "support/identity.rs"]
mod identity;

use identity::{Identity, identity, provider};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use msrp::net::relay::{SrvLookup, SrvResolver};
use msrp::net::relay_server::{RelayDriver, RelayDriverConfig};
use msrp::net::tls::FingerprintVerifier;
use msrp::net::{Driver, DriverConfig, NetError};
use msrp::relay::client::{ClientConfig, Failure, Relay as RelayHop};
use msrp::relay::digest::{self, CredentialStore, DigestServer};
use msrp::relay::discovery::{DiscoveryError, SrvRecord};
use msrp::relay::engine::{Relay, RelayConfig};
use msrp::{Host, IdGenerator, MsrpUri};
use tokio::net::TcpListener;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

struct Users;

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        (username == "alice").then(|| digest::ha1(username, realm, "alice-secret"))
    }
}

/// SRV answers from a table; remembers what it was asked.
#[derive(Debug, Default)]
struct Table {
    answers: HashMap<String, Vec<SrvRecord>>,
    asked: Mutex<Vec<String>>,
}

impl SrvResolver for Table {
    fn lookup_srv(&self, name: &str) -> SrvLookup {
        self.asked.lock().unwrap().push(name.to_owned());
        let found = self.answers.get(name).cloned().unwrap_or_default();
        Box::pin(async move { Ok(found) })
    }
}

/// The real relay, named `localhost` (as a relay reached through SRV is named after its
/// domain), listening with TLS on 127.0.0.1.
async fn relay(me: &Identity) -> (RelayDriver, u16) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let auth = DigestServer::new(
        "relay.srv",
        [9; 32],
        Duration::from_secs(300),
        Instant::now(),
    );
    let relay = Relay::new(RelayConfig::new("localhost", port), IdGenerator::default())
        .with_authentication(auth, Box::new(Users));
    let (driver, _events) = RelayDriver::spawn(relay, RelayDriverConfig::default());
    let server = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![me.cert.clone()], me.key.clone_key())
        .unwrap();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    driver.listen_tls(addr, Arc::new(server)).await.unwrap();
    (driver, port)
}

fn client_tls(me: &Identity) -> Arc<rustls::ClientConfig> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(FingerprintVerifier::new([me.fingerprint]))
        .with_no_client_auth();
    Arc::new(config)
}

/// A listener that closes every connection at once (so the TLS handshake fails), counting
/// them.
async fn refusing() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (port, count)
}

async fn authenticate(
    table: Table,
    relay: &str,
    tls: Arc<rustls::ClientConfig>,
) -> (
    Result<msrp::net::relay::RelayRegistration, NetError>,
    Arc<Table>,
) {
    let table = Arc::new(table);
    let config = DriverConfig::default().with_srv_resolver(table.clone());
    let (driver, _events) = Driver::spawn(config);
    let hop = RelayHop::new(relay.parse::<MsrpUri>().unwrap(), "alice", "alice-secret");
    let result = timeout(
        LIMIT,
        driver.authenticate(ClientConfig::new(vec![hop]), "127.0.0.1", 9, tls),
    )
    .await
    .unwrap();
    driver.shutdown().await;
    (result, table)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_targets_are_tried_in_priority_order_past_one_that_fails() {
    let me = identity();
    let (relay, port) = relay(&me).await;
    let (broken, tries) = refusing().await;
    let table = Table {
        answers: HashMap::from([(
            "_msrps._tcp.localhost".to_owned(),
            vec![
                SrvRecord::new(20, 1, port, "127.0.0.1."),
                SrvRecord::new(10, 1, broken, "127.0.0.1."),
            ],
        )]),
        ..Table::default()
    };
    let (result, table) = authenticate(table, "msrps://localhost;tcp", client_tls(&me)).await;
    let registration = result.unwrap();
    // The relay answered the AUTH for its own name, and its Use-Path names it.
    let first = registration.use_path.first();
    assert_eq!(first.host(), Host::Name("localhost"));
    assert_eq!(first.port(), Some(port));
    assert_eq!(*table.asked.lock().unwrap(), ["_msrps._tcp.localhost"]);
    // Priority 10 went first and failed; priority 20 was reached after it.
    assert_eq!(tries.load(Ordering::SeqCst), 1);
    relay.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_whose_srv_answer_is_a_dot_offers_no_relay() {
    let me = identity();
    let table = Table {
        answers: HashMap::from([(
            "_msrps._tcp.localhost".to_owned(),
            vec![SrvRecord::new(0, 0, 0, ".")],
        )]),
        ..Table::default()
    };
    let (result, _) = authenticate(table, "msrps://localhost;tcp", client_tls(&me)).await;
    match result {
        Err(NetError::Relay(f)) => {
            assert_eq!(f.relay.to_string(), "msrps://localhost;tcp");
            assert_eq!(f.reason, Failure::Discovery(DiscoveryError::NotOffered));
        }
        other => panic!("expected a discovery failure, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_uri_with_a_port_is_not_looked_up_in_srv() {
    let me = identity();
    let (relay, port) = relay(&me).await;
    let (result, table) = authenticate(
        Table::default(),
        &format!("msrps://localhost:{port};tcp"),
        client_tls(&me),
    )
    .await;
    assert_eq!(result.unwrap().use_path.first().port(), Some(port));
    assert!(table.asked.lock().unwrap().is_empty());
    relay.shutdown().await;
}
