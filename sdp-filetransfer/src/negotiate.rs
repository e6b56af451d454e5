//! Offer/answer for file transfer (RFC 5547 §8 over RFC 3264, with RFC 4975 §8 media).

use crate::attribute::Attribute;
use crate::date::FileDate;
use crate::error::{AnswerError, AttributeError, NotAcceptable, OfferError};
use crate::file_attrs::{ContentIdUrl, Disposition, FileRange, FileTransferId};
use crate::ids::IdGenerator;
use crate::media_attrs::{Direction, Fingerprint, FormatEntry, Setup};
use crate::roles::{AddressCheck, answer_setup, check_address, offer_setup};
use crate::selector::{FileSelector, Selector};
use crate::session::{Connection, MediaDescription, Origin, SessionDescription, addr_type_of};

/// Length of generated MSRP session ids in `a=path`: 20 alphanumerics, about 119 random bits
/// (DESIGN asks for at least 80; RFC 4975 §14.1 for hard-to-guess ones).
pub const GENERATED_SESSION_ID_LEN: usize = 20;

/// The discard port an `active`-only endpoint puts in `m=` (RFC 4145 §4, RFC 6135 §4.2.2).
pub const DISCARD_PORT: u16 = 9;

/// What this endpoint advertises in the descriptions it builds, and where its randomness comes
/// from.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct NegotiatorConfig {
    /// `o=` user name. Default `-`.
    pub username: String,
    /// The address in `o=`, `c=` and the `a=path` URIs: a host name or an IP address.
    /// Default `127.0.0.1`.
    pub address: String,
    /// The TCP port MSRP listens on (used when [`reachable`](Self::reachable)). Default 2855.
    pub port: u16,
    /// Offer `TCP/TLS/MSRP` and `msrps:` URIs. Default false.
    pub secure: bool,
    /// Whether peers can open connections to `address:port` (no NAT in the way). Reachable
    /// endpoints offer `a=setup:actpass` and answer `actpass` with `passive`; others offer
    /// `active` with port 9 and answer `actpass` with `active` (RFC 6135 §4.2.2). Default true.
    pub reachable: bool,
    /// `a=accept-types`: what this endpoint accepts in SENDs, and the file types it accepts
    /// in push offers. Default `*`.
    pub accept_types: Vec<FormatEntry>,
    /// `a=accept-wrapped-types`, written when not empty. Default empty.
    pub accept_wrapped_types: Vec<FormatEntry>,
    /// `a=max-size`, the largest message this endpoint takes (RFC 4975 §8.6). Default none.
    pub max_size: Option<u64>,
    /// Offer and answer `a=msrp-cema` (RFC 6714). Default false.
    pub cema: bool,
    /// `a=fingerprint` of this endpoint's certificate, written on `TCP/TLS/MSRP` media.
    pub fingerprint: Option<Fingerprint>,
    /// MSRP relays this endpoint uses (RFC 4976), first hop first; they precede its own URI in
    /// `a=path`. Default none.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub relays: Vec<msrp::MsrpUri>,
    /// The source of transfer ids, MSRP session ids and the `o=` session id. Default: the OS
    /// CSPRNG.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub ids: IdGenerator,
}

impl Default for NegotiatorConfig {
    fn default() -> Self {
        Self {
            username: "-".into(),
            address: "127.0.0.1".into(),
            port: 2855,
            secure: false,
            reachable: true,
            accept_types: vec![FormatEntry::any()],
            accept_wrapped_types: Vec::new(),
            max_size: None,
            cema: false,
            fingerprint: None,
            relays: Vec::new(),
            ids: IdGenerator::os(),
        }
    }
}

impl NegotiatorConfig {
    /// Sets [`address`](Self::address).
    pub fn with_address(mut self, address: &str) -> Self {
        self.address = address.into();
        self
    }

    /// Sets [`port`](Self::port).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets [`username`](Self::username).
    pub fn with_username(mut self, username: &str) -> Self {
        self.username = username.into();
        self
    }

    /// Sets [`secure`](Self::secure).
    pub fn with_secure(mut self, secure: bool) -> Self {
        self.secure = secure;
        self
    }

    /// Sets [`reachable`](Self::reachable).
    pub fn with_reachable(mut self, reachable: bool) -> Self {
        self.reachable = reachable;
        self
    }

    /// Sets [`accept_types`](Self::accept_types).
    pub fn with_accept_types(mut self, types: Vec<FormatEntry>) -> Self {
        self.accept_types = types;
        self
    }

    /// Sets [`accept_wrapped_types`](Self::accept_wrapped_types).
    pub fn with_accept_wrapped_types(mut self, types: Vec<FormatEntry>) -> Self {
        self.accept_wrapped_types = types;
        self
    }

    /// Sets [`max_size`](Self::max_size).
    pub fn with_max_size(mut self, max: u64) -> Self {
        self.max_size = Some(max);
        self
    }

    /// Sets [`cema`](Self::cema).
    pub fn with_cema(mut self, cema: bool) -> Self {
        self.cema = cema;
        self
    }

    /// Sets [`fingerprint`](Self::fingerprint).
    pub fn with_fingerprint(mut self, fingerprint: Fingerprint) -> Self {
        self.fingerprint = Some(fingerprint);
        self
    }

    /// Sets [`relays`](Self::relays).
    pub fn with_relays(mut self, relays: Vec<msrp::MsrpUri>) -> Self {
        self.relays = relays;
        self
    }

    /// Sets [`ids`](Self::ids): tests and fuzzing pass a seeded source.
    pub fn with_id_generator(mut self, ids: IdGenerator) -> Self {
        self.ids = ids;
        self
    }
}

/// A file to offer: its selector and the optional descriptive attributes (RFC 5547 §8.2.1).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FileOffer {
    /// The selector. A push offer needs a type, size or hash; a pull offer any selector.
    pub selector: FileSelector,
    /// `i=`: a short description of the file.
    pub description: Option<String>,
    /// `a=file-disposition` (push only).
    pub disposition: Option<Disposition>,
    /// `a=file-date` (push only).
    pub date: Option<FileDate>,
    /// `a=file-icon` (push only); the SDP must then travel as the root of a
    /// `multipart/related` body holding the icon (RFC 5547 §8.8).
    pub icon: Option<ContentIdUrl>,
    /// `a=file-range`: a part of the file (resume, RFC 5547 §8.1).
    pub range: Option<FileRange>,
}

impl FileOffer {
    /// A file described by `selector`.
    pub fn new(selector: FileSelector) -> Self {
        Self {
            selector,
            ..Self::default()
        }
    }

    /// Sets [`description`](Self::description).
    pub fn with_description(mut self, text: &str) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Sets [`disposition`](Self::disposition).
    pub fn with_disposition(mut self, d: Disposition) -> Self {
        self.disposition = Some(d);
        self
    }

    /// Sets [`date`](Self::date).
    pub fn with_date(mut self, d: FileDate) -> Self {
        self.date = Some(d);
        self
    }

    /// Sets [`icon`](Self::icon).
    pub fn with_icon(mut self, icon: ContentIdUrl) -> Self {
        self.icon = Some(icon);
        self
    }

    /// Sets [`range`](Self::range).
    pub fn with_range(mut self, range: FileRange) -> Self {
        self.range = Some(range);
        self
    }
}

/// Whether the offerer sends the file (push) or asks for it (pull) (RFC 5547 §3, §8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// The offerer sends (`a=sendonly` in the offer).
    Push,
    /// The offerer receives (`a=recvonly` in the offer).
    Pull,
}

/// A file-transfer media section of a received offer, read and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OfferedFile {
    /// Index of the media section.
    pub index: usize,
    /// Push or pull.
    pub operation: Operation,
    /// The file selector.
    pub selector: FileSelector,
    /// The transfer id.
    pub transfer_id: FileTransferId,
    /// The requested range, if any.
    pub range: Option<FileRange>,
    /// The suggested disposition (`render` when absent, RFC 5547 §7).
    pub disposition: Disposition,
    /// The file dates, if given.
    pub date: Option<FileDate>,
    /// The icon's `cid:` URL, if given.
    pub icon: Option<ContentIdUrl>,
    /// The `i=` text, if given.
    pub description: Option<String>,
    /// The peer's MSRP path.
    pub path: msrp::Path,
    /// The peer's `a=max-size`.
    pub max_size: Option<u64>,
    /// Why this section cannot be accepted (it is then rejected by
    /// [`Negotiator::accept_all`]), or `None`.
    pub problem: Option<NotAcceptable>,
}

/// One media section of a received offer, as [`Negotiator::inspect`] sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OfferedMedia {
    /// An open file transfer.
    File(Box<OfferedFile>),
    /// A file transfer offered with port 0: closed or aborted (RFC 5547 §8.4); the answer
    /// mirrors it with port 0.
    Closed,
    /// Not a file transfer (audio, a plain MSRP chat ...): always rejected with port 0.
    Other,
}

/// What to do with one media section of an offer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Accept: for push, receive the file; for pull, send the file the selector names (the
    /// answer then echoes the offer's selector).
    Accept,
    /// Accept a pull request and describe the file to be sent: the answer carries this
    /// selector's type and hash (RFC 5547 §8.3.2: the sender SHOULD add its SHA-1 and MAY add
    /// the type; a hash that differs from the offered one means the file goes without the
    /// offered hash). For push offers this is the same as [`Decision::Accept`]: the selector
    /// must be echoed.
    AcceptWith(FileSelector),
    /// Reject: port 0, with the selector and transfer id mirrored (RFC 5547 §8.3).
    Reject,
}

/// Builds offers and answers for one SIP session: it owns the `o=` line (session id fixed,
/// version increased for every description it builds, RFC 3264 §8) and draws transfer ids and
/// MSRP session ids from the configured [`IdGenerator`].
///
/// ```
/// use sdp_filetransfer::{FileHash, FileOffer, FileSelector, FileType, Negotiator, NegotiatorConfig};
/// let mut alice = Negotiator::new(NegotiatorConfig::default().with_address("alicepc.example.com"));
/// let sel = FileSelector::new()
///     .with_name("sunset.jpg")
///     .with_type(FileType::new("image", "jpeg")?)
///     .with_size(4096);
/// let offer = alice.push_offer(&[FileOffer::new(sel)])?;
/// let mut bob = Negotiator::new(NegotiatorConfig::default().with_address("bobpc.example.com"));
/// let answer = bob.accept_all(&offer)?;
/// sdp_filetransfer::validate_answer(&offer, &answer)?;
/// assert_eq!(answer.media[0].file_transfer_id(), offer.media[0].file_transfer_id());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Negotiator {
    config: NegotiatorConfig,
    session_id: u64,
    version: u64,
}

impl Negotiator {
    /// A negotiator for a new session; the `o=` session id is drawn from `config.ids`.
    pub fn new(mut config: NegotiatorConfig) -> Self {
        // Below 2^62, so peers that read the id as a signed 64-bit number cope, and the version
        // can grow without overflow.
        let session_id = config.ids.next_u64() >> 2;
        Self {
            config,
            session_id,
            version: session_id,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &NegotiatorConfig {
        &self.config
    }

    /// The configuration, to change it between exchanges.
    pub fn config_mut(&mut self) -> &mut NegotiatorConfig {
        &mut self.config
    }

    fn base(&mut self) -> Result<SessionDescription, AttributeError> {
        let addr = &self.config.address;
        if !crate::grammar::is_non_ws(addr) || !crate::grammar::is_non_ws(&self.config.username) {
            return Err(AttributeError::BadText);
        }
        let origin = Origin {
            username: self.config.username.clone(),
            session_id: self.session_id,
            session_version: self.version,
            net_type: "IN".into(),
            addr_type: addr_type_of(addr).into(),
            address: addr.clone(),
        };
        self.version += 1;
        let mut sd = SessionDescription::new(origin);
        sd.connection = Some(Connection::internet(addr));
        Ok(sd)
    }

    /// A fresh local path: the relays, then `msrp[s]://address:port/<random>;tcp`.
    fn local_path(&mut self, secure: bool, port: u16) -> Result<msrp::Path, AttributeError> {
        let scheme = if secure { "msrps" } else { "msrp" };
        let addr = &self.config.address;
        let host = if addr.parse::<std::net::Ipv6Addr>().is_ok() {
            format!("[{addr}]")
        } else {
            addr.clone()
        };
        let sid = self.config.ids.alphanumeric(GENERATED_SESSION_ID_LEN);
        let own = msrp::MsrpUri::parse(format!("{scheme}://{host}:{port}/{sid};tcp"))
            .map_err(AttributeError::BadUri)?;
        let mut path = msrp::Path::from_uris(self.config.relays.iter().cloned())
            .unwrap_or_else(|| msrp::Path::new(own.clone()));
        if !self.config.relays.is_empty() {
            path.push(own);
        }
        Ok(path)
    }

    /// The MSRP attributes every section this endpoint writes carries (RFC 4975 §8), and the
    /// `m=` port.
    fn msrp_section(
        &mut self,
        secure: bool,
        setup: Setup,
        cema: bool,
    ) -> Result<MediaDescription, AttributeError> {
        // RFC 4145 §4 / RFC 6135 §4.2.2: an active-only endpoint has no port to offer.
        let port = if setup == Setup::Active {
            DISCARD_PORT
        } else {
            self.config.port
        };
        let path = self.local_path(secure, port)?;
        let mut m = MediaDescription::msrp(port, secure);
        // RFC 6714 §4.2: with CEMA behind a relay, c=/m= carry the relay's address.
        if cema {
            if let Some(relay) = self.config.relays.first() {
                m.connections.push(Connection::internet(relay.host_str()));
                m.port = relay.port().unwrap_or(port);
            }
        }
        m.attributes
            .push(Attribute::AcceptTypes(self.config.accept_types.clone()));
        if !self.config.accept_wrapped_types.is_empty() {
            m.attributes.push(Attribute::AcceptWrappedTypes(
                self.config.accept_wrapped_types.clone(),
            ));
        }
        if let Some(max) = self.config.max_size {
            m.attributes.push(Attribute::MaxSize(max));
        }
        m.attributes.push(Attribute::Path(path));
        m.attributes.push(Attribute::Setup(setup));
        if cema {
            m.attributes.push(Attribute::MsrpCema);
        }
        if secure {
            if let Some(fp) = &self.config.fingerprint {
                m.attributes.push(Attribute::Fingerprint(fp.clone()));
            }
        }
        Ok(m)
    }

    fn offer(
        &mut self,
        files: &[FileOffer],
        operation: Operation,
    ) -> Result<SessionDescription, OfferError> {
        if files.is_empty() {
            return Err(OfferError::NoFiles);
        }
        for (index, f) in files.iter().enumerate() {
            match operation {
                Operation::Push if !f.selector.describes_push() => {
                    return Err(OfferError::PushSelectorTooThin { index });
                }
                Operation::Pull if f.selector.is_empty() => {
                    return Err(OfferError::EmptySelector { index });
                }
                _ => {}
            }
        }
        let mut sd = self.base().map_err(|_| OfferError::BadAddress)?;
        let setup = offer_setup(self.config.reachable);
        let (secure, cema) = (self.config.secure, self.config.cema);
        for f in files {
            let mut m = self.msrp_section(secure, setup, cema)?;
            if let Some(d) = &f.description {
                if !crate::grammar::is_text(d) {
                    return Err(OfferError::Attribute(AttributeError::BadText));
                }
                m.information = Some(d.clone());
            }
            let (direction, descriptive) = match operation {
                Operation::Push => (Direction::SendOnly, true),
                // RFC 5547 §8.2.2: pull offers RECOMMENDED to carry no other file attributes.
                Operation::Pull => (Direction::RecvOnly, false),
            };
            m.attributes.insert(0, Attribute::Direction(direction));
            m.attributes
                .push(Attribute::FileSelector(f.selector.clone()));
            m.attributes
                .push(Attribute::FileTransferId(FileTransferId::generate(
                    &mut self.config.ids,
                )));
            if descriptive {
                if let Some(d) = &f.disposition {
                    m.attributes.push(Attribute::FileDisposition(d.clone()));
                }
                if let Some(d) = f.date.as_ref().filter(|d| !d.is_empty()) {
                    m.attributes.push(Attribute::FileDate(d.clone()));
                }
                if let Some(i) = &f.icon {
                    m.attributes.push(Attribute::FileIcon(i.clone()));
                }
            }
            if let Some(r) = f.range {
                m.attributes.push(Attribute::FileRange(r));
            }
            sd.media.push(m);
        }
        Ok(sd)
    }

    /// A push offer: one `a=sendonly` media section per file, each with a new random transfer
    /// id (RFC 5547 §8.2.1, §8.2.3).
    pub fn push_offer(&mut self, files: &[FileOffer]) -> Result<SessionDescription, OfferError> {
        self.offer(files, Operation::Push)
    }

    /// A pull offer: one `a=recvonly` media section per requested file (RFC 5547 §8.2.2). Only
    /// the selector, transfer id and range are written.
    pub fn pull_offer(&mut self, files: &[FileOffer]) -> Result<SessionDescription, OfferError> {
        self.offer(files, Operation::Pull)
    }

    /// An offer that resumes the transfer of media section `index` of `previous` (RFC 5547 §8.1:
    /// a resume is a new transfer, so it gets a new transfer id, and a `file-range`).
    ///
    /// `previous_was_ours` says whether `previous` was this endpoint's offer (then the new
    /// offer keeps its direction) or the peer's (then the direction flips: the receiver of a
    /// push resumes with a pull, and the other way round).
    pub fn resume_offer(
        &mut self,
        previous: &SessionDescription,
        index: usize,
        previous_was_ours: bool,
        range: FileRange,
    ) -> Result<SessionDescription, OfferError> {
        let m = previous
            .media
            .get(index)
            .filter(|m| m.is_file_transfer())
            .ok_or(OfferError::NotFileTransfer { index })?;
        let offered = previous.direction(index);
        let ours = if previous_was_ours {
            offered
        } else {
            offered.reversed()
        };
        let operation = match ours {
            Direction::SendOnly => Operation::Push,
            Direction::RecvOnly => Operation::Pull,
            _ => return Err(OfferError::NotFileTransfer { index }),
        };
        let file = FileOffer {
            selector: m.file_selector().cloned().unwrap_or_default(),
            description: m.information.clone(),
            disposition: m.file_disposition().cloned(),
            date: m.file_date().cloned(),
            icon: None, // the icon body is not carried over
            range: Some(range),
        };
        self.offer(std::slice::from_ref(&file), operation)
    }

    /// A re-offer that closes the file transfers at `indexes` (RFC 5547 §8.4 abort, §8.1 after
    /// completion): `ours` is the last description this endpoint sent in the session (its
    /// offer, or its answer when the peer offered), repeated with port 0 on those media
    /// sections, the same transfer ids, and a new `o=` version.
    pub fn close_offer(
        &mut self,
        ours: &SessionDescription,
        indexes: &[usize],
    ) -> Result<SessionDescription, OfferError> {
        let mut sd = ours.clone();
        for &index in indexes {
            let m = sd
                .media
                .get_mut(index)
                .filter(|m| m.is_file_transfer())
                .ok_or(OfferError::NotFileTransfer { index })?;
            m.port = 0;
        }
        sd.origin = self.base().map_err(|_| OfferError::BadAddress)?.origin;
        Ok(sd)
    }

    /// The description for a SIP OPTIONS answer (RFC 5547 §8.5, §9.3; IR.79): `m=message 0
    /// TCP/MSRP *` with `a=accept-types`, `a=accept-wrapped-types` (if configured), `a=max-size`
    /// (if configured) and an empty `a=file-selector`, and no other file attribute.
    pub fn capability(&mut self) -> Result<SessionDescription, OfferError> {
        let mut sd = self.base().map_err(|_| OfferError::BadAddress)?;
        let mut m = MediaDescription::msrp(0, self.config.secure);
        m.attributes
            .push(Attribute::AcceptTypes(self.config.accept_types.clone()));
        if !self.config.accept_wrapped_types.is_empty() {
            m.attributes.push(Attribute::AcceptWrappedTypes(
                self.config.accept_wrapped_types.clone(),
            ));
        }
        if let Some(max) = self.config.max_size {
            m.attributes.push(Attribute::MaxSize(max));
        }
        m.attributes
            .push(Attribute::FileSelector(FileSelector::new()));
        sd.media.push(m);
        Ok(sd)
    }

    /// Reads and checks a received offer. An offer that breaks a MUST of RFC 4975 §8 or RFC 5547
    /// in an open file-transfer section, or that holds no file transfer at all, is
    /// [`AnswerError::NotAcceptable`] (answer SIP 488). Sections that are well-formed but that
    /// this endpoint cannot take (a file type outside `accept_types`, an address a middlebox
    /// rewrote) carry an [`OfferedFile::problem`].
    pub fn inspect(&self, offer: &SessionDescription) -> Result<Vec<OfferedMedia>, AnswerError> {
        let mut out = Vec::with_capacity(offer.media.len());
        let mut any_file = false;
        for (index, m) in offer.media.iter().enumerate() {
            if !m.is_file_transfer() {
                out.push(OfferedMedia::Other);
                continue;
            }
            any_file = true;
            if m.port == 0 {
                out.push(OfferedMedia::Closed);
                continue;
            }
            let file = self
                .check_file(offer, index, m)
                .map_err(AnswerError::NotAcceptable)?;
            out.push(OfferedMedia::File(Box::new(file)));
        }
        if !any_file {
            return Err(AnswerError::NotAcceptable(NotAcceptable::NoFileTransfer));
        }
        Ok(out)
    }

    fn check_file(
        &self,
        offer: &SessionDescription,
        index: usize,
        m: &MediaDescription,
    ) -> Result<OfferedFile, NotAcceptable> {
        // RFC 4975 §8.1: the format list is "*".
        if m.formats.len() != 1 || m.formats[0] != "*" {
            return Err(NotAcceptable::BadFormat { index });
        }
        for attribute in ["path", "accept-types", "file-selector", "file-transfer-id"] {
            match m.count(attribute) {
                0 => return Err(NotAcceptable::Missing { index, attribute }),
                1 => {}
                _ => return Err(NotAcceptable::Repeated { index, attribute }),
            }
        }
        let (Some(selector), Some(transfer_id), Some(path)) =
            (m.file_selector(), m.file_transfer_id(), m.path())
        else {
            return Err(NotAcceptable::Missing {
                index,
                attribute: "file-selector",
            });
        };
        if selector.is_empty() {
            return Err(NotAcceptable::EmptySelector { index });
        }
        let operation = match offer.direction(index) {
            Direction::SendOnly => Operation::Push,
            Direction::RecvOnly => Operation::Pull,
            _ => return Err(NotAcceptable::BadDirection { index }),
        };
        // RFC 4975 §8.2: explicit ports; msrps goes with TCP/TLS/MSRP.
        if path.iter().any(|u| u.port().is_none()) || path.first().is_secure() != m.is_secure() {
            return Err(NotAcceptable::BadPath { index });
        }
        let mut problem = None;
        if operation == Operation::Push {
            if let Some(t) = selector.file_type() {
                let direct = t.is_accepted_by(&self.config.accept_types);
                let wrapped = self
                    .config
                    .accept_types
                    .iter()
                    .any(|e| !e.is_any() && e.matches("message", "cpim"))
                    && t.is_accepted_by(&self.config.accept_wrapped_types);
                if !direct && !wrapped {
                    problem = Some(NotAcceptable::UnsupportedType { index });
                }
            }
        }
        // RFC 6714 §4.3: if we are to connect and the offer has no CEMA, c=/m= must match the
        // path; otherwise a middlebox rewrote them and the stream cannot work.
        let we_connect =
            answer_setup(offer.setup_for(index), self.config.reachable) == Setup::Active;
        if problem.is_none() && we_connect && check_address(offer, index) == AddressCheck::Mismatch
        {
            problem = Some(NotAcceptable::CemaMismatch { index });
        }
        Ok(OfferedFile {
            index,
            operation,
            selector: selector.clone(),
            transfer_id: transfer_id.clone(),
            range: m.file_range(),
            disposition: m.file_disposition().cloned().unwrap_or_default(),
            date: m.file_date().cloned(),
            icon: m.file_icon().cloned(),
            description: m.information.clone(),
            path: path.clone(),
            max_size: m.max_size(),
            problem,
        })
    }

    /// Answers `offer` with one decision per media section (RFC 3264 §6, RFC 5547 §8.3).
    /// Sections that are not open file transfers are rejected whatever the decision.
    pub fn answer(
        &mut self,
        offer: &SessionDescription,
        decisions: &[Decision],
    ) -> Result<SessionDescription, AnswerError> {
        let offered = self.inspect(offer)?;
        self.answer_inspected(offer, &offered, decisions)
    }

    fn answer_inspected(
        &mut self,
        offer: &SessionDescription,
        offered: &[OfferedMedia],
        decisions: &[Decision],
    ) -> Result<SessionDescription, AnswerError> {
        if decisions.len() != offer.media.len() {
            return Err(AnswerError::DecisionCount {
                expected: offer.media.len(),
                got: decisions.len(),
            });
        }
        let mut sd = self.base()?;
        for (index, ((m, seen), decision)) in
            offer.media.iter().zip(offered).zip(decisions).enumerate()
        {
            let section = match (seen, decision) {
                (OfferedMedia::File(f), Decision::Accept | Decision::AcceptWith(_)) => {
                    if let Some(reason) = &f.problem {
                        return Err(AnswerError::CannotAccept {
                            index,
                            reason: reason.clone(),
                        });
                    }
                    let local = match decision {
                        Decision::AcceptWith(s) => Some(s),
                        _ => None,
                    };
                    self.accepted(offer, index, m, f, local)?
                }
                (OfferedMedia::Other, Decision::Accept | Decision::AcceptWith(_))
                | (OfferedMedia::Closed, Decision::Accept | Decision::AcceptWith(_)) => {
                    return Err(AnswerError::CannotAccept {
                        index,
                        reason: NotAcceptable::NotFileTransfer { index },
                    });
                }
                _ => rejected(m),
            };
            sd.media.push(section);
        }
        Ok(sd)
    }

    fn accepted(
        &mut self,
        offer: &SessionDescription,
        index: usize,
        m: &MediaDescription,
        f: &OfferedFile,
        local: Option<&FileSelector>,
    ) -> Result<MediaDescription, AnswerError> {
        let setup = answer_setup(offer.setup_for(index), self.config.reachable);
        let cema = self.config.cema && m.has_cema();
        let mut out = self.msrp_section(m.is_secure(), setup, cema)?;
        out.protocol = m.protocol.clone();
        let direction = match f.operation {
            Operation::Push => Direction::RecvOnly,
            Operation::Pull => Direction::SendOnly,
        };
        out.attributes.insert(0, Attribute::Direction(direction));
        let selector = match (f.operation, local) {
            // RFC 5547 §8.3.1: the receiver copies name, type and size (and the example copies
            // the hash as well).
            (Operation::Push, _) | (Operation::Pull, None) => f.selector.clone(),
            (Operation::Pull, Some(local)) => pull_answer_selector(&f.selector, local),
        };
        out.attributes.push(Attribute::FileSelector(selector));
        out.attributes
            .push(Attribute::FileTransferId(f.transfer_id.clone()));
        // RFC 5547 §8.3.1, §8.3.2: accepting a range means echoing it.
        if let Some(r) = f.range {
            out.attributes.push(Attribute::FileRange(r));
        }
        Ok(out)
    }

    /// Accepts every open file transfer this endpoint can take and rejects the rest. If the
    /// offer holds open file transfers and none can be taken, that is
    /// [`AnswerError::NotAcceptable`] with the first reason (RFC 4975 §8.6: 488 when no
    /// offered type is understood).
    pub fn accept_all(
        &mut self,
        offer: &SessionDescription,
    ) -> Result<SessionDescription, AnswerError> {
        let offered = self.inspect(offer)?;
        let decisions: Vec<Decision> = offered
            .iter()
            .map(|o| match o {
                OfferedMedia::File(f) if f.problem.is_none() => Decision::Accept,
                _ => Decision::Reject,
            })
            .collect();
        let first_problem = offered.iter().find_map(|o| match o {
            OfferedMedia::File(f) => f.problem.clone(),
            _ => None,
        });
        if let Some(reason) = first_problem {
            if !decisions.contains(&Decision::Accept) {
                return Err(AnswerError::NotAcceptable(reason));
            }
        }
        self.answer_inspected(offer, &offered, &decisions)
    }

    /// Rejects every media section (port 0, selectors and transfer ids mirrored). An offer that
    /// is not acceptable at all still gives [`AnswerError::NotAcceptable`].
    pub fn reject_all(
        &mut self,
        offer: &SessionDescription,
    ) -> Result<SessionDescription, AnswerError> {
        let offered = self.inspect(offer)?;
        let decisions = vec![Decision::Reject; offer.media.len()];
        self.answer_inspected(offer, &offered, &decisions)
    }
}

/// A pull answer's selector (RFC 5547 §8.3.2): the sender's type and hashes; where it has none,
/// the offer's. A sender hash that contradicts an offered one of the same algorithm wins and the
/// offered one is dropped ("send the file without that hash value").
fn pull_answer_selector(offered: &FileSelector, local: &FileSelector) -> FileSelector {
    let mut out = FileSelector::new();
    match (local.file_type(), offered.file_type()) {
        (Some(t), _) | (None, Some(t)) => out = out.with_type(t.clone()),
        (None, None) => {}
    }
    let mut any_hash = false;
    for h in local.hashes() {
        out = out.with_selector(Selector::Hash(h.clone()));
        any_hash = true;
    }
    if !any_hash {
        for h in offered.hashes() {
            out = out.with_selector(Selector::Hash(h.clone()));
        }
    }
    if out.is_empty() { offered.clone() } else { out }
}

/// A rejected section (RFC 3264 §6: port 0, same media and protocol, the offered formats); for
/// file transfers the selector and transfer id are mirrored (RFC 5547 §8.3).
fn rejected(m: &MediaDescription) -> MediaDescription {
    let mut out = MediaDescription {
        media: m.media.clone(),
        port: 0,
        port_count: None,
        protocol: m.protocol.clone(),
        formats: m.formats.clone(),
        information: None,
        connections: Vec::new(),
        bandwidths: Vec::new(),
        key: None,
        attributes: Vec::new(),
    };
    if m.is_msrp() {
        if let Some(s) = m.file_selector() {
            out.attributes.push(Attribute::FileSelector(s.clone()));
        }
        if let Some(id) = m.file_transfer_id() {
            out.attributes.push(Attribute::FileTransferId(id.clone()));
        }
    }
    out
}
