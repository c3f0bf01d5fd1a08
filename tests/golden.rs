//! Golden byte vectors for every packet type in every version where it exists.
//!
//! Each vector is annotated field by field. For each one: `parse` gives the
//! expected `Packet`, encoding the parsed packet (and the expected one, built
//! from lists) gives the exact bytes back, and the streaming decoder (fed one
//! byte at a time) and `tape::frame` agree.

use bytes::BytesMut;
use mqttwire::properties::Property as P;
use mqttwire::stream::Decoder;
use mqttwire::tape::{self, ASCII, HEADER_WORDS};
use mqttwire::*;

const V31: Version = Version::V3_1;
const V311: Version = Version::V3_1_1;
const V5: Version = Version::V5;

/// Check one golden vector; returns the tape record's words.
#[track_caller]
fn golden(v: Version, bytes: &[u8], expected: Packet<'_>) -> Vec<u32> {
    // parse
    let Status::Complete((p, used)) = parse(bytes, v).unwrap() else {
        panic!("partial")
    };
    assert_eq!(used, bytes.len());
    assert_eq!(p, expected);
    assert_eq!(p.packet_type(), expected.packet_type());
    // a proper prefix is Partial; a longer buffer gives the same packet
    for cut in 0..bytes.len() {
        assert!(
            parse(&bytes[..cut], v).unwrap().is_partial(),
            "prefix {cut}"
        );
    }
    let mut longer = bytes.to_vec();
    longer.extend_from_slice(&[0xc0, 0x00]);
    assert_eq!(
        parse(&longer, v).unwrap(),
        Status::Complete((expected, bytes.len()))
    );

    // encode: the parsed packet, the expected one (built from lists), into a
    // Vec, a BytesMut and an exact-size slice
    assert_eq!(p.to_vec(v).unwrap(), bytes, "encode(parse(b)) != b");
    assert_eq!(expected.to_vec(v).unwrap(), bytes, "encode(expected) != b");
    assert_eq!(expected.encoded_len(v).unwrap(), bytes.len());
    let mut bm = BytesMut::new();
    assert_eq!(p.encode(v, &mut bm).unwrap(), bytes.len());
    assert_eq!(&bm[..], bytes);
    let mut exact = vec![0u8; bytes.len()];
    assert_eq!(
        expected.encode(v, &mut &mut exact[..]).unwrap(),
        bytes.len()
    );
    assert_eq!(exact, bytes);
    let mut short = vec![0u8; bytes.len() - 1];
    assert_eq!(
        expected.encode(v, &mut &mut short[..]),
        Err(EncodeError::BufferTooSmall)
    );

    // stream::Decoder, one byte at a time, then all at once
    let after = match expected {
        Packet::Connect(c) => c.protocol,
        _ => v,
    };
    let mut dec = Decoder::new(v);
    let mut buf = BytesMut::new();
    for (i, b) in bytes.iter().enumerate() {
        buf.extend_from_slice(&[*b]);
        match dec.decode(&mut buf).unwrap() {
            Status::Partial(n) => {
                assert!(i + 1 < bytes.len());
                assert!(n >= 1 && i + 1 + n <= bytes.len(), "Partial({n}) at {i}");
            }
            Status::Complete(f) => {
                assert_eq!(i + 1, bytes.len());
                assert_eq!(f.packet().unwrap(), expected);
                assert_eq!(&f.bytes()[..], bytes);
                assert_eq!(f.version(), after);
            }
        }
    }
    assert!(buf.is_empty());
    assert_eq!(dec.version(), after);
    assert_eq!(dec.position(), bytes.len() as u64);
    let mut buf = BytesMut::from(&longer[..]);
    let mut dec = Decoder::new(v);
    let Status::Complete(f) = dec.decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(f.packet().unwrap(), expected);
    assert_eq!(&buf[..], &[0xc0, 0x00]);

    // tape::frame
    let mut t = vec![0u32; 256];
    let st = tape::frame(bytes, 0, bytes.len(), v.level() as u32, 0, &mut t);
    assert_eq!(st, tape::Status::Done);
    assert_eq!(t[0], 0);
    assert_eq!(t[1] as usize, bytes.len());
    assert_eq!(t[5], 1);
    let r = &t[HEADER_WORDS..];
    assert_eq!(r[0] & 0xf, expected.packet_type() as u32);
    assert_eq!((r[0] >> 4) & 0xf, (bytes[0] & 0xf) as u32);
    assert_eq!((r[0] >> 8) & 0xff, after.level() as u32);
    assert_eq!(r[2], 0);
    let header_len = bytes.len() - r[3] as usize;
    assert!((2..=5).contains(&header_len));
    assert_eq!(t[7] as usize, HEADER_WORDS + r[1] as usize);
    assert_eq!(t[6] & 0xff, after.level() as u32);
    r[..r[1] as usize].to_vec()
}

/// The same vector in 3.1 and 3.1.1 (the packet is identical in both).
#[track_caller]
fn golden_v3(bytes: &[u8], expected: Packet<'_>) {
    golden(V31, bytes, expected);
    golden(V311, bytes, expected);
}

fn no_props() -> Properties<'static> {
    Properties::EMPTY
}

fn ack(packet_id: u16, reason_code: Option<u8>, properties: Option<Properties<'_>>) -> Ack<'_> {
    Ack {
        packet_id,
        reason_code,
        properties,
    }
}

// ======================================================================= CONNECT

#[test]
#[rustfmt::skip] // the tape words are annotated one field per line
fn connect_v3_1_minimal() {
    let bytes = [
        0x10, 16, // CONNECT, remaining length 16
        0x00, 0x06, b'M', b'Q', b'I', b's', b'd', b'p', // protocol name "MQIsdp"
        0x03, // protocol level 3
        0x02, // connect flags: clean session
        0x00, 0x3c, // keep alive 60
        0x00, 0x02, b'c', b'1', // client id "c1"
    ];
    let rec = golden(
        V5, // the version in force does not matter for CONNECT
        &bytes,
        Packet::Connect(Connect {
            protocol: V31,
            bridge: false,
            clean_start: true,
            keep_alive: 60,
            properties: no_props(),
            client_id: "c1",
            will: None,
            username: None,
            password: None,
        }),
    );
    // docs/tape.md CONNECT: protocolId string, level, flags, keepalive, clientId.
    assert_eq!(
        rec,
        [
            1 | 3 << 8, // type 1, flags 0, parsed as level 3
            4 + 7,      // record length
            0,          // offset
            16,         // remaining length
            4, 6 | ASCII, // protocolId "MQIsdp" at 4
            3,          // level byte
            0x02,       // flags byte
            60,         // keepalive
            16, 2 | ASCII, // clientId "c1" at 16
        ]
    );
}

#[test]
fn connect_v3_1_will_username_password() {
    let bytes = [
        0x10, 36, // CONNECT, remaining length 36
        0x00, 0x06, b'M', b'Q', b'I', b's', b'd', b'p', // protocol name "MQIsdp"
        0x03, // protocol level 3
        0xee, // flags: user name, password, will retain, will qos 1, will, clean session
        0x00, 0x00, // keep alive 0
        0x00, 0x02, b'c', b'1', // client id "c1"
        0x00, 0x03, b'w', b'/', b't', // will topic "w/t"
        0x00, 0x03, b'b', b'y', b'e', // will payload "bye"
        0x00, 0x04, b'u', b's', b'e', b'r', // user name "user"
        0x00, 0x02, b'p', b'w', // password "pw"
    ];
    golden(
        V31,
        &bytes,
        Packet::Connect(Connect {
            protocol: V31,
            bridge: false,
            clean_start: true,
            keep_alive: 0,
            properties: no_props(),
            client_id: "c1",
            will: Some(Will {
                qos: QoS::AtLeastOnce,
                retain: true,
                properties: no_props(),
                topic: "w/t",
                payload: b"bye",
            }),
            username: Some("user"),
            password: Some(b"pw"),
        }),
    );
}

#[test]
fn connect_v3_1_1_minimal_empty_client_id() {
    let bytes = [
        0x10, 12, // CONNECT, remaining length 12
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x04, // protocol level 4
        0x02, // flags: clean session
        0xff, 0xff, // keep alive 65535
        0x00, 0x00, // client id ""
    ];
    golden(
        V311,
        &bytes,
        Packet::Connect(Connect {
            protocol: V311,
            bridge: false,
            clean_start: true,
            keep_alive: 65535,
            properties: no_props(),
            client_id: "",
            will: None,
            username: None,
            password: None,
        }),
    );
}

#[test]
fn connect_v3_1_1_bridge_username_password() {
    let bytes = [
        0x10, 22, // CONNECT, remaining length 22
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x84, // protocol level 4 | 0x80 bridge
        0xc0, // flags: user name, password (clean-session flag 0)
        0x00, 0x1e, // keep alive 30
        0x00, 0x02, b'b', b'r', // client id "br"
        0x00, 0x01, b'u', // user name "u"
        0x00, 0x03, 0x01, 0x02, 0x03, // password 01 02 03
    ];
    let rec = golden(
        V311,
        &bytes,
        Packet::Connect(Connect {
            protocol: V311,
            bridge: true,
            clean_start: false,
            keep_alive: 30,
            properties: no_props(),
            client_id: "br",
            will: None,
            username: Some("u"),
            password: Some(&[1, 2, 3]),
        }),
    );
    assert_eq!(rec[0], 1 | 4 << 8 | 1 << 16, "bridge bit 16 of R[0]");
    assert_eq!(rec[6], 0x84, "level byte raw");
    assert_eq!(rec[7], 0xc0);
    assert_eq!(&rec[9..], [14, 2 | ASCII, 18, 1 | ASCII, 21, 3]);
    // The tape header reports the bridge after the CONNECT.
    let mut t = [0u32; 64];
    tape::frame(&bytes, 0, bytes.len(), 4, 0, &mut t);
    assert_eq!(t[6], 4 | 1 << 8);
}

#[test]
fn connect_v3_1_1_will_qos2_no_username() {
    let bytes = [
        0x10, 18, // CONNECT, remaining length 18
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x04, // protocol level 4
        0x16, // flags: will qos 2, will, clean session
        0x00, 0x05, // keep alive 5
        0x00, 0x01, b'x', // client id "x"
        0x00, 0x01, b'a', // will topic "a"
        0x00, 0x00, // will payload (empty)
    ];
    golden(
        V311,
        &bytes,
        Packet::Connect(Connect {
            protocol: V311,
            bridge: false,
            clean_start: true,
            keep_alive: 5,
            properties: no_props(),
            client_id: "x",
            will: Some(Will {
                qos: QoS::ExactlyOnce,
                retain: false,
                properties: no_props(),
                topic: "a",
                payload: b"",
            }),
            username: None,
            password: None,
        }),
    );
}

#[test]
fn connect_v3_1_1_username_only() {
    let bytes = [
        0x10, 21, // CONNECT, remaining length 21
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x04, // protocol level 4
        0x82, // flags: user name, clean session
        0x00, 0x3c, // keep alive 60
        0x00, 0x02, b'i', b'd', // client id "id"
        0x00, 0x05, b'a', b'l', b'i', b'c', b'e', // user name "alice"
    ];
    golden(
        V311,
        &bytes,
        Packet::Connect(Connect {
            protocol: V311,
            bridge: false,
            clean_start: true,
            keep_alive: 60,
            properties: no_props(),
            client_id: "id",
            will: None,
            username: Some("alice"),
            password: None,
        }),
    );
}

#[test]
fn connect_v5_minimal() {
    let bytes = [
        0x10, 13, // CONNECT, remaining length 13
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x05, // protocol level 5
        0x02, // flags: clean start
        0x00, 0x0a, // keep alive 10
        0x00, // property length 0
        0x00, 0x00, // client id ""
    ];
    let rec = golden(
        V311, // a CONNECT switches the decoder to its own version
        &bytes,
        Packet::Connect(Connect {
            protocol: V5,
            bridge: false,
            clean_start: true,
            keep_alive: 10,
            properties: no_props(),
            client_id: "",
            will: None,
            username: None,
            password: None,
        }),
    );
    // version 5 record: a property block P[0] = 0 before the client id
    assert_eq!(&rec[4..], [4, 4 | ASCII, 5, 0x02, 10, 0, 15, ASCII]);
}

#[test]
#[rustfmt::skip] // the tape words are annotated one field per line
fn connect_v5_all_properties_will_properties_username_password() {
    let bytes = [
        0x10, 103, // CONNECT, remaining length 103
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x05, // protocol level 5
        0xee, // flags: user name, password, will retain, will qos 1, will, clean start
        0x00, 0x3c, // keep alive 60
        40,   // property length 40
        0x11, 0x00, 0x00, 0x0e, 0x10, // session expiry interval 3600
        0x15, 0x00, 0x05, b'S', b'C', b'R', b'A', b'M', // authentication method "SCRAM"
        0x16, 0x00, 0x02, 0x01, 0x02, // authentication data 01 02
        0x17, 0x00, // request problem information 0
        0x19, 0x01, // request response information 1
        0x21, 0x00, 0x64, // receive maximum 100
        0x22, 0x00, 0x0a, // topic alias maximum 10
        0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // user property k=v
        0x27, 0x00, 0x10, 0x00, 0x00, // maximum packet size 1048576
        0x00, 0x03, b'c', b'i', b'd', // client id "cid"
        34,   // will property length 34
        0x18, 0x00, 0x00, 0x00, 0x05, // will delay interval 5
        0x01, 0x01, // payload format indicator 1
        0x02, 0x00, 0x00, 0x00, 0x3c, // message expiry interval 60
        0x03, 0x00, 0x04, b't', b'e', b'x', b't', // content type "text"
        0x08, 0x00, 0x01, b'r', // response topic "r"
        0x09, 0x00, 0x01, 0xab, // correlation data ab
        0x26, 0x00, 0x01, b'a', 0x00, 0x01, b'b', // user property a=b
        0x00, 0x01, b'w', // will topic "w"
        0x00, 0x01, b'x', // will payload "x"
        0x00, 0x01, b'u', // user name "u"
        0x00, 0x01, b'p', // password "p"
    ];
    let props = [
        P::SessionExpiryInterval(3600),
        P::AuthenticationMethod("SCRAM"),
        P::AuthenticationData(&[1, 2]),
        P::RequestProblemInformation(0),
        P::RequestResponseInformation(1),
        P::ReceiveMaximum(100),
        P::TopicAliasMaximum(10),
        P::UserProperty("k", "v"),
        P::MaximumPacketSize(1_048_576),
    ];
    let will_props = [
        P::WillDelayInterval(5),
        P::PayloadFormatIndicator(1),
        P::MessageExpiryInterval(60),
        P::ContentType("text"),
        P::ResponseTopic("r"),
        P::CorrelationData(&[0xab]),
        P::UserProperty("a", "b"),
    ];
    let rec = golden(
        V5,
        &bytes,
        Packet::Connect(Connect {
            protocol: V5,
            bridge: false,
            clean_start: true,
            keep_alive: 60,
            properties: Properties::from_list(&props),
            client_id: "cid",
            will: Some(Will {
                qos: QoS::AtLeastOnce,
                retain: true,
                properties: Properties::from_list(&will_props),
                topic: "w",
                payload: b"x",
            }),
            username: Some("u"),
            password: Some(b"p"),
        }),
    );
    // property block: 9 properties, P[0] counts the words after it
    assert_eq!(
        &rec[9..9 + 1 + 23],
        [
            23, // words
            0x11, 3600, // session expiry
            0x15, 21, 5 | ASCII, // auth method string at 21
            0x16, 29, 2, // auth data binary at 29
            0x17, 0, // request problem information
            0x19, 1, // request response information
            0x21, 100, // receive maximum
            0x22, 10, // topic alias maximum
            0x26, 44, 1 | ASCII, 47, 1 | ASCII, // user property k=v
            0x27, 1_048_576, // maximum packet size
        ]
    );
}

#[test]
fn connect_v5_password_without_username() {
    // 5.0 allows a password without a user name.
    let bytes = [
        0x10, 18, // CONNECT, remaining length 18
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x05, // protocol level 5
        0x42, // flags: password, clean start
        0x00, 0x00, // keep alive 0
        0x00, // property length 0
        0x00, 0x01, b'c', // client id "c"
        0x00, 0x02, b'p', b'w', // password "pw"
    ];
    golden(
        V5,
        &bytes,
        Packet::Connect(Connect {
            protocol: V5,
            bridge: false,
            clean_start: true,
            keep_alive: 0,
            properties: no_props(),
            client_id: "c",
            will: None,
            username: None,
            password: Some(b"pw"),
        }),
    );
}

#[test]
fn connect_v5_will_without_properties_bridge() {
    let bytes = [
        0x10, 23, // CONNECT, remaining length 23
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name "MQTT"
        0x85, // protocol level 5 | 0x80 bridge
        0x04, // flags: will (qos 0, no retain), clean start 0
        0x00, 0x01, // keep alive 1
        0x00, // property length 0
        0x00, 0x02, b'i', b'd', // client id "id"
        0x00, // will property length 0
        0x00, 0x03, b'a', b'/', b'b', // will topic "a/b"
        0x00, 0x00, // will payload (empty)
    ];
    golden(
        V5,
        &bytes,
        Packet::Connect(Connect {
            protocol: V5,
            bridge: true,
            clean_start: false,
            keep_alive: 1,
            properties: no_props(),
            client_id: "id",
            will: Some(Will {
                qos: QoS::AtMostOnce,
                retain: false,
                properties: no_props(),
                topic: "a/b",
                payload: b"",
            }),
            username: None,
            password: None,
        }),
    );
}

// ======================================================================= CONNACK

#[test]
fn connack_v3() {
    golden_v3(
        &[
            0x20, 0x02, // CONNACK, remaining length 2
            0x00, // acknowledge flags: no session present
            0x00, // return code 0: accepted
        ],
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: 0,
            properties: no_props(),
        }),
    );
    golden_v3(
        &[
            0x20, 0x02, // CONNACK, remaining length 2
            0x00, // acknowledge flags: no session present (a refusal has none)
            0x05, // return code 5: not authorized
        ],
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: 5,
            properties: no_props(),
        }),
    );
    let rec = golden(
        V311,
        &[0x20, 0x02, 0x01, 0x00],
        Packet::ConnAck(ConnAck {
            session_present: true,
            code: 0,
            properties: no_props(),
        }),
    );
    assert_eq!(rec, [2 | 4 << 8, 6, 0, 2, 1, 0]);
    // 3.1 has no Session Present flag: bit 0 is carried as is, whatever the code
    let rec = golden(
        V31,
        &[0x20, 0x02, 0x01, 0x04],
        Packet::ConnAck(ConnAck {
            session_present: true,
            code: 4,
            properties: no_props(),
        }),
    );
    assert_eq!(rec, [2 | 3 << 8, 6, 0, 2, 1, 4]);
}

#[test]
fn connack_v5_minimal_and_reason_code() {
    golden(
        V5,
        &[
            0x20, 0x03, // CONNACK, remaining length 3
            0x00, // acknowledge flags
            0x00, // reason code 0x00 success
            0x00, // property length 0
        ],
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: 0,
            properties: no_props(),
        }),
    );
    golden(
        V5,
        &[
            0x20, 0x03, // CONNACK, remaining length 3
            0x00, // acknowledge flags
            0x87, // reason code 0x87 not authorized
            0x00, // property length 0
        ],
        Packet::ConnAck(ConnAck {
            session_present: false,
            code: 0x87,
            properties: no_props(),
        }),
    );
}

#[test]
fn connack_v5_seventeen_properties() {
    let bytes = [
        0x20, 70,   // CONNACK, remaining length 70
        0x01, // acknowledge flags: session present
        0x00, // reason code success
        67,   // property length 67
        0x11, 0x00, 0x00, 0x00, 0x00, // session expiry interval 0
        0x12, 0x00, 0x04, b'a', b'u', b't', b'o', // assigned client identifier "auto"
        0x13, 0x00, 0x1e, // server keep alive 30
        0x15, 0x00, 0x01, b'm', // authentication method "m"
        0x16, 0x00, 0x01, 0x00, // authentication data 00
        0x1a, 0x00, 0x02, b'r', b'i', // response information "ri"
        0x1c, 0x00, 0x03, b's', b'r', b'v', // server reference "srv"
        0x1f, 0x00, 0x02, b'o', b'k', // reason string "ok"
        0x21, 0x00, 0x14, // receive maximum 20
        0x22, 0x00, 0x00, // topic alias maximum 0
        0x24, 0x01, // maximum qos 1
        0x25, 0x00, // retain available 0
        0x26, 0x00, 0x01, b'x', 0x00, 0x01, b'y', // user property x=y
        0x27, 0x00, 0x00, 0x01, 0x00, // maximum packet size 256
        0x28, 0x01, // wildcard subscription available 1
        0x29, 0x00, // subscription identifiers available 0
        0x2a, 0x01, // shared subscription available 1
    ];
    let props = [
        P::SessionExpiryInterval(0),
        P::AssignedClientIdentifier("auto"),
        P::ServerKeepAlive(30),
        P::AuthenticationMethod("m"),
        P::AuthenticationData(&[0]),
        P::ResponseInformation("ri"),
        P::ServerReference("srv"),
        P::ReasonString("ok"),
        P::ReceiveMaximum(20),
        P::TopicAliasMaximum(0),
        P::MaximumQoS(1),
        P::RetainAvailable(0),
        P::UserProperty("x", "y"),
        P::MaximumPacketSize(256),
        P::WildcardSubscriptionAvailable(1),
        P::SubscriptionIdentifierAvailable(0),
        P::SharedSubscriptionAvailable(1),
    ];
    let rec = golden(
        V5,
        &bytes,
        Packet::ConnAck(ConnAck {
            session_present: true,
            code: 0,
            properties: Properties::from_list(&props),
        }),
    );
    // The parsed list decodes lazily to the same values; `get` finds them.
    let Status::Complete((Packet::ConnAck(c), _)) = parse(&bytes, V5).unwrap() else {
        panic!()
    };
    assert_eq!(c.properties.iter().count(), 17);
    assert_eq!(
        c.properties.get(PropertyId::ServerKeepAlive),
        Some(P::ServerKeepAlive(30))
    );
    assert_eq!(
        c.properties.user_properties().collect::<Vec<_>>(),
        [("x", "y")]
    );
    assert_eq!(c.properties.wire_bytes(), Some(&bytes[5..]));
    assert_eq!(c.properties.body_len(), 67);
    // tape: flags, code, then the property block
    assert_eq!(&rec[4..8], [1, 0, 43, 0x11]);
}

// ======================================================================= PUBLISH

#[test]
fn publish_v3() {
    let rec = golden(
        V311,
        &[
            0x30, 0x07, // PUBLISH qos 0, remaining length 7
            0x00, 0x03, b'a', b'/', b'b', // topic "a/b"
            b'h', b'i', // payload "hi"
        ],
        Packet::Publish(Publish {
            dup: false,
            qos: QoS::AtMostOnce,
            retain: false,
            topic: "a/b",
            packet_id: None,
            properties: no_props(),
            payload: b"hi",
        }),
    );
    // docs/tape.md PUBLISH: topic R[4..5], messageId R[6] (0 at qos 0), payload R[7..8]
    assert_eq!(rec, [3 | 4 << 8, 9, 0, 7, 4, 3 | ASCII, 0, 7, 2]);
    for v in [V31, V311] {
        let rec = golden(
            v,
            &[
                0x3b, 0x08, // PUBLISH dup, qos 1, retain; remaining length 8
                0x00, 0x01, b't', // topic "t"
                0x00, 0x0a, // packet id 10
                0x01, 0x02, 0x03, // payload
            ],
            Packet::Publish(Publish {
                dup: true,
                qos: QoS::AtLeastOnce,
                retain: true,
                topic: "t",
                packet_id: Some(10),
                properties: no_props(),
                payload: &[1, 2, 3],
            }),
        );
        assert_eq!(
            rec,
            [
                3 | 0xb << 4 | (v.level() as u32) << 8,
                9,
                0,
                8,
                4,
                1 | ASCII,
                10,
                7,
                3
            ]
        );
    }
    let rec = golden(
        V31,
        &[
            0x34, 0x06, // PUBLISH qos 2, remaining length 6
            0x00, 0x02, 0xc3, 0xa9, // topic "é" (not ASCII)
            0xff, 0xff, // packet id 65535
                  // payload (empty)
        ],
        Packet::Publish(Publish {
            dup: false,
            qos: QoS::ExactlyOnce,
            retain: false,
            topic: "é",
            packet_id: Some(65535),
            properties: no_props(),
            payload: b"",
        }),
    );
    assert_eq!(&rec[4..], [4, 2, 65535, 8, 0]);
}

#[test]
fn publish_v3_two_byte_remaining_length() {
    let mut bytes = vec![
        0x31, 0xcd, 0x01, // PUBLISH qos 0 retain, remaining length 205 (two bytes)
        0x00, 0x03, b'b', b'i', b'g', // topic "big"
    ];
    let payload = vec![0x5a; 200]; // payload: 200 bytes
    bytes.extend_from_slice(&payload);
    let expected = Packet::Publish(Publish {
        dup: false,
        qos: QoS::AtMostOnce,
        retain: true,
        topic: "big",
        packet_id: None,
        properties: no_props(),
        payload: &payload,
    });
    golden_v3(&bytes, expected);
    // 5.0: the same remaining length with a property length byte and 199 bytes of payload
    let bytes5 = [
        &bytes[..3],                         // PUBLISH qos 0 retain, remaining length 205
        &[0x00, 0x03, b'b', b'i', b'g'][..], // topic "big"
        &[0x00][..],                         // property length 0
        &payload[..199],                     // payload: 199 bytes
    ]
    .concat();
    let rec = golden(
        V5,
        &bytes5,
        Packet::Publish(Publish {
            payload: &payload[..199],
            ..match expected {
                Packet::Publish(p) => p,
                _ => unreachable!(),
            }
        }),
    );
    assert_eq!(rec[3], 205);
}

#[test]
fn publish_v5_no_properties() {
    golden(
        V5,
        &[
            0x30, 0x08, // PUBLISH qos 0, remaining length 8
            0x00, 0x03, b'a', b'/', b'b', // topic "a/b"
            0x00, // property length 0
            b'h', b'i', // payload "hi"
        ],
        Packet::Publish(Publish {
            dup: false,
            qos: QoS::AtMostOnce,
            retain: false,
            topic: "a/b",
            packet_id: None,
            properties: no_props(),
            payload: b"hi",
        }),
    );
}

#[test]
#[rustfmt::skip] // the tape words are annotated one field per line
fn publish_v5_all_publish_properties() {
    let bytes = [
        0x32, 61, // PUBLISH qos 1, remaining length 61
        0x00, 0x03, b't', b'/', b'1', // topic "t/1"
        0x12, 0x34, // packet id 0x1234
        51,   // property length 51
        0x01, 0x01, // payload format indicator 1
        0x02, 0x00, 0x00, 0x00, 0x3c, // message expiry interval 60
        0x03, 0x00, 0x04, b'j', b's', b'o', b'n', // content type "json"
        0x08, 0x00, 0x05, b'r', b'e', b'/', b's', b'p', // response topic "re/sp"
        0x09, 0x00, 0x02, 0xde, 0xad, // correlation data de ad
        0x0b, 0x01, // subscription identifier 1
        0x0b, 0xff, 0xff, 0xff, 0x7f, // subscription identifier 268435455 (repeats in PUBLISH)
        0x23, 0x00, 0x07, // topic alias 7
        0x26, 0x00, 0x01, b'a', 0x00, 0x01, b'1', // user property a=1
        0x26, 0x00, 0x01, b'a', 0x00, 0x01, b'2', // user property a=2
        b'{', b'}', // payload "{}"
    ];
    let props = [
        P::PayloadFormatIndicator(1),
        P::MessageExpiryInterval(60),
        P::ContentType("json"),
        P::ResponseTopic("re/sp"),
        P::CorrelationData(&[0xde, 0xad]),
        P::SubscriptionIdentifier(1),
        P::SubscriptionIdentifier(268_435_455),
        P::TopicAlias(7),
        P::UserProperty("a", "1"),
        P::UserProperty("a", "2"),
    ];
    let rec = golden(
        V5,
        &bytes,
        Packet::Publish(Publish {
            dup: false,
            qos: QoS::AtLeastOnce,
            retain: false,
            topic: "t/1",
            packet_id: Some(0x1234),
            properties: Properties::from_list(&props),
            payload: b"{}",
        }),
    );
    assert_eq!(&rec[4..9], [4, 3 | ASCII, 0x1234, 61, 2]);
    // property block after the fixed positions
    assert_eq!(
        &rec[9..],
        [
            29, // words
            1, 1, // payload format indicator
            2, 60, // message expiry
            3, 20, 4 | ASCII, // content type
            8, 27, 5 | ASCII, // response topic
            9, 35, 2, // correlation data
            11, 1, 11, 268_435_455, // subscription identifiers
            35, 7, // topic alias
            38, 50, 1 | ASCII, 53, 1 | ASCII, // a=1
            38, 57, 1 | ASCII, 60, 1 | ASCII, // a=2
        ]
    );
}

#[test]
fn publish_v5_empty_topic_with_alias() {
    golden(
        V5,
        &[
            0x30, 0x07, // PUBLISH qos 0, remaining length 7
            0x00, 0x00, // topic "" (allowed with a topic alias)
            0x03, // property length 3
            0x23, 0x00, 0x07, // topic alias 7
            b'p', // payload "p"
        ],
        Packet::Publish(Publish {
            dup: false,
            qos: QoS::AtMostOnce,
            retain: false,
            topic: "",
            packet_id: None,
            properties: Properties::from_list(&[P::TopicAlias(7)]),
            payload: b"p",
        }),
    );
}

// ======================================================== PUBACK PUBREC PUBREL PUBCOMP

fn ack_packet(first: u8, a: Ack<'_>) -> Packet<'_> {
    match first >> 4 {
        4 => Packet::PubAck(a),
        5 => Packet::PubRec(a),
        6 => Packet::PubRel(a),
        _ => Packet::PubComp(a),
    }
}

#[test]
fn acks_v3() {
    golden_v3(
        &[
            0x40, 0x02, // PUBACK, remaining length 2
            0x00, 0x01, // packet id 1
        ],
        Packet::PubAck(ack(1, None, None)),
    );
    golden_v3(
        &[
            0x50, 0x02, // PUBREC, remaining length 2
            0x12, 0x34, // packet id 0x1234
        ],
        Packet::PubRec(ack(0x1234, None, None)),
    );
    golden_v3(
        &[
            0x62, 0x02, // PUBREL (flags 0010), remaining length 2
            0xff, 0xff, // packet id 65535
        ],
        Packet::PubRel(ack(65535, None, None)),
    );
    let rec = golden(
        V311,
        &[
            0x70, 0x02, // PUBCOMP, remaining length 2
            0x00, 0x07, // packet id 7
        ],
        Packet::PubComp(ack(7, None, None)),
    );
    // messageId, reason code 0 when absent, no property block before 5.0
    assert_eq!(rec, [7 | 4 << 8, 6, 0, 2, 7, 0]);
}

#[test]
fn acks_v5_short_forms_and_properties() {
    // (first byte, a reason code other than success)
    for (first, code) in [(0x40u8, 0x10u8), (0x50, 0x80), (0x62, 0x92), (0x70, 0x92)] {
        // remaining length 2: reason code and properties left out
        let rec = golden(
            V5,
            &[
                first, 0x02, // PUBACK/PUBREC/PUBREL/PUBCOMP, remaining length 2
                0x00, 0x05, // packet id 5
            ],
            ack_packet(first, ack(5, None, None)),
        );
        // messageId, reason 0, P[0] = 0 (no properties)
        assert_eq!(&rec[3..], [2, 5, 0, 0]);
        // remaining length 3: reason code only
        let rec = golden(
            V5,
            &[
                first, 0x03, // remaining length 3
                0x00, 0x05, // packet id 5
                code, // reason code
            ],
            ack_packet(first, ack(5, Some(code), None)),
        );
        assert_eq!(&rec[3..], [3, 5, code as u32, 0]);
        // remaining length 4: reason code and an empty property list
        golden(
            V5,
            &[
                first, 0x04, // remaining length 4
                0x00, 0x05, // packet id 5
                0x00, // reason code 0x00 success
                0x00, // property length 0
            ],
            ack_packet(first, ack(5, Some(0), Some(Properties::from_list(&[])))),
        );
        // with properties
        let props = [P::ReasonString("no"), P::UserProperty("k", "v")];
        let rec = golden(
            V5,
            &[
                first, 16, // remaining length 16
                0x00, 0x05, // packet id 5
                code, // reason code
                12,   // property length 12
                0x1f, 0x00, 0x02, b'n', b'o', // reason string "no"
                0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // user property k=v
            ],
            ack_packet(
                first,
                ack(5, Some(code), Some(Properties::from_list(&props))),
            ),
        );
        assert_eq!(
            &rec[4..],
            [
                5,
                code as u32,
                8,
                31,
                9,
                2 | ASCII,
                38,
                14,
                1 | ASCII,
                17,
                1 | ASCII
            ]
        );
    }
}

// ==================================================================== SUBSCRIBE

#[test]
#[rustfmt::skip] // the tape words are annotated one field per line
fn subscribe_v3_several_filters() {
    let bytes = [
        0x82, 18, // SUBSCRIBE (flags 0010), remaining length 18
        0x00, 0x0a, // packet id 10
        0x00, 0x03, b'a', b'/', b'b', // filter "a/b"
        0x00, // options: qos 0
        0x00, 0x03, b'c', b'/', b'+', // filter "c/+"
        0x01, // options: qos 1
        0x00, 0x01, b'#', // filter "#"
        0x02, // options: qos 2
    ];
    let o = |q| SubscriptionOptions {
        qos: q,
        ..Default::default()
    };
    let filters = [
        ("a/b", o(QoS::AtMostOnce)),
        ("c/+", o(QoS::AtLeastOnce)),
        ("#", o(QoS::ExactlyOnce)),
    ];
    let expected = Packet::Subscribe(Subscribe {
        packet_id: 10,
        properties: no_props(),
        filters: Filters::from_list(&filters),
    });
    golden(V31, &bytes, expected);
    let rec = golden(V311, &bytes, expected);
    // messageId, count, N x (filter string, options)
    assert_eq!(
        rec,
        [
            8 | 2 << 4 | 4 << 8,
            4 + 2 + 9,
            0,
            18,
            10,
            3,
            6, 3 | ASCII, 0,
            12, 3 | ASCII, 1,
            18, 1 | ASCII, 2,
        ]
    );
    let Packet::Subscribe(s) = parse(&bytes, V311).unwrap().complete().unwrap().0 else {
        panic!()
    };
    assert_eq!(s.filters.len(), 3);
    assert!(!s.filters.is_empty());
}

#[test]
#[rustfmt::skip] // the tape words are annotated one field per line
fn subscribe_v5_all_option_bits() {
    let bytes = [
        0x82, 50, // SUBSCRIBE, remaining length 50
        0x00, 0x01, // packet id 1
        10,   // property length 10
        0x0b, 0x80, 0x01, // subscription identifier 128 (two-byte varint)
        0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // user property k=v
        0x00, 0x01, b'a', // filter "a"
        0x00, // options: qos 0
        0x00, 0x03, b'b', b'/', b'+', // filter "b/+"
        0x05, // options: no local, qos 1
        0x00, 0x03, b'c', b'/', b'#', // filter "c/#"
        0x0a, // options: retain as published, qos 2
        0x00, 0x01, b'd', // filter "d"
        0x10, // options: retain handling 1
        0x00, 0x0a, b'$', b's', b'h', b'a', b'r', b'e', b'/', b'g', b'/', b'e', // filter "$share/g/e"
        0x21, // options: retain handling 2, qos 1
        0x00, 0x01, b'f', // filter "f"
        0x2e, // options: retain handling 2, retain as published, no local, qos 2
    ];
    let opts = |qos, no_local, retain_as_published, retain_handling| SubscriptionOptions {
        qos,
        no_local,
        retain_as_published,
        retain_handling,
    };
    let filters = [
        ("a", opts(QoS::AtMostOnce, false, false, 0)),
        ("b/+", opts(QoS::AtLeastOnce, true, false, 0)),
        ("c/#", opts(QoS::ExactlyOnce, false, true, 0)),
        ("d", opts(QoS::AtMostOnce, false, false, 1)),
        ("$share/g/e", opts(QoS::AtLeastOnce, false, false, 2)),
        ("f", opts(QoS::ExactlyOnce, true, true, 2)),
    ];
    let props = [P::SubscriptionIdentifier(128), P::UserProperty("k", "v")];
    let rec = golden(
        V5,
        &bytes,
        Packet::Subscribe(Subscribe {
            packet_id: 1,
            properties: Properties::from_list(&props),
            filters: Filters::from_list(&filters),
        }),
    );
    assert_eq!(
        &rec[4..],
        [
            1, // messageId
            7, 11, 128, 38, 11, 1 | ASCII, 14, 1 | ASCII, // properties
            6, // count
            17, 1 | ASCII, 0x00,
            21, 3 | ASCII, 0x05,
            27, 3 | ASCII, 0x0a,
            33, 1 | ASCII, 0x10,
            37, 10 | ASCII, 0x21,
            50, 1 | ASCII, 0x2e,
        ]
    );
    for (_, o) in filters {
        assert_eq!(SubscriptionOptions::from_byte(o.to_byte(), V5), Ok(o));
    }
}

// ======================================================================= SUBACK

#[test]
fn suback_v3_all_codes() {
    let bytes = [
        0x90, 0x06, // SUBACK, remaining length 6
        0x00, 0x0a, // packet id 10
        0x00, 0x01, 0x02, 0x80, // return codes: qos 0, 1, 2, failure
    ];
    let expected = Packet::SubAck(SubAck {
        packet_id: 10,
        properties: no_props(),
        return_codes: &[0, 1, 2, 0x80],
    });
    golden(V31, &bytes, expected);
    let rec = golden(V311, &bytes, expected);
    // messageId, codes offset, count
    assert_eq!(rec, [9 | 4 << 8, 7, 0, 6, 10, 4, 4]);
}

#[test]
fn suback_v5_all_codes_and_properties() {
    let codes = [
        0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2,
    ];
    let mut bytes = vec![
        0x90, 15, // SUBACK, remaining length 15
        0x00, 0x0a, // packet id 10
        0x00, // property length 0
    ];
    bytes.extend_from_slice(&codes); // the 12 reason codes of table 3-8
    let rec = golden(
        V5,
        &bytes,
        Packet::SubAck(SubAck {
            packet_id: 10,
            properties: no_props(),
            return_codes: &codes,
        }),
    );
    assert_eq!(&rec[4..], [10, 0, 5, 12]);
    let props = [P::ReasonString("r"), P::UserProperty("k", "v")];
    golden(
        V5,
        &[
            0x90, 15, // SUBACK, remaining length 15
            0x00, 0x01, // packet id 1
            11,   // property length 11
            0x1f, 0x00, 0x01, b'r', // reason string "r"
            0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // user property k=v
            0x00, // reason code granted qos 0
        ],
        Packet::SubAck(SubAck {
            packet_id: 1,
            properties: Properties::from_list(&props),
            return_codes: &[0],
        }),
    );
}

// ================================================================== UNSUBSCRIBE

#[test]
fn unsubscribe_v3() {
    let bytes = [
        0xa2, 10, // UNSUBSCRIBE (flags 0010), remaining length 10
        0x00, 0x0b, // packet id 11
        0x00, 0x01, b'a', // filter "a"
        0x00, 0x03, b'b', b'/', b'#', // filter "b/#"
    ];
    let expected = Packet::Unsubscribe(Unsubscribe {
        packet_id: 11,
        properties: no_props(),
        filters: TopicList::from_list(&["a", "b/#"]),
    });
    golden(V31, &bytes, expected);
    let rec = golden(V311, &bytes, expected);
    // messageId, count, N x filter string
    assert_eq!(
        rec,
        [
            10 | 2 << 4 | 4 << 8,
            10,
            0,
            10,
            11,
            2,
            6,
            1 | ASCII,
            9,
            3 | ASCII
        ]
    );
}

#[test]
fn unsubscribe_v5() {
    let bytes = [
        0xa2, 27, // UNSUBSCRIBE, remaining length 27
        0x00, 0x0b, // packet id 11
        7,    // property length 7
        0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // user property k=v
        0x00, 0x03, b'a', b'/', b'+', // filter "a/+"
        0x00, 0x0a, b'$', b's', b'h', b'a', b'r', b'e', b'/', b'g', b'/',
        b'x', // filter "$share/g/x"
    ];
    let props = [P::UserProperty("k", "v")];
    let rec = golden(
        V5,
        &bytes,
        Packet::Unsubscribe(Unsubscribe {
            packet_id: 11,
            properties: Properties::from_list(&props),
            filters: TopicList::from_list(&["a/+", "$share/g/x"]),
        }),
    );
    assert_eq!(
        &rec[4..],
        [
            11,
            5,
            38,
            8,
            1 | ASCII,
            11,
            1 | ASCII,
            2,
            14,
            3 | ASCII,
            19,
            10 | ASCII
        ]
    );
}

// ===================================================================== UNSUBACK

#[test]
fn unsuback_v3() {
    let bytes = [
        0xb0, 0x02, // UNSUBACK, remaining length 2
        0x00, 0x0b, // packet id 11
    ];
    let expected = Packet::UnsubAck(UnsubAck {
        packet_id: 11,
        properties: no_props(),
        reason_codes: &[],
    });
    golden(V31, &bytes, expected);
    let rec = golden(V311, &bytes, expected);
    // messageId, codes offset, count 0 before v5
    assert_eq!(rec, [11 | 4 << 8, 7, 0, 2, 11, 4, 0]);
}

#[test]
fn unsuback_v5_all_codes_and_properties() {
    golden(
        V5,
        &[
            0xb0, 10, // UNSUBACK, remaining length 10
            0x00, 0x0b, // packet id 11
            0x00, // property length 0
            0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91, // the 7 reason codes of table 3-9
        ],
        Packet::UnsubAck(UnsubAck {
            packet_id: 11,
            properties: no_props(),
            reason_codes: &[0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
        }),
    );
    let props = [P::ReasonString("x")];
    let rec = golden(
        V5,
        &[
            0xb0, 8, // UNSUBACK, remaining length 8
            0x00, 0x0b, // packet id 11
            0x04, // property length 4
            0x1f, 0x00, 0x01, b'x', // reason string "x"
            0x00, // reason code success
        ],
        Packet::UnsubAck(UnsubAck {
            packet_id: 11,
            properties: Properties::from_list(&props),
            reason_codes: &[0],
        }),
    );
    assert_eq!(&rec[4..], [11, 3, 31, 8, 1 | ASCII, 9, 1]);
    golden(
        V5,
        &[
            0xb0, 3, // UNSUBACK, remaining length 3
            0x00, 0x0b, // packet id 11
            0x00, // property length 0 (no reason codes)
        ],
        Packet::UnsubAck(UnsubAck {
            packet_id: 11,
            properties: no_props(),
            reason_codes: &[],
        }),
    );
}

// ============================================================ PINGREQ PINGRESP

#[test]
fn ping_all_versions() {
    for v in [V31, V311, V5] {
        let rec = golden(
            v,
            &[
                0xc0, 0x00, // PINGREQ, remaining length 0
            ],
            Packet::PingReq,
        );
        assert_eq!(rec, [12 | (v.level() as u32) << 8, 4, 0, 0]);
        golden(
            v,
            &[
                0xd0, 0x00, // PINGRESP, remaining length 0
            ],
            Packet::PingResp,
        );
    }
}

// =================================================================== DISCONNECT

#[test]
fn disconnect_v3() {
    let rec = golden(
        V31,
        &[
            0xe0, 0x00, // DISCONNECT, remaining length 0
        ],
        Packet::Disconnect(Disconnect {
            reason_code: None,
            properties: None,
        }),
    );
    assert_eq!(rec, [14 | 3 << 8, 5, 0, 0, 0]);
    golden(
        V311,
        &[0xe0, 0x00],
        Packet::Disconnect(Disconnect {
            reason_code: None,
            properties: None,
        }),
    );
}

#[test]
fn disconnect_v5_short_forms_and_properties() {
    let rec = golden(
        V5,
        &[
            0xe0, 0x00, // DISCONNECT, remaining length 0
        ],
        Packet::Disconnect(Disconnect {
            reason_code: None,
            properties: None,
        }),
    );
    assert_eq!(&rec[4..], [0, 0]);
    golden(
        V5,
        &[
            0xe0, 0x01, // DISCONNECT, remaining length 1
            0x04, // reason code 0x04 disconnect with will message
        ],
        Packet::Disconnect(Disconnect {
            reason_code: Some(4),
            properties: None,
        }),
    );
    golden(
        V5,
        &[
            0xe0, 0x02, // DISCONNECT, remaining length 2
            0x00, // reason code normal disconnection
            0x00, // property length 0
        ],
        Packet::Disconnect(Disconnect {
            reason_code: Some(0),
            properties: Some(no_props()),
        }),
    );
    let props = [
        P::SessionExpiryInterval(0),
        P::ServerReference("s"),
        P::ReasonString("bye"),
        P::UserProperty("k", "v"),
    ];
    let rec = golden(
        V5,
        &[
            0xe0, 24,   // DISCONNECT, remaining length 24
            0x9c, // reason code 0x9c use another server
            22,   // property length 22
            0x11, 0x00, 0x00, 0x00, 0x00, // session expiry interval 0
            0x1c, 0x00, 0x01, b's', // server reference "s"
            0x1f, 0x00, 0x03, b'b', b'y', b'e', // reason string "bye"
            0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // user property k=v
        ],
        Packet::Disconnect(Disconnect {
            reason_code: Some(0x9c),
            properties: Some(Properties::from_list(&props)),
        }),
    );
    assert_eq!(
        &rec[4..],
        [
            0x9c,
            13,
            17,
            0,
            28,
            12,
            1 | ASCII,
            31,
            16,
            3 | ASCII,
            38,
            22,
            1 | ASCII,
            25,
            1 | ASCII
        ]
    );
}

// ========================================================================= AUTH

#[test]
fn auth_v5_short_forms_and_properties() {
    golden(
        V5,
        &[
            0xf0, 0x00, // AUTH, remaining length 0
        ],
        Packet::Auth(Auth {
            reason_code: None,
            properties: None,
        }),
    );
    golden(
        V5,
        &[
            0xf0, 0x01, // AUTH, remaining length 1
            0x18, // reason code 0x18 continue authentication
        ],
        Packet::Auth(Auth {
            reason_code: Some(0x18),
            properties: None,
        }),
    );
    golden(
        V5,
        &[
            0xf0, 0x02, // AUTH, remaining length 2
            0x00, // reason code success
            0x00, // property length 0
        ],
        Packet::Auth(Auth {
            reason_code: Some(0),
            properties: Some(no_props()),
        }),
    );
    let props = [
        P::AuthenticationMethod("SCRAM"),
        P::AuthenticationData(&[1, 2, 3]),
        P::ReasonString("go"),
        P::UserProperty("k", "v"),
    ];
    let rec = golden(
        V5,
        &[
            0xf0, 28,   // AUTH, remaining length 28
            0x19, // reason code 0x19 re-authenticate
            26,   // property length 26
            0x15, 0x00, 0x05, b'S', b'C', b'R', b'A', b'M', // authentication method "SCRAM"
            0x16, 0x00, 0x03, 0x01, 0x02, 0x03, // authentication data 01 02 03
            0x1f, 0x00, 0x02, b'g', b'o', // reason string "go"
            0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v', // user property k=v
        ],
        Packet::Auth(Auth {
            reason_code: Some(0x19),
            properties: Some(Properties::from_list(&props)),
        }),
    );
    assert_eq!(
        &rec[4..],
        [
            0x19,
            14,
            21,
            7,
            5 | ASCII,
            22,
            15,
            3,
            31,
            21,
            2 | ASCII,
            38,
            26,
            1 | ASCII,
            29,
            1 | ASCII
        ]
    );
}

// ================================================================ all 27 ids

#[test]
fn every_property_id_appears_in_a_golden_vector() {
    // The ids used above (CONNECT, will, CONNACK, PUBLISH): all 27.
    let used: std::collections::BTreeSet<u8> = [
        17, 21, 22, 23, 25, 33, 34, 38, 39, // CONNECT
        24, 1, 2, 3, 8, 9, // will
        18, 19, 26, 28, 31, 36, 37, 40, 41, 42, // CONNACK
        11, 35, // PUBLISH
    ]
    .into_iter()
    .collect();
    let all: std::collections::BTreeSet<u8> = PropertyId::ALL.iter().map(|&id| id as u8).collect();
    assert_eq!(used, all);
}

// ========================================================== streams & offsets

#[test]
fn a_stream_of_packets_through_decoder_and_tape() {
    // CONNECT 5.0 (switches a 3.1.1 connection to 5.0), then 5.0 packets.
    let stream: Vec<u8> = [
        &[
            0x10, 13, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x00,
        ][..],
        &[0x40, 0x03, 0x00, 0x05, 0x10][..], // PUBACK with reason code (5.0 only)
        &[0x30, 0x08, 0x00, 0x03, b'a', b'/', b'b', 0x00, b'h', b'i'][..], // PUBLISH 5.0
        &[0xf0, 0x00][..],                   // AUTH
    ]
    .concat();
    let mut dec = Decoder::new(V311);
    let mut buf = BytesMut::from(&stream[..]);
    let mut types = Vec::new();
    while let Status::Complete(f) = dec.decode(&mut buf).unwrap() {
        types.push(f.packet().unwrap().packet_type());
        assert_eq!(f.version(), V5);
    }
    assert_eq!(
        types,
        [
            PacketType::Connect,
            PacketType::PubAck,
            PacketType::Publish,
            PacketType::Auth
        ]
    );
    assert_eq!(dec.version(), V5);

    let mut t = [0u32; 128];
    // Start at a non-zero offset: all offsets are absolute.
    let mut padded = vec![0xffu8; 3];
    padded.extend_from_slice(&stream);
    padded.push(0x30); // first byte of an incomplete packet
    let st = tape::frame(&padded, 3, padded.len(), 4, 0, &mut t);
    assert_eq!(st, tape::Status::Partial);
    assert_eq!(t[1] as usize, padded.len() - 1);
    assert_eq!(t[2], 0, "fixed header incomplete: size unknown");
    assert_eq!(t[5], 4);
    assert_eq!(t[6], 5);
    let mut r = HEADER_WORDS;
    let mut offsets = Vec::new();
    for _ in 0..4 {
        offsets.push(t[r + 2]);
        assert_eq!((t[r] >> 8) & 0xff, 5);
        r += t[r + 1] as usize;
    }
    assert_eq!(offsets, [3, 18, 23, 33]);
    // The third record, PUBLISH at 23: topic at 27, messageId 0, payload at 31, P[0] = 0
    let mut r = HEADER_WORDS;
    r += t[r + 1] as usize;
    r += t[r + 1] as usize;
    assert_eq!(&t[r + 4..r + 10], [27, 3 | ASCII, 0, 31, 2, 0]);
    // PARTIAL with a complete fixed header reports the packet's total size.
    let st = tape::frame(
        &stream[..stream.len() - 3],
        0,
        stream.len() - 3,
        5,
        0,
        &mut t,
    );
    assert_eq!(st, tape::Status::Partial);
    assert_eq!(t[1], 20);
    assert_eq!(t[2], 10);
}
