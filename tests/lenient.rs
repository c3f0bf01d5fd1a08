//! Lenient mode (`Limits::strict(false)`, tape config bit `tape::LENIENT`):
//! mqtt-packet's leniency for exactly the error kinds of
//! `ErrorKind::relaxed_when_lenient`.
//!
//! For each relaxed kind, packets that fail strictly with that error parse
//! leniently with `parse_with` and frame with `tape::frame` + `LENIENT` to
//! `Done`. The cases are the same bytes as `__test__/helpers/lenient-packets.js`
//! (`lenientCases()`). Then the lenient 5.0 CONNACK short forms and the checks
//! that stay in both modes.

use mqttwire::tape::{self, Status as TapeStatus, HEADER_WORDS, LENIENT};
use mqttwire::{parse, parse_with, ErrorKind, Limits, Packet, Status, Version};

/// (relaxed kind, protocol version, packet bytes in hex)
const CASES: &[(&str, u8, &str)] = &[
    ("NullCharacter", 4, "30050003610062"),
    ("NullCharacter", 4, "100e00044d5154540402001e00026300"),
    (
        "NullCharacter",
        4,
        "101800044d5154540486001e0001630002770000017800027500",
    ),
    ("NullCharacter", 4, "820700010002610001"),
    ("NullCharacter", 4, "a2050001000100"),
    ("NullCharacter", 5, "4009000100051f00027200"),
    ("NullCharacter", 5, "300d000174092600026b0000020076"),
    (
        "ProtocolNameMismatch",
        4,
        "100f00064d51497364700402001e000163",
    ),
    (
        "ProtocolNameMismatch",
        4,
        "100f00064d51497364700402001e000163",
    ),
    ("ProtocolNameMismatch", 4, "100d00044d5154540302001e000163"),
    (
        "ProtocolNameMismatch",
        4,
        "101400064d51497364708400001e0006627269646765",
    ),
    (
        "PasswordWithoutUsername",
        4,
        "101100044d5154540442001e00016300027077",
    ),
    (
        "PasswordWithoutUsername",
        3,
        "101100064d51497364700340001e0001630000",
    ),
    ("InvalidConnackCode", 4, "20020006"),
    ("InvalidConnackCode", 3, "20020107"),
    ("InvalidConnackCode", 5, "2003000100"),
    ("TopicWildcard", 4, "30080003612f23010203"),
    ("TopicWildcard", 4, "320800032b2f78000709"),
    ("TopicWildcard", 5, "30050001230061"),
    (
        "TopicWildcard",
        4,
        "101a00044d515454040e001e000163000677696c6c2f230003627965",
    ),
    (
        "TopicWildcard",
        5,
        "101400044d5154540506001e000001630000012b0000",
    ),
    ("EmptyTopic", 4, "3003000061"),
    ("EmptyTopic", 3, "340400000003"),
    ("EmptyTopic", 5, "3003000000"),
    ("EmptyTopic", 5, "320700000009020101"),
    (
        "EmptyTopic",
        4,
        "101400044d5154540406001e00016300000003627965",
    ),
    (
        "EmptyTopic",
        3,
        "101300064d5149736470032e001e00016300000000",
    ),
    (
        "EmptyTopic",
        5,
        "101300044d5154540506001e000001630000000000",
    ),
    ("ZeroPacketId", 4, "3206000161000078"),
    ("ZeroPacketId", 5, "3406000161000000"),
    ("ZeroPacketId", 4, "40020000"),
    ("ZeroPacketId", 4, "50020000"),
    ("ZeroPacketId", 4, "62020000"),
    ("ZeroPacketId", 4, "70020000"),
    ("ZeroPacketId", 5, "4003000010"),
    ("ZeroPacketId", 5, "5008000000041f000172"),
    ("ZeroPacketId", 4, "820800000003612f2b01"),
    ("ZeroPacketId", 4, "9006000000010280"),
    ("ZeroPacketId", 4, "a2050000000161"),
    ("ZeroPacketId", 4, "b0020000"),
    ("ZeroPacketId", 5, "b00400000011"),
    ("NoTopicFilters", 4, "82020001"),
    ("NoTopicFilters", 5, "8203000100"),
    ("NoTopicFilters", 4, "a2020002"),
    ("NoTopicFilters", 5, "a20a00020726000161000162"),
    ("InvalidTopicFilter", 4, "820700010002612301"),
    (
        "InvalidTopicFilter",
        5,
        "82100001000005612f232f622a00026f6b00",
    ),
    ("InvalidTopicFilter", 4, "a20800010002612b0000"),
    (
        "SharedSubscriptionNoLocal",
        5,
        "8210000300000a2473686172652f672f7405",
    ),
    ("NoReturnCodes", 4, "90020001"),
    ("NoReturnCodes", 5, "90090001061f0003776879"),
    ("PropertyNotAllowed", 5, "400700010003230001"),
    ("PropertyNotAllowed", 5, "3009000174051100000009"),
    (
        "PropertyNotAllowed",
        5,
        "101300044d5154540502001e051800000001000163",
    ),
    (
        "PropertyNotAllowed",
        5,
        "101a00044d5154540506001e00000163051100000005000177000170",
    ),
    ("PropertyNotAllowed", 5, "e00400020b05"),
    ("DuplicateProperty", 5, "400c000100081f0001611f000162"),
    ("DuplicateProperty", 5, "300e0001740a23000123000201000101"),
    ("DuplicateProperty", 5, "820b0001040b010b0200016100"),
    ("DuplicateProperty", 5, "200b0000082100052100062401"),
    ("InvalidPropertyValue", 5, "20050000022402"),
    ("InvalidPropertyValue", 5, "3006000174020107"),
    (
        "InvalidPropertyValue",
        5,
        "101800044d5154540502001e0a21000017022700000000000163",
    ),
    ("InvalidPropertyValue", 5, "20080000052700000000"),
    ("PublishDupQos0", 4, "380400017478"),
    ("PublishDupQos0", 3, "39050003612f62"),
    ("PublishDupQos0", 5, "38050001740078"),
    ("ConnackSessionPresent", 4, "20020105"),
    ("ConnackSessionPresent", 5, "2003018700"),
];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn version(v: u8) -> Version {
    Version::from_level(v).unwrap()
}

fn lenient() -> Limits {
    Limits::new().strict(false)
}

/// The kind's name as in lib/errors.js (the variant name).
fn kind_name(k: ErrorKind) -> String {
    let s = format!("{k:?}");
    s.split('(').next().unwrap().to_string()
}

fn frame(bytes: &[u8], config: u32) -> Vec<u32> {
    let mut t = vec![0u32; 4096];
    tape::frame(bytes, 0, bytes.len(), config, 0, &mut t);
    t
}

const RELAXED: &[&str] = &[
    "NullCharacter",
    "ProtocolNameMismatch",
    "PasswordWithoutUsername",
    "InvalidConnackCode",
    "TopicWildcard",
    "EmptyTopic",
    "ZeroPacketId",
    "NoTopicFilters",
    "InvalidTopicFilter",
    "SharedSubscriptionNoLocal",
    "NoReturnCodes",
    "PropertyNotAllowed",
    "DuplicateProperty",
    "InvalidPropertyValue",
    "PublishDupQos0",
    "ConnackSessionPresent",
];

#[test]
fn every_relaxed_kind_has_cases() {
    for k in RELAXED {
        assert!(CASES.iter().any(|c| c.0 == *k), "no case for {k}");
    }
    // and relaxed_when_lenient is exactly that list (every code 1..=44)
    let mut relaxed = Vec::new();
    for code in 1..=44u32 {
        for param in [0u32, 4, 8, 10, 0x123, 0x0123] {
            if let Some(k) = ErrorKind::from_code(code, param) {
                if k.relaxed_when_lenient() {
                    relaxed.push(kind_name(k));
                }
                // every relaxed kind is one mqtt-packet accepts
                assert!(!k.relaxed_when_lenient() || k.is_stricter_than_mqtt_packet());
                break;
            }
        }
    }
    let mut want: Vec<String> = RELAXED.iter().map(|s| s.to_string()).collect();
    want.sort();
    relaxed.sort();
    assert_eq!(relaxed, want);
}

#[test]
fn strict_rejects_lenient_accepts() {
    for &(kind, v, h) in CASES {
        let bytes = hex(h);
        let ver = version(v);
        // strict: that error
        let err = match parse(&bytes, ver) {
            Err(e) => e,
            Ok(s) => panic!("{kind} {h}: strict parse gave {s:?}"),
        };
        assert_eq!(kind_name(err.kind), kind, "{h}");
        assert!(err.kind.relaxed_when_lenient(), "{kind}");
        assert!(
            err.offset <= bytes.len(),
            "{kind} {h}: offset {}",
            err.offset
        );
        // lenient: the whole packet
        match parse_with(&bytes, ver, &lenient()) {
            Ok(Status::Complete((_, used))) => assert_eq!(used, bytes.len(), "{kind} {h}"),
            other => panic!("{kind} {h}: lenient parse gave {other:?}"),
        }
        // the tape: strict error with that code, lenient Done with one record
        let t = frame(&bytes, v as u32);
        assert_eq!(t[0], TapeStatus::Error as u32, "{kind} {h}");
        assert_eq!(t[2], err.kind.code(), "{kind} {h}");
        assert_eq!(t[4] as usize, err.offset, "{kind} {h}");
        let t = frame(&bytes, v as u32 | LENIENT);
        assert_eq!(t[0], TapeStatus::Done as u32, "{kind} {h}");
        assert_eq!(t[5], 1, "{kind} {h}");
        assert_eq!(t[1] as usize, bytes.len());
        // every prefix: Partial in both modes (never an error for a cut packet
        // that is otherwise acceptable), and never a panic
        for cut in 0..bytes.len() {
            let t = frame(&bytes[..cut], v as u32 | LENIENT);
            assert_ne!(t[0], TapeStatus::Error as u32, "{kind} {h} cut {cut}");
        }
    }
}

#[test]
fn lenient_values() {
    // PUBLISH QoS 1, topic 'a/#', packet id 0
    let b = [0x32, 0x07, 0x00, 0x03, b'a', b'/', b'#', 0x00, 0x00];
    assert_eq!(
        parse(&b, Version::V3_1_1).unwrap_err().kind,
        ErrorKind::TopicWildcard
    );
    match parse_with(&b, Version::V3_1_1, &lenient()).unwrap() {
        Status::Complete((Packet::Publish(p), 9)) => {
            assert_eq!(p.topic, "a/#");
            assert_eq!(p.packet_id, Some(0));
            assert!(p.payload.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // U+0000 kept in the string
    let b = [0x30, 0x04, 0x00, 0x02, b'a', 0x00];
    match parse_with(&b, Version::V3_1_1, &lenient()).unwrap() {
        Status::Complete((Packet::Publish(p), _)) => assert_eq!(p.topic, "a\0"),
        other => panic!("{other:?}"),
    }
    // MQIsdp at level 4: parsed as 3.1.1, the tape records the name from the bytes
    let b = [
        0x10, 0x0f, 0x00, 0x06, b'M', b'Q', b'I', b's', b'd', b'p', 0x04, 0x02, 0x00, 0x1e, 0x00,
        0x01, b'c',
    ];
    match parse_with(&b, Version::V3_1_1, &lenient()).unwrap() {
        Status::Complete((Packet::Connect(c), 17)) => assert_eq!(c.protocol, Version::V3_1_1),
        other => panic!("{other:?}"),
    }
    let t = frame(&b, 4 | LENIENT);
    assert_eq!(t[0], TapeStatus::Done as u32);
    let r = HEADER_WORDS;
    assert_eq!(t[r + 4], 4); // protocolId offset
    assert_eq!(t[r + 5] & 0xffff, 6); // 'MQIsdp'
    assert_eq!(t[r + 6], 4); // level
    assert_eq!(t[6] & 0xff, 4); // version in force after the CONNECT
                                // DUP with QoS 0: kept as sent (the encoder refuses it)
    let b = [0x38, 0x04, 0x00, 0x01, b't', b'x'];
    match parse_with(&b, Version::V3_1_1, &lenient()).unwrap() {
        Status::Complete((p @ Packet::Publish(publish), 6)) => {
            assert!(publish.dup);
            assert_eq!(publish.qos, mqttwire::QoS::AtMostOnce);
            assert_eq!(publish.payload, b"x");
            assert_eq!(
                p.to_vec(Version::V3_1_1),
                Err(mqttwire::EncodeError::Invalid(ErrorKind::PublishDupQos0))
            );
        }
        other => panic!("{other:?}"),
    }
    let t = frame(&b, 4 | LENIENT);
    assert_eq!(t[0], TapeStatus::Done as u32);
    assert_eq!((t[r] >> 4) & 0xf, 0x8); // the flags as sent
                                        // CONNACK: Session Present with return code 5
    match parse_with(&[0x20, 0x02, 0x01, 0x05], Version::V3_1_1, &lenient()).unwrap() {
        Status::Complete((Packet::ConnAck(c), 4)) => {
            assert!(c.session_present);
            assert_eq!(c.code, 5);
        }
        other => panic!("{other:?}"),
    }
    // an empty will topic
    let b = hex("101400044d5154540406001e00016300000003627965");
    match parse_with(&b, Version::V3_1_1, &lenient()).unwrap() {
        Status::Complete((Packet::Connect(c), 22)) => {
            let w = c.will.unwrap();
            assert_eq!((w.topic, w.payload), ("", &b"bye"[..]));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn connack_short_forms_v5() {
    // remaining length 1: reason code 0, no properties
    for flags in [0u8, 1] {
        let b = [0x20, 0x01, flags];
        assert!(
            parse(&b, Version::V5).is_err(),
            "strict: reason code required"
        );
        match parse_with(&b, Version::V5, &lenient()).unwrap() {
            Status::Complete((Packet::ConnAck(c), 3)) => {
                assert_eq!(c.session_present, flags == 1);
                assert_eq!(c.code, 0);
                assert!(c.properties.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let t = frame(&b, 5 | LENIENT);
        assert_eq!(t[0], TapeStatus::Done as u32);
        let r = HEADER_WORDS;
        assert_eq!(&t[r + 4..r + 7], &[flags as u32, 0, 0]); // flags, code, P[0] = 0
        assert_eq!(t[r + 1], 7);
    }
    // remaining length 2: the code byte (any value), no properties
    for code in [0u8, 1, 5, 0x80, 0x87, 0xff] {
        let b = [0x20, 0x02, 0x00, code];
        assert!(
            parse(&b, Version::V5).is_err(),
            "strict: property length required"
        );
        match parse_with(&b, Version::V5, &lenient()).unwrap() {
            Status::Complete((Packet::ConnAck(c), 4)) => {
                assert!(!c.session_present);
                assert_eq!(c.code, code);
                assert!(c.properties.is_empty());
            }
            other => panic!("{other:?}"),
        }
        let t = frame(&b, 5 | LENIENT);
        assert_eq!(t[0], TapeStatus::Done as u32);
        let r = HEADER_WORDS;
        assert_eq!(&t[r + 4..r + 7], &[0, code as u32, 0]);
    }
    // remaining length 0 and reserved flags are still errors
    assert_eq!(
        parse_with(&[0x20, 0x00], Version::V5, &lenient())
            .unwrap_err()
            .kind,
        ErrorKind::Truncated(mqttwire::Field::ConnackFlags)
    );
    assert_eq!(
        parse_with(&[0x20, 0x01, 0x02], Version::V5, &lenient())
            .unwrap_err()
            .kind,
        ErrorKind::ConnackReservedFlags
    );
    // 3.1.1: no short form, the return code is required in both modes
    assert!(parse_with(&[0x20, 0x01, 0x00], Version::V3_1_1, &lenient()).is_err());
    // with 3 bytes or more the properties are parsed (leniently)
    let b = [0x20, 0x05, 0x00, 0x09, 0x02, 0x24, 0x02]; // code 9, maximumQoS 2
    assert!(parse(&b, Version::V5).is_err());
    assert!(matches!(
        parse_with(&b, Version::V5, &lenient()),
        Ok(Status::Complete((Packet::ConnAck(_), 7)))
    ));
}

#[test]
fn checked_in_both_modes() {
    let l = lenient();
    let kind = |b: &[u8], v: Version| parse_with(b, v, &l).unwrap_err().kind;
    use mqttwire::PacketType as T;
    assert!(matches!(
        kind(&[0x30, 0x03, 0x00, 0x01, 0xff], Version::V3_1_1),
        ErrorKind::InvalidUtf8(_)
    ));
    assert_eq!(
        kind(&[0x30, 0x80, 0x00], Version::V3_1_1),
        ErrorKind::VarIntNotMinimal
    );
    assert_eq!(
        kind(&[0x40, 0x03, 0x00, 0x01, 0x00], Version::V3_1_1),
        ErrorKind::TrailingBytes(T::PubAck)
    );
    assert_eq!(
        kind(&[0x41, 0x02, 0x00, 0x01], Version::V3_1_1),
        ErrorKind::InvalidHeaderFlags(T::PubAck)
    );
    assert_eq!(
        kind(&[0x40, 0x03, 0x00, 0x01, 0x05], Version::V5),
        ErrorKind::InvalidReasonCode(T::PubAck)
    );
    assert_eq!(
        kind(&[0x90, 0x03, 0x00, 0x01, 0x03], Version::V3_1_1),
        ErrorKind::InvalidSubackCode(4)
    );
    assert_eq!(
        kind(&[0x40, 0x05, 0x00, 0x01, 0x00, 0x01, 0x7f], Version::V5),
        ErrorKind::UnknownProperty(0x7f)
    );
    // will QoS 3
    let b = [
        0x10, 0x12, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x1e, 0x00, 0x00, 0x00, 0x01, b'c',
        0x00, 0x01, b'w', 0x00, 0x01,
    ];
    assert_eq!(kind(&b[..20], Version::V3_1_1), ErrorKind::WillQos3);
    // max packet size
    let small = Limits::new().strict(false).max_packet_size(10);
    assert_eq!(
        parse_with(&[0x30, 20], Version::V3_1_1, &small)
            .unwrap_err()
            .kind,
        ErrorKind::PacketTooLarge(10)
    );
}
