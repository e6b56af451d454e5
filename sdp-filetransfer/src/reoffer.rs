//! Repeated offers (re-INVITE, UPDATE): what each file-transfer media section asks for
//! (RFC 5547 §8.1, Figure 3; §8.3.1, §8.3.2, §8.6).

use std::collections::HashSet;

use crate::file_attrs::FileTransferId;
use crate::session::SessionDescription;

/// What a media section of a repeated offer means for the transfer it describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reoffer {
    /// A file transfer id not seen before in this session: a new transfer. If the same media
    /// section carried a transfer that is still running, that one is aborted (RFC 5547 §8.1:
    /// "abort the existing transfer and start a new one").
    NewTransfer,
    /// The same transfer id and a selector that still selects the same file: the existing
    /// transfer goes on unchanged (session refresh, other streams changed, ...).
    Refresh,
    /// The same transfer id with a selector for a different file: an error; answer this
    /// section with port 0 (RFC 5547 §8.1).
    SelectorConflict,
    /// A transfer id this session used before for another transfer: no new transfer starts and
    /// the user is not alerted (RFC 5547 §8.3.1, §8.3.2); the answer still echoes it.
    ReusedId,
    /// Port 0: the transfer is closed or aborted (RFC 5547 §8.4).
    Closed,
    /// Not a file-transfer section.
    NotFileTransfer,
}

/// The file transfer ids a session has seen, so that a repeated id can be told from a new one
/// (RFC 5547 §8.1: "The SDP answerer MUST keep track of the proposed file transfer identifiers
/// in each session").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransferHistory {
    seen: HashSet<FileTransferId>,
}

impl TransferHistory {
    /// An empty history (a new session).
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the transfer ids of every file-transfer section of a description that was
    /// exchanged.
    pub fn record(&mut self, sd: &SessionDescription) {
        for m in &sd.media {
            if m.is_file_transfer() {
                if let Some(id) = m.file_transfer_id() {
                    self.seen.insert(id.clone());
                }
            }
        }
    }

    /// Whether the id was seen.
    pub fn contains(&self, id: &FileTransferId) -> bool {
        self.seen.contains(id)
    }

    /// How many ids were seen.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether no id was seen.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}

/// Classifies every media section of `offer` against the previous offer/answer state of the
/// session (`previous`: the last description exchanged, `None` for an initial offer) and the
/// ids the session has seen (RFC 5547 §8.1, Figure 3).
///
/// ```
/// use sdp_filetransfer::{classify_reoffer, Reoffer, SessionDescription, TransferHistory};
/// let first: SessionDescription = "v=0\r\no=- 1 1 IN IP4 a.example\r\ns=-\r\nc=IN IP4 a.example\r\nt=0 0\r\n\
/// m=message 7654 TCP/MSRP *\r\na=sendonly\r\na=accept-types:*\r\na=path:msrp://a.example:7654/s1;tcp\r\n\
/// a=file-selector:size:10\r\na=file-transfer-id:one\r\n".parse()?;
/// let mut history = TransferHistory::new();
/// assert_eq!(classify_reoffer(None, &first, &history), [Reoffer::NewTransfer]);
/// history.record(&first);
/// // The same description again (a session refresh).
/// assert_eq!(classify_reoffer(Some(&first), &first, &history), [Reoffer::Refresh]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn classify_reoffer(
    previous: Option<&SessionDescription>,
    offer: &SessionDescription,
    history: &TransferHistory,
) -> Vec<Reoffer> {
    offer
        .media
        .iter()
        .enumerate()
        .map(|(index, m)| {
            if !m.is_file_transfer() {
                return Reoffer::NotFileTransfer;
            }
            if m.port == 0 {
                return Reoffer::Closed;
            }
            let (Some(id), Some(sel)) = (m.file_transfer_id(), m.file_selector()) else {
                return Reoffer::NotFileTransfer;
            };
            let before = previous
                .and_then(|p| p.media.get(index))
                .filter(|pm| pm.is_file_transfer());
            if let Some(pm) = before {
                if pm.file_transfer_id() == Some(id) {
                    return match pm.file_selector() {
                        Some(ps) if ps.compatible_with(sel) => Reoffer::Refresh,
                        _ => Reoffer::SelectorConflict,
                    };
                }
            }
            if history.contains(id) {
                Reoffer::ReusedId
            } else {
                Reoffer::NewTransfer
            }
        })
        .collect()
}
