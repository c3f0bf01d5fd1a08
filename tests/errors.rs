//! Every `ErrorKind` produced from real bytes, with its byte offset (from the
//! packet's first byte for `parse`, from the stream start for the decoder and
//! the tape); encode-side errors; the streaming decoder's failure behaviour.

use std::collections::BTreeSet;

use bytes::BytesMut;
use mqttwire::properties::Property as P;
use mqttwire::stream::Decoder;
use mqttwire::tape;
use mqttwire::*;

const V31: Version = Version::V3_1;
const V311: Version = Version::V3_1_1;
const V5: Version = Version::V5;

/// `bytes` fails with `kind` at `offset` through `parse` (with `max`, if any),
/// through a decoder (behind a PINGREQ, so 2 bytes further into the stream,
/// fed one byte at a time) and through the tape (3 bytes into the buffer).
#[track_caller]
fn fails_with(
    v: Version,
    max: Option<usize>,
    bytes: &[u8],
    kind: ErrorKind,
    offset: usize,
) -> DecodeError {
    let limits = max.map_or(Limits::default(), |m| Limits::new().max_packet_size(m));
    let e = parse_with(bytes, v, &limits).unwrap_err();
    assert_eq!(e, DecodeError::new(kind, offset), "parse");
    assert!(offset < bytes.len() || offset == bytes.len());
    if max.is_none() {
        assert_eq!(parse(bytes, v), Err(e));
    }
    // The code and parameter rebuild the kind.
    assert_eq!(ErrorKind::from_code(kind.code(), kind.param()), Some(kind));

    // Decoder: offsets count from the stream start; the error is final.
    let stream = [&[0xc0, 0x00][..], bytes].concat();
    let mut dec = Decoder::with_limits(v, limits);
    let mut buf = BytesMut::new();
    let mut got = None;
    for b in &stream {
        buf.extend_from_slice(&[*b]);
        match dec.decode(&mut buf) {
            Ok(_) => {}
            Err(err) => {
                got = Some(err);
                break;
            }
        }
    }
    let got = got.expect("decoder accepted it");
    assert_eq!(got, DecodeError::new(kind, offset + 2), "decoder");
    buf.extend_from_slice(&[0xc0, 0x00]);
    assert_eq!(dec.decode(&mut buf), Err(got), "decoder stays failed");
    assert_eq!(dec.error(), Some(got));

    // Tape: code, param, absolute offset.
    let buf = [&[0xaa, 0xaa, 0xaa][..], bytes].concat();
    let mut t = [0u32; 64];
    let st = tape::frame(
        &buf,
        3,
        buf.len(),
        v.level() as u32,
        max.unwrap_or(0) as u32,
        &mut t,
    );
    assert_eq!(st, tape::Status::Error);
    assert_eq!(
        (t[1], t[2], t[3], t[4]),
        (3, kind.code(), kind.param(), (offset + 3) as u32),
        "tape"
    );
    assert_eq!(t[5], 0);
    e
}

#[track_caller]
fn fails(v: Version, bytes: &[u8], kind: ErrorKind, offset: usize) -> DecodeError {
    fails_with(v, None, bytes, kind, offset)
}

/// The same in 3.1 and 3.1.1.
#[track_caller]
fn fails_v3(bytes: &[u8], kind: ErrorKind, offset: usize) {
    for v in [V31, V311] {
        fails(v, bytes, kind, offset);
    }
}

/// The same in every version.
#[track_caller]
fn fails_all(bytes: &[u8], kind: ErrorKind, offset: usize) {
    for v in [V31, V311, V5] {
        fails(v, bytes, kind, offset);
    }
}

// ------------------------------------------------------------- fixed header

#[test]
fn reserved_packet_type() {
    fails_all(&[0x00, 0x00], ErrorKind::ReservedPacketType, 0);
    assert_eq!(ErrorKind::ReservedPacketType.message(), "Not supported");
}

#[test]
fn invalid_header_flags() {
    // PUBREL must have flags 0010
    fails_all(
        &[0x60, 0x02, 0x00, 0x01],
        ErrorKind::InvalidHeaderFlags(PacketType::PubRel),
        0,
    );
    fails_all(
        &[0x11, 0x00],
        ErrorKind::InvalidHeaderFlags(PacketType::Connect),
        0,
    );
    fails_all(
        &[0x80, 0x00],
        ErrorKind::InvalidHeaderFlags(PacketType::Subscribe),
        0,
    );
    fails_all(
        &[0xc1, 0x00],
        ErrorKind::InvalidHeaderFlags(PacketType::PingReq),
        0,
    );
    assert_eq!(
        ErrorKind::InvalidHeaderFlags(PacketType::PubRel).message(),
        "Invalid header flag bits, must be 0x2 for pubrel packet"
    );
    assert_eq!(
        ErrorKind::InvalidHeaderFlags(PacketType::Connect).message(),
        "Invalid header flag bits, must be 0x0 for connect packet"
    );
}

#[test]
fn publish_qos3() {
    fails_all(&[0x36, 0x00], ErrorKind::PublishQos3, 0);
    fails_all(&[0x3f, 0x00], ErrorKind::PublishQos3, 0);
    assert_eq!(
        ErrorKind::PublishQos3.message(),
        "Packet must not have both QoS bits set to 1"
    );
}

#[test]
fn publish_dup_qos0() {
    // DUP with QoS 0, with and without RETAIN: refused at the first byte
    fails_all(
        &[0x38, 0x04, 0x00, 0x01, b't', b'x'],
        ErrorKind::PublishDupQos0,
        0,
    );
    fails_all(
        &[0x39, 0x03, 0x00, 0x01, b't'],
        ErrorKind::PublishDupQos0,
        0,
    );
    // also an otherwise malformed body: the fixed header comes first
    fails_all(&[0x38, 0x02, 0x00, 0x00], ErrorKind::PublishDupQos0, 0);
    fails(
        V5,
        &[0x38, 0x05, 0x00, 0x01, b'a', 0x00, b'x'],
        ErrorKind::PublishDupQos0,
        0,
    );
    // DUP with QoS 1 and 2 is fine
    for first in [0x3a, 0x3c, 0x3b, 0x3d] {
        let b = [first, 0x05, 0x00, 0x01, b't', 0x00, 0x07];
        assert!(parse(&b, V311).unwrap().complete().is_some(), "{first:02x}");
    }
    // before the remaining length is there
    assert_eq!(
        parse(&[0x38], V311),
        Err(DecodeError::new(ErrorKind::PublishDupQos0, 0))
    );
    assert_eq!(
        ErrorKind::PublishDupQos0.message(),
        "Invalid header flag bits: DUP must be 0 for QoS 0"
    );
    assert_eq!(ErrorKind::PublishDupQos0.rule(), "MQTT-3.3.1-2");
    assert!(ErrorKind::PublishDupQos0.is_stricter_than_mqtt_packet());
    assert!(ErrorKind::PublishDupQos0.relaxed_when_lenient());
}

#[test]
fn var_int_too_long() {
    // remaining length: four continuation bytes; the fourth (offset 4) is one too many
    fails_all(
        &[0x30, 0xff, 0xff, 0xff, 0xff, 0x01],
        ErrorKind::VarIntTooLong,
        4,
    );
    assert_eq!(
        ErrorKind::VarIntTooLong.message(),
        "Invalid variable byte integer"
    );
}

#[test]
fn var_int_not_minimal() {
    fails_all(&[0x30, 0x80, 0x00], ErrorKind::VarIntNotMinimal, 2);
    fails_all(&[0x30, 0x80, 0x80, 0x00], ErrorKind::VarIntNotMinimal, 3);
    // inside a property: subscription identifier 0x80 0x00, followed by payload
    fails(
        V5,
        &[
            0x30, 0x08, // PUBLISH, remaining length 8
            0x00, 0x01, b't', // topic
            0x03, // property length 3
            0x0b, 0x80, 0x00, // subscription identifier, not minimal
            b'x', // payload
        ],
        ErrorKind::VarIntNotMinimal,
        8,
    );
    // the property length itself
    fails(
        V5,
        &[0x40, 0x05, 0x00, 0x01, 0x00, 0x80, 0x00],
        ErrorKind::VarIntNotMinimal,
        6,
    );
}

#[test]
fn packet_too_large() {
    // PUBLISH announcing 10 bytes of body: 12 > 10, refused from the header
    let e = fails_with(
        V311,
        Some(10),
        &[0x30, 0x0a],
        ErrorKind::PacketTooLarge(10),
        1,
    );
    assert_eq!(
        e.kind.message(),
        "Packet too large: exceeds the maximum packet size of 10 bytes"
    );
    // exactly at the limit is fine
    let ok = [0x30, 0x08, 0x00, 0x01, b't', 1, 2, 3, 4, 5];
    let st = parse_with(&ok, V311, &Limits::new().max_packet_size(10)).unwrap();
    assert_eq!(st.complete().unwrap().1, 10);
    // the limit is clamped to at least 5 bytes
    assert_eq!(Limits::new().max_packet_size(0).get_max_packet_size(), 5);
    assert_eq!(Limits::default().get_max_packet_size(), 268_435_460);
}

// -------------------------------------------------------------- truncation

#[test]
fn truncated_fields() {
    use Field as F;
    let t = ErrorKind::Truncated;
    // PUBACK with one byte of packet id
    fails_all(&[0x40, 0x01, 0x00], t(F::PacketId), 2);
    // PUBLISH topic length 5, one byte present
    fails_all(&[0x30, 0x03, 0x00, 0x05, b'a'], t(F::Topic), 2);
    // PUBLISH qos 1 without packet id
    fails_all(&[0x32, 0x03, 0x00, 0x01, b't'], t(F::PacketId), 5);
    // CONNECT with a cut protocol name
    fails_all(&[0x10, 0x03, 0x00, 0x04, b'M'], t(F::ProtocolName), 2);
    // CONNECT without level
    fails_all(
        &[0x10, 0x06, 0x00, 0x04, b'M', b'Q', b'T', b'T'],
        t(F::ProtocolLevel),
        8,
    );
    // CONNECT without flags / keep alive / client id
    let head = [0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3c];
    let connect = |body: &[u8]| [&[0x10, body.len() as u8][..], body].concat();
    fails_all(&connect(&head[..7]), t(F::ConnectFlags), 9);
    fails_all(&connect(&head[..9]), t(F::KeepAlive), 10);
    fails(V311, &connect(&head), t(F::ClientId), 12);
    // will flag set but no will topic / will payload
    let mut will = head;
    will[7] = 0x06;
    fails(
        V311,
        &connect(&[&will[..], &[0x00, 0x00]].concat()),
        t(F::WillTopic),
        14,
    );
    fails(
        V311,
        &connect(&[&will[..], &[0x00, 0x00, 0x00, 0x01, b'w']].concat()),
        t(F::WillPayload),
        17,
    );
    // user name / password flags without the fields
    let mut up = head;
    up[7] = 0xc2;
    fails(
        V311,
        &connect(&[&up[..], &[0x00, 0x00]].concat()),
        t(F::Username),
        14,
    );
    fails(
        V311,
        &connect(&[&up[..], &[0x00, 0x00, 0x00, 0x01, b'u', 0x00]].concat()),
        t(F::Password),
        17,
    );
    // CONNACK
    fails_all(&[0x20, 0x00], t(F::ConnackFlags), 2);
    fails_all(&[0x20, 0x01, 0x00], t(F::ReturnCode), 3);
    // SUBSCRIBE filter cut
    fails_v3(&[0x82, 0x04, 0x00, 0x01, 0x00, 0x05], t(F::TopicFilter), 4);
    fails(
        V5,
        &[0x82, 0x05, 0x00, 0x01, 0x00, 0x00, 0x05],
        t(F::TopicFilter),
        5,
    );
    // v5: a property length longer than the body is reported at the property
    // length (the field's first byte, as for every truncated field, and as the
    // JS framer does): CONNECT with property length 5 and nothing after it
    fails(
        V5,
        &[
            0x10, 11, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x00, 0x05,
        ],
        t(F::Properties),
        12,
    );
    // PUBACK: property length 5, no properties
    fails(
        V5,
        &[0x40, 0x04, 0x00, 0x01, 0x00, 0x05],
        t(F::Properties),
        5,
    );
    // PUBACK: a two-byte property length cut after its first byte
    fails(
        V5,
        &[0x40, 0x04, 0x00, 0x01, 0x00, 0x80],
        t(F::Properties),
        5,
    );
    // PUBLISH: a subscription identifier whose variable byte integer is cut
    fails(
        V5,
        &[
            0x30, 0x06, // PUBLISH, remaining length 6
            0x00, 0x01, b't', // topic
            0x02, // property length 2
            0x0b, 0x80, // subscription identifier: continuation, then the list ends
        ],
        t(F::PropertyValue),
        7,
    );
    fails(
        V5,
        &[
            0x40, 0x06, // PUBACK, remaining length 6
            0x00, 0x01, // packet id
            0x00, // reason code
            0x02, // property length 2
            0x1f, 0x00, // reason string: one byte of its length
        ],
        t(F::PropertyValue),
        7,
    );
    // v5: property length missing in PUBLISH / CONNACK
    fails(V5, &[0x30, 0x03, 0x00, 0x01, b't'], t(F::Properties), 5);
    fails(V5, &[0x20, 0x02, 0x00, 0x00], t(F::Properties), 4);
    assert_eq!(t(F::PacketId).message(), "Cannot parse messageId");
    assert_eq!(t(F::Topic).message(), "Cannot parse topic");
    assert_eq!(t(F::ProtocolName).message(), "Cannot parse protocolId");
    assert_eq!(t(F::ReturnCode).message(), "Cannot parse return code");
}

#[test]
fn trailing_bytes() {
    fails_all(
        &[0xc0, 0x01, 0x00],
        ErrorKind::TrailingBytes(PacketType::PingReq),
        2,
    );
    fails_all(
        &[0xd0, 0x01, 0x00],
        ErrorKind::TrailingBytes(PacketType::PingResp),
        2,
    );
    // before 5.0 an ack is exactly a packet id
    for v in [V31, V311] {
        fails(
            v,
            &[0x40, 0x03, 0x00, 0x01, 0x00],
            ErrorKind::TrailingBytes(PacketType::PubAck),
            4,
        );
        fails(
            v,
            &[0xe0, 0x01, 0x00],
            ErrorKind::TrailingBytes(PacketType::Disconnect),
            2,
        );
        fails(
            v,
            &[0x20, 0x03, 0x00, 0x00, 0x00],
            ErrorKind::TrailingBytes(PacketType::ConnAck),
            4,
        );
    }
    // 5.0: a byte after the property list
    fails(
        V5,
        &[0x40, 0x05, 0x00, 0x01, 0x00, 0x00, 0xff],
        ErrorKind::TrailingBytes(PacketType::PubAck),
        6,
    );
    fails(
        V5,
        &[0xf0, 0x03, 0x00, 0x00, 0x00],
        ErrorKind::TrailingBytes(PacketType::Auth),
        4,
    );
    // CONNECT with a byte after the client id
    fails_all(
        &[
            0x10, 13, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
        ],
        ErrorKind::TrailingBytes(PacketType::Connect),
        14,
    );
    assert_eq!(
        ErrorKind::TrailingBytes(PacketType::PubAck).message(),
        "Malformed puback packet: remaining length exceeds its fields"
    );
}

// ------------------------------------------------------------------ strings

#[test]
fn invalid_utf8() {
    // topic "a" + 0xc3 0x28 (bad continuation): offending byte at 5
    fails_all(
        &[0x30, 0x05, 0x00, 0x03, b'a', 0xc3, 0x28],
        ErrorKind::InvalidUtf8(Field::Topic),
        5,
    );
    // a UTF-16 surrogate encoded in UTF-8
    fails_all(
        &[0x30, 0x05, 0x00, 0x03, 0xed, 0xa0, 0x80],
        ErrorKind::InvalidUtf8(Field::Topic),
        4,
    );
    // in a user property value, followed by payload (5.0)
    fails(
        V5,
        &[
            0x30, 13, // PUBLISH, remaining length 13
            0x00, 0x01, b't', // topic
            0x07, // property length 7
            0x26, 0x00, 0x01, b'k', 0x00, 0x01, 0xff, // user property k=<0xff>
            b'p', b'p', // payload
        ],
        ErrorKind::InvalidUtf8(Field::PropertyValue),
        12,
    );
    assert_eq!(
        ErrorKind::InvalidUtf8(Field::Topic).message(),
        "Invalid UTF-8 string in topic"
    );
}

#[test]
fn null_character() {
    fails_all(
        &[0x30, 0x05, 0x00, 0x03, b'a', 0x00, b'b'],
        ErrorKind::NullCharacter(Field::Topic),
        5,
    );
    // client id "a\0"
    fails_all(
        &[
            0x10, 14, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x00, 0x00, 0x02, b'a',
            0x00,
        ],
        ErrorKind::NullCharacter(Field::ClientId),
        15,
    );
    fails_v3(
        &[0xa2, 0x05, 0x00, 0x01, 0x00, 0x01, 0x00],
        ErrorKind::NullCharacter(Field::TopicFilter),
        6,
    );
    fails(
        V5,
        &[0xa2, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00],
        ErrorKind::NullCharacter(Field::TopicFilter),
        7,
    );
    assert_eq!(
        ErrorKind::NullCharacter(Field::Topic).message(),
        "Invalid string in topic: contains U+0000"
    );
}

// ------------------------------------------------------------------ CONNECT

/// A 3.1.1-style CONNECT with this name, level and flags, keep alive 0 and
/// client id "" — plus `tail`.
fn connect(name: &[u8], level: u8, flags: u8, tail: &[u8]) -> Vec<u8> {
    let mut body = vec![0x00, name.len() as u8];
    body.extend_from_slice(name);
    body.extend_from_slice(&[level, flags, 0x00, 0x00]);
    if level & 0x7f == 5 {
        body.push(0x00); // property length
    }
    body.extend_from_slice(&[0x00, 0x00]); // client id ""
    body.extend_from_slice(tail);
    [&[0x10, body.len() as u8][..], &body].concat()
}

#[test]
fn connect_rules() {
    use ErrorKind as K;
    fails_all(&connect(b"MQTX", 4, 0x02, &[]), K::InvalidProtocolName, 2);
    fails_all(&connect(b"", 4, 0x02, &[]), K::InvalidProtocolName, 2);
    fails_all(&connect(b"MQTT", 6, 0x02, &[]), K::InvalidProtocolLevel, 8);
    fails_all(
        &connect(b"MQTT", 0x86, 0x02, &[]),
        K::InvalidProtocolLevel,
        8,
    );
    fails_all(&connect(b"MQTT", 3, 0x02, &[]), K::ProtocolNameMismatch, 8);
    fails_all(
        &connect(b"MQIsdp", 4, 0x02, &[]),
        K::ProtocolNameMismatch,
        10,
    );
    fails_all(&connect(b"MQTT", 4, 0x03, &[]), K::ConnectReservedFlag, 9);
    fails_all(&connect(b"MQTT", 4, 0x22, &[]), K::WillRetainWithoutWill, 9);
    fails_all(&connect(b"MQTT", 4, 0x0a, &[]), K::WillQosWithoutWill, 9);
    fails_all(&connect(b"MQTT", 4, 0x12, &[]), K::WillQosWithoutWill, 9);
    fails_all(&connect(b"MQTT", 4, 0x1e, &[]), K::WillQos3, 9);
    fails_all(
        &connect(b"MQTT", 4, 0x42, &[0x00, 0x00]),
        K::PasswordWithoutUsername,
        9,
    );
    fails_all(
        &connect(b"MQIsdp", 3, 0x42, &[0x00, 0x00]),
        K::PasswordWithoutUsername,
        11,
    );
    // 5.0 allows it
    assert!(parse(&connect(b"MQTT", 5, 0x42, &[0x00, 0x00]), V311).is_ok());
    // a will topic with a wildcard: the '+' at offset 14 + 2 + 1
    fails_all(
        &connect(b"MQTT", 4, 0x06, &[0x00, 0x02, b'a', b'+', 0x00, 0x00]),
        K::TopicWildcard,
        17,
    );
    // an empty will topic [MQTT-4.7.3-1]: at the will topic's length field
    fails_all(
        &connect(b"MQTT", 4, 0x06, &[0x00, 0x00, 0x00, 0x01, b'p']),
        K::EmptyTopic,
        14,
    );
    fails(
        V31,
        &connect(b"MQIsdp", 3, 0x2e, &[0x00, 0x00, 0x00, 0x00]),
        K::EmptyTopic,
        16,
    );
    // 5.0: after the will properties (a message expiry interval)
    fails(
        V5,
        &connect(
            b"MQTT",
            5,
            0x06,
            &[0x05, 0x02, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00],
        ),
        K::EmptyTopic,
        21,
    );
    // fields in wire order: the empty will topic before the missing payload
    fails_all(&connect(b"MQTT", 4, 0x06, &[0x00, 0x00]), K::EmptyTopic, 14);

    assert_eq!(K::InvalidProtocolName.message(), "Invalid protocolId");
    assert_eq!(
        K::InvalidProtocolLevel.message(),
        "Invalid protocol version"
    );
    assert_eq!(
        K::ConnectReservedFlag.message(),
        "Connect flag bit 0 must be 0, but got 1"
    );
    assert_eq!(
        K::WillRetainWithoutWill.message(),
        "Will Retain Flag must be set to zero when Will Flag is set to 0"
    );
    assert_eq!(
        K::WillQosWithoutWill.message(),
        "Will QoS must be set to zero when Will Flag is set to 0"
    );
}

#[test]
fn connack_rules() {
    fails_all(
        &[0x20, 0x02, 0x02, 0x00],
        ErrorKind::ConnackReservedFlags,
        2,
    );
    fails_all(
        &[0x20, 0x02, 0x80, 0x00],
        ErrorKind::ConnackReservedFlags,
        2,
    );
    for v in [V31, V311] {
        fails(
            v,
            &[0x20, 0x02, 0x00, 0x06],
            ErrorKind::InvalidConnackCode,
            3,
        );
    }
    // 5.0: 0x01 is not in table 3-1 (0x8B neither)
    fails(
        V5,
        &[0x20, 0x03, 0x00, 0x01, 0x00],
        ErrorKind::InvalidConnackCode,
        3,
    );
    fails(
        V5,
        &[0x20, 0x03, 0x00, 0x8b, 0x00],
        ErrorKind::InvalidConnackCode,
        3,
    );
}

#[test]
fn connack_session_present_with_error() {
    use ErrorKind as K;
    // 3.1.1: session present with return codes 1-5, at the flags byte
    for code in 1..=5 {
        fails(V311, &[0x20, 0x02, 0x01, code], K::ConnackSessionPresent, 2);
    }
    // 5.0: with any non-zero reason code, before the properties are read
    for code in [0x80, 0x87, 0x9f] {
        fails(
            V5,
            &[0x20, 0x03, 0x01, code, 0x00],
            K::ConnackSessionPresent,
            2,
        );
        fails(V5, &[0x20, 0x02, 0x01, code], K::ConnackSessionPresent, 2);
    }
    // an undefined code is reported first, at the code
    fails(V311, &[0x20, 0x02, 0x01, 0x06], K::InvalidConnackCode, 3);
    fails(
        V5,
        &[0x20, 0x03, 0x01, 0x01, 0x00],
        K::InvalidConnackCode,
        3,
    );
    // session present with code 0 is fine
    assert!(parse(&[0x20, 0x02, 0x01, 0x00], V311).is_ok());
    assert!(parse(&[0x20, 0x03, 0x01, 0x00, 0x00], V5).is_ok());
    // 3.1 has no session present flag: its bit 0 is not checked (as before)
    match parse(&[0x20, 0x02, 0x01, 0x05], V31).unwrap() {
        Status::Complete((Packet::ConnAck(c), 4)) => {
            assert!(c.session_present);
            assert_eq!(c.code, 5);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        K::ConnackSessionPresent.message(),
        "Invalid connack flags: session present must be 0 when the return code is not 0"
    );
    assert_eq!(
        K::ConnackSessionPresent.rule(),
        "MQTT-3.2.2-4 / MQTT-3.2.2-6"
    );
    assert!(K::ConnackSessionPresent.is_stricter_than_mqtt_packet());
    assert!(K::ConnackSessionPresent.relaxed_when_lenient());
}

// ------------------------------------------------------------------ PUBLISH

#[test]
fn publish_rules() {
    fails_all(
        &[0x30, 0x05, 0x00, 0x03, b'a', b'/', b'#'],
        ErrorKind::TopicWildcard,
        6,
    );
    fails_all(&[0x30, 0x03, 0x00, 0x01, b'+'], ErrorKind::TopicWildcard, 4);
    for v in [V31, V311] {
        fails(v, &[0x30, 0x02, 0x00, 0x00], ErrorKind::EmptyTopic, 2);
    }
    // 5.0: empty topic without a topic alias
    fails(
        V5,
        &[0x30, 0x03, 0x00, 0x00, 0x00],
        ErrorKind::EmptyTopic,
        2,
    );
    fails_all(
        &[0x32, 0x05, 0x00, 0x01, b't', 0x00, 0x00],
        ErrorKind::ZeroPacketId,
        5,
    );
    assert_eq!(
        ErrorKind::TopicWildcard.message(),
        "Invalid topic: wildcards are not allowed in a publish topic"
    );
    assert_eq!(ErrorKind::ZeroPacketId.message(), "Invalid messageId: 0");
}

#[test]
fn zero_packet_ids() {
    for first in [0x40, 0x50, 0x62, 0x70] {
        fails_all(&[first, 0x02, 0x00, 0x00], ErrorKind::ZeroPacketId, 2);
    }
    fails_all(
        &[0x82, 0x06, 0x00, 0x00, 0x00, 0x01, b'a', 0x00],
        ErrorKind::ZeroPacketId,
        2,
    );
    fails_all(&[0x90, 0x03, 0x00, 0x00, 0x00], ErrorKind::ZeroPacketId, 2);
    fails_all(
        &[0xa2, 0x05, 0x00, 0x00, 0x00, 0x01, b'a'],
        ErrorKind::ZeroPacketId,
        2,
    );
    fails(V311, &[0xb0, 0x02, 0x00, 0x00], ErrorKind::ZeroPacketId, 2);
}

// ---------------------------------------------------------------- SUBSCRIBE

#[test]
fn no_payload() {
    use PacketType as T;
    fails_all(&[0x82, 0x00], ErrorKind::NoPayload(T::Subscribe), 2);
    fails_all(&[0x90, 0x00], ErrorKind::NoPayload(T::SubAck), 2);
    fails_all(&[0xa2, 0x00], ErrorKind::NoPayload(T::Unsubscribe), 2);
    fails(V5, &[0xb0, 0x00], ErrorKind::NoPayload(T::UnsubAck), 2);
    assert_eq!(
        ErrorKind::NoPayload(T::Subscribe).message(),
        "Malformed subscribe, no payload specified"
    );
    assert_eq!(
        ErrorKind::NoPayload(T::Unsubscribe).message(),
        "Malformed unsubscribe, no payload specified"
    );
}

#[test]
fn no_topic_filters() {
    use PacketType as T;
    for v in [V31, V311] {
        fails(
            v,
            &[0x82, 0x02, 0x00, 0x01],
            ErrorKind::NoTopicFilters(T::Subscribe),
            4,
        );
        fails(
            v,
            &[0xa2, 0x02, 0x00, 0x01],
            ErrorKind::NoTopicFilters(T::Unsubscribe),
            4,
        );
    }
    fails(
        V5,
        &[0x82, 0x03, 0x00, 0x01, 0x00],
        ErrorKind::NoTopicFilters(T::Subscribe),
        5,
    );
    fails(
        V5,
        &[0xa2, 0x03, 0x00, 0x01, 0x00],
        ErrorKind::NoTopicFilters(T::Unsubscribe),
        5,
    );
    assert_eq!(
        ErrorKind::NoTopicFilters(T::Subscribe).message(),
        "Malformed subscribe, no topic filters"
    );
}

#[test]
fn subscription_options() {
    use ErrorKind as K;
    // before 5.0 bits 7-2 are reserved
    let sub = |opts: u8| vec![0x82, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', opts];
    fails(V31, &sub(0x04), K::SubscriptionOptionsReserved(3), 7);
    fails(V311, &sub(0x04), K::SubscriptionOptionsReserved(4), 7);
    fails(V311, &sub(0x80), K::SubscriptionOptionsReserved(4), 7);
    fails(V311, &sub(0x03), K::SubscribeQos3, 7);
    // 5.0: bits 7-6 reserved, retain handling 3 reserved
    let sub5 = |opts: u8| vec![0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, b'a', opts];
    fails(V5, &sub5(0x40), K::SubscriptionOptionsReserved(5), 8);
    fails(V5, &sub5(0x03), K::SubscribeQos3, 8);
    fails(V5, &sub5(0x30), K::RetainHandling3, 8);
    // the second filter's options
    fails(
        V311,
        &[
            0x82, 0x0a, 0x00, 0x01, 0x00, 0x01, b'a', 0x01, 0x00, 0x01, b'b', 0x03,
        ],
        K::SubscribeQos3,
        11,
    );
    // a filter without its options byte
    fails_v3(
        &[0x82, 0x05, 0x00, 0x01, 0x00, 0x01, b'a'],
        K::MissingSubscriptionOptions,
        7,
    );
    fails(
        V5,
        &[0x82, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, b'a'],
        K::MissingSubscriptionOptions,
        8,
    );
    assert_eq!(
        K::SubscriptionOptionsReserved(4).message(),
        "Invalid subscribe topic flag bits, bits 7-2 must be 0"
    );
    assert_eq!(
        K::SubscriptionOptionsReserved(5).message(),
        "Invalid subscribe topic flag bits, bits 7-6 must be 0"
    );
    assert_eq!(
        K::SubscribeQos3.message(),
        "Invalid subscribe QoS, must be <= 2"
    );
    assert_eq!(
        K::MissingSubscriptionOptions.message(),
        "Malformed Subscribe Payload"
    );
}

#[test]
fn invalid_topic_filters() {
    // SUBSCRIBE "a#"
    fails_v3(
        &[0x82, 0x07, 0x00, 0x01, 0x00, 0x02, b'a', b'#', 0x00],
        ErrorKind::InvalidTopicFilter,
        4,
    );
    fails(
        V5,
        &[0x82, 0x08, 0x00, 0x01, 0x00, 0x00, 0x02, b'a', b'#', 0x00],
        ErrorKind::InvalidTopicFilter,
        5,
    );
    // SUBSCRIBE: second filter "" (after "a", options 0)
    fails(
        V311,
        &[0x82, 0x08, 0x00, 0x01, 0x00, 0x01, b'a', 0x00, 0x00, 0x00],
        ErrorKind::InvalidTopicFilter,
        8,
    );
    // UNSUBSCRIBE "a/#/b"
    fails_v3(
        &[
            0xa2, 0x09, 0x00, 0x01, 0x00, 0x05, b'a', b'/', b'#', b'/', b'b',
        ],
        ErrorKind::InvalidTopicFilter,
        4,
    );
    // 5.0: "$share/g" has no filter part
    fails(
        V5,
        &[
            0xa2, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x08, b'$', b's', b'h', b'a', b'r', b'e', b'/',
            b'g',
        ],
        ErrorKind::InvalidTopicFilter,
        5,
    );
}

#[test]
fn shared_subscription_no_local() {
    fails(
        V5,
        &[
            0x82, 16, // SUBSCRIBE, remaining length 16
            0x00, 0x01, // packet id
            0x00, // property length
            0x00, 0x0a, b'$', b's', b'h', b'a', b'r', b'e', b'/', b'g', b'/',
            b'a', // "$share/g/a"
            0x04, // options: no local
        ],
        ErrorKind::SharedSubscriptionNoLocal,
        5,
    );
}

// ---------------------------------------------------------- SUBACK UNSUBACK

#[test]
fn suback_rules() {
    fails(
        V311,
        &[0x90, 0x03, 0x00, 0x01, 0x03],
        ErrorKind::InvalidSubackCode(4),
        4,
    );
    fails(
        V31,
        &[0x90, 0x04, 0x00, 0x01, 0x00, 0x81],
        ErrorKind::InvalidSubackCode(3),
        5,
    );
    fails(
        V5,
        &[0x90, 0x04, 0x00, 0x01, 0x00, 0x03],
        ErrorKind::InvalidSubackCode(5),
        5,
    );
    fails(V311, &[0x90, 0x02, 0x00, 0x01], ErrorKind::NoReturnCodes, 4);
    fails(
        V5,
        &[0x90, 0x03, 0x00, 0x01, 0x00],
        ErrorKind::NoReturnCodes,
        5,
    );
    assert_eq!(
        ErrorKind::InvalidSubackCode(4).message(),
        "Invalid suback QoS, must be 0, 1, 2 or 128"
    );
    assert_eq!(
        ErrorKind::InvalidSubackCode(5).message(),
        "Invalid suback code"
    );
}

#[test]
fn unsuback_rules() {
    for v in [V31, V311] {
        fails(
            v,
            &[0xb0, 0x03, 0x00, 0x01, 0x00],
            ErrorKind::UnsubackLength,
            2,
        );
        fails(v, &[0xb0, 0x00], ErrorKind::UnsubackLength, 2);
    }
    fails(
        V5,
        &[0xb0, 0x04, 0x00, 0x01, 0x00, 0x01],
        ErrorKind::InvalidUnsubackCode,
        5,
    );
    fails(
        V5,
        &[0xb0, 0x05, 0x00, 0x01, 0x00, 0x00, 0x02],
        ErrorKind::InvalidUnsubackCode,
        6,
    );
    assert_eq!(
        ErrorKind::UnsubackLength.message(),
        "Malformed unsuback, payload length must be 2"
    );
}

// ------------------------------------------------------------- reason codes

#[test]
fn invalid_reason_codes() {
    use PacketType as T;
    fails(
        V5,
        &[0x40, 0x03, 0x00, 0x01, 0x01],
        ErrorKind::InvalidReasonCode(T::PubAck),
        4,
    );
    fails(
        V5,
        &[0x50, 0x03, 0x00, 0x01, 0x92],
        ErrorKind::InvalidReasonCode(T::PubRec),
        4,
    );
    fails(
        V5,
        &[0x62, 0x03, 0x00, 0x01, 0x10],
        ErrorKind::InvalidReasonCode(T::PubRel),
        4,
    );
    fails(
        V5,
        &[0x70, 0x03, 0x00, 0x01, 0x80],
        ErrorKind::InvalidReasonCode(T::PubComp),
        4,
    );
    fails(
        V5,
        &[0xe0, 0x01, 0x05],
        ErrorKind::InvalidReasonCode(T::Disconnect),
        2,
    );
    fails(
        V5,
        &[0xf0, 0x01, 0x01],
        ErrorKind::InvalidReasonCode(T::Auth),
        2,
    );
    assert_eq!(
        ErrorKind::InvalidReasonCode(T::PubAck).message(),
        "Invalid puback reason code"
    );
}

#[test]
fn auth_before_v5() {
    // The kind is about the packet type; the offset is where the body starts.
    for v in [V31, V311] {
        fails(v, &[0xf0, 0x00], ErrorKind::AuthBeforeV5, 2);
    }
    assert_eq!(
        ErrorKind::AuthBeforeV5.message(),
        "Not supported auth packet for this version MQTT"
    );
}

// -------------------------------------------------------------- properties

#[test]
fn property_id_zero_and_unknown() {
    fails(
        V5,
        &[0x40, 0x06, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00],
        ErrorKind::PropertyIdZero,
        6,
    );
    // unknown id 4 in a PUBLISH with a payload after the properties
    fails(
        V5,
        &[
            0x30, 0x08, // PUBLISH, remaining length 8
            0x00, 0x01, b't', // topic
            0x02, // property length 2
            0x04, 0x00, // property 4: not defined
            b'x', b'y', // payload
        ],
        ErrorKind::UnknownProperty(4),
        6,
    );
    // id 0x80 (a would-be variable byte integer) is unknown too
    fails(
        V5,
        &[0xe0, 0x03, 0x00, 0x01, 0x80],
        ErrorKind::UnknownProperty(0x80),
        4,
    );
    assert_eq!(
        ErrorKind::PropertyIdZero.message(),
        "Cannot parse property code type"
    );
    assert_eq!(ErrorKind::UnknownProperty(4).message(), "Unknown property");
}

#[test]
fn property_not_allowed() {
    use PacketType as T;
    // topic alias in PUBACK
    let e = fails(
        V5,
        &[0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x23, 0x00, 0x01],
        ErrorKind::PropertyNotAllowed(35, T::PubAck),
        6,
    );
    assert_eq!(
        e.kind.message(),
        "Property topicAlias is not allowed in puback packet"
    );
    assert_eq!(e.kind.param(), 35 | 4 << 8);
    // will delay interval in the CONNECT properties (allowed in will properties only)
    let mut c = connect(b"MQTT", 5, 0x02, &[]);
    // replace the empty property list by [0x18 0 0 0 1]
    c.splice(12..13, [0x05, 0x18, 0x00, 0x00, 0x00, 0x01]);
    c[1] += 5;
    fails(V5, &c, ErrorKind::PropertyNotAllowed(24, T::Connect), 13);
    // reason string in the will properties: offset inside the will property list
    let c = connect(
        b"MQTT",
        5,
        0x06,
        &[
            0x04, 0x1f, 0x00, 0x01, b'r', // will properties: reason string "r"
            0x00, 0x01, b'w', // will topic
            0x00, 0x00, // will payload
        ],
    );
    fails(V5, &c, ErrorKind::PropertyNotAllowed(31, T::Connect), 16);
    // a CONNACK-only property in SUBSCRIBE, with filters after it
    fails(
        V5,
        &[
            0x82, 0x09, // SUBSCRIBE, remaining length 9
            0x00, 0x01, // packet id
            0x02, // property length 2
            0x24, 0x01, // maximum qos (CONNACK only)
            0x00, 0x01, b'a', 0x00, // filter "a", options 0
        ],
        ErrorKind::PropertyNotAllowed(36, T::Subscribe),
        5,
    );
}

#[test]
fn duplicate_property() {
    // reason string twice in PUBACK: the second at 10
    fails(
        V5,
        &[
            0x40, 12, // PUBACK, remaining length 12
            0x00, 0x01, // packet id
            0x00, // reason code
            0x08, // property length 8
            0x1f, 0x00, 0x01, b'a', // reason string "a"
            0x1f, 0x00, 0x01, b'b', // reason string "b": duplicate
        ],
        ErrorKind::DuplicateProperty(31),
        10,
    );
    // subscription identifier twice in SUBSCRIBE (may repeat in PUBLISH only)
    fails(
        V5,
        &[
            0x82, 11, // SUBSCRIBE, remaining length 11
            0x00, 0x01, // packet id
            0x04, // property length 4
            0x0b, 0x01, 0x0b, 0x02, // subscription identifier 1, 2
            0x00, 0x01, b'a', 0x00, // filter "a", options 0
        ],
        ErrorKind::DuplicateProperty(11),
        7,
    );
    assert_eq!(
        ErrorKind::DuplicateProperty(31).message(),
        "Duplicate property reasonString"
    );
}

#[test]
fn invalid_property_value() {
    // payload format indicator 2
    fails(
        V5,
        &[0x30, 0x07, 0x00, 0x01, b't', 0x02, 0x01, 0x02, b'x'],
        ErrorKind::InvalidPropertyValue(1),
        6,
    );
    // maximum qos 2 in CONNACK
    fails(
        V5,
        &[0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02],
        ErrorKind::InvalidPropertyValue(36),
        5,
    );
    // maximum packet size 0 in CONNECT, followed by the client id
    let mut c = connect(b"MQTT", 5, 0x02, &[]);
    c.splice(12..13, [0x05, 0x27, 0x00, 0x00, 0x00, 0x00]);
    c[1] += 5;
    fails(V5, &c, ErrorKind::InvalidPropertyValue(39), 13);
    assert_eq!(
        ErrorKind::InvalidPropertyValue(1).message(),
        "Invalid property value for payloadFormatIndicator"
    );
}

/// The zero values the spec calls a Protocol Error for the receiver to answer
/// with its own reason code are delivered, in strict mode too: Topic Alias 0
/// (a server answers DISCONNECT 0x94), Subscription Identifier 0 (DISCONNECT
/// 0x82), Receive Maximum 0 (CONNACK 0x82). The encoder still refuses them.
#[test]
fn protocol_error_zeros_are_delivered() {
    let alias = [0x30, 0x07, 0x00, 0x01, b't', 0x03, 0x23, 0x00, 0x00];
    let sub_id = [
        0x82, 0x09, 0x00, 0x01, 0x02, 0x0b, 0x00, 0x00, 0x01, b'a', 0x00,
    ];
    let mut recv_max = connect(b"MQTT", 5, 0x02, &[]);
    recv_max.splice(12..13, [0x03, 0x21, 0x00, 0x00]);
    recv_max[1] += 3;
    for (bytes, want) in [
        (&alias[..], P::TopicAlias(0)),
        (&sub_id[..], P::SubscriptionIdentifier(0)),
        (&recv_max[..], P::ReceiveMaximum(0)),
    ] {
        let Ok(Status::Complete((packet, used))) = parse(bytes, V5) else {
            panic!("not delivered: {bytes:02x?}")
        };
        assert_eq!(used, bytes.len());
        let props: Vec<_> = match &packet {
            Packet::Publish(p) => p.properties.iter().collect(),
            Packet::Subscribe(p) => p.properties.iter().collect(),
            Packet::Connect(p) => p.properties.iter().collect(),
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(props, [want], "{bytes:02x?}");
        // the tape delivers it too
        let mut t = [0u32; 64];
        let st = tape::frame(bytes, 0, bytes.len(), 5, 0, &mut t);
        assert_eq!((st, t[5]), (tape::Status::Done, 1), "{bytes:02x?}");
    }
}

// ------------------------------------------------------- codes round trip

/// One instance of every variant (all 44 codes).
fn every_kind() -> Vec<ErrorKind> {
    use ErrorKind::*;
    use PacketType as T;
    let mut v = vec![
        ReservedPacketType,
        PublishQos3,
        VarIntTooLong,
        VarIntNotMinimal,
        PacketTooLarge(0),
        PacketTooLarge(268_435_460),
        InvalidProtocolName,
        InvalidProtocolLevel,
        ProtocolNameMismatch,
        ConnectReservedFlag,
        WillRetainWithoutWill,
        WillQosWithoutWill,
        WillQos3,
        PasswordWithoutUsername,
        ConnackReservedFlags,
        InvalidConnackCode,
        TopicWildcard,
        EmptyTopic,
        ZeroPacketId,
        SubscribeQos3,
        RetainHandling3,
        MissingSubscriptionOptions,
        InvalidTopicFilter,
        SharedSubscriptionNoLocal,
        NoReturnCodes,
        UnsubackLength,
        InvalidUnsubackCode,
        AuthBeforeV5,
        PropertyIdZero,
        PublishDupQos0,
        ConnackSessionPresent,
    ];
    for t in 1..=15 {
        let t = T::from_u8(t).unwrap();
        v.extend([
            InvalidHeaderFlags(t),
            TrailingBytes(t),
            NoPayload(t),
            NoTopicFilters(t),
            InvalidReasonCode(t),
            PropertyNotAllowed(38, t),
            PropertyNotAllowed(255, t),
        ]);
    }
    for f in Field::ALL {
        v.extend([Truncated(f), InvalidUtf8(f), NullCharacter(f)]);
    }
    for id in [0u8, 1, 4, 42, 255] {
        v.extend([
            UnknownProperty(id),
            DuplicateProperty(id),
            InvalidPropertyValue(id),
            SubscriptionOptionsReserved(id),
            InvalidSubackCode(id),
        ]);
    }
    v
}

#[test]
fn codes_and_params_rebuild_every_kind() {
    let kinds = every_kind();
    let codes: BTreeSet<u32> = kinds.iter().map(|k| k.code()).collect();
    assert_eq!(codes, (1..=44).collect::<BTreeSet<u32>>(), "all 44 codes");
    for k in kinds {
        assert_eq!(ErrorKind::from_code(k.code(), k.param()), Some(k), "{k:?}");
        assert!(!k.message().is_empty());
        assert!(k.rule().starts_with("MQTT-"), "{k:?}");
        let _ = k.is_stricter_than_mqtt_packet();
        let shown = DecodeError::new(k, 7).to_string();
        assert!(shown.contains("at byte 7"), "{shown}");
    }
    assert_eq!(ErrorKind::from_code(0, 0), None);
    assert_eq!(ErrorKind::from_code(45, 0), None);
    assert_eq!(ErrorKind::from_code(2, 0), None, "packet type 0");
    assert_eq!(ErrorKind::from_code(7, 19), None, "field 19");
    assert_eq!(
        ErrorKind::from_code(40, 38),
        None,
        "packet type 0 in the high byte"
    );
}

// ------------------------------------------------------------ encode errors

#[test]
fn encode_field_too_long_never_truncates() {
    let long = "a".repeat(65_536);
    let publish = |topic| {
        Packet::Publish(Publish {
            dup: false,
            qos: QoS::AtMostOnce,
            retain: false,
            topic,
            packet_id: None,
            properties: Properties::EMPTY,
            payload: b"",
        })
    };
    let mut out = Vec::new();
    assert_eq!(
        publish(&long).encode(V311, &mut out),
        Err(EncodeError::FieldTooLong(Field::Topic))
    );
    assert!(out.is_empty(), "nothing written");
    assert_eq!(
        publish(&long).encoded_len(V5),
        Err(EncodeError::FieldTooLong(Field::Topic))
    );
    // 65,535 bytes is the largest: it round-trips
    let max = &long[..65_535];
    let bytes = publish(max).to_vec(V311).unwrap();
    assert_eq!(bytes.len(), 1 + 3 + 2 + 65_535);
    let (p, n) = parse(&bytes, V311).unwrap().complete().unwrap();
    assert_eq!((p, n), (publish(max), bytes.len()));

    let base = Connect {
        protocol: V311,
        bridge: false,
        clean_start: true,
        keep_alive: 0,
        properties: Properties::EMPTY,
        client_id: "",
        will: None,
        username: None,
        password: None,
    };
    let too_long = |c: Connect<'_>| Packet::Connect(c).to_vec(V311).unwrap_err();
    assert_eq!(
        too_long(Connect {
            client_id: &long,
            ..base
        }),
        EncodeError::FieldTooLong(Field::ClientId)
    );
    assert_eq!(
        too_long(Connect {
            username: Some(&long),
            ..base
        }),
        EncodeError::FieldTooLong(Field::Username)
    );
    assert_eq!(
        too_long(Connect {
            username: Some("u"),
            password: Some(long.as_bytes()),
            ..base
        }),
        EncodeError::FieldTooLong(Field::Password)
    );
    let will = Will {
        qos: QoS::AtMostOnce,
        retain: false,
        properties: Properties::EMPTY,
        topic: "w",
        payload: b"",
    };
    assert_eq!(
        too_long(Connect {
            will: Some(Will {
                topic: &long,
                ..will
            }),
            ..base
        }),
        EncodeError::FieldTooLong(Field::WillTopic)
    );
    assert_eq!(
        too_long(Connect {
            will: Some(Will {
                payload: long.as_bytes(),
                ..will
            }),
            ..base
        }),
        EncodeError::FieldTooLong(Field::WillPayload)
    );
    let filters = [(long.as_str(), SubscriptionOptions::default())];
    assert_eq!(
        Packet::Subscribe(Subscribe {
            packet_id: 1,
            properties: Properties::EMPTY,
            filters: Filters::from_list(&filters),
        })
        .to_vec(V311),
        Err(EncodeError::FieldTooLong(Field::TopicFilter))
    );
    // a too-long string property is an invalid value
    let props = [P::ReasonString(&long)];
    assert_eq!(
        Packet::PubAck(Ack {
            packet_id: 1,
            reason_code: Some(0),
            properties: Some(Properties::from_list(&props)),
        })
        .to_vec(V5),
        Err(EncodeError::Invalid(ErrorKind::InvalidPropertyValue(31)))
    );
    assert_eq!(
        EncodeError::FieldTooLong(Field::Topic).to_string(),
        "topic is longer than 65535 bytes"
    );
}

#[test]
fn encode_packet_too_large() {
    // 3 bytes of topic + payload: one byte over 268,435,455. The zeroed
    // allocation is never touched: the size is checked before writing.
    let payload = vec![0u8; 268_435_455 - 3 + 1];
    let p = |payload| {
        Packet::Publish(Publish {
            dup: false,
            qos: QoS::AtMostOnce,
            retain: false,
            topic: "t",
            packet_id: None,
            properties: Properties::EMPTY,
            payload,
        })
    };
    let mut out = Vec::new();
    assert_eq!(
        p(&payload).encode(V311, &mut out),
        Err(EncodeError::PacketTooLarge)
    );
    assert!(out.is_empty());
    assert_eq!(p(&payload).to_vec(V311), Err(EncodeError::PacketTooLarge));
    // exactly the largest remaining length is fine
    assert_eq!(p(&payload[1..]).encoded_len(V311), Ok(1 + 4 + 268_435_455));
}

#[test]
fn encode_invalid_values() {
    use ErrorKind as K;
    let inv = |k| Err(EncodeError::Invalid(k));
    let publish = Publish {
        dup: false,
        qos: QoS::AtLeastOnce,
        retain: false,
        topic: "t",
        packet_id: Some(1),
        properties: Properties::EMPTY,
        payload: b"",
    };
    let enc = |p: Packet<'_>, v| p.to_vec(v);
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                topic: "a/+",
                ..publish
            }),
            V311
        ),
        inv(K::TopicWildcard)
    );
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                topic: "#",
                ..publish
            }),
            V5
        ),
        inv(K::TopicWildcard)
    );
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                topic: "",
                ..publish
            }),
            V311
        ),
        inv(K::EmptyTopic)
    );
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                topic: "",
                ..publish
            }),
            V5
        ),
        inv(K::EmptyTopic)
    );
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                topic: "a\0",
                ..publish
            }),
            V5
        ),
        inv(K::NullCharacter(Field::Topic))
    );
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                packet_id: Some(0),
                ..publish
            }),
            V311
        ),
        inv(K::ZeroPacketId)
    );
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                packet_id: None,
                ..publish
            }),
            V311
        ),
        Err(EncodeError::MissingPacketId)
    );
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                qos: QoS::AtMostOnce,
                packet_id: Some(7),
                ..publish
            }),
            V311
        ),
        Err(EncodeError::UnexpectedPacketId)
    );
    assert_eq!(
        EncodeError::MissingPacketId.to_string(),
        "a publish of QoS 1 or 2 needs a packet identifier (MQTT-2.2.1-3)"
    );
    assert_eq!(
        EncodeError::UnexpectedPacketId.to_string(),
        "a publish of QoS 0 has no packet identifier (MQTT-2.2.1-2)"
    );
    // DUP with QoS 0 [MQTT-3.3.1-2], in every version; fine with QoS 1 and 2
    for v in [V31, V311, V5] {
        assert_eq!(
            enc(
                Packet::Publish(Publish {
                    dup: true,
                    qos: QoS::AtMostOnce,
                    packet_id: None,
                    ..publish
                }),
                v
            ),
            inv(K::PublishDupQos0)
        );
        for qos in [QoS::AtLeastOnce, QoS::ExactlyOnce] {
            let p = Packet::Publish(Publish {
                dup: true,
                qos,
                ..publish
            });
            let b = enc(p, v).unwrap();
            assert_eq!(b[0] & 0x08, 0x08);
            assert_eq!(parse(&b, v).unwrap().complete(), Some((p, b.len())));
        }
    }
    let ack = Ack {
        packet_id: 0,
        reason_code: None,
        properties: None,
    };
    for p in [
        Packet::PubAck(ack),
        Packet::PubRec(ack),
        Packet::PubRel(ack),
        Packet::PubComp(ack),
    ] {
        assert_eq!(enc(p, V311), inv(K::ZeroPacketId));
    }
    // duplicate and misplaced properties, out-of-range values (via from_list)
    let dup = [P::ReasonString("a"), P::ReasonString("b")];
    let ack = Ack {
        packet_id: 1,
        reason_code: Some(0),
        properties: Some(Properties::from_list(&dup)),
    };
    assert_eq!(enc(Packet::PubAck(ack), V5), inv(K::DuplicateProperty(31)));
    let alias = [P::TopicAlias(1)];
    let ack = Ack {
        properties: Some(Properties::from_list(&alias)),
        ..ack
    };
    assert_eq!(
        enc(Packet::PubAck(ack), V5),
        inv(K::PropertyNotAllowed(35, PacketType::PubAck))
    );
    let zero_alias = [P::TopicAlias(0)];
    assert_eq!(
        enc(
            Packet::Publish(Publish {
                properties: Properties::from_list(&zero_alias),
                ..publish
            }),
            V5
        ),
        inv(K::InvalidPropertyValue(35))
    );
    let two_subids = [P::SubscriptionIdentifier(1), P::SubscriptionIdentifier(2)];
    let f = [("a", SubscriptionOptions::default())];
    let subscribe = Subscribe {
        packet_id: 1,
        properties: Properties::from_list(&two_subids),
        filters: Filters::from_list(&f),
    };
    assert_eq!(
        enc(Packet::Subscribe(subscribe), V5),
        inv(K::DuplicateProperty(11))
    );
    // ... but two subscription identifiers in PUBLISH are fine
    assert!(enc(
        Packet::Publish(Publish {
            properties: Properties::from_list(&two_subids),
            ..publish
        }),
        V5
    )
    .is_ok());
    let subscribe = Subscribe {
        properties: Properties::EMPTY,
        ..subscribe
    };
    let with = |filters: &[(&str, SubscriptionOptions)], v| {
        enc(
            Packet::Subscribe(Subscribe {
                filters: Filters::from_list(filters),
                ..subscribe
            }),
            v,
        )
    };
    assert_eq!(
        with(&[], V311),
        inv(K::NoTopicFilters(PacketType::Subscribe))
    );
    assert_eq!(
        with(&[("a/#/b", Default::default())], V311),
        inv(K::InvalidTopicFilter)
    );
    assert_eq!(
        with(&[("", Default::default())], V5),
        inv(K::InvalidTopicFilter)
    );
    let rh3 = SubscriptionOptions {
        retain_handling: 3,
        ..Default::default()
    };
    assert_eq!(with(&[("a", rh3)], V5), inv(K::RetainHandling3));
    let nl = SubscriptionOptions {
        no_local: true,
        ..Default::default()
    };
    assert_eq!(
        with(&[("$share/g/a", nl)], V5),
        inv(K::SharedSubscriptionNoLocal)
    );
    assert_eq!(
        with(&[("a", nl)], V311),
        inv(K::SubscriptionOptionsReserved(4))
    );
    assert_eq!(
        enc(
            Packet::Subscribe(Subscribe {
                packet_id: 0,
                ..subscribe
            }),
            V311
        ),
        inv(K::ZeroPacketId)
    );
    let unsub = |filters: &[&str]| {
        enc(
            Packet::Unsubscribe(Unsubscribe {
                packet_id: 1,
                properties: Properties::EMPTY,
                filters: TopicList::from_list(filters),
            }),
            V311,
        )
    };
    assert_eq!(unsub(&[]), inv(K::NoTopicFilters(PacketType::Unsubscribe)));
    assert_eq!(unsub(&["a+"]), inv(K::InvalidTopicFilter));
    let suback = |codes: &[u8], v| {
        enc(
            Packet::SubAck(SubAck {
                packet_id: 1,
                properties: Properties::EMPTY,
                return_codes: codes,
            }),
            v,
        )
    };
    assert_eq!(suback(&[], V311), inv(K::NoReturnCodes));
    assert_eq!(suback(&[0x83], V311), inv(K::InvalidSubackCode(4)));
    assert_eq!(suback(&[0x03], V5), inv(K::InvalidSubackCode(5)));
    assert_eq!(
        enc(
            Packet::UnsubAck(UnsubAck {
                packet_id: 1,
                properties: Properties::EMPTY,
                reason_codes: &[0x01],
            }),
            V5
        ),
        inv(K::InvalidUnsubackCode)
    );
    assert_eq!(
        enc(
            Packet::PubRel(Ack {
                packet_id: 1,
                reason_code: Some(0x10),
                properties: None
            }),
            V5
        ),
        inv(K::InvalidReasonCode(PacketType::PubRel))
    );
    assert_eq!(
        enc(
            Packet::Disconnect(Disconnect {
                reason_code: Some(0x05),
                properties: None
            }),
            V5
        ),
        inv(K::InvalidReasonCode(PacketType::Disconnect))
    );
    assert_eq!(
        enc(
            Packet::ConnAck(ConnAck {
                session_present: false,
                code: 6,
                properties: Properties::EMPTY
            }),
            V311
        ),
        inv(K::InvalidConnackCode)
    );
    // Session Present with a non-zero code [MQTT-3.2.2-4] [MQTT-3.2.2-6]
    let connack = |session_present, code| {
        Packet::ConnAck(ConnAck {
            session_present,
            code,
            properties: Properties::EMPTY,
        })
    };
    assert_eq!(enc(connack(true, 5), V311), inv(K::ConnackSessionPresent));
    assert_eq!(enc(connack(true, 0x80), V5), inv(K::ConnackSessionPresent));
    assert_eq!(enc(connack(true, 0), V311).unwrap(), [0x20, 2, 1, 0]);
    assert_eq!(enc(connack(false, 5), V311).unwrap(), [0x20, 2, 0, 5]);
    // 3.1 has no such flag: the bit is written as given and parses back
    let b = enc(connack(true, 5), V31).unwrap();
    assert_eq!(b, [0x20, 2, 1, 5]);
    assert_eq!(
        parse(&b, V31).unwrap().complete(),
        Some((connack(true, 5), 4))
    );
    let connect = Connect {
        protocol: V311,
        bridge: false,
        clean_start: true,
        keep_alive: 0,
        properties: Properties::EMPTY,
        client_id: "",
        will: None,
        username: None,
        password: Some(b"pw"),
    };
    assert_eq!(
        enc(Packet::Connect(connect), V311),
        inv(K::PasswordWithoutUsername)
    );
    assert!(enc(
        Packet::Connect(Connect {
            protocol: V5,
            ..connect
        }),
        V311
    )
    .is_ok());
    assert_eq!(
        enc(
            Packet::Connect(Connect {
                client_id: "\0",
                password: None,
                ..connect
            }),
            V311
        ),
        inv(K::NullCharacter(Field::ClientId))
    );
    // an empty will topic [MQTT-4.7.3-1], in every version
    let will = Will {
        qos: QoS::AtLeastOnce,
        retain: false,
        properties: Properties::EMPTY,
        topic: "",
        payload: b"bye",
    };
    for protocol in [V31, V311, V5] {
        assert_eq!(
            enc(
                Packet::Connect(Connect {
                    protocol,
                    will: Some(will),
                    password: None,
                    ..connect
                }),
                protocol
            ),
            inv(K::EmptyTopic)
        );
    }
    let wp = [P::WillDelayInterval(1)];
    assert_eq!(
        enc(
            Packet::Connect(Connect {
                protocol: V5,
                properties: Properties::from_list(&wp),
                ..connect
            }),
            V5
        ),
        inv(K::PropertyNotAllowed(24, PacketType::Connect))
    );
    assert_eq!(
        EncodeError::Invalid(K::ZeroPacketId).to_string(),
        "Invalid messageId: 0 (MQTT-2.2.1-3)"
    );
}

#[test]
fn encode_wrong_version_and_properties_before_v5() {
    let auth = Packet::Auth(Auth {
        reason_code: None,
        properties: None,
    });
    for v in [V31, V311] {
        assert_eq!(
            auth.to_vec(v),
            Err(EncodeError::WrongVersion(PacketType::Auth))
        );
    }
    assert_eq!(auth.to_vec(V5).unwrap(), [0xf0, 0x00]);
    assert_eq!(
        EncodeError::WrongVersion(PacketType::Auth).to_string(),
        "auth packet does not exist in this protocol version"
    );
    let props = [P::UserProperty("k", "v")];
    let publish = Packet::Publish(Publish {
        dup: false,
        qos: QoS::AtMostOnce,
        retain: false,
        topic: "t",
        packet_id: None,
        properties: Properties::from_list(&props),
        payload: b"",
    });
    assert_eq!(publish.to_vec(V311), Err(EncodeError::PropertiesBeforeV5));
    assert!(publish.to_vec(V5).is_ok());
    // a reason code alone, and properties (with or without a code): each
    // its own error
    for (code, props) in [
        (Some(0), None),
        (None, Some(Properties::EMPTY)),
        (Some(0x10), Some(Properties::EMPTY)),
    ] {
        let (ack_err, d_err) = if props.is_some() {
            (
                EncodeError::PropertiesBeforeV5,
                EncodeError::PropertiesBeforeV5,
            )
        } else {
            (
                EncodeError::ReasonCodeBeforeV5(PacketType::PubAck),
                EncodeError::ReasonCodeBeforeV5(PacketType::Disconnect),
            )
        };
        let ack = Packet::PubAck(Ack {
            packet_id: 1,
            reason_code: code,
            properties: props,
        });
        assert_eq!(ack.to_vec(V31), Err(ack_err));
        let d = Packet::Disconnect(Disconnect {
            reason_code: code.map(|_| 0),
            properties: props,
        });
        assert_eq!(d.to_vec(V311), Err(d_err));
    }
    assert_eq!(
        EncodeError::ReasonCodeBeforeV5(PacketType::PubAck).to_string(),
        "a reason code in puback exists in MQTT 5.0 only"
    );
    let will_props = [P::PayloadFormatIndicator(1)];
    let connect = Packet::Connect(Connect {
        protocol: V311,
        bridge: false,
        clean_start: true,
        keep_alive: 0,
        properties: Properties::EMPTY,
        client_id: "c",
        will: Some(Will {
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Properties::from_list(&will_props),
            topic: "w",
            payload: b"",
        }),
        username: None,
        password: None,
    });
    assert_eq!(
        connect.to_vec(V5),
        Err(EncodeError::PropertiesBeforeV5),
        "CONNECT uses its own version"
    );
    let unsuback = Packet::UnsubAck(UnsubAck {
        packet_id: 1,
        properties: Properties::EMPTY,
        reason_codes: &[0],
    });
    assert_eq!(
        unsuback.to_vec(V311),
        Err(EncodeError::ReasonCodeBeforeV5(PacketType::UnsubAck))
    );
    let connack = Packet::ConnAck(ConnAck {
        session_present: false,
        code: 0,
        properties: Properties::from_list(&props),
    });
    assert_eq!(connack.to_vec(V311), Err(EncodeError::PropertiesBeforeV5));
}

#[test]
fn encode_buffer_too_small_does_not_panic() {
    let p = Packet::Publish(Publish {
        dup: false,
        qos: QoS::AtMostOnce,
        retain: false,
        topic: "a/b",
        packet_id: None,
        properties: Properties::EMPTY,
        payload: b"hello",
    });
    let mut buf = [0xeeu8; 11];
    assert_eq!(
        p.encode(V311, &mut &mut buf[..]),
        Err(EncodeError::BufferTooSmall)
    );
    assert_eq!(buf, [0xee; 11], "nothing written");
    let mut empty: [u8; 0] = [];
    assert_eq!(
        p.encode(V311, &mut &mut empty[..]),
        Err(EncodeError::BufferTooSmall)
    );
    let mut buf = [0u8; 12];
    assert_eq!(p.encode(V311, &mut &mut buf[..]), Ok(12));
    // a slice cursor advances: two packets into one buffer, the third does not fit
    let mut buf = [0u8; 30];
    let mut cursor = &mut buf[..];
    assert_eq!(p.encode(V311, &mut cursor), Ok(12));
    assert_eq!(p.encode(V311, &mut cursor), Ok(12));
    assert_eq!(
        p.encode(V311, &mut cursor),
        Err(EncodeError::BufferTooSmall)
    );
    assert_eq!(cursor.len(), 6);
    assert_eq!(
        EncodeError::BufferTooSmall.to_string(),
        "output buffer too small"
    );
}

// --------------------------------------------------------- streaming decoder

#[test]
fn decoder_stays_failed_and_counts_from_stream_start() {
    let mut dec = Decoder::new(V311);
    let mut buf = BytesMut::new();
    // three PINGREQs, then a PUBACK with packet id 0
    buf.extend_from_slice(&[0xc0, 0x00, 0xc0, 0x00, 0xc0, 0x00, 0x40, 0x02, 0x00, 0x00]);
    for _ in 0..3 {
        assert!(matches!(dec.decode(&mut buf), Ok(Status::Complete(_))));
    }
    assert_eq!(dec.position(), 6);
    let e = dec.decode(&mut buf).unwrap_err();
    assert_eq!(e, DecodeError::new(ErrorKind::ZeroPacketId, 8));
    // the same error forever, whatever arrives
    buf.clear();
    buf.extend_from_slice(&[0xc0, 0x00]);
    assert_eq!(dec.decode(&mut buf), Err(e));
    assert_eq!(dec.decode(&mut BytesMut::new()), Err(e));
    assert_eq!(dec.error(), Some(e));
    assert_eq!(dec.position(), 6);
    assert!(e.to_string().contains("at byte 8"));
}

#[test]
fn decoder_learns_the_version_from_connect() {
    // 3.1.1 connection; the client's CONNECT says 5.0
    let connect5 = [
        0x10, 13, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x00,
    ];
    let puback5 = [0x40, 0x03, 0x00, 0x01, 0x10]; // PUBACK with a reason code: 5.0 only
    let mut dec = Decoder::new(V311);
    let mut buf = BytesMut::from(&puback5[..]);
    assert_eq!(
        dec.decode(&mut buf).unwrap_err(),
        DecodeError::new(ErrorKind::TrailingBytes(PacketType::PubAck), 4)
    );
    let mut dec = Decoder::new(V311);
    let mut buf = BytesMut::from(&[&connect5[..], &puback5[..]].concat()[..]);
    assert!(matches!(dec.decode(&mut buf), Ok(Status::Complete(_))));
    assert_eq!(dec.version(), V5);
    let Status::Complete(f) = dec.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(f.version(), V5);
    let Packet::PubAck(a) = f.packet().unwrap() else {
        panic!()
    };
    assert_eq!(a.reason_code, Some(0x10));
    // and back: a 5.0 connection whose CONNECT says 3.1 refuses AUTH
    let connect31 = [
        0x10, 14, 0x00, 0x06, b'M', b'Q', b'I', b's', b'd', b'p', 0x03, 0x02, 0x00, 0x00, 0x00,
        0x00,
    ];
    let mut dec = Decoder::new(V5);
    let mut buf = BytesMut::from(&[&connect31[..], &[0xf0, 0x00][..]].concat()[..]);
    assert!(matches!(dec.decode(&mut buf), Ok(Status::Complete(_))));
    assert_eq!(dec.version(), V31);
    assert_eq!(
        dec.decode(&mut buf).unwrap_err(),
        DecodeError::new(ErrorKind::AuthBeforeV5, 18)
    );
}

#[test]
fn max_packet_size_refuses_from_the_header_alone() {
    // PUBLISH announcing 2,097,151 bytes of body: only the 4 header bytes arrive
    let header = [0x30, 0xff, 0xff, 0x7f];
    let mut dec = Decoder::with_limits(V311, Limits::new().max_packet_size(1024));
    let mut buf = BytesMut::from(&header[..]);
    assert_eq!(
        dec.decode(&mut buf),
        Err(DecodeError::new(ErrorKind::PacketTooLarge(1024), 1))
    );
    // ... also fed a byte at a time: the error comes with the last length byte
    let mut dec = Decoder::with_limits(V311, Limits::new().max_packet_size(1024));
    let mut buf = BytesMut::new();
    for (i, b) in header.iter().enumerate() {
        buf.extend_from_slice(&[*b]);
        let r = dec.decode(&mut buf);
        if i < 3 {
            assert_eq!(r, Ok(Status::Partial(1)));
        } else {
            assert_eq!(r, Err(DecodeError::new(ErrorKind::PacketTooLarge(1024), 1)));
        }
    }
    // with the default limits the same header just needs the body
    let mut dec = Decoder::new(V311);
    let mut buf = BytesMut::from(&header[..]);
    assert_eq!(dec.decode(&mut buf), Ok(Status::Partial(2_097_151)));
    // the tape too: ERROR, not PARTIAL
    let mut t = [0u32; 16];
    assert_eq!(
        tape::frame(&header, 0, 4, 4, 1024, &mut t),
        tape::Status::Error
    );
    assert_eq!((t[2], t[3], t[4]), (6, 1024, 1));
    assert_eq!(
        tape::frame(&header, 0, 4, 4, 0, &mut t),
        tape::Status::Partial
    );
    assert_eq!(t[2], 2_097_155, "total size of the incomplete packet");
}

#[test]
fn partial_counts() {
    let publish = [0x32, 0x08, 0x00, 0x01, b't', 0x00, 0x0a, b'a', b'b', b'c'];
    let expect = |n: usize| -> Status<usize> {
        match n {
            0 => Status::Partial(2),
            1 => Status::Partial(1),
            n if n < publish.len() => Status::Partial(publish.len() - n),
            _ => Status::Complete(publish.len()),
        }
    };
    for n in 0..=publish.len() {
        let got = parse(&publish[..n], V311)
            .unwrap()
            .complete()
            .map(|(_, u)| u);
        match expect(n) {
            Status::Complete(u) => assert_eq!(got, Some(u)),
            Status::Partial(k) => assert_eq!(
                parse(&publish[..n], V311).unwrap(),
                Status::Partial(k),
                "{n}"
            ),
        }
        let mut dec = Decoder::new(V311);
        let mut buf = BytesMut::from(&publish[..n]);
        match (dec.decode(&mut buf).unwrap(), expect(n)) {
            (Status::Partial(a), Status::Partial(b)) => assert_eq!(a, b, "{n}"),
            (Status::Complete(f), Status::Complete(u)) => assert_eq!(f.bytes().len(), u),
            (a, b) => panic!("{n}: {a:?} vs {b:?}"),
        }
        assert_eq!(
            buf.len(),
            if n == publish.len() { 0 } else { n },
            "untouched when partial"
        );
    }
    // a multi-byte remaining length still being read: one more byte at least
    assert_eq!(parse(&[0x30, 0x80], V311).unwrap(), Status::Partial(1));
    assert_eq!(
        parse(&[0x30, 0x80, 0x01], V311).unwrap(),
        Status::Partial(128)
    );
    // the header is checked before Partial: an invalid first byte fails at once
    assert_eq!(
        parse(&[0x00], V311),
        Err(DecodeError::new(ErrorKind::ReservedPacketType, 0))
    );
}

/// `Decoder::decode_slice`: borrowed views, the same state machine as `decode`.
#[test]
fn decoder_decode_slice_borrows_learns_version_and_stays_failed() {
    // CONNECT v5 (client id "c"), then a v5 PUBLISH with an empty property list,
    // then a PUBLISH whose topic has a wildcard.
    let mut stream = vec![
        0x10, 0x0e, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x3c, 0x00, 0x00, 0x01,
        b'c',
    ];
    let publish_at = stream.len();
    stream.extend_from_slice(&[0x30, 0x05, 0x00, 0x01, b't', 0x00, b'x']);
    let bad_at = stream.len();
    stream.extend_from_slice(&[0x30, 0x03, 0x00, 0x01, b'#']);

    let mut dec = Decoder::new(Version::V3_1_1);
    let mut pos = 0;
    let Status::Complete((Packet::Connect(c), used)) = dec.decode_slice(&stream[pos..]).unwrap()
    else {
        panic!("CONNECT expected")
    };
    assert_eq!(c.client_id, "c");
    pos += used;
    assert_eq!(dec.version(), Version::V5);
    assert_eq!(pos, publish_at);
    // Parsed as 5.0 (property length byte), the payload is "x".
    let Status::Complete((Packet::Publish(p), used)) = dec.decode_slice(&stream[pos..]).unwrap()
    else {
        panic!("PUBLISH expected")
    };
    assert_eq!((p.topic, p.payload), ("t", &b"x"[..]));
    // The view borrows from the input: no copy.
    assert_eq!(p.payload.as_ptr(), stream[publish_at + 6..].as_ptr());
    pos += used;
    assert_eq!(pos, bad_at);
    // Half a packet: Partial, not an error, state unchanged.
    assert_eq!(
        dec.decode_slice(&stream[pos..pos + 1]).unwrap(),
        Status::Partial(1)
    );
    let e = dec.decode_slice(&stream[pos..]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TopicWildcard);
    assert_eq!(
        e.offset,
        bad_at + 4,
        "offset counts from the start of the stream"
    );
    // Failed for good: even valid bytes give the same error.
    assert_eq!(dec.decode_slice(&[0xc0, 0x00]).unwrap_err(), e);
}
