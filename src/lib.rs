//! # mqttwire
//!
//! A strict, zero-copy codec for MQTT 3.1, 3.1.1 and 5.0.
//!
//! - [`parse`] reads one whole packet from a byte slice into a borrowed
//!   [`Packet<'a>`](Packet) view: topics, payloads, properties and filter lists
//!   point into the input, nothing is copied or allocated.
//! - [`Packet::encode`] computes the size first and writes the packet once into
//!   any [`bytes::BufMut`]; for every valid input `b`, `encode(parse(b)) == b`.
//! - [`stream::Decoder`] turns chunks of any size into packets, enforcing the
//!   maximum packet size from the fixed header before the body is buffered;
//!   with the `tokio` feature it is also a `tokio_util::codec` codec.
//! - [`tape::frame`] frames and validates a whole chunk into a flat `u32` tape:
//!   the entry point of the Node binding (the `mqttwire` npm package).
//!
//! Every rule of the specification that makes a packet malformed is an
//! [`ErrorKind`] naming the normative statement (`[MQTT-x.y.z-n]`); errors carry
//! the byte offset where the rule is broken. No input makes the parser panic.
//!
//! ```
//! use mqttwire::{parse, Packet, Version, Status};
//!
//! // PUBLISH, QoS 1, topic "a/b", packet id 10, payload "hi"
//! let bytes = [0x32, 0x09, 0x00, 0x03, b'a', b'/', b'b', 0x00, 0x0a, b'h', b'i'];
//! let Status::Complete((packet, used)) = parse(&bytes, Version::V3_1_1).unwrap() else {
//!     panic!("incomplete")
//! };
//! assert_eq!(used, bytes.len());
//! let Packet::Publish(p) = &packet else { panic!() };
//! assert_eq!(p.topic, "a/b");
//! assert_eq!(p.payload, b"hi");
//! assert_eq!(p.packet_id, Some(10));
//!
//! let mut out = Vec::new();
//! packet.encode(Version::V3_1_1, &mut out).unwrap();
//! assert_eq!(out, bytes);
//! ```
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod error;
pub mod framing;
pub mod packet;
pub mod primitives;
pub mod properties;
pub mod stream;
pub mod tape;

#[cfg(feature = "tokio")]
pub mod codec;

pub use error::{DecodeError, EncodeError, ErrorKind, Field};
pub use framing::{FixedHeader, Limits, Status};
pub use packet::*;
pub use properties::{Properties, Property, PropertyId};

/// MQTT protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// MQTT 3.1, protocol name `MQIsdp`, level 3.
    V3_1,
    /// MQTT 3.1.1, protocol name `MQTT`, level 4.
    V3_1_1,
    /// MQTT 5.0, protocol name `MQTT`, level 5.
    V5,
}

impl Version {
    /// The protocol level byte (3, 4 or 5).
    pub fn level(self) -> u8 {
        match self {
            Version::V3_1 => 3,
            Version::V3_1_1 => 4,
            Version::V5 => 5,
        }
    }

    /// The version of a protocol level byte (bridge bit cleared first).
    pub fn from_level(level: u8) -> Option<Version> {
        match level & 0x7f {
            3 => Some(Version::V3_1),
            4 => Some(Version::V3_1_1),
            5 => Some(Version::V5),
            _ => None,
        }
    }

    /// The protocol name this version uses in CONNECT.
    pub fn protocol_name(self) -> &'static str {
        match self {
            Version::V3_1 => "MQIsdp",
            _ => "MQTT",
        }
    }

    /// Whether this is MQTT 5.0.
    #[inline]
    pub fn is_v5(self) -> bool {
        self == Version::V5
    }
}

/// The 4-bit control packet type of the fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum PacketType {
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,
    Auth = 15,
}

impl PacketType {
    /// The packet type from its 4-bit number (0 is reserved: `None`).
    pub fn from_u8(v: u8) -> Option<PacketType> {
        use PacketType::*;
        Some(match v {
            1 => Connect,
            2 => ConnAck,
            3 => Publish,
            4 => PubAck,
            5 => PubRec,
            6 => PubRel,
            7 => PubComp,
            8 => Subscribe,
            9 => SubAck,
            10 => Unsubscribe,
            11 => UnsubAck,
            12 => PingReq,
            13 => PingResp,
            14 => Disconnect,
            15 => Auth,
            _ => return None,
        })
    }

    /// The name mqtt-packet uses as `cmd`.
    pub fn name(self) -> &'static str {
        use PacketType::*;
        match self {
            Connect => "connect",
            ConnAck => "connack",
            Publish => "publish",
            PubAck => "puback",
            PubRec => "pubrec",
            PubRel => "pubrel",
            PubComp => "pubcomp",
            Subscribe => "subscribe",
            SubAck => "suback",
            Unsubscribe => "unsubscribe",
            UnsubAck => "unsuback",
            PingReq => "pingreq",
            PingResp => "pingresp",
            Disconnect => "disconnect",
            Auth => "auth",
        }
    }

    /// The fixed header flags the spec requires (table 2-2); PUBLISH has none fixed
    /// and returns 0 here.
    pub fn required_flags(self) -> u8 {
        match self {
            PacketType::PubRel | PacketType::Subscribe | PacketType::Unsubscribe => 2,
            _ => 0,
        }
    }
}

/// Quality of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(u8)]
pub enum QoS {
    /// At most once.
    #[default]
    AtMostOnce = 0,
    /// At least once.
    AtLeastOnce = 1,
    /// Exactly once.
    ExactlyOnce = 2,
}

impl QoS {
    /// The QoS of a 2-bit value (3 is invalid: `None`).
    pub fn from_u8(v: u8) -> Option<QoS> {
        match v {
            0 => Some(QoS::AtMostOnce),
            1 => Some(QoS::AtLeastOnce),
            2 => Some(QoS::ExactlyOnce),
            _ => None,
        }
    }
}

/// Parse one whole packet from the start of `input`.
///
/// Returns [`Status::Partial`] with the number of bytes still needed (at least)
/// when `input` holds only part of a packet, and the packet with the number of
/// bytes it used when complete. `version` is the protocol version in force on
/// the connection (a CONNECT carries its own and is parsed with it).
///
/// Uses the default [`Limits`] (the spec's largest packet). See [`parse_with`].
pub fn parse(input: &[u8], version: Version) -> Result<Status<(Packet<'_>, usize)>, DecodeError> {
    parse_with(input, version, &Limits::default())
}

/// [`parse`] with explicit [`Limits`].
#[inline]
pub fn parse_with<'a>(
    input: &'a [u8],
    version: Version,
    limits: &Limits,
) -> Result<Status<(Packet<'a>, usize)>, DecodeError> {
    let header = match framing::parse_fixed_header(input, limits)? {
        Status::Complete(h) => h,
        Status::Partial(n) => return Ok(Status::Partial(n)),
    };
    let total = header.packet_len();
    if input.len() < total {
        return Ok(Status::Partial(total - input.len()));
    }
    let body = &input[header.header_len..total];
    let packet = if header.packet_type == PacketType::Publish {
        // The hot path, built in place.
        packet::parse_publish(&header, body, version, limits.is_strict()).map(Packet::Publish)
    } else {
        packet::parse_body_with(&header, body, version, limits.is_strict())
    }
    .map_err(|e| e.shifted(header.header_len))?;
    Ok(Status::Complete((packet, total)))
}
