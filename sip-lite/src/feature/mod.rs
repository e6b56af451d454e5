//! Feature tags: what a user agent says it can do in its Contact feature parameters
//! (RFC 3840), and what a caller asks for in Accept-Contact / Reject-Contact (RFC 3841).
//!
//! ```text
//!  Contact: <sip:...>;+g.3gpp.cs-voice;+g.3gpp.iari-ref="urn%3Aurn-7%3A..."
//!      │ ParamList::pairs()
//!      ▼
//!  FeatureSet::from_params ──► FeatureSet ──┐
//!                                           ├─► FeaturePredicate::matches ──► Match
//!  Accept-Contact: *;+g.3gpp.iari-ref=...;require;explicit
//!      │ Headers::accept_contact()          │
//!      ▼                                    │
//!  FeaturePredicate::from_contact_predicate ┘   (order_targets for a list of contacts)
//! ```
//!
//! The Image Share case (GSMA IR.79): a terminal advertises `+g.3gpp.cs-voice` and the Image
//! Share IARI, and a capability query asks for the IARI explicitly.
//!
//! ```
//! use sip_lite::feature::{FeaturePredicate, FeatureSet, Match, IMAGE_SHARE_IARI, IARI_REF};
//!
//! let mine = FeatureSet::image_share();
//! assert_eq!(
//!     mine.to_string(),
//!     "+g.3gpp.cs-voice;+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\""
//! );
//! assert!(mine.has_token(IARI_REF, IMAGE_SHARE_IARI));
//!
//! let wanted = FeaturePredicate::parse(
//!     "*;+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\";explicit;require",
//! )?;
//! assert_eq!(wanted.matches(&mine), Match::Matched { score: 1.0 });
//! // A terminal that only does voice is dropped: the IARI is required, explicitly.
//! let voice_only = FeatureSet::from_params([("+g.3gpp.cs-voice", None)])?;
//! assert_eq!(wanted.matches(&voice_only), Match::Drop);
//! # Ok::<(), sip_lite::feature::FeatureError>(())
//! ```

use std::fmt;

use thiserror::Error;

use crate::StatusCode;
use crate::typed::HeaderError;

mod predicate;
mod value;

pub use predicate::{FeaturePredicate, MAX_PREDICATES, Match, Ranked, order_targets};
pub use value::{FeatureValue, Filter, MAX_VALUES, Numeric};

/// `+g.3gpp.cs-voice`: CS voice together with IMS sessions (3GPP TS 24.279), the tag Image
/// and Video Share terminals advertise during a call.
pub const CS_VOICE: &str = "+g.3gpp.cs-voice";

/// `+g.3gpp.iari-ref`: the IMS application reference identifier feature (3GPP TS 24.229),
/// whose values are percent-escaped URNs.
pub const IARI_REF: &str = "+g.3gpp.iari-ref";

/// The Image Share IARI (GSMA IR.79), unescaped.
pub const IMAGE_SHARE_IARI: &str = "urn:urn-7:3gpp-application.ims.iari.gsma-is";

/// The most features one set or predicate may hold; see [`MAX_VALUES`].
pub const MAX_FEATURES: usize = 64;

/// The base tags of RFC 3840 §9, written without `+`.
const BASE_TAGS: [&str; 20] = [
    "audio",
    "automata",
    "class",
    "duplex",
    "data",
    "control",
    "mobility",
    "description",
    "events",
    "priority",
    "methods",
    "schemes",
    "application",
    "video",
    "language",
    "type",
    "isfocus",
    "actor",
    "text",
    "extensions",
];

/// Feature parameters that do not follow RFC 3840 §9 / RFC 3841 §10.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FeatureError {
    /// A name that is neither a base tag nor `+` followed by an `ftag-name`
    /// (`ALPHA *( ALPHA / DIGIT / "!" / "'" / "." / "-" / "%" )`, RFC 3840 §9).
    #[error("not a feature tag name")]
    BadName,
    /// A value that is not a `tag-value-list` or a `string-value` (RFC 3840 §9), a string
    /// mixed with other values or negated (RFC 3840 §5), or a feature with no value at all.
    #[error("bad feature value: expected {expected}")]
    BadValue {
        /// What was expected.
        expected: &'static str,
    },
    /// The same feature tag twice (RFC 3840 §9: "only one instance of any feature tag").
    #[error("feature tag given twice")]
    Duplicate,
    /// More than [`MAX_VALUES`] values for one feature.
    #[error("more than {MAX_VALUES} values for one feature")]
    TooManyValues,
    /// More than [`MAX_FEATURES`] features.
    #[error("more than {MAX_FEATURES} features")]
    TooManyFeatures,
    /// An Accept-Contact / Reject-Contact value that is not `*` and parameters (RFC 3841 §10).
    #[error(transparent)]
    Header(#[from] HeaderError),
}

impl FeatureError {
    /// The response a UAS or proxy sends for a request whose Accept-Contact or
    /// Reject-Contact holds this error: 400 (RFC 3261 §8.2).
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }
}

/// The feature tag a parameter name encodes (RFC 3841 §8), lower-cased, or `None` when the
/// parameter is not a feature parameter (`q`, `expires`, `require`, `other-param`...).
///
/// `+` is removed, `!` becomes `:` and `'` becomes `/`; a base tag gains `sip.` (except
/// `language` and `type`, which are not in the SIP tree, RFC 3840 §5).
fn decode_tag(name: &str) -> Option<String> {
    if let Some(ftag) = name.strip_prefix('+') {
        let mut bytes = ftag.bytes();
        let ok = bytes.next().is_some_and(|c| c.is_ascii_alphabetic())
            && bytes.all(|c| c.is_ascii_alphanumeric() || b"!'.-%".contains(&c));
        if !ok {
            return None;
        }
        let tag = ftag
            .chars()
            .map(|c| match c {
                '!' => ':',
                '\'' => '/',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        return Some(tag);
    }
    let base = BASE_TAGS.iter().find(|t| t.eq_ignore_ascii_case(name))?;
    Some(match *base {
        "language" | "type" => (*base).to_owned(),
        b => format!("sip.{b}"),
    })
}

/// Whether a parameter name is a feature parameter (a base tag or `+...`).
fn is_feature_name(name: &str) -> bool {
    name.starts_with('+') || BASE_TAGS.iter().any(|t| t.eq_ignore_ascii_case(name))
}

/// One feature of a set: its name and the values it allows (a disjunction of filters,
/// RFC 3841 §8).
///
/// ```
/// use sip_lite::feature::{Feature, FeatureValue, Filter};
/// let f = Feature::new("events", vec![
///     Filter::not(FeatureValue::Token("presence".into())),
///     Filter::new(FeatureValue::Token("message-summary".into())),
/// ])?;
/// assert_eq!(f.tag(), "sip.events");
/// assert_eq!(f.to_string(), "events=\"!presence,message-summary\"");
/// assert!(f.allows(&FeatureValue::Token("dialog".into())));
/// assert!(!f.allows(&FeatureValue::Token("Presence".into())));
/// # Ok::<(), sip_lite::feature::FeatureError>(())
/// ```
///
/// `==` compares the tags and the values (in order), not how the names were written.
#[derive(Clone, Debug)]
pub struct Feature {
    name: String,
    tag: String,
    values: Vec<Filter>,
}

impl Feature {
    /// A feature named `name` (as a Contact parameter: `audio`, `+g.3gpp.cs-voice`) allowing
    /// `values`. A string value must be the only value and not negated (RFC 3840 §5).
    pub fn new(name: &str, values: Vec<Filter>) -> Result<Self, FeatureError> {
        let tag = decode_tag(name).ok_or(FeatureError::BadName)?;
        if values.is_empty() {
            return Err(FeatureError::BadValue {
                expected: "at least one value",
            });
        }
        if values.len() > MAX_VALUES {
            return Err(FeatureError::TooManyValues);
        }
        let has_string = values
            .iter()
            .any(|f| matches!(f.value, FeatureValue::String(_)));
        if has_string && (values.len() > 1 || values.iter().any(|f| f.negated)) {
            return Err(FeatureError::BadValue {
                expected: "a string value alone and not negated",
            });
        }
        for f in &values {
            value::check(&f.value)?;
        }
        Ok(Self {
            name: name.to_owned(),
            tag,
            values,
        })
    }

    /// A boolean feature that is `TRUE`, written as a bare parameter (`;audio`,
    /// `;+g.3gpp.cs-voice`).
    pub fn flag(name: &str) -> Result<Self, FeatureError> {
        Self::new(name, vec![Filter::new(FeatureValue::Boolean(true))])
    }

    /// A feature allowing each of the tokens (unescaped; they are percent-escaped when
    /// written as needed).
    pub fn tokens<'a>(
        name: &str,
        tokens: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, FeatureError> {
        let values = tokens
            .into_iter()
            .take(MAX_VALUES + 1)
            .map(|t| Filter::new(FeatureValue::Token(t.to_owned())))
            .collect();
        Self::new(name, values)
    }

    /// Parses one Contact parameter (`name`, raw value with its quotes).
    pub fn from_param(name: &str, raw_value: Option<&str>) -> Result<Self, FeatureError> {
        if decode_tag(name).is_none() {
            return Err(FeatureError::BadName);
        }
        Self::new(name, value::parse_values(raw_value)?)
    }

    /// The parameter name as written or given (`audio`, `+g.3gpp.iari-ref`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The feature tag the name encodes (RFC 3841 §8), lower-cased: `sip.audio`,
    /// `g.3gpp.iari-ref`.
    pub fn tag(&self) -> &str {
        &self.tag
    }

    /// The filters, any of which a value may satisfy.
    pub fn values(&self) -> &[Filter] {
        &self.values
    }

    /// Whether the feature allows `value` (for a number: lies inside the allowed range).
    pub fn allows(&self, value: &FeatureValue) -> bool {
        value::term_allows(&self.values, value)
    }

    /// The parameter value as written in a Contact: `None` for a bare `TRUE`.
    pub fn param_value(&self) -> Option<String> {
        value::encode_values(&self.values)
    }
}

impl PartialEq for Feature {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag && self.values == other.values
    }
}

impl fmt::Display for Feature {
    /// `name` or `name="value,..."`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if let Some(v) = self.param_value() {
            write!(f, "={v}")?;
        }
        Ok(())
    }
}

/// A feature set: the features a Contact advertises (RFC 3840 §9), or the ones an
/// Accept-Contact/Reject-Contact predicate asks about. A conjunction: each feature constrains
/// one tag, and tags are unique.
///
/// [`Display`](fmt::Display) writes the features as Contact parameters joined by `;`, in
/// order, without a leading `;`. `==` compares the features by tag, in any order.
///
/// ```
/// use sip_lite::Message;
/// use sip_lite::feature::{FeatureSet, CS_VOICE};
///
/// let msg = Message::parse(
///     "REGISTER sip:example.com SIP/2.0\r\n\
///      Contact: <sip:u1@h.example.com>;audio;video;methods=\"INVITE,BYE\";q=0.2\r\n\
///      Content-Length: 0\r\n\r\n",
/// )?;
/// let contact = msg.headers().contacts().next().unwrap()?;
/// let set = FeatureSet::from_params(contact.address().unwrap().params().pairs())?;
/// assert_eq!(set.len(), 3); // q is not a feature parameter
/// assert!(set.has_token("methods", "bye"));
/// assert!(!set.contains(CS_VOICE));
/// assert_eq!(set.to_string(), "audio;video;methods=\"INVITE,BYE\"");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct FeatureSet {
    features: Vec<Feature>,
}

impl FeatureSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The features among Contact (or Accept-/Reject-Contact) parameters, given as
    /// `(name, raw value)` pairs as [`crate::typed::ParamList::pairs`] yields them. Other
    /// parameters (`q`, `expires`, `require`, `explicit`, names without `+`...) are skipped.
    ///
    /// RFC 3841 §7.2.3: a `+name` parameter is also skipped when `name` is a base tag given
    /// in its own (bare) form.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Result<Self, FeatureError> {
        let params: Vec<(&str, Option<&str>)> = params
            .into_iter()
            .filter(|(n, _)| is_feature_name(n))
            .take(MAX_FEATURES + 1)
            .collect();
        let mut set = Self::new();
        for &(name, value) in &params {
            if let Some(plain) = name.strip_prefix('+') {
                let shadowed = BASE_TAGS.iter().any(|t| t.eq_ignore_ascii_case(plain))
                    && params.iter().any(|(n, _)| n.eq_ignore_ascii_case(plain));
                if shadowed {
                    continue;
                }
            }
            let feature = Feature::from_param(name, value)?;
            if set.get_tag(feature.tag()).is_some() {
                return Err(FeatureError::Duplicate);
            }
            if set.features.len() == MAX_FEATURES {
                return Err(FeatureError::TooManyFeatures);
            }
            set.features.push(feature);
        }
        Ok(set)
    }

    /// What an Image Share terminal advertises (GSMA IR.79): [`CS_VOICE`] and the
    /// [`IMAGE_SHARE_IARI`] as [`IARI_REF`].
    pub fn image_share() -> Self {
        let features = [
            Feature {
                name: CS_VOICE.to_owned(),
                tag: "g.3gpp.cs-voice".to_owned(),
                values: vec![Filter::new(FeatureValue::Boolean(true))],
            },
            Feature {
                name: IARI_REF.to_owned(),
                tag: "g.3gpp.iari-ref".to_owned(),
                values: vec![Filter::new(FeatureValue::Token(
                    IMAGE_SHARE_IARI.to_owned(),
                ))],
            },
        ];
        Self {
            features: features.into(),
        }
    }

    /// Adds `feature`, replacing the one with the same tag if any (which is returned).
    pub fn insert(&mut self, feature: Feature) -> Option<Feature> {
        match self.features.iter_mut().find(|f| f.tag == feature.tag) {
            Some(slot) => Some(std::mem::replace(slot, feature)),
            None => {
                self.features.push(feature);
                None
            }
        }
    }

    /// `self` with `feature` added (see [`FeatureSet::insert`]).
    #[must_use]
    pub fn with(mut self, feature: Feature) -> Self {
        self.insert(feature);
        self
    }

    /// The feature for a parameter name (`audio`, `+sip.audio` and `AUDIO` name the same
    /// tag).
    pub fn get(&self, name: &str) -> Option<&Feature> {
        self.get_tag(&decode_tag(name)?)
    }

    pub(crate) fn get_tag(&self, tag: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.tag == tag)
    }

    /// Whether a feature for `name` is present (whatever its values).
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether the feature `name` is present and allows the token `token` (unescaped,
    /// compared case-insensitively), e.g. `has_token(IARI_REF, IMAGE_SHARE_IARI)` or
    /// `has_token("methods", "INVITE")`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get(name)
            .is_some_and(|f| f.allows(&FeatureValue::Token(token.to_owned())))
    }

    /// Whether the set advertises Image Share: [`CS_VOICE`] true and the
    /// [`IMAGE_SHARE_IARI`] among the [`IARI_REF`] values.
    pub fn is_image_share(&self) -> bool {
        self.get(CS_VOICE)
            .is_some_and(|f| f.allows(&FeatureValue::Boolean(true)))
            && self.has_token(IARI_REF, IMAGE_SHARE_IARI)
    }

    /// The features, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Feature> + '_ {
        self.features.iter()
    }

    /// How many features the set holds.
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Whether the set holds no feature (a contact "immune" to caller preferences,
    /// RFC 3841 §7.2.3).
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

impl PartialEq for FeatureSet {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && self
                .features
                .iter()
                .all(|f| other.get_tag(&f.tag).is_some_and(|g| g == f))
    }
}

impl fmt::Display for FeatureSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, feature) in self.features.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{feature}")?;
        }
        Ok(())
    }
}

impl<'a> IntoIterator for &'a FeatureSet {
    type Item = &'a Feature;
    type IntoIter = std::slice::Iter<'a, Feature>;
    fn into_iter(self) -> Self::IntoIter {
        self.features.iter()
    }
}

#[cfg(test)]
mod matching_tests;
#[cfg(test)]
mod tests;
