//! Test messages for the SIP parse benchmarks (`benches/sip_parse.rs`) and the RFC 4475 verdict
//! count (`examples/rfc4475_verdicts.rs`).
//!
//! The benchmarks parse the same bytes with `sip-lite`, `rsipstack` and `sipx-sip` in one run.
//! The competitors are dev-dependencies of this crate only, so they never reach sip-lite's own
//! build. Run with:
//!
//! ```sh
//! cargo bench -p sip-bench --bench sip_parse
//! cargo run -p sip-bench --release --example rfc4475_verdicts
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// An IMS INVITE offering an image for file transfer (RFC 5547) over MSRP, as a GSMA Image
/// Share (IR.79) client sends it: feature tags in Contact and Accept-Contact, P-Preferred-Identity,
/// and an SDP offer with `file-selector`, `file-transfer-id`, `file-disposition` and an MSRP
/// `path`. CRLF line ends, exact Content-Length.
pub const INVITE_5547: &[u8] = b"\
    INVITE sip:+447700900456@ims.mnc015.mcc234.3gppnetwork.org;user=phone SIP/2.0\r\n\
    Via: SIP/2.0/TCP 10.20.30.40:5060;branch=z9hG4bK6c5e2a9b1f07;rport\r\n\
    Max-Forwards: 70\r\n\
    From: <sip:+447700900123@ims.mnc015.mcc234.3gppnetwork.org>;tag=8d3f2a1c9b\r\n\
    To: <sip:+447700900456@ims.mnc015.mcc234.3gppnetwork.org;user=phone>\r\n\
    Call-ID: 5f1a9c3e7b2d4e60a1b2@10.20.30.40\r\n\
    CSeq: 1 INVITE\r\n\
    Contact: <sip:+447700900123@10.20.30.40:5060;transport=tcp>;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\";+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\"\r\n\
    Accept-Contact: *;+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\";require;explicit\r\n\
    P-Preferred-Identity: <sip:+447700900123@ims.mnc015.mcc234.3gppnetwork.org>\r\n\
    Supported: timer, 100rel\r\n\
    Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, MESSAGE\r\n\
    User-Agent: share-toolkit/0.1 IR.79\r\n\
    Content-Type: application/sdp\r\n\
    Content-Length: 425\r\n\
    \r\n\
    v=0\r\n\
    o=- 3917152800 3917152801 IN IP4 10.20.30.40\r\n\
    s=-\r\n\
    c=IN IP4 10.20.30.40\r\n\
    t=0 0\r\n\
    m=message 9 TCP/MSRP *\r\n\
    a=sendonly\r\n\
    a=accept-types:image/jpeg\r\n\
    a=file-selector:name:\"photo.jpg\" type:image/jpeg size:123456 hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E\r\n\
    a=file-transfer-id:vBnG916bdberum2fFEABR1FR3ExZMUrd\r\n\
    a=file-disposition:render\r\n\
    a=path:msrp://10.20.30.40:9/kjhd37s2s20w2a;tcp\r\n\
    a=setup:active\r\n";

/// An IMS REGISTER without a body: Contact with feature tags, `+sip.instance` and `expires`,
/// and an AKA digest Authorization header (RFC 3310). CRLF line ends.
pub const REGISTER: &[u8] = b"\
    REGISTER sip:ims.mnc015.mcc234.3gppnetwork.org SIP/2.0\r\n\
    Via: SIP/2.0/TCP 10.20.30.40:5060;branch=z9hG4bK1a2b3c4d5e6f;rport\r\n\
    Max-Forwards: 70\r\n\
    From: <sip:+447700900123@ims.mnc015.mcc234.3gppnetwork.org>;tag=4fa3b2c1d0\r\n\
    To: <sip:+447700900123@ims.mnc015.mcc234.3gppnetwork.org>\r\n\
    Call-ID: 9e8d7c6b5a4f3e2d1c0b@10.20.30.40\r\n\
    CSeq: 2 REGISTER\r\n\
    Contact: <sip:+447700900123@10.20.30.40:5060;transport=tcp>;+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel\";+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\";+sip.instance=\"<urn:gsma:imei:35358400-123456-0>\";expires=600000\r\n\
    Expires: 600000\r\n\
    Authorization: Digest username=\"234150999999999@ims.mnc015.mcc234.3gppnetwork.org\", realm=\"ims.mnc015.mcc234.3gppnetwork.org\", nonce=\"CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz==\", uri=\"sip:ims.mnc015.mcc234.3gppnetwork.org\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=AKAv1-MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\"\r\n\
    Supported: path, gruu, sec-agree\r\n\
    User-Agent: share-toolkit/0.1 IR.79\r\n\
    Content-Length: 0\r\n\
    \r\n";

/// The fields the `parse_read` benchmarks read from each message, as every parser must find them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    /// The top Via's branch parameter.
    pub branch: &'static str,
    /// Call-ID.
    pub call_id: &'static str,
    /// The CSeq sequence number.
    pub cseq: u32,
    /// The CSeq method.
    pub method: &'static str,
    /// The From tag.
    pub from_tag: &'static str,
}

/// What [`INVITE_5547`] carries.
pub const INVITE_5547_FIELDS: Expected = Expected {
    branch: "z9hG4bK6c5e2a9b1f07",
    call_id: "5f1a9c3e7b2d4e60a1b2@10.20.30.40",
    cseq: 1,
    method: "INVITE",
    from_tag: "8d3f2a1c9b",
};

/// What [`REGISTER`] carries.
pub const REGISTER_FIELDS: Expected = Expected {
    branch: "z9hG4bK1a2b3c4d5e6f",
    call_id: "9e8d7c6b5a4f3e2d1c0b@10.20.30.40",
    cseq: 2,
    method: "REGISTER",
    from_tag: "4fa3b2c1d0",
};

/// The benchmark cases: group suffix, message bytes and the fields they carry.
pub static CASES: [(&str, &[u8], Expected); 2] = [
    ("invite_5547", INVITE_5547, INVITE_5547_FIELDS),
    ("register", REGISTER, REGISTER_FIELDS),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The head and the body, split at the blank line.
    fn split(msg: &[u8]) -> (&str, &[u8]) {
        let at = msg
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a blank line");
        (std::str::from_utf8(&msg[..at]).unwrap(), &msg[at + 4..])
    }

    #[test]
    fn content_length_matches_body_and_lines_end_in_crlf() {
        for (name, msg, _) in &CASES {
            let (head, body) = split(msg);
            let declared: usize = head
                .split("\r\n")
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .expect("Content-Length")
                .parse()
                .unwrap();
            assert_eq!(declared, body.len(), "{name}");
            for (i, &b) in msg.iter().enumerate() {
                if b == b'\n' {
                    assert_eq!(msg[i - 1], b'\r', "{name}: bare LF at {i}");
                }
            }
        }
        assert!((1000..1500).contains(&INVITE_5547.len()));
        assert!(split(REGISTER).1.is_empty());
    }

    #[test]
    fn sip_lite_reads_the_expected_fields() {
        for (name, msg, want) in &CASES {
            let m = sip_lite::Message::parse(bytes::Bytes::from_static(msg)).unwrap();
            let h = m.headers();
            assert_eq!(
                h.top_via().unwrap().unwrap().branch(),
                Some(want.branch),
                "{name}"
            );
            assert_eq!(h.call_id().unwrap().unwrap(), want.call_id, "{name}");
            let cseq = h.cseq().unwrap().unwrap();
            assert_eq!((cseq.seq, cseq.method.as_str()), (want.cseq, want.method));
            assert_eq!(h.from_addr().unwrap().unwrap().tag(), Some(want.from_tag));
            sip_lite::Validator::default()
                .check_request(m.as_request().unwrap())
                .unwrap();
        }
    }
}
