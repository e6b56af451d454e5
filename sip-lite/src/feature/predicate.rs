//! Caller preferences: Accept-Contact / Reject-Contact predicates matched against contact
//! feature sets (RFC 3841 §7.2.4).

use std::cmp::Ordering;
use std::fmt;

use super::value::terms_intersect;
use super::{FeatureError, FeatureSet};
use crate::typed::ContactPredicate;

/// RFC 3841 §11: "servers SHOULD reject requests with too many rules. A reasonable number
/// is around 20." [`order_targets`] does not enforce it; a server checks the number of
/// Accept-Contact plus Reject-Contact values against this before matching.
pub const MAX_PREDICATES: usize = 20;

/// One Accept-Contact or Reject-Contact value (RFC 3841 §10: `"*" *(SEMI ac-params)`): the
/// features asked about, and the `require` and `explicit` flags (meaningful for
/// Accept-Contact only).
///
/// ```
/// use sip_lite::feature::FeaturePredicate;
/// let p = FeaturePredicate::parse("*;audio;methods=\"BYE\";require")?;
/// assert!(p.is_require() && !p.is_explicit());
/// assert_eq!(p.features().len(), 2);
/// assert_eq!(p.to_string(), "*;audio;methods=\"BYE\";require");
/// # Ok::<(), sip_lite::feature::FeatureError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeaturePredicate {
    features: FeatureSet,
    require: bool,
    explicit: bool,
}

/// The outcome of matching one Accept-Contact predicate against one contact's feature set
/// (RFC 3841 §7.2.4, Figure 1).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Match {
    /// The contact has no feature parameters at all: it is "immune to caller preference
    /// processing" and keeps its place with a caller preference of 1.0 (RFC 3841 §7.2.3).
    Immune,
    /// The feature sets match (RFC 2533). `score` (0.0 to 1.0) is the share of the
    /// predicate's features the contact mentions; it is 0.0 when the predicate is `explicit`
    /// and the contact did not mention all of them.
    Matched {
        /// The contact's score against this predicate.
        score: f64,
    },
    /// No match, and the predicate did not `require` one: the contact stays, but this
    /// predicate leaves its matching set (it counts neither for nor against it).
    NotMatched,
    /// The contact must be dropped: no match with `require`, or `require` and `explicit`
    /// without an explicit match.
    Drop,
}

impl FeaturePredicate {
    /// A predicate asking for `features`, without `require` or `explicit`.
    pub fn new(features: FeatureSet) -> Self {
        Self {
            features,
            require: false,
            explicit: false,
        }
    }

    /// Sets the `require` flag: a non-matching contact is dropped.
    #[must_use]
    pub fn require(mut self) -> Self {
        self.require = true;
        self
    }

    /// Sets the `explicit` flag: only contacts that mention every feature count as a match.
    #[must_use]
    pub fn explicit(mut self) -> Self {
        self.explicit = true;
        self
    }

    /// Builds a predicate from its parameters (`(name, raw value)` pairs): feature
    /// parameters, `require`, `explicit`; other generic parameters (such as the `q` of the
    /// RFC 3841 §7.2.5 example) are ignored.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Result<Self, FeatureError> {
        let params: Vec<_> = params.into_iter().collect();
        let flag = |name: &str| params.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        Ok(Self {
            require: flag("require"),
            explicit: flag("explicit"),
            features: FeatureSet::from_params(params.iter().copied())?,
        })
    }

    /// Builds a predicate from a parsed Accept-Contact/Reject-Contact value
    /// ([`crate::Headers::accept_contact`], [`crate::Headers::reject_contact`]).
    pub fn from_contact_predicate(p: &ContactPredicate<'_>) -> Result<Self, FeatureError> {
        Self::from_params(p.params().pairs())
    }

    /// Parses one Accept-Contact/Reject-Contact value, e.g.
    /// `*;+g.3gpp.iari-ref="urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is";require;explicit`.
    pub fn parse(value: &str) -> Result<Self, FeatureError> {
        Self::from_contact_predicate(&ContactPredicate::parse(value)?)
    }

    /// The features asked about.
    pub fn features(&self) -> &FeatureSet {
        &self.features
    }

    /// Whether `require` was given.
    pub fn is_require(&self) -> bool {
        self.require
    }

    /// Whether `explicit` was given.
    pub fn is_explicit(&self) -> bool {
        self.explicit
    }

    /// Whether the contact's features are compatible with the predicate's (RFC 2533 matching
    /// as RFC 3841 §7.2.4 uses it): for every feature of the predicate that the contact also
    /// describes, some value satisfies both; a feature the contact does not describe is
    /// unconstrained and cannot cause a mismatch.
    fn compatible(&self, contact: &FeatureSet) -> bool {
        self.features.iter().all(|want| {
            contact
                .get_tag(want.tag())
                .is_none_or(|have| terms_intersect(want.values(), have.values()))
        })
    }

    /// Matches this Accept-Contact predicate against a contact's features
    /// (RFC 3841 §7.2.4):
    ///
    /// 1. a contact without features is [`Match::Immune`];
    /// 2. no RFC 2533 match: [`Match::Drop`] with `require`, else [`Match::NotMatched`];
    /// 3. score = features of the predicate the contact mentions / features of the predicate
    ///    (1.0 for a predicate with no features);
    /// 4. score below 1 with `explicit`: [`Match::Drop`] with `require`, else score 0.
    ///
    /// So with `require` alone, a contact that does not mention a feature is kept ("if it's
    /// not known whether it's a complete match, the contact is still used", RFC 3841 §5.2),
    /// with a lower score.
    pub fn matches(&self, contact: &FeatureSet) -> Match {
        if contact.is_empty() {
            return Match::Immune;
        }
        if !self.compatible(contact) {
            return if self.require {
                Match::Drop
            } else {
                Match::NotMatched
            };
        }
        let total = self.features.len();
        let present = self
            .features
            .iter()
            .filter(|f| contact.get_tag(f.tag()).is_some())
            .count();
        let mut score = if total == 0 {
            1.0
        } else {
            present as f64 / total as f64
        };
        if present < total && self.explicit {
            if self.require {
                return Match::Drop;
            }
            score = 0.0;
        }
        Match::Matched { score }
    }

    /// Whether this Reject-Contact predicate rejects a contact (RFC 3841 §7.2.4): only when
    /// the contact mentions every feature of the predicate and the feature sets match, so a
    /// contact is only rejected for features it explicitly claims. Contacts without features
    /// are immune. `require` and `explicit` play no part.
    pub fn rejects(&self, contact: &FeatureSet) -> bool {
        !contact.is_empty()
            && self
                .features
                .iter()
                .all(|f| contact.get_tag(f.tag()).is_some())
            && self.compatible(contact)
    }
}

impl fmt::Display for FeaturePredicate {
    /// The header value: `*`, the features, then `require` and `explicit`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("*")?;
        if !self.features.is_empty() {
            write!(f, ";{}", self.features)?;
        }
        if self.require {
            f.write_str(";require")?;
        }
        if self.explicit {
            f.write_str(";explicit")?;
        }
        Ok(())
    }
}

/// A target kept by [`order_targets`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Ranked {
    /// The target's position in the input.
    pub index: usize,
    /// The callee's q-value in thousandths (1000 when the contact had none).
    pub q: u16,
    /// The caller preference Qa, 0.0 to 1.0: the mean of the scores against the
    /// Accept-Contact predicates left in the target's matching set.
    pub qa: f64,
}

/// Applies caller preferences to a target set (RFC 3841 §7.2.4): each target is a contact's
/// feature set and q-value (thousandths, as [`crate::typed::ContactValue::q`] gives it;
/// `None` = 1.0). Returns the targets kept, best first.
///
/// 1. Targets without features are immune: kept with Qa = 1.0.
/// 2. A target any Reject-Contact predicate [rejects](FeaturePredicate::rejects) is dropped.
/// 3. Each Accept-Contact predicate is [matched](FeaturePredicate::matches); a
///    [`Match::Drop`] drops the target, a [`Match::NotMatched`] leaves the predicate out of
///    its matching set. Qa is the mean score over the matching set; 0.0 when the set is empty
///    (the target matched none: tried last in its q class), 1.0 when there are no
///    Accept-Contact predicates at all.
/// 4. Targets are sorted by q, highest first, then by Qa within equal q, then by input order.
///
/// Not done here: implicit preferences (§7.2.2: the proxy adding the request's method or
/// event package as a predicate) and the fallback to the original target set when only
/// implicit preferences emptied it; a caller wanting them adds those predicates itself.
///
/// ```
/// use sip_lite::feature::{order_targets, FeaturePredicate, FeatureSet};
/// let video = FeatureSet::from_params([("audio", None), ("video", None)])?;
/// let audio = FeatureSet::from_params([("audio", None)])?;
/// let accept = [FeaturePredicate::parse("*;video")?];
/// let ranked = order_targets([(&audio, None), (&video, None)], &accept, &[]);
/// assert_eq!(ranked.iter().map(|r| r.index).collect::<Vec<_>>(), [1, 0]);
/// # Ok::<(), sip_lite::feature::FeatureError>(())
/// ```
pub fn order_targets<'a>(
    targets: impl IntoIterator<Item = (&'a FeatureSet, Option<u16>)>,
    accept: &[FeaturePredicate],
    reject: &[FeaturePredicate],
) -> Vec<Ranked> {
    let mut kept = Vec::new();
    'targets: for (index, (features, q)) in targets.into_iter().enumerate() {
        let q = q.unwrap_or(1000);
        if features.is_empty() {
            kept.push(Ranked { index, q, qa: 1.0 });
            continue;
        }
        if reject.iter().any(|r| r.rejects(features)) {
            continue;
        }
        if accept.is_empty() {
            kept.push(Ranked { index, q, qa: 1.0 });
            continue;
        }
        let (mut sum, mut count) = (0.0, 0u32);
        for predicate in accept {
            match predicate.matches(features) {
                Match::Drop => continue 'targets,
                Match::NotMatched => {}
                Match::Matched { score } => {
                    sum += score;
                    count += 1;
                }
                Match::Immune => {
                    sum += 1.0;
                    count += 1;
                }
            }
        }
        let qa = if count == 0 {
            0.0
        } else {
            sum / f64::from(count)
        };
        kept.push(Ranked { index, q, qa });
    }
    // A stable sort keeps the input order among equals.
    kept.sort_by(|a, b| match b.q.cmp(&a.q) {
        Ordering::Equal => b.qa.total_cmp(&a.qa),
        other => other,
    });
    kept
}
