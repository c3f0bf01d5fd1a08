//! The 15 control packets as borrowed views, with their parsers and encoders.
//!
//! Each family lives in its own file with the same two verbs: a `parse`
//! function over the exact body (a nom parser that checks every rule of the
//! spec for that packet) and `body_len` / `write_body` methods for the encoder.

use alloc::vec::Vec;
use bytes::BufMut;

use crate::framing::{self, FixedHeader};
use crate::primitives::{to_decode_error, PResult};
use crate::{DecodeError, EncodeError, ErrorKind, PacketType, Version};

mod acks;
mod connect;
mod publish;
mod subscribe;

pub use acks::{Ack, Auth, Disconnect};
pub use connect::{ConnAck, Connect, Will};
pub use publish::Publish;
pub(crate) use publish::{fast as publish_fast, head as publish_head, Head as PublishHead};
pub use subscribe::{
    Filters, FiltersIter, SubAck, Subscribe, SubscriptionOptions, TopicList, TopicListIter,
    UnsubAck, Unsubscribe,
};

/// One MQTT control packet, borrowing its strings, payloads and lists from the
/// bytes it was parsed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packet<'a> {
    /// CONNECT (1).
    Connect(Connect<'a>),
    /// CONNACK (2).
    ConnAck(ConnAck<'a>),
    /// PUBLISH (3).
    Publish(Publish<'a>),
    /// PUBACK (4).
    PubAck(Ack<'a>),
    /// PUBREC (5).
    PubRec(Ack<'a>),
    /// PUBREL (6).
    PubRel(Ack<'a>),
    /// PUBCOMP (7).
    PubComp(Ack<'a>),
    /// SUBSCRIBE (8).
    Subscribe(Subscribe<'a>),
    /// SUBACK (9).
    SubAck(SubAck<'a>),
    /// UNSUBSCRIBE (10).
    Unsubscribe(Unsubscribe<'a>),
    /// UNSUBACK (11).
    UnsubAck(UnsubAck<'a>),
    /// PINGREQ (12).
    PingReq,
    /// PINGRESP (13).
    PingResp,
    /// DISCONNECT (14).
    Disconnect(Disconnect<'a>),
    /// AUTH (15), MQTT 5.0 only.
    Auth(Auth<'a>),
}

/// `From<packet> for Packet` for each packet type that has a variant of its
/// own (`Ack` serves four packets: wrap it by naming one, `Packet::PubAck(ack)`).
macro_rules! packet_from {
    ($($ty:ident),+) => {$(
        impl<'a> From<$ty<'a>> for Packet<'a> {
            fn from(p: $ty<'a>) -> Self {
                Packet::$ty(p)
            }
        }
    )+};
}
packet_from!(
    Connect,
    ConnAck,
    Publish,
    Subscribe,
    SubAck,
    Unsubscribe,
    UnsubAck,
    Disconnect,
    Auth
);

/// Run a body parser and convert its error to a [`DecodeError`] whose offset
/// counts from the start of the body.
fn run<'a, T>(
    body: &'a [u8],
    p: impl FnOnce(&'a [u8]) -> PResult<'a, T>,
) -> Result<T, DecodeError> {
    p(body)
        .map(|(_, v)| v)
        .map_err(|e| to_decode_error(body, e))
}

/// Parse the body of a packet whose fixed header has been read.
///
/// `body` must be exactly `header.remaining_length` bytes. Error offsets count
/// from the start of `body`.
pub fn parse_body<'a>(
    header: &FixedHeader,
    body: &'a [u8],
    version: Version,
) -> Result<Packet<'a>, DecodeError> {
    parse_body_with(header, body, version, true)
}

/// [`parse_body`]; `strict = false` is mqtt-packet's leniency (see
/// [`Limits::strict`](crate::Limits::strict)).
pub fn parse_body_with<'a>(
    header: &FixedHeader,
    body: &'a [u8],
    version: Version,
    strict: bool,
) -> Result<Packet<'a>, DecodeError> {
    use PacketType as T;
    let s = strict;
    let ty = header.packet_type;
    Ok(match ty {
        T::Connect => Packet::Connect(run(body, |b| connect::parse_connect(b, s))?),
        T::ConnAck => Packet::ConnAck(run(body, |b| connect::parse_connack(b, version, s))?),
        T::Publish => Packet::Publish(run(body, |b| publish::parse(b, header, version, s))?),
        T::PubAck => Packet::PubAck(run(body, |b| acks::parse_ack(b, ty, version, s))?),
        T::PubRec => Packet::PubRec(run(body, |b| acks::parse_ack(b, ty, version, s))?),
        T::PubRel => Packet::PubRel(run(body, |b| acks::parse_ack(b, ty, version, s))?),
        T::PubComp => Packet::PubComp(run(body, |b| acks::parse_ack(b, ty, version, s))?),
        T::Subscribe => {
            Packet::Subscribe(run(body, |b| subscribe::parse_subscribe(b, version, s))?)
        }
        T::SubAck => Packet::SubAck(run(body, |b| subscribe::parse_suback(b, version, s))?),
        T::Unsubscribe => {
            Packet::Unsubscribe(run(body, |b| subscribe::parse_unsubscribe(b, version, s))?)
        }
        T::UnsubAck => Packet::UnsubAck(run(body, |b| subscribe::parse_unsuback(b, version, s))?),
        T::PingReq | T::PingResp => {
            if !body.is_empty() {
                return Err(DecodeError::new(ErrorKind::TrailingBytes(ty), 0));
            }
            if ty == T::PingReq {
                Packet::PingReq
            } else {
                Packet::PingResp
            }
        }
        T::Disconnect => Packet::Disconnect(run(body, |b| acks::parse_disconnect(b, version, s))?),
        T::Auth => {
            if !version.is_v5() {
                return Err(DecodeError::new(ErrorKind::AuthBeforeV5, 0));
            }
            Packet::Auth(run(body, |b| acks::parse_auth(b, s))?)
        }
    })
}

/// Parse the body of a PUBLISH (the hot path of [`crate::tape`]: no
/// [`Packet`] is built). Error offsets count from the start of the body.
#[inline]
pub(crate) fn parse_publish<'a>(
    header: &FixedHeader,
    body: &'a [u8],
    version: Version,
    strict: bool,
) -> Result<Publish<'a>, DecodeError> {
    run(body, |b| publish::parse(b, header, version, strict))
}

/// Why an encode cannot proceed: a buffer too small.
fn check_room(buf: &impl BufMut, total: usize) -> Result<(), EncodeError> {
    if buf.remaining_mut() < total {
        Err(EncodeError::BufferTooSmall)
    } else {
        Ok(())
    }
}

impl<'a> Packet<'a> {
    /// The packet's type.
    pub fn packet_type(&self) -> PacketType {
        use PacketType as T;
        match self {
            Packet::Connect(_) => T::Connect,
            Packet::ConnAck(_) => T::ConnAck,
            Packet::Publish(_) => T::Publish,
            Packet::PubAck(_) => T::PubAck,
            Packet::PubRec(_) => T::PubRec,
            Packet::PubRel(_) => T::PubRel,
            Packet::PubComp(_) => T::PubComp,
            Packet::Subscribe(_) => T::Subscribe,
            Packet::SubAck(_) => T::SubAck,
            Packet::Unsubscribe(_) => T::Unsubscribe,
            Packet::UnsubAck(_) => T::UnsubAck,
            Packet::PingReq => T::PingReq,
            Packet::PingResp => T::PingResp,
            Packet::Disconnect(_) => T::Disconnect,
            Packet::Auth(_) => T::Auth,
        }
    }

    fn first_byte(&self) -> u8 {
        let ty = self.packet_type();
        let flags = match self {
            Packet::Publish(p) => p.flags(),
            _ => ty.required_flags(),
        };
        (ty as u8) << 4 | flags
    }

    /// Remaining length of the encoded packet; checks that the packet can be
    /// encoded in `version` (CONNECT uses its own version).
    pub fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        let n = match self {
            Packet::Connect(p) => p.body_len()?,
            Packet::ConnAck(p) => p.body_len(version)?,
            Packet::Publish(p) => p.body_len(version)?,
            Packet::PubAck(p) | Packet::PubRec(p) | Packet::PubRel(p) | Packet::PubComp(p) => {
                p.body_len(self.packet_type(), version)?
            }
            Packet::Subscribe(p) => p.body_len(version)?,
            Packet::SubAck(p) => p.body_len(version)?,
            Packet::Unsubscribe(p) => p.body_len(version)?,
            Packet::UnsubAck(p) => p.body_len(version)?,
            Packet::PingReq | Packet::PingResp => 0,
            Packet::Disconnect(p) => p.body_len(version)?,
            Packet::Auth(p) => {
                if !version.is_v5() {
                    return Err(EncodeError::WrongVersion(PacketType::Auth));
                }
                p.body_len()?
            }
        };
        if n > framing::MAX_REMAINING_LENGTH {
            return Err(EncodeError::PacketTooLarge);
        }
        Ok(n)
    }

    /// Bytes of the whole encoded packet.
    pub fn encoded_len(&self, version: Version) -> Result<usize, EncodeError> {
        let body = self.body_len(version)?;
        Ok(1 + framing::var_int_len(body) + body)
    }

    /// Encode the packet into `buf`: the size is computed and the packet
    /// checked first, then it is written once. Returns the bytes written.
    ///
    /// Refuses packets the spec forbids (the same rules the parser enforces),
    /// and a `buf` without room, with an error: it never truncates a length and
    /// never panics.
    ///
    /// ```
    /// use mqttwire::{Packet, Publish, QoS, Version, Properties};
    /// let p = Packet::Publish(Publish {
    ///     dup: false, qos: QoS::AtMostOnce, retain: false,
    ///     topic: "t", packet_id: None, properties: Properties::EMPTY, payload: b"x",
    /// });
    /// let mut out = Vec::new();
    /// assert_eq!(p.encode(Version::V3_1_1, &mut out).unwrap(), 6);
    /// assert_eq!(out, [0x30, 4, 0, 1, b't', b'x']);
    /// ```
    pub fn encode(&self, version: Version, buf: &mut impl BufMut) -> Result<usize, EncodeError> {
        let body = self.body_len(version)?;
        let total = 1 + framing::var_int_len(body) + body;
        check_room(buf, total)?;
        buf.put_u8(self.first_byte());
        framing::write_var_int(buf, body);
        match self {
            Packet::Connect(p) => p.write_body(buf),
            Packet::ConnAck(p) => p.write_body(version, buf),
            Packet::Publish(p) => p.write_body(version, buf),
            Packet::PubAck(p) | Packet::PubRec(p) | Packet::PubRel(p) | Packet::PubComp(p) => {
                p.write_body(version, buf)
            }
            Packet::Subscribe(p) => p.write_body(version, buf),
            Packet::SubAck(p) => p.write_body(version, buf),
            Packet::Unsubscribe(p) => p.write_body(version, buf),
            Packet::UnsubAck(p) => p.write_body(version, buf),
            Packet::PingReq | Packet::PingResp => {}
            Packet::Disconnect(p) => p.write_body(version, buf),
            Packet::Auth(p) => p.write_body(buf),
        }
        Ok(total)
    }

    /// Encode into a new `Vec`.
    pub fn to_vec(&self, version: Version) -> Result<Vec<u8>, EncodeError> {
        let mut v = Vec::with_capacity(self.encoded_len(version)?);
        self.encode(version, &mut v)?;
        Ok(v)
    }

    /// Encode into owned [`Bytes`](bytes::Bytes): a packet to keep, or to
    /// send to another task, after the values it borrows are gone. The tokio
    /// codec writes `Bytes` as they are.
    ///
    /// ```
    /// use bytes::Bytes;
    /// use mqttwire::{Packet, Publish, QoS, Version};
    ///
    /// fn message(topic: String, n: u32) -> Bytes {
    ///     let payload = n.to_string();
    ///     Packet::from(Publish::new(&topic, payload.as_bytes()).qos(QoS::AtLeastOnce, 1))
    ///         .to_bytes(Version::V5)
    ///         .unwrap()
    /// }
    /// assert_eq!(&message("a/b".into(), 7)[..], b"\x32\x09\x00\x03a/b\x00\x01\x007");
    /// ```
    pub fn to_bytes(&self, version: Version) -> Result<bytes::Bytes, EncodeError> {
        let mut b = bytes::BytesMut::with_capacity(self.encoded_len(version)?);
        self.encode(version, &mut b)?;
        Ok(b.freeze())
    }
}

/// Check a topic name (PUBLISH, will topic): no wildcard characters
/// [MQTT-3.3.2-2]. Returns the offset of the first wildcard.
pub(crate) fn topic_name_wildcard(topic: &str) -> Option<usize> {
    if !crate::primitives::scan(topic.as_bytes()).wildcard {
        return None;
    }
    topic.bytes().position(|b| b == b'+' || b == b'#')
}

/// Check a topic filter: non-empty; `#` only alone in the last level, `+` only
/// alone in its level [MQTT-4.7.1-1..3]; a shared subscription
/// (`$share/name/filter`, 5.0) has a non-empty share name without wildcards and
/// a valid filter.
pub(crate) fn valid_topic_filter(filter: &str, version: Version) -> bool {
    if filter.is_empty() {
        return false;
    }
    let filter = if version.is_v5() {
        match filter.strip_prefix("$share/") {
            Some(rest) => {
                let Some((name, f)) = rest.split_once('/') else {
                    return false;
                };
                if name.is_empty() || name.contains(['+', '#']) || f.is_empty() {
                    return false;
                }
                f
            }
            None => filter,
        }
    } else {
        filter
    };
    let mut levels = filter.split('/').peekable();
    while let Some(level) = levels.next() {
        if level.contains('#') && (level != "#" || levels.peek().is_some()) {
            return false;
        }
        if level.contains('+') && level != "+" {
            return false;
        }
    }
    true
}

/// Whether a filter is a shared subscription (5.0).
pub(crate) fn is_shared(filter: &str) -> bool {
    filter.starts_with("$share/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_filters() {
        let v = Version::V5;
        for ok in [
            "a",
            "a/b",
            "#",
            "+",
            "a/+/c",
            "a/#",
            "+/+",
            "/",
            "$SYS/#",
            "$share/g/a/#",
        ] {
            assert!(valid_topic_filter(ok, v), "{ok}");
        }
        for bad in [
            "",
            "a#",
            "a/#/b",
            "a+",
            "+a/b",
            "##",
            "$share/g",
            "$share//a",
            "$share/g+/a",
        ] {
            assert!(!valid_topic_filter(bad, v), "{bad}");
        }
        // Before 5.0, $share has no meaning: "$share/g" is an ordinary filter.
        assert!(valid_topic_filter("$share/g", Version::V3_1_1));
    }
}
