//! The hot path of 5.0 PUBLISH properties: the ones a PUBLISH carries, each
//! plainly valid, handed to a visitor in one pass; anything else goes back to
//! the general parser (`super::parse_properties_visit`), which decides.

use super::*;

/// The properties of a 5.0 PUBLISH at the start of `input`, checked: by
/// [`publish_fast`] when it takes them, else by the general parser. `None`
/// when they are malformed (the caller's general path reports how).
#[inline]
pub(crate) fn publish_checked(input: &[u8], strict: bool) -> Option<(&[u8], Properties<'_>)> {
    publish_fast(input, |_, _| {})
        .or_else(|| parse_properties_with(input, Context::Packet(PacketType::Publish), strict).ok())
}

/// A PUBLISH property value as [`publish_fast`] found it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Raw<'a> {
    /// An integer (byte, two-byte, four-byte or variable byte integer).
    Int(u32),
    /// A string: ASCII without U+0000.
    Str(&'a [u8]),
    /// Binary data.
    Bin(&'a [u8]),
    /// A user property: two strings, ASCII without U+0000.
    Pair(&'a [u8], &'a [u8]),
}

/// What [`publish_fast`] hands each property to: any `FnMut(u8, Raw)`, or a
/// type whose `visit` is always inlined (a closure may not be, and then what
/// it captures lives in memory).
pub(crate) trait PublishVisit<'a> {
    /// One property: its identifier and value.
    fn visit(&mut self, id: u8, value: Raw<'a>);
}

impl<'a, F: FnMut(u8, Raw<'a>)> PublishVisit<'a> for F {
    #[inline(always)]
    fn visit(&mut self, id: u8, value: Raw<'a>) {
        self(id, value)
    }
}

/// The hot path of 5.0 PUBLISH properties (the property length first): the
/// ones a PUBLISH carries (payload format, message expiry, content type,
/// response topic, correlation data, subscription identifier, topic alias,
/// user properties), each value plainly valid — in range, strings ASCII
/// without U+0000, not repeated where it may not be, lengths within the
/// list. Hands each to `visit` and returns what follows the list and the
/// properties. Anything else returns `None` and the caller takes the general
/// path (`parse_properties_visit`), which decides: like the PUBLISH fast path
/// this decides nothing (the tape and parse tests and fuzz targets compare the
/// two paths' results).
#[inline]
pub(crate) fn publish_fast<'a>(
    input: &'a [u8],
    visit: impl PublishVisit<'a>,
) -> Option<(&'a [u8], Properties<'a>)> {
    publish_fast_with::<false>(input, visit)
}

/// Whether `s` is ASCII without U+0000: inlined when `INLINE`, else a call
/// (less code in the caller's loop).
#[inline(always)]
fn plain_string<const INLINE: bool>(s: &[u8]) -> bool {
    #[inline(never)]
    fn call(s: &[u8]) -> bool {
        primitives::plain_string(s)
    }
    if INLINE {
        primitives::plain_string(s)
    } else {
        call(s)
    }
}

/// [`publish_fast`], always inlined, with the string checks inlined when
/// `INLINE`: the tape's, whose visitor then writes from registers. (The
/// decoders, whose loops inline this for 5.0 next to their 3.1.1 path, call
/// the check out of line: their 3.1.1 path then keeps more registers.)
#[inline(always)]
pub(crate) fn publish_fast_with<'a, const INLINE: bool>(
    input: &'a [u8],
    mut visit: impl PublishVisit<'a>,
) -> Option<(&'a [u8], Properties<'a>)> {
    // property length: one or two bytes, shortest form
    let (len, at) = match *input {
        [b, ..] if b < 0x80 => (b as usize, 1),
        [b1, b2, ..] if b2 < 0x80 && b2 != 0 => ((b1 & 0x7f) as usize | (b2 as usize) << 7, 2),
        _ => return None,
    };
    let list = input.get(at..at + len)?;
    let after = input.get(at + len..)?;
    // A two-byte length and that many bytes at `i`: (them, the index after).
    let sized = |i: usize| -> Option<(&'a [u8], usize)> {
        let n = u16::from_be_bytes([*list.get(i)?, *list.get(i + 1)?]) as usize;
        Some((list.get(i + 2..i + 2 + n)?, i + 2 + n))
    };
    let string = |i: usize| match sized(i) {
        Some((s, j)) if plain_string::<INLINE>(s) => Some((s, j)),
        _ => None,
    };
    let mut seen = 0u64;
    let mut i = 0;
    while let Some(&id) = list.get(i) {
        i += 1;
        match id {
            // once each
            1 | 2 | 3 | 8 | 9 | 35 => {
                if seen >> id & 1 != 0 {
                    return None;
                }
                seen |= 1 << id;
            }
            // may repeat in a PUBLISH
            11 | 38 => {}
            _ => return None,
        }
        // Each arm hands its value on itself, so that once the visitor is
        // inlined each kind of value is written by its own code (no `Raw`
        // built and matched again).
        match id {
            1 => {
                let v = *list.get(i)?;
                if v > 1 {
                    return None;
                }
                i += 1;
                visit.visit(id, Raw::Int(v as u32));
            }
            2 => {
                let v = u32::from_be_bytes(*list.get(i..)?.first_chunk::<4>()?);
                i += 4;
                visit.visit(id, Raw::Int(v));
            }
            3 | 8 => {
                let (s, j) = string(i)?;
                i = j;
                visit.visit(id, Raw::Str(s));
            }
            9 => {
                let (b, j) = sized(i)?;
                i = j;
                visit.visit(id, Raw::Bin(b));
            }
            11 => {
                // 1 to 268,435,455, shortest form
                let mut v = 0u32;
                let mut k = 0;
                loop {
                    let b = *list.get(i + k)?;
                    v |= ((b & 0x7f) as u32) << (7 * k);
                    k += 1;
                    if b < 0x80 {
                        if (b == 0 && k > 1) || v == 0 {
                            return None;
                        }
                        break;
                    }
                    if k == 4 {
                        return None;
                    }
                }
                i += k;
                visit.visit(id, Raw::Int(v));
            }
            35 => {
                let v = u16::from_be_bytes(*list.get(i..)?.first_chunk::<2>()?);
                if v == 0 {
                    return None;
                }
                i += 2;
                visit.visit(id, Raw::Int(v as u32));
            }
            _ => {
                // 38: user property
                let (k, j) = string(i)?;
                let (v, j) = string(j)?;
                i = j;
                visit.visit(id, Raw::Pair(k, v));
            }
        }
    }
    Some((after, Properties(Repr::Wire(list))))
}
