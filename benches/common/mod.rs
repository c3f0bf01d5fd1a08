//! Shared by `benches/codec.rs` and `examples/bench_ratio.rs`: the fixture
//! packets and the seeded PUBLISH stream, so both measure the same bytes.
#![allow(dead_code)]

use bytes::BytesMut;
use mqttwire::{
    parse, stream::Decoder, tape, Ack, Auth, ConnAck, Connect, Disconnect, Filters, Packet,
    Properties, Property, Publish, QoS, Status, SubAck, Subscribe, SubscriptionOptions, TopicList,
    Unsubscribe, Version, Will,
};

/// Packets in the stream.
pub const STREAM_PACKETS: usize = 10_000;
/// Seed of the stream generator.
pub const SEED: u64 = 0x6d71_7474_7769_7265; // "mqttwire"

/// SplitMix64: small, fast, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
}

/// The realistic PUBLISH stream: `n` MQTT 3.1.1 PUBLISH packets, QoS 0 or 1
/// (half each), ASCII topics of 20–30 bytes, payloads of 64–256 bytes (95%)
/// or 2–4 KiB (5%). Returns the concatenated wire bytes.
pub fn publish_stream(n: usize, seed: u64) -> Vec<u8> {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n * 320);
    let mut topic = String::with_capacity(32);
    let mut payload = Vec::with_capacity(4096);
    let mut next_id: u16 = 0;
    for _ in 0..n {
        // "site/<sensor>/<metric>" shaped, exact length 20..=30.
        let len = rng.range(20, 30);
        topic.clear();
        topic.push_str("site/");
        while topic.len() < len {
            let c = if topic.len() % 9 == 0 {
                b'/'
            } else {
                ALNUM[rng.range(0, ALNUM.len() - 1)]
            };
            topic.push(c as char);
        }
        if topic.ends_with('/') {
            topic.pop();
            topic.push('x');
        }
        let size = if rng.range(0, 99) < 95 {
            rng.range(64, 256)
        } else {
            rng.range(2048, 4096)
        };
        payload.clear();
        let fill = rng.next();
        payload.extend((0..size).map(|i| (fill as usize).wrapping_add(i * 31) as u8));
        let qos = if rng.next() & 1 == 0 {
            QoS::AtMostOnce
        } else {
            QoS::AtLeastOnce
        };
        let packet_id = if qos == QoS::AtMostOnce {
            None
        } else {
            next_id = next_id.wrapping_add(1).max(1);
            Some(next_id)
        };
        Packet::Publish(Publish {
            dup: false,
            qos,
            retain: false,
            topic: &topic,
            packet_id,
            properties: Properties::EMPTY,
            payload: &payload,
        })
        .encode(Version::V3_1_1, &mut out)
        .expect("stream packet encodes");
    }
    out
}

// ---------------------------------------------------------------------------
// The four stream consumers. Each returns the number of packets it produced
// and folds what it read into a checksum so nothing is optimised away.

/// (a) `mqttwire::parse` looping over the buffer.
#[inline(never)]
pub fn run_parse(buf: &[u8]) -> (usize, usize) {
    let mut pos = 0;
    let mut n = 0;
    let mut sum = 0usize;
    while pos < buf.len() {
        match parse(&buf[pos..], Version::V3_1_1) {
            Ok(Status::Complete((Packet::Publish(p), used))) => {
                sum = sum.wrapping_add(p.topic.len() + p.payload.len());
                pos += used;
                n += 1;
            }
            Ok(Status::Complete((_, used))) => {
                pos += used;
                n += 1;
            }
            _ => break,
        }
    }
    (n, sum)
}

/// (b) `stream::Decoder` over a `BytesMut` (frames only: each frame owns a
/// `Bytes` slice of the buffer).
#[inline(never)]
pub fn run_decoder(mut src: BytesMut) -> (usize, usize) {
    let mut dec = Decoder::new(Version::V3_1_1);
    let mut n = 0;
    let mut sum = 0usize;
    while let Ok(Status::Complete(frame)) = dec.decode(&mut src) {
        sum = sum.wrapping_add(frame.bytes().len());
        n += 1;
    }
    (n, sum)
}

/// (b') `stream::Decoder` plus `Frame::packet()` to read topic and payload
/// (what an application does with every frame).
#[inline(never)]
pub fn run_decoder_packet(mut src: BytesMut) -> (usize, usize) {
    let mut dec = Decoder::new(Version::V3_1_1);
    let mut n = 0;
    let mut sum = 0usize;
    while let Ok(Status::Complete(frame)) = dec.decode(&mut src) {
        if let Ok(Packet::Publish(p)) = frame.packet() {
            sum = sum.wrapping_add(p.topic.len() + p.payload.len());
        }
        n += 1;
    }
    (n, sum)
}

/// (b'') `stream::Decoder::decode_slice`: borrowed views, one validation.
#[inline(never)]
pub fn run_decoder_slice(buf: &[u8]) -> (usize, usize) {
    let mut dec = Decoder::new(Version::V3_1_1);
    let mut pos = 0;
    let mut n = 0;
    let mut sum = 0usize;
    while let Ok(Status::Complete((packet, used))) = dec.decode_slice(&buf[pos..]) {
        if let Packet::Publish(p) = packet {
            sum = sum.wrapping_add(p.topic.len() + p.payload.len());
        }
        pos += used;
        n += 1;
    }
    (n, sum)
}

/// Words a tape needs for the whole stream (PUBLISH v4 records are 9 words).
pub fn tape_words(packets: usize) -> usize {
    tape::HEADER_WORDS + 9 * packets + 64
}

/// Words a tape needs for the whole stream with the `tape::ARENA` bit: the
/// records in its first three quarters, the topics (at most 32 B, 8 words
/// each) in its last.
pub fn tape_words_arena(packets: usize) -> usize {
    (4 * tape_words(packets)).div_ceil(3).max(32 * packets + 64)
}

/// Config word of the stream's `tape::frame` calls: 3.1.1, with or without
/// the string arena (the Node binding sets it for every chunk of 4 KiB or more).
/// (A const parameter of the runners below, so that each configuration is
/// its own function in a profile.)
pub const fn tape_config(arena: bool) -> u32 {
    4 | if arena { tape::ARENA } else { 0 }
}

/// (c) `tape::frame` of the whole buffer into a reused tape.
#[inline(never)]
pub fn run_tape<const ARENA: bool>(buf: &[u8], t: &mut [u32]) -> (usize, usize) {
    let st = tape::frame(buf, 0, buf.len(), tape_config(ARENA), 0, t);
    debug_assert_eq!(st, tape::Status::Done);
    let _ = st;
    (t[5] as usize, t[7] as usize)
}

/// (c') `tape::frame` in 64 KiB socket-sized chunks, the way the Node binding
/// is called (a packet cut by a chunk edge is carried over).
#[inline(never)]
pub fn run_tape_chunked<const ARENA: bool>(
    buf: &[u8],
    t: &mut [u32],
    chunk: usize,
) -> (usize, usize) {
    let mut start = 0;
    let mut n = 0;
    while start < buf.len() {
        let end = (start + chunk).min(buf.len());
        tape::frame(buf, start, end, tape_config(ARENA), 0, t);
        n += t[5] as usize;
        let next = t[1] as usize;
        start = if next == start {
            end.max(start + 1).min(buf.len())
        } else {
            next
        };
        if end == buf.len() && t[0] != tape::Status::Full as u32 {
            break;
        }
    }
    (n, start)
}

/// (d) rumqtt's `mqttbytes` 0.6, v4 codec.
#[inline(never)]
pub fn run_mqttbytes(mut src: BytesMut) -> (usize, usize) {
    let mut n = 0;
    let mut sum = 0usize;
    loop {
        match mqttbytes::v4::read(&mut src, 1 << 20) {
            Ok(mqttbytes::v4::Packet::Publish(p)) => {
                sum = sum.wrapping_add(p.topic.len() + p.payload.len());
                n += 1;
            }
            Ok(_) => n += 1,
            Err(_) => break,
        }
    }
    (n, sum)
}

/// Reference floor (not a codec): fixed header + topic length + simdutf8 check
/// of the topic, nothing else validated — what the prototype measured as
/// "bare zero-copy framing".
#[inline(never)]
pub fn run_bare_framing(buf: &[u8]) -> (usize, usize) {
    let mut pos = 0;
    let mut n = 0;
    let mut sum = 0usize;
    while pos + 2 <= buf.len() {
        let first = buf[pos];
        let mut len = 0usize;
        let mut i = 1;
        loop {
            let b = buf[pos + i];
            len |= ((b & 0x7f) as usize) << (7 * (i - 1));
            i += 1;
            if b & 0x80 == 0 || i > 4 {
                break;
            }
        }
        let body = &buf[pos + i..pos + i + len];
        let tl = u16::from_be_bytes([body[0], body[1]]) as usize;
        let topic = simdutf8::basic::from_utf8(&body[2..2 + tl]).unwrap_or("");
        let skip = if (first >> 1) & 3 != 0 { 2 } else { 0 };
        sum = sum.wrapping_add(topic.len() + body.len() - 2 - tl - skip);
        pos += i + len;
        n += 1;
    }
    (n, sum)
}

// ---------------------------------------------------------------------------
// One fixture per packet kind (bytes made by mqttwire's encoder, checked to
// parse back).

pub struct Fixture {
    pub name: &'static str,
    pub version: Version,
    pub bytes: Vec<u8>,
}

const PAYLOAD_128: [u8; 128] = [0x5a; 128];

pub fn with_fixture_packets<R>(f: impl FnOnce(&[(&'static str, Version, Packet<'_>)]) -> R) -> R {
    let v5_connect_props = [
        Property::SessionExpiryInterval(3600),
        Property::ReceiveMaximum(100),
        Property::MaximumPacketSize(1 << 20),
        Property::UserProperty("client", "bench"),
    ];
    let will_props = [
        Property::WillDelayInterval(10),
        Property::ContentType("text/plain"),
    ];
    let publish_props = [
        Property::MessageExpiryInterval(3600),
        Property::ContentType("application/json"),
        Property::UserProperty("trace", "abc123"),
    ];
    let connack_props = [
        Property::TopicAliasMaximum(10),
        Property::ReceiveMaximum(20),
        Property::AssignedClientIdentifier("auto-1a2b3c"),
    ];
    let filters: Vec<String> = (0..10)
        .map(|i| format!("devices/+/sensor-{i:02}/#"))
        .collect();
    let sub_list: Vec<(&str, SubscriptionOptions)> = filters
        .iter()
        .map(|f| {
            (
                f.as_str(),
                SubscriptionOptions {
                    qos: QoS::AtLeastOnce,
                    ..Default::default()
                },
            )
        })
        .collect();
    let unsub_list: Vec<&str> = filters.iter().map(String::as_str).collect();
    let suback_codes = [1u8; 10];
    let auth_props = [
        Property::AuthenticationMethod("SCRAM-SHA-256"),
        Property::AuthenticationData(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO"),
    ];
    let connect = |protocol, props, wprops| Connect {
        protocol,
        bridge: false,
        clean_start: true,
        keep_alive: 60,
        properties: props,
        client_id: "bench-client-0001",
        will: Some(Will {
            qos: QoS::AtLeastOnce,
            retain: false,
            properties: wprops,
            topic: "clients/bench-client-0001/status",
            payload: b"offline",
        }),
        username: Some("user"),
        password: Some(b"secret-password"),
    };
    let publish = |props| Publish {
        dup: false,
        qos: QoS::AtLeastOnce,
        retain: false,
        topic: "site/building-7/floor-3/temperature",
        packet_id: Some(42),
        properties: props,
        payload: &PAYLOAD_128,
    };
    let v4 = Version::V3_1_1;
    let v5 = Version::V5;
    let packets = [
        (
            "connect_v4",
            v4,
            Packet::Connect(connect(v4, Properties::EMPTY, Properties::EMPTY)),
        ),
        (
            "connect_v5",
            v5,
            Packet::Connect(connect(
                v5,
                Properties::from_list(&v5_connect_props),
                Properties::from_list(&will_props),
            )),
        ),
        (
            "connack_v4",
            v4,
            Packet::ConnAck(ConnAck {
                session_present: false,
                code: 0,
                properties: Properties::EMPTY,
            }),
        ),
        (
            "connack_v5",
            v5,
            Packet::ConnAck(ConnAck {
                session_present: true,
                code: 0,
                properties: Properties::from_list(&connack_props),
            }),
        ),
        (
            "publish_v4_128B",
            v4,
            Packet::Publish(publish(Properties::EMPTY)),
        ),
        (
            "publish_v5_props_128B",
            v5,
            Packet::Publish(publish(Properties::from_list(&publish_props))),
        ),
        (
            "puback_v4",
            v4,
            Packet::PubAck(Ack {
                packet_id: 42,
                reason_code: None,
                properties: None,
            }),
        ),
        (
            "subscribe_v4_10",
            v4,
            Packet::Subscribe(Subscribe {
                packet_id: 7,
                properties: Properties::EMPTY,
                filters: Filters::from_list(&sub_list),
            }),
        ),
        (
            "suback_v4_10",
            v4,
            Packet::SubAck(SubAck {
                packet_id: 7,
                properties: Properties::EMPTY,
                return_codes: &suback_codes,
            }),
        ),
        (
            "unsubscribe_v4_10",
            v4,
            Packet::Unsubscribe(Unsubscribe {
                packet_id: 8,
                properties: Properties::EMPTY,
                filters: TopicList::from_list(&unsub_list),
            }),
        ),
        ("pingreq", v4, Packet::PingReq),
        (
            "disconnect_v5",
            v5,
            Packet::Disconnect(Disconnect {
                reason_code: Some(0x04),
                properties: Some(Properties::from_list(&[Property::ReasonString("bye")])),
            }),
        ),
        (
            "auth_v5",
            v5,
            Packet::Auth(Auth {
                reason_code: Some(0x18),
                properties: Some(Properties::from_list(&auth_props)),
            }),
        ),
    ];
    f(&packets)
}

pub fn fixtures() -> Vec<Fixture> {
    with_fixture_packets(|ps| {
        ps.iter()
            .map(|(name, version, p)| {
                let bytes = p
                    .to_vec(*version)
                    .unwrap_or_else(|e| panic!("{name}: {e:?}"));
                match parse(&bytes, *version) {
                    Ok(Status::Complete((back, used))) => {
                        assert_eq!(used, bytes.len(), "{name}");
                        assert_eq!(&back, p, "{name}");
                    }
                    other => panic!("{name}: {other:?}"),
                }
                Fixture {
                    name,
                    version: *version,
                    bytes,
                }
            })
            .collect()
    })
}
