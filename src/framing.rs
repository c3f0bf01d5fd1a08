//! Fixed header and remaining length.
//!
//! The fixed header is the first byte (packet type and flags) and the remaining
//! length, a Variable Byte Integer of one to four bytes. Everything about the
//! packet's size is known once it is read, so the maximum packet size is
//! enforced here, before any byte of the body needs to be buffered.

use crate::{DecodeError, ErrorKind, PacketType, QoS};

/// The largest remaining length a Variable Byte Integer can carry (268,435,455).
pub const MAX_REMAINING_LENGTH: usize = 268_435_455;

/// The largest whole packet: one type byte, four length bytes, the largest body.
pub const MAX_PACKET_SIZE: usize = MAX_REMAINING_LENGTH + 5;

/// The result of parsing something that may be incomplete, in the style of
/// httparse: `Complete(value)` or `Partial(n)` where `n` (≥ 1) is the least
/// number of further bytes needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status<T> {
    /// Parsed.
    Complete(T),
    /// At least this many more bytes are needed.
    Partial(usize),
}

impl<T> Status<T> {
    /// The value, if complete.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial(_) => None,
        }
    }

    /// Whether more bytes are needed.
    pub fn is_partial(&self) -> bool {
        matches!(self, Status::Partial(_))
    }

    /// Whether the value is complete.
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }

    /// Apply `f` to a complete value; a partial status stays as it is.
    ///
    /// ```
    /// use mqttwire::{parse, Status, Version};
    /// let used = parse(&[0xc0, 0x00], Version::V5).unwrap().map(|(_, used)| used);
    /// assert_eq!(used, Status::Complete(2));
    /// assert!(parse(&[0xc0], Version::V5).unwrap().map(|(_, n)| n).is_partial());
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Status<U> {
        match self {
            Status::Complete(t) => Status::Complete(f(t)),
            Status::Partial(n) => Status::Partial(n),
        }
    }

    /// The complete value.
    ///
    /// # Panics
    ///
    /// When the status is [`Status::Partial`].
    #[track_caller]
    pub fn unwrap(self) -> T {
        match self {
            Status::Complete(t) => t,
            Status::Partial(n) => panic!("called `Status::unwrap()` on `Partial({n})`"),
        }
    }
}

/// Limits a decoder enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_packet_size: usize,
    strict: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_packet_size: MAX_PACKET_SIZE,
            strict: true,
        }
    }
}

impl Limits {
    /// The default limits: the spec's largest packet (268,435,460 bytes).
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the largest whole packet accepted (fixed header included), clamped to
    /// `5..=MAX_PACKET_SIZE`. A packet whose fixed header announces more is refused
    /// with [`ErrorKind::PacketTooLarge`] before its body is read. Servers set this
    /// to the Maximum Packet Size they announce in CONNACK; clients to the one they
    /// sent in CONNECT.
    pub fn max_packet_size(mut self, bytes: usize) -> Self {
        self.max_packet_size = bytes.clamp(5, MAX_PACKET_SIZE);
        self
    }

    /// The maximum packet size in force.
    pub fn get_max_packet_size(&self) -> usize {
        self.max_packet_size
    }

    /// Strict by the spec (the default), or `false` for mqtt-packet's leniency:
    /// then packet identifier 0, wildcards in a PUBLISH topic, an empty topic
    /// (PUBLISH or will), a QoS 0 PUBLISH with DUP set, invalid topic filters,
    /// empty SUBSCRIBE/UNSUBSCRIBE/SUBACK lists, No Local on a shared
    /// subscription, v5 properties that are repeated, out of range or not
    /// allowed in the packet, U+0000 in strings, a password without a user
    /// name, a protocol name that does not match the level, undefined CONNACK
    /// codes, a CONNACK with Session Present and a non-zero code, and a 5.0
    /// CONNACK without reason code or properties are accepted.
    /// Framing, lengths, UTF-8 well-formedness, reserved bits and reason codes of
    /// the acks are checked in both modes. A packet accepted only leniently may
    /// not re-encode to the same bytes (the encoder stays strict).
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Whether strict mode is on.
    pub fn is_strict(&self) -> bool {
        self.strict
    }
}

/// A parsed fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedHeader {
    /// Packet type.
    pub packet_type: PacketType,
    /// The low four bits of the first byte.
    pub flags: u8,
    /// Remaining length: bytes after the fixed header.
    pub remaining_length: usize,
    /// Length of the fixed header itself (2 to 5 bytes).
    pub header_len: usize,
}

impl FixedHeader {
    /// Length of the whole packet.
    #[inline]
    pub fn packet_len(&self) -> usize {
        self.header_len + self.remaining_length
    }

    /// PUBLISH DUP flag.
    #[inline]
    pub fn dup(&self) -> bool {
        self.flags & 0b1000 != 0
    }

    /// PUBLISH QoS (validated not to be 3).
    #[inline]
    pub fn qos(&self) -> QoS {
        QoS::from_u8((self.flags >> 1) & 3).unwrap_or(QoS::AtMostOnce)
    }

    /// PUBLISH RETAIN flag.
    #[inline]
    pub fn retain(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// Check the first byte of a packet: its type and the reserved flags.
///
/// The checks made in both modes; [`parse_fixed_header`] adds the strict one
/// on PUBLISH flags (DUP with QoS 0, [`ErrorKind::PublishDupQos0`]).
#[inline]
pub fn check_first_byte(byte: u8) -> Result<PacketType, DecodeError> {
    let ty =
        PacketType::from_u8(byte >> 4).ok_or(DecodeError::new(ErrorKind::ReservedPacketType, 0))?;
    let flags = byte & 0x0f;
    if ty == PacketType::Publish {
        // "A PUBLISH Packet MUST NOT have both QoS bits set to 1" [MQTT-3.3.1-4]
        if flags & 0b0110 == 0b0110 {
            return Err(DecodeError::new(ErrorKind::PublishQos3, 0));
        }
    } else if flags != ty.required_flags() {
        // "Where a flag bit is marked as Reserved ... it MUST be set to the value
        // listed in that table" [MQTT-2.2.2-1]
        return Err(DecodeError::new(ErrorKind::InvalidHeaderFlags(ty), 0));
    }
    Ok(ty)
}

/// Read a Variable Byte Integer from the start of `input`.
///
/// Returns the value and the number of bytes it took, or `Partial` when
/// `input` ends inside it. Rejects encodings longer than four bytes
/// ([`ErrorKind::VarIntTooLong`]) and, as [MQTT-1.5.5-1] requires, encodings
/// that are not the shortest ([`ErrorKind::VarIntNotMinimal`]). Error offsets
/// are relative to `input`.
#[inline]
pub fn read_var_int(input: &[u8]) -> Result<Status<(u32, usize)>, DecodeError> {
    let mut value: u32 = 0;
    for i in 0..4 {
        let Some(&b) = input.get(i) else {
            return Ok(Status::Partial(1));
        };
        value |= ((b & 0x7f) as u32) << (7 * i);
        if b & 0x80 == 0 {
            // A last byte of 0 after a continuation byte adds nothing: the
            // encoding is not the shortest.
            if b == 0 && i > 0 {
                return Err(DecodeError::new(ErrorKind::VarIntNotMinimal, i));
            }
            return Ok(Status::Complete((value, i + 1)));
        }
    }
    Err(DecodeError::new(ErrorKind::VarIntTooLong, 3))
}

/// Parse the fixed header at the start of `input` and check the packet size
/// against `limits` — before any of the body is needed. The first byte is
/// checked as soon as it is there ([`check_first_byte`], and in strict mode
/// no DUP flag on a QoS 0 PUBLISH [MQTT-3.3.1-2]).
pub fn parse_fixed_header(
    input: &[u8],
    limits: &Limits,
) -> Result<Status<FixedHeader>, DecodeError> {
    let Some(&first) = input.first() else {
        return Ok(Status::Partial(2));
    };
    let packet_type = check_first_byte(first)?;
    // "The DUP flag MUST be set to 0 for all QoS 0 messages" [MQTT-3.3.1-2]
    // (mqtt-packet accepts it: checked in strict mode only)
    if limits.strict && packet_type == PacketType::Publish && first & 0b1110 == 0b1000 {
        return Err(DecodeError::new(ErrorKind::PublishDupQos0, 0));
    }
    let (remaining, n) = match read_var_int(&input[1..]).map_err(|e| e.shifted(1))? {
        Status::Complete(v) => v,
        Status::Partial(_) => return Ok(Status::Partial(1)),
    };
    let header = FixedHeader {
        packet_type,
        flags: first & 0x0f,
        remaining_length: remaining as usize,
        header_len: 1 + n,
    };
    if header.packet_len() > limits.max_packet_size {
        return Err(DecodeError::new(
            ErrorKind::PacketTooLarge(limits.max_packet_size as u32),
            1,
        ));
    }
    Ok(Status::Complete(header))
}

/// Bytes a Variable Byte Integer of `value` takes (1 to 4).
#[inline]
pub fn var_int_len(value: usize) -> usize {
    match value {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// Append `value` (≤ [`MAX_REMAINING_LENGTH`]) as a Variable Byte Integer.
#[inline]
pub fn write_var_int(buf: &mut impl bytes::BufMut, mut value: usize) {
    loop {
        let mut b = (value & 0x7f) as u8;
        value >>= 7;
        if value > 0 {
            b |= 0x80;
        }
        buf.put_u8(b);
        if value == 0 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn var_int_boundaries() {
        let cases: &[(&[u8], u32)] = &[
            (&[0x00], 0),
            (&[0x7f], 127),
            (&[0x80, 0x01], 128),
            (&[0xff, 0x7f], 16_383),
            (&[0x80, 0x80, 0x01], 16_384),
            (&[0xff, 0xff, 0x7f], 2_097_151),
            (&[0x80, 0x80, 0x80, 0x01], 2_097_152),
            (&[0xff, 0xff, 0xff, 0x7f], 268_435_455),
        ];
        for (bytes, v) in cases {
            assert_eq!(
                read_var_int(bytes).unwrap(),
                Status::Complete((*v, bytes.len()))
            );
            let mut out = Vec::new();
            write_var_int(&mut out, *v as usize);
            assert_eq!(&out[..], *bytes);
            assert_eq!(var_int_len(*v as usize), bytes.len());
        }
    }

    #[test]
    fn var_int_errors() {
        assert_eq!(
            read_var_int(&[0xff, 0xff, 0xff, 0xff, 0x01])
                .unwrap_err()
                .kind,
            ErrorKind::VarIntTooLong
        );
        assert_eq!(
            read_var_int(&[0x80, 0x00]).unwrap_err(),
            DecodeError::new(ErrorKind::VarIntNotMinimal, 1)
        );
        assert_eq!(read_var_int(&[0x80]).unwrap(), Status::Partial(1));
        assert_eq!(read_var_int(&[]).unwrap(), Status::Partial(1));
    }

    #[test]
    fn max_size_is_checked_from_the_header_alone() {
        // PUBLISH announcing 1000 bytes of body, none of them present.
        let limits = Limits::new().max_packet_size(100);
        let err = parse_fixed_header(&[0x30, 0xe8, 0x07], &limits).unwrap_err();
        assert_eq!(err, DecodeError::new(ErrorKind::PacketTooLarge(100), 1));
        // Exactly at the limit is fine: 1 + 1 + 98 = 100.
        let h = parse_fixed_header(&[0x30, 98], &limits).unwrap();
        assert_eq!(h.complete().unwrap().packet_len(), 100);
    }
}
