//! SIP request methods (RFC 3261 §7.1, §27.4 and the extensions listed below).

use std::fmt;

use bytes::Bytes;

use crate::grammar::is_token_byte;

/// A SIP method. The methods this crate knows are variants; any other `token` is
/// [`Method::Extension`] (RFC 3261 §25.1 `extension-method`). Methods are case-sensitive
/// (RFC 3261 §7.1): `invite` is an extension method, not [`Method::Invite`].
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// INVITE (RFC 3261).
    Invite,
    /// ACK (RFC 3261).
    Ack,
    /// BYE (RFC 3261).
    Bye,
    /// CANCEL (RFC 3261).
    Cancel,
    /// OPTIONS (RFC 3261).
    Options,
    /// REGISTER (RFC 3261).
    Register,
    /// MESSAGE (RFC 3428).
    Message,
    /// UPDATE (RFC 3311).
    Update,
    /// PRACK (RFC 3262).
    Prack,
    /// INFO (RFC 6086).
    Info,
    /// SUBSCRIBE (RFC 6665).
    Subscribe,
    /// NOTIFY (RFC 6665).
    Notify,
    /// REFER (RFC 3515).
    Refer,
    /// PUBLISH (RFC 3903).
    Publish,
    /// Any other method token.
    Extension(ExtensionMethod),
}

/// An extension method name: a non-empty RFC 3261 `token`, kept as received.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ExtensionMethod(Bytes);

impl ExtensionMethod {
    /// The method name.
    pub fn as_str(&self) -> &str {
        // Only token bytes (ASCII) are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The error for a method name that is not a `token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a SIP method must be a non-empty token")]
pub struct InvalidMethod;

impl Method {
    const KNOWN: [(Method, &'static str); 14] = [
        (Method::Invite, "INVITE"),
        (Method::Ack, "ACK"),
        (Method::Bye, "BYE"),
        (Method::Cancel, "CANCEL"),
        (Method::Options, "OPTIONS"),
        (Method::Register, "REGISTER"),
        (Method::Message, "MESSAGE"),
        (Method::Update, "UPDATE"),
        (Method::Prack, "PRACK"),
        (Method::Info, "INFO"),
        (Method::Subscribe, "SUBSCRIBE"),
        (Method::Notify, "NOTIFY"),
        (Method::Refer, "REFER"),
        (Method::Publish, "PUBLISH"),
    ];

    /// Parses a method name (a `token`, compared case-sensitively).
    pub fn parse(name: &str) -> Result<Method, InvalidMethod> {
        Self::from_bytes(name.as_bytes())
    }

    /// Like [`Method::parse`] over bytes; an extension method copies its name.
    pub fn from_bytes(name: &[u8]) -> Result<Method, InvalidMethod> {
        if let Some(m) = Self::known(name) {
            return Ok(m);
        }
        if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
            return Err(InvalidMethod);
        }
        Ok(Method::Extension(ExtensionMethod(Bytes::copy_from_slice(
            name,
        ))))
    }

    /// A method name the parser has already checked to be a token; an extension method shares
    /// the buffer.
    pub(crate) fn from_checked(name: Bytes) -> Method {
        Self::known(&name).unwrap_or(Method::Extension(ExtensionMethod(name)))
    }

    fn known(name: &[u8]) -> Option<Method> {
        // Most traffic is INVITE/ACK/BYE/OPTIONS/REGISTER: a first-byte switch keeps this short.
        let m = match name {
            b"INVITE" => Method::Invite,
            b"ACK" => Method::Ack,
            b"BYE" => Method::Bye,
            b"CANCEL" => Method::Cancel,
            b"OPTIONS" => Method::Options,
            b"REGISTER" => Method::Register,
            b"MESSAGE" => Method::Message,
            b"UPDATE" => Method::Update,
            b"PRACK" => Method::Prack,
            b"INFO" => Method::Info,
            b"SUBSCRIBE" => Method::Subscribe,
            b"NOTIFY" => Method::Notify,
            b"REFER" => Method::Refer,
            b"PUBLISH" => Method::Publish,
            _ => return None,
        };
        Some(m)
    }

    /// The method name as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Extension(e) => e.as_str(),
            known => Self::KNOWN
                .iter()
                .find(|(m, _)| m == known)
                .map(|(_, s)| *s)
                .unwrap_or_default(),
        }
    }
}

impl std::str::FromStr for Method {
    type Err = InvalidMethod;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Method::parse(s)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_extension_methods() {
        for (m, s) in Method::KNOWN {
            assert_eq!(Method::parse(s).unwrap(), m);
            assert_eq!(m.as_str(), s);
        }
        let ext = Method::parse("NEWMETHOD").unwrap();
        assert!(matches!(ext, Method::Extension(_)));
        assert_eq!(ext.to_string(), "NEWMETHOD");
        // Case-sensitive: a lower-case name is a different (extension) method.
        assert!(matches!(
            Method::parse("invite").unwrap(),
            Method::Extension(_)
        ));
        // RFC 4475 §3.1.1.2: every token character is allowed.
        assert!(Method::parse("!interesting-Method0123456789_*+`.%indeed'~").is_ok());
        assert_eq!(Method::parse(""), Err(InvalidMethod));
        assert_eq!(Method::parse("IN VITE"), Err(InvalidMethod));
        assert_eq!(Method::parse("A:B"), Err(InvalidMethod));
    }
}
