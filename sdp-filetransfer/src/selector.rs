//! The RFC 5547 §5, §6 file selector: `name`, `type`, `size` and `hash`, and the safe local
//! name a received file name turns into.

use std::fmt;
use std::str::FromStr;

use crate::error::AttributeError;
use crate::grammar::{
    check_filename_string, colon_hex, is_token, is_token_char, number, pct_decode, push_pct,
    quoted_words, split1, unquote, write_colon_hex,
};
use crate::media_attrs::FormatEntry;

// ---------------------------------------------------------------------------------------------
// file name

/// The `name` selector: a file name, kept in its percent-encoded form (RFC 5547 §6
/// `filename-string`) so that it is re-emitted exactly as received.
///
/// ```
/// use sdp_filetransfer::FileName;
/// let n = FileName::new("50% \"off\"/sale.jpg");
/// assert_eq!(n.as_encoded(), "50%25 %22off%22%2Fsale.jpg");
/// assert_eq!(n.decoded(), "50% \"off\"/sale.jpg");
/// assert_eq!(n.safe_local_name(), "50% _off__sale.jpg");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileName {
    encoded: Box<str>,
}

impl FileName {
    /// A name from its plain (decoded) text. `%`, `"`, path separators (`/`, `\`) and control
    /// characters are percent-encoded (RFC 5547 §6: "If a file name contains double quotes or
    /// any other character that the syntax does not allow ... they MUST be percent-encoded"; so
    /// must characters that the local OS reads as directory structure). An empty name becomes
    /// `_`, since the grammar needs at least one character.
    pub fn new(name: &str) -> Self {
        let mut encoded = String::with_capacity(name.len() + 8);
        for ch in name.chars() {
            if ch.is_ascii() {
                let b = ch as u8;
                if b < 0x20 || b == 0x7F || matches!(b, b'%' | b'"' | b'/' | b'\\') {
                    push_pct(&mut encoded, b);
                    continue;
                }
            }
            encoded.push(ch);
        }
        if encoded.is_empty() {
            encoded.push('_');
        }
        Self {
            encoded: encoded.into(),
        }
    }

    /// A name from its encoded form (what stands between the quotes), checked against
    /// `filename-string`.
    pub fn from_encoded(encoded: &str) -> Result<Self, AttributeError> {
        check_filename_string(encoded)?;
        Ok(Self {
            encoded: encoded.into(),
        })
    }

    /// The encoded form, as it stands between the quotes.
    pub fn as_encoded(&self) -> &str {
        &self.encoded
    }

    /// The decoded name. RFC 5547 §6 says names are UTF-8; escapes that decode to invalid
    /// UTF-8 become U+FFFD.
    pub fn decoded(&self) -> String {
        String::from_utf8_lossy(&pct_decode(&self.encoded)).into_owned()
    }

    /// The decoded name made safe to create in a local directory: see [`safe_local_name`].
    pub fn safe_local_name(&self) -> String {
        safe_local_name(&self.decoded())
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.encoded)
    }
}

/// Turns a file name received from a peer into one that is safe to create inside a local
/// download directory (RFC 5547 §6 and §10: receivers "MUST sanitize all input, such as the
/// local file name").
///
/// The result has no path separators (`/`, `\`, and `:` for drive letters and streams, each
/// becomes `_`), no control characters (dropped), no characters Windows forbids (`<>"|?*`
/// become `_`), no `..` (runs of dots collapse to one dot, leading dots are removed so no
/// hidden or relative name appears), no trailing dots or spaces, is not a Windows device name
/// (`CON`, `NUL`, `COM1`, ... get a leading `_`), and is at most 255 bytes (cut at a character
/// boundary, keeping a short extension). An empty result becomes `file`.
///
/// ```
/// use sdp_filetransfer::safe_local_name;
/// assert_eq!(safe_local_name("../../etc/passwd"), "_._etc_passwd");
/// assert_eq!(safe_local_name("..\\boot.ini"), "_boot.ini");
/// assert_eq!(safe_local_name(".."), "file");
/// assert_eq!(safe_local_name("a\u{0}b\r\n.jpg"), "ab.jpg");
/// assert_eq!(safe_local_name("My cool picture.jpg"), "My cool picture.jpg");
/// assert_eq!(safe_local_name("nul.txt"), "_nul.txt");
/// ```
pub fn safe_local_name(received: &str) -> String {
    let mut out = String::with_capacity(received.len());
    for ch in received.chars() {
        if ch.is_control() || matches!(ch, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}') {
            // Controls, and the zero-width and bidirectional overrides that disguise names.
            continue;
        }
        let ch = match ch {
            '/' | '\\' | ':' | '<' | '>' | '"' | '|' | '?' | '*' => '_',
            c => c,
        };
        if ch == '.' && (out.is_empty() || out.ends_with('.')) {
            continue;
        }
        out.push(ch);
    }
    while out.ends_with(['.', ' ']) {
        out.pop();
    }
    let trimmed = out.trim_start_matches(' ');
    let mut out = if trimmed.len() != out.len() {
        trimmed.to_owned()
    } else {
        out
    };
    if out.is_empty() {
        return "file".to_owned();
    }
    let stem = out.split('.').next().unwrap_or_default();
    const DEVICES: [&str; 22] = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
        "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];
    if DEVICES
        .iter()
        .any(|d| d.eq_ignore_ascii_case(stem.trim_end()))
    {
        out.insert(0, '_');
    }
    const MAX: usize = 255;
    if out.len() > MAX {
        let ext = match out.rfind('.') {
            Some(i) if out.len() - i <= 16 => out[i..].to_owned(),
            _ => String::new(),
        };
        let mut cut = MAX - ext.len();
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        while out.ends_with(['.', ' ']) {
            out.pop();
        }
        out.push_str(&ext);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// file type

/// The `type` selector: a media type with optional parameters whose values are quoted
/// `filename-string`s (RFC 5547 §6 `filetype-selector`).
///
/// ```
/// use sdp_filetransfer::FileType;
/// let t = FileType::new("text", "plain")?.with_param("charset", "utf-8")?;
/// assert_eq!(t.to_string(), "text/plain;charset=\"utf-8\"");
/// assert_eq!(t.param("CHARSET").as_deref(), Some("utf-8"));
/// # Ok::<(), sdp_filetransfer::AttributeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileType {
    type_: Box<str>,
    subtype: Box<str>,
    /// (attribute, encoded value)
    params: Vec<(Box<str>, Box<str>)>,
}

impl FileType {
    /// A `type/subtype` with no parameters; both must be tokens.
    pub fn new(type_: &str, subtype: &str) -> Result<Self, AttributeError> {
        if !is_token(type_) || !is_token(subtype) || type_.contains('/') || subtype.contains('/') {
            return Err(AttributeError::BadMediaType);
        }
        Ok(Self {
            type_: type_.into(),
            subtype: subtype.into(),
            params: Vec::new(),
        })
    }

    /// Adds a parameter; `value` is plain text and is percent-encoded as needed.
    pub fn with_param(mut self, name: &str, value: &str) -> Result<Self, AttributeError> {
        if !is_token(name) || name.contains('=') {
            return Err(AttributeError::BadMediaType);
        }
        self.params
            .push((name.into(), FileName::new(value).encoded));
        Ok(self)
    }

    /// The top-level type, as written.
    pub fn type_(&self) -> &str {
        &self.type_
    }

    /// The subtype, as written.
    pub fn subtype(&self) -> &str {
        &self.subtype
    }

    /// `type/subtype` (no parameters).
    pub fn essence(&self) -> String {
        format!("{}/{}", self.type_, self.subtype)
    }

    /// A parameter's decoded value, by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<String> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(&pct_decode(v)).into_owned())
    }

    /// Whether the type is allowed by `entries` (an `accept-types` list).
    pub fn is_accepted_by(&self, entries: &[FormatEntry]) -> bool {
        entries
            .iter()
            .any(|e| e.matches(&self.type_, &self.subtype))
    }

    /// Same type and subtype (case-insensitive) and the same parameters.
    pub fn same_as(&self, other: &FileType) -> bool {
        self.type_.eq_ignore_ascii_case(&other.type_)
            && self.subtype.eq_ignore_ascii_case(&other.subtype)
            && self.params.len() == other.params.len()
            && self.params.iter().all(|(n, v)| {
                other
                    .params
                    .iter()
                    .any(|(n2, v2)| n.eq_ignore_ascii_case(n2) && pct_decode(v) == pct_decode(v2))
            })
    }

    pub(crate) fn parse(s: &str) -> Result<Self, AttributeError> {
        const BAD: AttributeError = AttributeError::BadMediaType;
        let head_end = s.find(';').unwrap_or(s.len());
        let (ty, sub) = split1(&s[..head_end], b'/').ok_or(BAD)?;
        let mut out = Self::new(ty, sub)?;
        let mut rest = &s[head_end..];
        while let Some(r) = rest.strip_prefix(';') {
            let (name, v) = split1(r, b'=').ok_or(BAD)?;
            if !is_token(name) {
                return Err(BAD);
            }
            let (value, after) = if let Some(q) = v.strip_prefix('"') {
                let close = q.find('"').ok_or(BAD)?;
                (&q[..close], &q[close + 1..])
            } else {
                // Lenient: an unquoted token value (re-emitted quoted).
                let end = v.bytes().position(|c| !is_token_char(c)).unwrap_or(v.len());
                (&v[..end], &v[end..])
            };
            check_filename_string(value).map_err(|_| BAD)?;
            out.params.push((name.into(), value.into()));
            rest = after;
        }
        if !rest.is_empty() {
            return Err(BAD);
        }
        Ok(out)
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.type_, self.subtype)?;
        for (n, v) in &self.params {
            write!(f, ";{n}=\"{v}\"")?;
        }
        Ok(())
    }
}

impl FromStr for FileType {
    type Err = AttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// hash

/// The `hash` selector: an algorithm name from the IANA Hash Function Textual Names registry and
/// the digest, written as upper-case colon-separated hex (RFC 5547 §6).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileHash {
    algorithm: Box<str>,
    digest: Vec<u8>,
}

impl FileHash {
    /// A SHA-1 digest over the whole file, the one algorithm RFC 5547 §5 defines.
    pub fn sha1(digest: [u8; 20]) -> Self {
        Self {
            algorithm: "sha-1".into(),
            digest: digest.to_vec(),
        }
    }

    /// Any algorithm (a token); a `sha-1` digest must be 20 bytes.
    pub fn new(algorithm: &str, digest: Vec<u8>) -> Result<Self, AttributeError> {
        if !is_token(algorithm)
            || algorithm.contains(':')
            || digest.is_empty()
            || (algorithm.eq_ignore_ascii_case("sha-1") && digest.len() != 20)
        {
            return Err(AttributeError::BadHash);
        }
        Ok(Self {
            algorithm: algorithm.into(),
            digest,
        })
    }

    /// The algorithm name as written.
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// The digest bytes.
    pub fn digest(&self) -> &[u8] {
        &self.digest
    }

    fn parse(s: &str) -> Result<Self, AttributeError> {
        let (alg, hex) = split1(s, b':').ok_or(AttributeError::BadHash)?;
        Self::new(alg, colon_hex(hex).ok_or(AttributeError::BadHash)?)
    }
}

impl fmt::Display for FileHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(self.algorithm.len() + 1 + self.digest.len() * 3);
        s.push_str(&self.algorithm);
        s.push(':');
        write_colon_hex(&mut s, &self.digest);
        f.write_str(&s)
    }
}

// ---------------------------------------------------------------------------------------------
// file selector

/// One selector of `a=file-selector`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Selector {
    /// `name:"..."`.
    Name(FileName),
    /// `type:type/subtype;p="v"`.
    Type(FileType),
    /// `size:<octets>`.
    Size(u64),
    /// `hash:<algorithm>:<HH:HH:...>`.
    Hash(FileHash),
}

/// `a=file-selector` (RFC 5547 §5, §6): the tuple of name, type, size and hashes that identifies
/// a file. Selectors keep the order they were written in, so a parsed selector is re-emitted
/// byte for byte; an empty selector is the capability form (§8.5).
///
/// ```
/// use sdp_filetransfer::{FileHash, FileSelector, FileType};
/// let sel = FileSelector::new()
///     .with_name("My cool picture.jpg")
///     .with_type(FileType::new("image", "jpeg")?)
///     .with_size(4092)
///     .with_hash(FileHash::sha1([0x72; 20]));
/// assert!(sel.to_string().starts_with("name:\"My cool picture.jpg\" type:image/jpeg size:4092 hash:sha-1:72:72:"));
/// assert_eq!(sel.size(), Some(4092));
/// # Ok::<(), sdp_filetransfer::AttributeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FileSelector {
    selectors: Vec<Selector>,
}

impl FileSelector {
    /// An empty selector (the capability form of RFC 5547 §8.5).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the name (replacing any name) from plain text.
    pub fn with_name(self, name: &str) -> Self {
        self.with_selector(Selector::Name(FileName::new(name)))
    }

    /// Sets the type (replacing any type).
    pub fn with_type(self, file_type: FileType) -> Self {
        self.with_selector(Selector::Type(file_type))
    }

    /// Sets the size (replacing any size).
    pub fn with_size(self, size: u64) -> Self {
        self.with_selector(Selector::Size(size))
    }

    /// Adds a hash (replacing one of the same algorithm).
    pub fn with_hash(self, hash: FileHash) -> Self {
        self.with_selector(Selector::Hash(hash))
    }

    /// Adds a selector, replacing one of the same kind (for hashes: the same algorithm).
    pub fn with_selector(mut self, sel: Selector) -> Self {
        let same = |s: &Selector| match (s, &sel) {
            (Selector::Name(_), Selector::Name(_))
            | (Selector::Type(_), Selector::Type(_))
            | (Selector::Size(_), Selector::Size(_)) => true,
            (Selector::Hash(a), Selector::Hash(b)) => {
                a.algorithm.eq_ignore_ascii_case(&b.algorithm)
            }
            _ => false,
        };
        match self.selectors.iter_mut().find(|s| same(s)) {
            Some(slot) => *slot = sel,
            None => self.selectors.push(sel),
        }
        self
    }

    /// The selectors in written order.
    pub fn selectors(&self) -> &[Selector] {
        &self.selectors
    }

    /// Whether no selector is present (the capability form).
    pub fn is_empty(&self) -> bool {
        self.selectors.is_empty()
    }

    /// The name selector.
    pub fn name(&self) -> Option<&FileName> {
        self.selectors.iter().find_map(|s| match s {
            Selector::Name(n) => Some(n),
            _ => None,
        })
    }

    /// The type selector.
    pub fn file_type(&self) -> Option<&FileType> {
        self.selectors.iter().find_map(|s| match s {
            Selector::Type(t) => Some(t),
            _ => None,
        })
    }

    /// The size selector.
    pub fn size(&self) -> Option<u64> {
        self.selectors.iter().find_map(|s| match s {
            Selector::Size(n) => Some(*n),
            _ => None,
        })
    }

    /// The hash selectors.
    pub fn hashes(&self) -> impl Iterator<Item = &FileHash> {
        self.selectors.iter().filter_map(|s| match s {
            Selector::Hash(h) => Some(h),
            _ => None,
        })
    }

    /// The SHA-1 hash, if present.
    pub fn sha1(&self) -> Option<&[u8]> {
        self.hashes()
            .find(|h| h.algorithm.eq_ignore_ascii_case("sha-1"))
            .map(|h| h.digest())
    }

    /// Whether the push offer form holds: at least one of type, size or hash (RFC 5547 §8.2.1).
    pub fn describes_push(&self) -> bool {
        self.selectors
            .iter()
            .any(|s| !matches!(s, Selector::Name(_)))
    }

    /// Whether two selectors can select the same file: every kind present in both agrees
    /// (names and types compared after decoding, hashes per algorithm). RFC 5547 §8.1 lets an
    /// endpoint change the selector of an ongoing transfer only this way (e.g. adding a hash).
    pub fn compatible_with(&self, other: &FileSelector) -> bool {
        let names = match (self.name(), other.name()) {
            (Some(a), Some(b)) => pct_decode(a.as_encoded()) == pct_decode(b.as_encoded()),
            _ => true,
        };
        let types = match (self.file_type(), other.file_type()) {
            (Some(a), Some(b)) => a.same_as(b),
            _ => true,
        };
        let sizes = match (self.size(), other.size()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        // Per algorithm present on both sides, some digest must agree (a selector may list the
        // same algorithm twice; it then selects a file matching either).
        let hashes = self.hashes().all(|a| {
            let mut same_alg = other
                .hashes()
                .filter(|b| b.algorithm.eq_ignore_ascii_case(&a.algorithm))
                .peekable();
            same_alg.peek().is_none()
                || same_alg.any(|b| {
                    self.hashes()
                        .filter(|x| x.algorithm.eq_ignore_ascii_case(&a.algorithm))
                        .any(|x| x.digest == b.digest)
                })
        });
        names && types && sizes && hashes
    }

    pub(crate) fn parse(s: &str) -> Result<Self, AttributeError> {
        let mut selectors: Vec<Selector> = Vec::with_capacity(4);
        for part in quoted_words(s) {
            let part = part?;
            let (kind, value) = split1(part, b':').ok_or(AttributeError::UnknownSelector)?;
            let sel = match kind {
                "name" => Selector::Name(FileName::from_encoded(
                    unquote(value).map_err(|_| AttributeError::BadFileName)?,
                )?),
                "type" => Selector::Type(FileType::parse(value)?),
                "size" => Selector::Size(number(value).ok_or(AttributeError::BadNumber)?),
                "hash" => Selector::Hash(FileHash::parse(value)?),
                _ => return Err(AttributeError::UnknownSelector),
            };
            let dup = match &sel {
                Selector::Name(_) => selectors
                    .iter()
                    .any(|s| matches!(s, Selector::Name(_)))
                    .then_some("name"),
                Selector::Type(_) => selectors
                    .iter()
                    .any(|s| matches!(s, Selector::Type(_)))
                    .then_some("type"),
                Selector::Size(_) => selectors
                    .iter()
                    .any(|s| matches!(s, Selector::Size(_)))
                    .then_some("size"),
                Selector::Hash(_) => None,
            };
            if let Some(selector) = dup {
                return Err(AttributeError::DuplicateSelector { selector });
            }
            selectors.push(sel);
        }
        Ok(Self { selectors })
    }
}

impl fmt::Display for FileSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.selectors.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            match s {
                Selector::Name(n) => write!(f, "name:\"{n}\"")?,
                Selector::Type(t) => write!(f, "type:{t}")?,
                Selector::Size(n) => write!(f, "size:{n}")?,
                Selector::Hash(h) => write!(f, "hash:{h}")?,
            }
        }
        Ok(())
    }
}

impl FromStr for FileSelector {
    type Err = AttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_round_trips_in_written_order() {
        let s = "type:image/jpeg name:\"My cool picture.jpg\" size:4092 hash:sha-1:72:24:5F:E8:65:3D:DA:F3:71:36:2F:86:D4:71:91:3E:E4:A2:CE:2E hash:sha-256:AB";
        let sel = FileSelector::parse(s).unwrap();
        assert_eq!(sel.to_string(), s);
        assert_eq!(sel.name().unwrap().decoded(), "My cool picture.jpg");
        assert_eq!(sel.hashes().count(), 2);
        assert_eq!(sel.sha1().unwrap()[0], 0x72);
        assert!(FileSelector::parse("").unwrap().is_empty());
    }

    #[test]
    fn selector_errors() {
        use AttributeError as E;
        let cases: &[(&str, AttributeError)] = &[
            ("size:1 size:2", E::DuplicateSelector { selector: "size" }),
            ("colour:red", E::UnknownSelector),
            ("name", E::UnknownSelector),
            ("name:\"\"", E::BadFileName),
            ("name:\"a%2\"", E::BadFileName),
            ("name:noquotes", E::BadFileName),
            ("name:\"open", E::BadQuotedString),
            ("size:-1", E::BadNumber),
            ("hash:sha-1:72:24", E::BadHash),
            ("hash:sha-1", E::BadHash),
            ("type:image", E::BadMediaType),
            ("type:image/jpeg;x", E::BadMediaType),
        ];
        for (input, err) in cases {
            assert_eq!(FileSelector::parse(input).unwrap_err(), *err, "{input}");
        }
    }

    #[test]
    fn type_params_quoted_and_lenient() {
        let t = FileType::parse("text/plain;charset=\"utf-8\";x=\"a;b c\"").unwrap();
        assert_eq!(t.param("x").unwrap(), "a;b c");
        let lenient = FileType::parse("text/plain;charset=utf-8").unwrap();
        assert_eq!(lenient.to_string(), "text/plain;charset=\"utf-8\"");
        assert!(t.is_accepted_by(&[FormatEntry::new("text/*").unwrap()]));
    }

    #[test]
    fn compatibility_for_refresh() {
        let a = FileSelector::parse("name:\"a.jpg\" size:10").unwrap();
        let b = FileSelector::parse("size:10 name:\"a.jpg\" hash:sha-1:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00").unwrap();
        assert!(a.compatible_with(&b) && b.compatible_with(&a));
        let c = FileSelector::parse("name:\"b.jpg\" size:10").unwrap();
        assert!(!a.compatible_with(&c));
        let twice = FileSelector::parse("hash:sha-1:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00 hash:sha-1:01:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00").unwrap();
        assert!(twice.compatible_with(&twice));
        assert!(
            twice.compatible_with(&b)
                && !twice.compatible_with(
                    &FileSelector::parse(
                        "hash:sha-1:02:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"
                    )
                    .unwrap()
                )
        );
        let enc = FileSelector::parse("name:\"%61.jpg\"").unwrap();
        assert!(a.compatible_with(&enc));
    }

    #[test]
    fn safe_names() {
        for (input, want) in [
            ("..", "file"),
            ("...", "file"),
            ("", "file"),
            ("/", "_"),
            ("a/../b", "a_._b"),
            (".hidden", "hidden"),
            ("C:\\Windows\\x.dll", "C__Windows_x.dll"),
            ("name. ", "name"),
            ("COM1", "_COM1"),
            ("a\u{202E}gpj.exe", "agpj.exe"),
            ("photo..jpg", "photo.jpg"),
        ] {
            assert_eq!(safe_local_name(input), want, "{input:?}");
        }
        let long = format!("{}.jpeg", "é".repeat(300));
        let s = safe_local_name(&long);
        assert!(s.len() <= 255 && s.ends_with(".jpeg"), "{s}");
    }
}
