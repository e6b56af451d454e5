//! Checking an answer against its offer (RFC 3264 §6, RFC 4975 §8, RFC 5547 §8.3, RFC 6135).

use crate::error::AnswerViolation;
use crate::media_attrs::{Direction, Setup};
use crate::roles::connecting_side;
use crate::session::SessionDescription;

/// Checks that `answer` is a valid answer to `offer` for file transfer:
///
/// - the same media sections in the same order, with the same media type and protocol;
/// - a section offered with port 0 stays at port 0;
/// - a rejected file-transfer section (port 0) mirrors the offer's `file-selector` and
///   `file-transfer-id` (RFC 5547 §8.3);
/// - an accepted one echoes the `file-transfer-id` (§8.1) and `file-range` (§8.3.1, §8.3.2),
///   has the inverse direction (`recvonly` for a push, `sendonly` for a pull), a selector as
///   §8.3 asks (a push answer copies name, type and size; a pull answer has a selector that
///   does not contradict the offer's), no `file-icon`, `file-disposition` or `file-date` in a
///   push answer, `a=path` and `a=accept-types` (RFC 4975 §8.2, §8.6), and an `a=setup` that
///   leaves exactly one connecting side and is never `holdconn` (RFC 6135 §4.2).
pub fn validate_answer(
    offer: &SessionDescription,
    answer: &SessionDescription,
) -> Result<(), AnswerViolation> {
    if offer.media.len() != answer.media.len() {
        return Err(AnswerViolation::MediaCount {
            offer: offer.media.len(),
            answer: answer.media.len(),
        });
    }
    for (index, (o, a)) in offer.media.iter().zip(&answer.media).enumerate() {
        if !o.media.eq_ignore_ascii_case(&a.media) || !o.protocol.eq_ignore_ascii_case(&a.protocol)
        {
            return Err(AnswerViolation::MediaMismatch { index });
        }
        let file = o.is_file_transfer();
        if a.port == 0 {
            if file
                && (a.file_selector() != o.file_selector()
                    || a.file_transfer_id() != o.file_transfer_id())
            {
                return Err(AnswerViolation::Selector { index });
            }
            continue;
        }
        if o.port == 0 {
            return Err(AnswerViolation::AcceptedClosed { index });
        }
        if !file {
            continue;
        }
        if a.file_transfer_id() != o.file_transfer_id() {
            return Err(AnswerViolation::TransferId { index });
        }
        let od = offer.direction(index);
        let ad = answer.direction(index);
        let push = match od {
            Direction::SendOnly => true,
            Direction::RecvOnly => false,
            _ => return Err(AnswerViolation::Direction { index }),
        };
        if ad != od.reversed() {
            return Err(AnswerViolation::Direction { index });
        }
        let (Some(os), Some(asel)) = (o.file_selector(), a.file_selector()) else {
            return Err(AnswerViolation::Selector { index });
        };
        let selector_ok = if push {
            // RFC 5547 §8.3.1: name, type and size are copied.
            os.name().is_none_or(|n| asel.name() == Some(n))
                && os.file_type().is_none_or(|t| asel.file_type() == Some(t))
                && os.size().is_none_or(|s| asel.size() == Some(s))
        } else {
            !asel.is_empty()
                && os.name().is_none_or(|n| asel.name().is_none_or(|m| m == n))
                && os.size().is_none_or(|s| asel.size().is_none_or(|t| t == s))
        };
        if !selector_ok {
            return Err(AnswerViolation::Selector { index });
        }
        if a.file_range() != o.file_range() {
            return Err(AnswerViolation::FileRange { index });
        }
        if push {
            for attribute in ["file-icon", "file-disposition", "file-date"] {
                if a.attribute(attribute).is_some() {
                    return Err(AnswerViolation::Forbidden { index, attribute });
                }
            }
        }
        for attribute in ["path", "accept-types"] {
            if a.attribute(attribute).is_none() {
                return Err(AnswerViolation::Missing { index, attribute });
            }
        }
        let raw_setup = a.attributes.iter().find_map(|x| match x {
            crate::Attribute::Setup(s) => Some(*s),
            _ => None,
        });
        if raw_setup == Some(Setup::HoldConn)
            || connecting_side(offer.setup_for(index), answer.setup_for(index)).is_none()
        {
            return Err(AnswerViolation::Setup { index });
        }
    }
    Ok(())
}
