//! PUBLISH (3.3).

use bytes::BufMut;

use crate::framing::FixedHeader;
use crate::primitives::{self as p, fail, PResult};
use crate::properties::{parse_properties_with, Context};
use crate::{
    DecodeError, EncodeError, ErrorKind, Field, PacketType, Properties, Property, PropertyId, QoS,
    Version,
};

/// PUBLISH: an application message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publish<'a> {
    /// DUP flag (0 for QoS 0 [MQTT-3.3.1-2]).
    pub dup: bool,
    /// QoS.
    pub qos: QoS,
    /// RETAIN flag.
    pub retain: bool,
    /// Topic name (no wildcards; empty only in 5.0 with a Topic Alias).
    pub topic: &'a str,
    /// Packet identifier: present (non-zero) exactly when QoS > 0.
    pub packet_id: Option<u16>,
    /// PUBLISH properties (5.0).
    pub properties: Properties<'a>,
    /// The application message.
    pub payload: &'a [u8],
}

impl<'a> Publish<'a> {
    /// A PUBLISH of QoS 0, not retained, without properties.
    ///
    /// ```
    /// use mqttwire::{Packet, Properties, Property, Publish, QoS, Version};
    ///
    /// let props = [Property::ContentType("text/plain")];
    /// let publish = Publish::new("a/b", b"hi")
    ///     .qos(QoS::AtLeastOnce, 10)
    ///     .retain()
    ///     .properties(Properties::from_list(&props));
    /// assert_eq!(publish.packet_id, Some(10));
    /// let bytes = Packet::from(publish).to_vec(Version::V5).unwrap();
    /// assert_eq!(bytes[0], 0x33); // PUBLISH, QoS 1, RETAIN
    /// ```
    pub fn new(topic: &'a str, payload: &'a [u8]) -> Self {
        Publish {
            dup: false,
            qos: QoS::AtMostOnce,
            retain: false,
            topic,
            packet_id: None,
            properties: Properties::EMPTY,
            payload,
        }
    }

    /// Set the QoS and the packet identifier; with QoS 0 the packet has no
    /// identifier and `packet_id` is not used.
    pub fn qos(mut self, qos: QoS, packet_id: u16) -> Self {
        self.qos = qos;
        self.packet_id = (qos != QoS::AtMostOnce).then_some(packet_id);
        self
    }

    /// Set RETAIN.
    pub fn retain(mut self) -> Self {
        self.retain = true;
        self
    }

    /// Set DUP (a redelivery; QoS 1 or 2 only [MQTT-3.3.1-2]).
    pub fn dup(mut self) -> Self {
        self.dup = true;
        self
    }

    /// Set the PUBLISH properties (5.0).
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = properties;
        self
    }
}

/// The fields before the properties of a PUBLISH body: topic and packet
/// identifier, checked in one pass (the hot path of every decoder).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Head<'a> {
    /// The topic name.
    pub topic: &'a str,
    /// Whether the topic is ASCII.
    pub ascii: bool,
    /// The packet identifier, when QoS > 0.
    pub packet_id: Option<u16>,
    /// Offset in the body of what follows (properties in 5.0, else the payload).
    pub rest_at: usize,
}

/// Check the topic and packet identifier of a PUBLISH body. Offsets in errors
/// count from the start of the body. The empty-topic rule is the caller's:
/// in 5.0 it depends on the properties.
#[inline]
pub(crate) fn head(body: &[u8], flags: u8, strict: bool) -> Result<Head<'_>, DecodeError> {
    let err = |kind, at| Err(DecodeError::new(kind, at));
    let topic_len = match body.get(..2) {
        Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]) as usize,
        _ => return err(ErrorKind::Truncated(Field::Topic), 0),
    };
    let Some(bytes) = body.get(2..2 + topic_len) else {
        return err(ErrorKind::Truncated(Field::Topic), 0);
    };
    // One pass finds non-ASCII bytes, U+0000 and wildcards; UTF-8 is
    // validated (simdutf8) only when some byte is not ASCII.
    let sc = p::scan(bytes);
    let topic = if sc.non_ascii {
        match simdutf8::basic::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                let at = simdutf8::compat::from_utf8(bytes)
                    .err()
                    .map_or(0, |e| e.valid_up_to());
                return err(ErrorKind::InvalidUtf8(Field::Topic), 2 + at);
            }
        }
    } else {
        p::ascii_str(bytes)
    };
    // [MQTT-1.5.4-2]
    if strict && sc.nul {
        let at = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        return err(ErrorKind::NullCharacter(Field::Topic), 2 + at);
    }
    // "The Topic Name in the PUBLISH packet MUST NOT contain wildcard
    // characters" [MQTT-3.3.2-2]
    if strict && sc.wildcard {
        let at = super::topic_name_wildcard(topic).unwrap_or(0);
        return err(ErrorKind::TopicWildcard, 2 + at);
    }
    let mut rest_at = 2 + topic_len;
    let mut packet_id = None;
    if flags & 0b0110 != 0 {
        let id = match body.get(rest_at..rest_at + 2) {
            Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]),
            _ => return err(ErrorKind::Truncated(Field::PacketId), rest_at),
        };
        // [MQTT-2.2.1-3]: a non-zero packet identifier
        if strict && id == 0 {
            return err(ErrorKind::ZeroPacketId, rest_at);
        }
        packet_id = Some(id);
        rest_at += 2;
    }
    Ok(Head {
        topic,
        ascii: !sc.non_ascii,
        packet_id,
        rest_at,
    })
}

pub(crate) fn parse<'a>(
    input: &'a [u8],
    header: &FixedHeader,
    version: Version,
    strict: bool,
) -> PResult<'a, Publish<'a>> {
    let h = match head(input, header.flags, strict) {
        Ok(h) => h,
        Err(e) => return fail(&input[e.offset.min(input.len())..], e.kind),
    };
    let i = &input[h.rest_at..];
    let (i, properties) = if version.is_v5() {
        parse_properties_with(i, Context::Packet(PacketType::Publish), strict)?
    } else {
        (i, Properties::EMPTY)
    };
    // All Topic Names and Topic Filters MUST be at least one character long
    // [MQTT-4.7.3-1]; 5.0 allows an empty name when a Topic Alias stands for it.
    if strict
        && h.topic.is_empty()
        && !(version.is_v5() && properties.get(PropertyId::TopicAlias).is_some())
    {
        return fail(input, ErrorKind::EmptyTopic);
    }
    Ok((
        &i[i.len()..],
        Publish {
            dup: header.dup(),
            qos: header.qos(),
            retain: header.retain(),
            topic: h.topic,
            packet_id: h.packet_id,
            properties,
            payload: i,
        },
    ))
}

impl Publish<'_> {
    pub(crate) fn flags(&self) -> u8 {
        (self.dup as u8) << 3 | (self.qos as u8) << 1 | self.retain as u8
    }

    pub(crate) fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        // "The DUP flag MUST be set to 0 for all QoS 0 messages" [MQTT-3.3.1-2]
        if self.dup && self.qos == QoS::AtMostOnce {
            return Err(EncodeError::Invalid(ErrorKind::PublishDupQos0));
        }
        if super::topic_name_wildcard(self.topic).is_some() {
            return Err(EncodeError::Invalid(ErrorKind::TopicWildcard));
        }
        let mut n = p::check_str_for_encode(self.topic, Field::Topic)?;
        match (self.qos, self.packet_id) {
            (QoS::AtMostOnce, None) => {}
            (QoS::AtMostOnce, Some(_)) => return Err(EncodeError::UnexpectedPacketId),
            (_, None) => return Err(EncodeError::MissingPacketId),
            // [MQTT-2.2.1-3]: a non-zero packet identifier
            (_, Some(0)) => return Err(EncodeError::Invalid(ErrorKind::ZeroPacketId)),
            (_, Some(_)) => n += 2,
        }
        if version.is_v5() {
            n += self
                .properties
                .encoded_len(Context::Packet(PacketType::Publish))?;
            let aliased = self
                .properties
                .iter()
                .any(|p| matches!(p, Property::TopicAlias(_)));
            if self.topic.is_empty() && !aliased {
                return Err(EncodeError::Invalid(ErrorKind::EmptyTopic));
            }
        } else if !self.properties.is_empty() {
            return Err(EncodeError::PropertiesBeforeV5);
        } else if self.topic.is_empty() {
            return Err(EncodeError::Invalid(ErrorKind::EmptyTopic));
        }
        Ok(n + self.payload.len())
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        p::write_binary(buf, self.topic.as_bytes());
        if let Some(id) = self.packet_id {
            buf.put_u16(id);
        }
        if version.is_v5() {
            self.properties.write(buf);
        }
        buf.put_slice(self.payload);
    }
}

/// A PUBLISH recognised by [`fast`]: everything the general path would find,
/// for the packets that need none of its error handling.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fast<'a> {
    /// The low four bits of the first byte (dup, qos, retain).
    pub flags: u8,
    /// Bytes of the fixed header.
    pub header_len: usize,
    /// Bytes of the whole packet.
    pub total: usize,
    /// The topic name (ASCII, non-empty, no U+0000, no wildcard).
    pub topic: &'a str,
    /// The packet identifier (non-zero) when QoS > 0.
    pub packet_id: Option<u16>,
    /// Offset in the body of what follows the head (properties in 5.0, else
    /// the payload).
    pub rest_at: usize,
    /// The body (the packet after its fixed header).
    pub body: &'a [u8],
}

/// The hot path shared by `parse`, the stream decoder and the tape: a
/// complete PUBLISH at the start of `input` whose fixed header, topic and
/// packet identifier pass every check trivially — remaining length of 1 to 3
/// minimal bytes within `max`, QoS 0–2 (no DUP with QoS 0, which strict
/// mode rejects), a non-empty ASCII topic without
/// U+0000 or wildcards, a non-zero packet identifier. Anything else (another
/// packet type, an incomplete or malformed packet, a UTF-8 topic) returns
/// `None`, and the caller takes the general path, which finds the same
/// result or the error with its rule and offset. So this function decides
/// nothing on its own: it only skips work for input the general path accepts
/// (the `fast_path_agrees` tests and the `parse` fuzz target hold it to that).
#[inline(always)]
pub(crate) fn fast(input: &[u8], max: usize) -> Option<Fast<'_>> {
    let (&first, rest) = input.split_first()?;
    // The flag nibbles taken here: QoS 0 without DUP, QoS 1 and 2 with or
    // without DUP, either RETAIN (0-5, 10-13); not QoS 3 (6, 7, 14, 15) nor DUP
    // with QoS 0 (8, 9: an error in strict mode only, the general path decides).
    const FLAGS: u32 = 0b0011_1100_0011_1111;
    let nibble = first.wrapping_sub((PacketType::Publish as u8) << 4);
    if nibble > 0x0f || FLAGS >> nibble & 1 == 0 {
        return None;
    }
    // Remaining length: 1 to 3 bytes, shortest form only.
    let (remaining, header_len) = match *rest {
        [b1, ..] if b1 < 0x80 => (b1 as usize, 2),
        [b1, b2, ..] if b2 < 0x80 && b2 != 0 => ((b1 & 0x7f) as usize | (b2 as usize) << 7, 3),
        [b1, b2, b3, ..] if b2 >= 0x80 && b3 < 0x80 && b3 != 0 => (
            (b1 & 0x7f) as usize | ((b2 & 0x7f) as usize) << 7 | (b3 as usize) << 14,
            4,
        ),
        _ => return None,
    };
    let total = header_len + remaining;
    if total > max {
        return None;
    }
    let body = input.get(header_len..total)?;
    let topic_len = match *body {
        [hi, lo, ..] => u16::from_be_bytes([hi, lo]) as usize,
        _ => return None,
    };
    let mut rest_at = 2 + topic_len;
    let bytes = body.get(2..rest_at)?;
    if !p::plain_topic(bytes) {
        return None;
    }
    let packet_id = if first & 0b0110 != 0 {
        match *body.get(rest_at..rest_at + 2)? {
            [hi, lo] if hi | lo != 0 => {
                rest_at += 2;
                Some(u16::from_be_bytes([hi, lo]))
            }
            _ => return None,
        }
    } else {
        None
    };
    Some(Fast {
        flags: first & 0x0f,
        header_len,
        total,
        topic: p::ascii_str(bytes),
        packet_id,
        rest_at,
        body,
    })
}
