//! # mqttwire
//!
//! A strict, zero-copy codec for MQTT 3.1, 3.1.1 and 5.0.
//!
//! - [`parse`] reads one whole packet from a byte slice into a borrowed
//!   [`Packet<'a>`](Packet) view: topics, payloads, properties and filter lists
//!   point into the input, nothing is copied or allocated. It returns a
//!   [`Status`]: `Complete((packet, bytes used))` or `Partial(bytes still
//!   needed)`.
//! - [`Packet::encode`] computes the size first and writes the packet once into
//!   any [`bytes::BufMut`]; for every valid input `b`, `encode(parse(b)) == b`.
//!   [`Packet::to_bytes`] and [`Packet::to_vec`] give owned bytes.
//! - Packets are built with constructors and chained setters
//!   ([`Connect::new`], [`Publish::new`], [`Subscribe::new`], [`Ack::new`], ...)
//!   and turned into a [`Packet`] with `Packet::from`.
//! - [`stream::Decoder`] turns chunks of any size into owned [`stream::Frame`]s,
//!   enforcing the maximum packet size from the fixed header before the body
//!   is buffered (feature `std`).
//! - `codec::MqttCodec` is a `tokio_util::codec` codec for `Framed` (feature
//!   `tokio`); see `examples/tokio_client.rs` for a whole client.
//! - v5 reason codes are [`ReasonCode`]s (one table, [`REASON_CODES`]: name,
//!   packets, [`is_error`](ReasonCode::is_error)); v5 properties have typed
//!   getters on [`Properties`] and are built with [`PropertiesBuf`].
//!
//! Every rule of the specification that makes a packet malformed is an
//! [`ErrorKind`] naming the normative statement (`[MQTT-x.y.z-n]`); errors carry
//! the byte offset where the rule is broken. No input makes the parser panic.
//! The encoder refuses what the parser would refuse, with an [`EncodeError`]
//! that says what is wrong.
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
//!
//! ## A CONNECT with properties
//!
//! ```
//! use mqttwire::{parse, Connect, Packet, PropertiesBuf, QoS, Version, Will};
//!
//! let client_id = String::from("sensor-7");
//! let props = PropertiesBuf::new()
//!     .session_expiry_interval(3600)
//!     .receive_maximum(32)
//!     .user_property("site", "north");
//! let connect = Connect::new(Version::V5, &client_id)
//!     .keep_alive(30)
//!     .username("user")
//!     .password(b"secret")
//!     .will(Will::new("sensors/sensor-7/status", b"offline").qos(QoS::AtLeastOnce).retain())
//!     .properties(props.as_properties());
//! let bytes = Packet::from(connect).to_bytes(Version::V5).unwrap();
//!
//! // a CONNECT is parsed in its own version, whatever the one passed
//! let (packet, _) = parse(&bytes, Version::V3_1_1).unwrap().unwrap();
//! let Packet::Connect(c) = packet else { panic!() };
//! assert_eq!(c.protocol, Version::V5);
//! assert_eq!(c.properties.session_expiry_interval(), Some(3600));
//! assert!(c.properties.user_properties().eq([("site", "north")]));
//! ```
//!
//! ## With tokio
//!
//! `MqttCodec` (feature `tokio`) decodes [`stream::Frame`]s and encodes a
//! [`Packet`], a `Frame` (forwarded without re-encoding) or [`bytes::Bytes`].
//! A [`Packet`] borrows from its frame: keep the `Frame` and take
//! [`Frame::packet`](stream::Frame::packet) where the view is needed. The
//! codec's version follows the CONNECT it sends or receives.
//!
//! ```no_run
//! # #[cfg(feature = "tokio")]
//! # async fn client() -> Result<(), Box<dyn std::error::Error>> {
//! # use futures_util::{SinkExt, StreamExt};
//! use mqttwire::{codec::MqttCodec, Connect, Packet, Version};
//! use tokio_util::codec::Framed;
//!
//! let tcp = tokio::net::TcpStream::connect("127.0.0.1:1883").await?;
//! let mut conn = Framed::new(tcp, MqttCodec::new(Version::V5));
//! conn.send(Packet::from(Connect::new(Version::V5, "client-1"))).await?;
//! let frame = conn.next().await.ok_or("closed")??; // keep the Frame...
//! if let Packet::ConnAck(ack) = frame.packet()? { // ...and borrow from it
//!     println!("{}", ack.reason(Version::V5));
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## Features
//!
//! - `std` (default): [`stream`] (the streaming decoder) and
//!   `std::error::Error` for the errors. Without it the crate is `no_std` +
//!   `alloc`: [`parse`], the packet views and the encoder.
//! - `tokio`: the `codec` module (implies `std`).
//!
//! The modules `tape`, `framing` and `primitives` serve the Node binding
//! (the `mqttwire` npm package) and are hidden from these docs.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[macro_use]
extern crate alloc;

mod error;
#[doc(hidden)]
pub mod framing;
pub mod packet;
#[doc(hidden)]
pub mod primitives;
pub mod properties;
mod property_access;
pub mod reason;
pub mod stream;
#[doc(hidden)]
pub mod tape;

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod codec;

/// The `bytes` crate this one's API uses (`Bytes`, `BytesMut`, `BufMut`).
pub use bytes;
pub use error::{DecodeError, EncodeError, ErrorInfo, ErrorKind, Field, Param, ERRORS, FIELDS};
pub use framing::{FixedHeader, Limits, Status};
pub use packet::*;
pub use properties::{Properties, Property, PropertyId};
pub use property_access::PropertiesBuf;
pub use reason::{ReasonCode, ReasonCodeEntry, REASON_CODES};

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
#[inline]
pub fn parse(input: &[u8], version: Version) -> Result<Status<(Packet<'_>, usize)>, DecodeError> {
    parse_with(input, version, &Limits::default())
}

/// [`parse`] with explicit [`Limits`].
#[inline(always)]
pub fn parse_with<'a>(
    input: &'a [u8],
    version: Version,
    limits: &Limits,
) -> Result<Status<(Packet<'a>, usize)>, DecodeError> {
    if let Some(p) = parse_publish_fast(input, version, limits) {
        return Ok(p);
    }
    parse_general(input, version, limits)
}

/// [`parse_with`] without the PUBLISH fast path: every packet, every error.
/// Never inlined, so that `parse_with` stays small enough to inline: the hot
/// path then builds its result in the caller's registers.
#[inline(never)]
fn parse_general<'a>(
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

/// The common PUBLISH without the general path (see `packet::publish::fast`);
/// `None` sends the caller down the general path, which decides.
#[inline(always)]
pub(crate) fn parse_publish_fast<'a>(
    input: &'a [u8],
    version: Version,
    limits: &Limits,
) -> Option<Status<(Packet<'a>, usize)>> {
    let f = packet::publish_fast(input, limits.get_max_packet_size())?;
    let mut payload = f.body.get(f.rest_at..).unwrap_or_default();
    let mut props = Properties::EMPTY;
    if version.is_v5() {
        let (rest, p) = properties::publish_checked(payload, limits.is_strict())?;
        payload = rest;
        props = p;
    }
    Some(Status::Complete((
        Packet::Publish(Publish {
            dup: f.flags & 0b1000 != 0,
            qos: QoS::from_u8((f.flags >> 1) & 3).unwrap_or_default(),
            retain: f.flags & 1 != 0,
            topic: f.topic,
            packet_id: f.packet_id,
            properties: props,
            payload,
        }),
        f.total,
    )))
}

#[cfg(test)]
mod fast_path_agrees {
    //! The PUBLISH fast path decides nothing: wherever it answers, the general
    //! path gives the same packet and length; everywhere else `parse_with` is
    //! the general path.
    use super::*;
    use proptest::prelude::*;

    /// A PUBLISH-shaped byte string with every field drawn from values that
    /// are valid, borderline or invalid (flags, remaining length encodings,
    /// topic bytes, packet identifier, v5 property block), then maybe cut.
    fn publishish() -> impl Strategy<Value = Vec<u8>> {
        let topic_byte = prop_oneof![
            8 => b'a'..=b'z',
            1 => Just(b'/'),
            1 => Just(b'+'),
            1 => Just(b'#'),
            1 => Just(0u8),
            1 => 0x80u8..=0xff,
            1 => Just(b'#' | 0x08),
            1 => Just(b'+' & !0x08),
        ];
        (
            0u8..16,
            prop_oneof![
                // mostly plain topics (the fast path's case), else any bytes
                3 => prop::collection::vec(prop_oneof![8 => b'a'..=b'z', 1 => Just(b'/')], 1..40),
                2 => prop::collection::vec(topic_byte, 0..40),
            ],
            any::<u16>(),
            prop_oneof![
                1 => prop::collection::vec(any::<u8>(), 0..8),
                3 => property_list(),
            ],
            prop::collection::vec(any::<u8>(), 0..300),
            prop_oneof![3 => Just(0usize), 1 => 0usize..4],
            any::<bool>(),
            0usize..400,
        )
            .prop_map(|(flags, topic, id, props, payload, vbi_pad, v5, cut)| {
                let mut body = Vec::new();
                body.extend_from_slice(&(topic.len() as u16).to_be_bytes());
                body.extend_from_slice(&topic);
                if flags & 6 != 0 {
                    body.extend_from_slice(&id.to_be_bytes());
                }
                if v5 {
                    body.push(props.len() as u8);
                    body.extend_from_slice(&props);
                }
                body.extend_from_slice(&payload);
                let mut out = vec![0x30 | flags];
                // remaining length, sometimes padded to a non-minimal form
                let mut n = body.len();
                let mut vbi = Vec::new();
                loop {
                    let b = (n % 128) as u8;
                    n /= 128;
                    if n == 0 {
                        vbi.push(b);
                        break;
                    }
                    vbi.push(b | 0x80);
                }
                for _ in 0..vbi_pad.min(4 - vbi.len()) {
                    *vbi.last_mut().unwrap() |= 0x80;
                    vbi.push(0);
                }
                out.extend_from_slice(&vbi);
                out.extend_from_slice(&body);
                if cut < out.len() && cut % 3 == 0 {
                    out.truncate(cut);
                }
                out
            })
    }

    /// A v5 property list made of PUBLISH-like entries: the ids a PUBLISH
    /// may carry and a few it may not, values valid, borderline or invalid
    /// (0/1/2 bytes, zero alias or subscription identifier, strings with
    /// U+0000, non-ASCII or invalid UTF-8), repeats, and sometimes cut short.
    fn property_list() -> impl Strategy<Value = Vec<u8>> {
        let text = prop_oneof![
            6 => prop::collection::vec(b'a'..=b'z', 0..12),
            1 => Just(b"a\0b".to_vec()),
            1 => Just("caf\u{e9}".as_bytes().to_vec()),
            1 => Just(vec![0xff, 0x41]),
        ];
        let entry = (
            prop_oneof![
                Just(1u8),
                Just(2),
                Just(3),
                Just(8),
                Just(9),
                Just(11),
                Just(35),
                Just(38),
                Just(0x11),
                Just(0x1f),
                Just(0),
                Just(4),
            ],
            prop::collection::vec(any::<u8>(), 0..6),
            text.clone(),
            text,
        )
            .prop_map(|(id, raw, a, b)| {
                let mut e = vec![id];
                let s = |e: &mut Vec<u8>, t: &[u8]| {
                    e.extend_from_slice(&(t.len() as u16).to_be_bytes());
                    e.extend_from_slice(t);
                };
                match id {
                    3 | 8 | 0x1f => s(&mut e, &a),
                    38 => {
                        s(&mut e, &a);
                        s(&mut e, &b);
                    }
                    9 => s(&mut e, &raw),
                    11 => e.extend_from_slice(&raw),
                    _ => e.extend_from_slice(&raw[..raw.len().min(4)]),
                }
                e
            });
        (prop::collection::vec(entry, 0..6), any::<u8>()).prop_map(|(entries, cut)| {
            let mut list: Vec<u8> = entries.concat();
            if cut % 5 == 0 && !list.is_empty() {
                list.truncate(cut as usize % list.len());
            }
            list.truncate(127);
            list
        })
    }

    fn check(bytes: &[u8]) {
        for version in [Version::V3_1, Version::V3_1_1, Version::V5] {
            for strict in [true, false] {
                for max in [MAX, 64, 200] {
                    let limits = Limits::default().strict(strict).max_packet_size(max);
                    let general = parse_general(bytes, version, &limits);
                    if let Some(fast) = parse_publish_fast(bytes, version, &limits) {
                        assert_eq!(Ok(fast), general, "{bytes:02x?} {version:?} {strict}");
                    }
                    assert_eq!(parse_with(bytes, version, &limits), general);
                }
            }
        }
    }
    const MAX: usize = 1 << 20;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn on_publish_shaped_bytes(bytes in publishish()) {
            check(&bytes);
        }

        #[test]
        fn on_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
            check(&bytes);
        }
    }

    /// Every topic length from 1 to 40 with '+', '#', U+0000, 0x80, 0xff
    /// or a valid two-byte UTF-8 sequence at every position: the fast path
    /// agrees with the general path, and takes every plain topic.
    #[test]
    fn topic_bytes_at_every_position() {
        let publish = |topic: &[u8]| {
            let mut b = vec![0x32, 0, 0, topic.len() as u8];
            b.extend_from_slice(topic);
            b.extend_from_slice(&[0, 7, b'h', b'i']);
            b[1] = (b.len() - 2) as u8;
            b
        };
        for n in 1..=40usize {
            let base: Vec<u8> = (0..n).map(|i| b"ab/c"[i % 4]).collect();
            assert!(packet::publish_fast(&publish(&base), MAX).is_some(), "{n}");
            check(&publish(&base));
            for pos in 0..n {
                let mut topics = Vec::new();
                for c in [b'+', b'#', 0, 0x80, 0xff] {
                    let mut t = base.clone();
                    t[pos] = c;
                    topics.push(t);
                }
                if pos + 1 < n {
                    let mut t = base.clone();
                    t[pos..pos + 2].copy_from_slice("\u{e9}".as_bytes());
                    topics.push(t);
                }
                for t in topics {
                    let b = publish(&t);
                    assert!(packet::publish_fast(&b, MAX).is_none(), "{t:02x?}");
                    check(&b);
                }
            }
        }
    }

    #[test]
    fn takes_the_common_publish() {
        // 3.1.1 QoS 1, topic "a/b", id 7, payload "hi"
        let b = [0x32, 9, 0, 3, b'a', b'/', b'b', 0, 7, b'h', b'i'];
        assert!(packet::publish_fast(&b, MAX).is_some());
        // and leaves what it must not decide to the general path
        for bad in [
            &[0x32, 9, 0, 3, b'a', b'/', b'+', 0, 7, b'h', b'i'][..], // wildcard
            &[0x32, 9, 0, 3, b'a', 0, b'b', 0, 7, b'h', b'i'],        // U+0000
            &[0x32, 9, 0, 3, b'a', 0xc3, 0xa9, 0, 7, b'h', b'i'],     // UTF-8 (valid)
            &[0x32, 9, 0, 3, b'a', b'/', b'b', 0, 0, b'h', b'i'],     // packet id 0
            &[0x36, 9, 0, 3, b'a', b'/', b'b', 0, 7, b'h', b'i'],     // QoS 3
            &[0x38, 7, 0, 3, b'a', b'/', b'b', b'h', b'i'],           // DUP, QoS 0
            &[0x39, 7, 0, 3, b'a', b'/', b'b', b'h', b'i'],           // DUP, QoS 0, retain
            &[0x32, 0x89, 0, 0, 3, b'a', b'/', b'b', 0, 7, b'h', b'i'], // long VBI
            &[0x30, 2, 0, 0],                                         // empty topic
            &[0x32, 9, 0, 3, b'a', b'/', b'b', 0, 7, b'h'],           // incomplete
        ] {
            assert!(packet::publish_fast(bad, MAX).is_none(), "{bad:02x?}");
        }
        assert!(
            packet::publish_fast(&b, 10).is_none(),
            "over the size limit"
        );
    }

    #[test]
    fn dup_with_qos0_is_the_general_paths_call() {
        // [MQTT-3.3.1-2]: strict rejects at the first byte (even before the
        // rest of the packet is there), lenient accepts; both from parse_with.
        let b = [0x38, 7, 0, 3, b'a', b'/', b'b', b'h', b'i'];
        for version in [Version::V3_1, Version::V3_1_1] {
            let strict = Limits::default();
            for cut in 1..=b.len() {
                assert_eq!(
                    parse_with(&b[..cut], version, &strict),
                    Err(DecodeError::new(ErrorKind::PublishDupQos0, 0))
                );
            }
            let lenient = Limits::default().strict(false);
            let Ok(Status::Complete((Packet::Publish(p), 9))) = parse_with(&b, version, &lenient)
            else {
                panic!("lenient")
            };
            assert!(p.dup && p.qos == QoS::AtMostOnce);
        }
        check(&b);
        // with DUP and QoS 1 the fast path takes it
        let b = [0x3a, 9, 0, 3, b'a', b'/', b'b', 0, 7, b'h', b'i'];
        assert!(packet::publish_fast(&b, MAX).is_some());
    }
}
