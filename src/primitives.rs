//! The data representations of MQTT (section 1.5): nom parsers over the exact
//! body of one packet, and their writers.
//!
//! Parsers are `complete`: the body is whole, so running out of bytes means the
//! remaining length is too short for the field ([`ErrorKind::Truncated`]).
//! Every UTF-8 string is checked with simdutf8 and for U+0000.

use bytes::BufMut;
use nom::bytes::complete::take;
use nom::number::complete::{be_u16, be_u32, be_u8};

use crate::{framing, DecodeError, EncodeError, ErrorKind, Field};

/// The nom error type of mqttwire's parsers: the input where the problem is
/// and which rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError<'a> {
    /// The input remaining where the error was found.
    pub input: &'a [u8],
    /// The rule broken.
    pub kind: ErrorKind,
}

impl<'a> nom::error::ParseError<&'a [u8]> for ParseError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: nom::error::ErrorKind) -> Self {
        ParseError {
            input,
            kind: ErrorKind::Truncated(Field::RemainingLength),
        }
    }

    fn append(_input: &'a [u8], _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

/// Result of a mqttwire nom parser.
pub type PResult<'a, T> = nom::IResult<&'a [u8], T, ParseError<'a>>;

/// An error at `input` (a suffix of the body being parsed).
#[inline]
pub fn fail<T>(input: &[u8], kind: ErrorKind) -> PResult<'_, T> {
    Err(nom::Err::Failure(ParseError { input, kind }))
}

/// Turn a parse error into a [`DecodeError`] whose offset counts from the start
/// of `body` (the parser's original input).
pub fn to_decode_error(body: &[u8], err: nom::Err<ParseError<'_>>) -> DecodeError {
    match err {
        nom::Err::Error(e) | nom::Err::Failure(e) => {
            DecodeError::new(e.kind, body.len().saturating_sub(e.input.len()))
        }
        nom::Err::Incomplete(_) => {
            DecodeError::new(ErrorKind::Truncated(Field::RemainingLength), body.len())
        }
    }
}

#[inline]
fn truncated<'a>(
    input: &'a [u8],
    field: Field,
) -> impl FnOnce(nom::Err<ParseError<'a>>) -> nom::Err<ParseError<'a>> {
    move |_| {
        nom::Err::Failure(ParseError {
            input,
            kind: ErrorKind::Truncated(field),
        })
    }
}

/// One byte.
#[inline]
pub fn byte(input: &[u8], field: Field) -> PResult<'_, u8> {
    be_u8::<_, ParseError>(input).map_err(truncated(input, field))
}

/// Two Byte Integer, big-endian (1.5.2).
#[inline]
pub fn u16_be(input: &[u8], field: Field) -> PResult<'_, u16> {
    be_u16::<_, ParseError>(input).map_err(truncated(input, field))
}

/// Four Byte Integer, big-endian (1.5.3).
#[inline]
pub fn u32_be(input: &[u8], field: Field) -> PResult<'_, u32> {
    be_u32::<_, ParseError>(input).map_err(truncated(input, field))
}

/// Variable Byte Integer (1.5.5), at most four bytes, shortest form.
#[inline]
pub fn var_int(input: &[u8], field: Field) -> PResult<'_, u32> {
    match framing::read_var_int(input) {
        Ok(crate::Status::Complete((v, n))) => Ok((&input[n..], v)),
        // Like every truncated field, reported at the field's first byte.
        Ok(crate::Status::Partial(_)) => fail(input, ErrorKind::Truncated(field)),
        Err(e) => fail(&input[e.offset.min(input.len())..], e.kind),
    }
}

/// Binary Data (1.5.6): a two-byte length and that many bytes.
#[inline]
pub fn binary(input: &[u8], field: Field) -> PResult<'_, &[u8]> {
    let (rest, len) = u16_be(input, field)?;
    take::<_, _, ParseError>(len)
        .parse_complete(rest)
        .map_err(truncated(input, field))
}

use nom::Parser as _;

/// UTF-8 Encoded String (1.5.4): a two-byte length and well-formed UTF-8 without
/// U+0000 [MQTT-1.5.4-1] [MQTT-1.5.4-2]. The check uses simdutf8.
#[inline]
pub fn utf8(input: &[u8], field: Field) -> PResult<'_, &str> {
    utf8_with(input, field, true)
}

/// [`utf8`], with the U+0000 check only when `strict` (well-formedness is
/// always checked: a `&str` must be UTF-8).
#[inline]
pub fn utf8_with(input: &[u8], field: Field, strict: bool) -> PResult<'_, &str> {
    let (rest, bytes) = binary(input, field)?;
    let start = &input[2..];
    match check_utf8(bytes, field, strict) {
        Ok(s) => Ok((rest, s)),
        Err((at, kind)) => fail(&start[at..], kind),
    }
}

/// What one pass over a string's bytes found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scan {
    /// Some byte is >= 0x80 (the string is not ASCII).
    pub non_ascii: bool,
    /// Some byte is 0x00 (U+0000: no multi-byte UTF-8 sequence contains 0x00).
    pub nul: bool,
    /// Some byte is `+` or `#` (never part of a multi-byte sequence either).
    pub wildcard: bool,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `w` is zero (exact, the classic SWAR test).
#[inline(always)]
fn has_zero(w: u64) -> bool {
    w.wrapping_sub(LO) & !w & HI != 0
}

#[inline(always)]
fn scan_word(w: u64, acc: &mut (u64, bool, bool)) {
    acc.0 |= w & HI;
    acc.1 |= has_zero(w);
    acc.2 |= has_zero(w ^ (LO * b'+' as u64)) | has_zero(w ^ (LO * b'#' as u64));
}

/// Scan a string's bytes eight at a time for non-ASCII bytes, U+0000 and
/// wildcard characters: the checks a topic needs, in one pass.
#[inline]
pub fn scan(bytes: &[u8]) -> Scan {
    let mut acc = (0u64, false, false);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        scan_word(u64::from_le_bytes(a), &mut acc);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // Pad with 'A', which none of the tests match.
        let mut a = [b'A'; 8];
        a[..rest.len()].copy_from_slice(rest);
        scan_word(u64::from_le_bytes(a), &mut acc);
    }
    Scan {
        non_ascii: acc.0 != 0,
        nul: acc.1,
        wildcard: acc.2,
    }
}

/// Whether `bytes` is a topic name every mode accepts without a closer look:
/// non-empty, ASCII, no U+0000, no `+` or `#`.
#[inline(always)]
pub(crate) fn plain_topic(bytes: &[u8]) -> bool {
    !bytes.is_empty() && plain::<true>(bytes)
}

/// Whether `bytes` is a string every mode accepts without a closer look:
/// ASCII without U+0000.
#[inline(always)]
pub(crate) fn plain_string(bytes: &[u8]) -> bool {
    plain::<false>(bytes)
}

/// ASCII, no U+0000, and with `TOPIC` no `+` or `#`. 8 to 32 bytes (most
/// topics): two windows of 8 or 16 bytes, the second ending where `bytes`
/// ends (overlapping the first), checked without branches so that the
/// compiler makes each window one vector (SSE2 on x86_64: compare, or,
/// `pmovmskb`, one test); 4 to 7 bytes as two windows of four in one word;
/// longer strings eight bytes at a time.
#[inline(always)]
fn plain<const TOPIC: bool>(bytes: &[u8]) -> bool {
    // A byte every mode accepts without a closer look is 0x01 to 0x7f (as
    // i8, > 0) and, with TOPIC, neither '+' (0x2b) nor '#' (0x23): they
    // differ in bit 3 alone, so `| 0x08` maps both to '+' and nothing else.
    #[inline(always)]
    fn bad<const TOPIC: bool>(b: u8) -> bool {
        (b as i8) <= 0 || (TOPIC && b | 0x08 == b'+')
    }
    // Whether any byte of a window is bad: a fold with `|`, no early exit,
    // which is what lets it become vector code.
    #[inline(always)]
    fn any_bad<const TOPIC: bool, const N: usize>(w: &[u8; N]) -> bool {
        w.iter().fold(false, |acc, &x| acc | bad::<TOPIC>(x))
    }
    // The same rule on eight bytes in a word (SWAR), for the long strings:
    // the high bit of each byte of the result is set if that byte is bad.
    #[inline(always)]
    fn bad_word<const TOPIC: bool>(w: u64) -> u64 {
        let nul = w.wrapping_sub(LO) & !w;
        if TOPIC {
            let y = (w | (LO * 0x08)) ^ (LO * b'+' as u64);
            w | nul | (y.wrapping_sub(LO) & !y)
        } else {
            w | nul
        }
    }
    let n = bytes.len();
    if n > 32 {
        // The eight bytes at `i` (`i + 8 <= n` here; 0 = no bad byte otherwise).
        let word = |i: usize| match bytes.get(i..).and_then(|c| c.first_chunk::<8>()) {
            Some(a) => u64::from_le_bytes(*a),
            None => 0,
        };
        let mut acc = bad_word::<TOPIC>(word(n - 8));
        let mut i = 0;
        while i + 8 < n {
            acc |= bad_word::<TOPIC>(word(i));
            i += 8;
        }
        return acc & HI == 0;
    }
    if n >= 16 {
        return match (bytes.first_chunk::<16>(), bytes.last_chunk::<16>()) {
            (Some(a), Some(b)) => !(any_bad::<TOPIC, 16>(a) | any_bad::<TOPIC, 16>(b)),
            _ => false,
        };
    }
    if n >= 8 {
        return match (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
            (Some(a), Some(b)) => !(any_bad::<TOPIC, 8>(a) | any_bad::<TOPIC, 8>(b)),
            _ => false,
        };
    }
    if n >= 4 {
        // Two windows of four bytes, side by side in one word.
        return match (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
            (Some(a), Some(b)) => {
                let w = u32::from_le_bytes(*a) as u64 | (u32::from_le_bytes(*b) as u64) << 32;
                bad_word::<TOPIC>(w) & HI == 0
            }
            _ => false,
        };
    }
    // One to three bytes: the first, the middle and the last cover them.
    match (bytes.first(), bytes.get(n / 2), bytes.last()) {
        (Some(&a), Some(&b), Some(&c)) => !any_bad::<TOPIC, 3>(&[a, b, c]),
        _ => true,
    }
}

/// Check that `bytes` is a valid MQTT string: well-formed UTF-8 (checked
/// with simdutf8 when not plain ASCII) without U+0000 (when `strict`).
/// On failure returns the offset of the first bad byte and the error.
#[inline]
pub fn check_utf8(bytes: &[u8], field: Field, strict: bool) -> Result<&str, (usize, ErrorKind)> {
    let sc = scan(bytes);
    let s = if sc.non_ascii {
        match simdutf8::basic::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => {
                let at = simdutf8::compat::from_utf8(bytes)
                    .err()
                    .map(|e| e.valid_up_to())
                    .unwrap_or(0);
                return Err((at, ErrorKind::InvalidUtf8(field)));
            }
        }
    } else {
        ascii_str(bytes)
    };
    if strict && sc.nul {
        let at = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        return Err((at, ErrorKind::NullCharacter(field)));
    }
    Ok(s)
}

/// `bytes` as `&str`, for bytes that [`scan`] found to be all ASCII.
#[inline(always)]
#[allow(unsafe_code)]
pub(crate) fn ascii_str(bytes: &[u8]) -> &str {
    debug_assert!(bytes.is_ascii());
    // SAFETY: the caller has checked with `scan` that every byte is < 0x80, and
    // a sequence of ASCII bytes is well-formed UTF-8.
    unsafe { core::str::from_utf8_unchecked(bytes) }
}

/// A field must be empty here: the body has bytes after its last field.
#[inline]
pub fn expect_end(input: &[u8], ty: crate::PacketType) -> PResult<'_, ()> {
    if input.is_empty() {
        Ok((input, ()))
    } else {
        fail(input, ErrorKind::TrailingBytes(ty))
    }
}

/// Bytes a UTF-8 string or binary field takes on the wire, refusing lengths
/// over 65,535 instead of truncating them.
#[inline]
pub fn field_len(len: usize, field: Field) -> Result<usize, EncodeError> {
    if len > u16::MAX as usize {
        Err(EncodeError::FieldTooLong(field))
    } else {
        Ok(2 + len)
    }
}

/// Check a string about to be encoded: no U+0000, at most 65,535 bytes.
#[inline]
pub fn check_str_for_encode(s: &str, field: Field) -> Result<usize, EncodeError> {
    if s.as_bytes().contains(&0) {
        return Err(EncodeError::Invalid(ErrorKind::NullCharacter(field)));
    }
    field_len(s.len(), field)
}

/// Write a two-byte length and the bytes (length already checked).
#[inline]
pub fn write_binary(buf: &mut impl BufMut, bytes: &[u8]) {
    buf.put_u16(bytes.len() as u16);
    buf.put_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `plain_topic` and `plain_string` against their definition, for every
    /// length from 0 to 72 (each branch of `plain`: bytes, two 8-byte and two
    /// 16-byte windows, words) with each interesting byte at every position,
    /// alone and in pairs.
    #[test]
    fn plain_matches_its_definition() {
        let ok_string = |b: &[u8]| b.iter().all(|&c| c != 0 && c < 0x80);
        let ok_topic =
            |b: &[u8]| !b.is_empty() && ok_string(b) && !b.iter().any(|&c| c == b'+' || c == b'#');
        let check = |t: &[u8]| {
            assert_eq!(plain_topic(t), ok_topic(t), "topic {t:02x?}");
            assert_eq!(plain_string(t), ok_string(t), "string {t:02x?}");
        };
        // The rejected bytes, their neighbours, and the ones a sloppy test
        // (bit 3 or bit 7 masked, a signed or unsigned compare) would mix up.
        let special = b"+#\x00\x80\xff\x01\x7f\x81\xab\xa3*,\"$/\x08\x88";
        for n in 0..=72 {
            let base: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            check(&base);
            for pos in 0..n {
                for &c in special {
                    let mut t = base.clone();
                    t[pos] = c;
                    check(&t);
                    // and a 0x80 byte elsewhere (or on top of it)
                    let mut u = t.clone();
                    u[(pos * 7 + 3) % n] = 0x80;
                    check(&u);
                }
                // a valid two-byte UTF-8 sequence starting here
                if pos + 1 < n {
                    let mut t = base.clone();
                    t[pos..pos + 2].copy_from_slice("\u{e9}".as_bytes());
                    check(&t);
                }
            }
        }
    }

    #[test]
    fn utf8_rules() {
        assert_eq!(
            utf8(b"\x00\x02ab!", Field::Topic).unwrap(),
            (&b"!"[..], "ab")
        );
        let e = utf8(b"\x00\x03a\x00b", Field::Topic).unwrap_err();
        let nom::Err::Failure(e) = e else { panic!() };
        assert_eq!(e.kind, ErrorKind::NullCharacter(Field::Topic));
        assert_eq!(e.input, b"\x00b");
        let e = utf8(b"\x00\x02\xc3\x28", Field::Username).unwrap_err();
        let nom::Err::Failure(e) = e else { panic!() };
        assert_eq!(e.kind, ErrorKind::InvalidUtf8(Field::Username));
        // UTF-16 surrogate encoded in UTF-8 is ill-formed.
        let e = utf8(b"\x00\x03\xed\xa0\x80", Field::Topic).unwrap_err();
        let nom::Err::Failure(e) = e else { panic!() };
        assert_eq!(e.kind, ErrorKind::InvalidUtf8(Field::Topic));
        let e = utf8(b"\x00\x05ab", Field::ClientId).unwrap_err();
        let nom::Err::Failure(e) = e else { panic!() };
        assert_eq!(e.kind, ErrorKind::Truncated(Field::ClientId));
    }
}
