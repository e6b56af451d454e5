//! The numbering-plan configuration that turns national and local numbers into E.164.

use super::E164Error;

/// Longest international, trunk or area prefix accepted in a plan, in digits.
const MAX_PREFIX_DIGITS: usize = 12;

/// How numbers are dialled where the user is: the country code, the international prefix(es)
/// and the national (trunk) prefix, used to complete numbers that are not written in global
/// form (ITU-T E.164 §6: international number = country code + national significant number).
///
/// [`NumberingPlan::default()`] knows no country: only global numbers (`+...`, `tel:+...`)
/// can then be normalised, and anything else is [`E164Error::NoCountryContext`].
///
/// ```
/// use sip_lite::e164::{NumberingPlan, normalize_number};
///
/// // United Kingdom: +44, international prefix 00, trunk prefix 0.
/// let uk = NumberingPlan::new("44")?
///     .with_international_prefix("00")?
///     .with_trunk_prefix("0")?;
/// assert_eq!(normalize_number("020 7946 0000", &uk)?.to_string(), "+442079460000");
/// assert_eq!(normalize_number("0044 20 7946 0000", &uk)?.to_string(), "+442079460000");
///
/// // North America: +1, international prefix 011, trunk prefix 1; ten-digit numbers are
/// // dialled without the trunk prefix.
/// let nanp = NumberingPlan::new("1")?
///     .with_international_prefix("011")?
///     .with_trunk_prefix("1")?;
/// assert_eq!(normalize_number("(201) 555-0123", &nanp)?.to_string(), "+12015550123");
/// assert_eq!(normalize_number("1-201-555-0123", &nanp)?.to_string(), "+12015550123");
///
/// // Without a country, only global numbers work.
/// let none = NumberingPlan::default();
/// assert!(normalize_number("020 7946 0000", &none).is_err());
/// assert!(normalize_number("+44 20 7946 0000", &none).is_ok());
/// # Ok::<(), sip_lite::e164::E164Error>(())
/// ```
///
/// With the `serde` feature the plan (de)serialises as a struct with the optional fields
/// `country_code`, `international_prefixes` (a list), `trunk_prefix` and `area_code`, all
/// strings of digits. Deserialised values are checked when the plan is used
/// ([`E164Error::InvalidPlan`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(default)
)]
#[non_exhaustive]
pub struct NumberingPlan {
    country_code: Option<String>,
    international_prefixes: Vec<String>,
    trunk_prefix: Option<String>,
    area_code: Option<String>,
}

impl NumberingPlan {
    /// A plan for the country with calling code `country_code` (1 to 3 digits, not starting
    /// with 0, e.g. `"44"`), with no international or trunk prefix yet.
    pub fn new(country_code: &str) -> Result<Self, E164Error> {
        check_country_code(country_code)?;
        Ok(Self {
            country_code: Some(country_code.to_owned()),
            ..Self::default()
        })
    }

    /// Adds an international prefix (the digits dialled before a country code, e.g. `"00"`,
    /// `"011"`). Several may be added; the longest one that fits is used.
    pub fn with_international_prefix(mut self, prefix: &str) -> Result<Self, E164Error> {
        check_digits(prefix, "international prefix")?;
        self.international_prefixes.push(prefix.to_owned());
        Ok(self)
    }

    /// Sets the national (trunk) prefix dialled before a national significant number, e.g.
    /// `"0"` (most of Europe) or `"1"` (North America).
    pub fn with_trunk_prefix(mut self, prefix: &str) -> Result<Self, E164Error> {
        check_digits(prefix, "trunk prefix")?;
        self.trunk_prefix = Some(prefix.to_owned());
        Ok(self)
    }

    /// Sets the area code put in front of a bare subscriber number (one dialled without
    /// trunk prefix where the plan has one), e.g. `"20"` for London. Without it, a number
    /// with no prefix at all is taken as a national significant number.
    pub fn with_area_code(mut self, area_code: &str) -> Result<Self, E164Error> {
        check_digits(area_code, "area code")?;
        self.area_code = Some(area_code.to_owned());
        Ok(self)
    }

    /// The country calling code, if the plan has one.
    pub fn country_code(&self) -> Option<&str> {
        self.country_code.as_deref()
    }

    /// The international prefixes.
    pub fn international_prefixes(&self) -> impl Iterator<Item = &str> + '_ {
        self.international_prefixes.iter().map(String::as_str)
    }

    /// The national (trunk) prefix.
    pub fn trunk_prefix(&self) -> Option<&str> {
        self.trunk_prefix.as_deref()
    }

    /// The area code for bare subscriber numbers.
    pub fn area_code(&self) -> Option<&str> {
        self.area_code.as_deref()
    }

    /// Checks every field (a deserialised plan has not been through the builders).
    pub(crate) fn check(&self) -> Result<(), E164Error> {
        if let Some(cc) = &self.country_code {
            check_country_code(cc)?;
        }
        for p in &self.international_prefixes {
            check_digits(p, "international prefix")?;
        }
        if let Some(p) = &self.trunk_prefix {
            check_digits(p, "trunk prefix")?;
        }
        if let Some(a) = &self.area_code {
            check_digits(a, "area code")?;
        }
        Ok(())
    }

    /// The longest international prefix that `digits` starts with.
    pub(crate) fn international_prefix_of(&self, digits: &str) -> Option<&str> {
        self.international_prefixes()
            .filter(|p| digits.starts_with(p))
            .max_by_key(|p| p.len())
    }
}

/// ITU-T E.164 §6.2.1: country codes are 1 to 3 digits; none starts with 0.
fn check_country_code(cc: &str) -> Result<(), E164Error> {
    let ok = (1..=3).contains(&cc.len())
        && cc.bytes().all(|b| b.is_ascii_digit())
        && !cc.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(E164Error::InvalidPlan {
            field: "country code",
        })
    }
}

fn check_digits(s: &str, field: &'static str) -> Result<(), E164Error> {
    if (1..=MAX_PREFIX_DIGITS).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(E164Error::InvalidPlan { field })
    }
}
