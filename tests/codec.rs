//! The tokio codec: its version follows the CONNECT it decodes and the one it
//! encodes; frames and owned bytes are written as they are.
#![cfg(feature = "tokio")]

use bytes::{Bytes, BytesMut};
use mqttwire::codec::MqttCodec;
use mqttwire::{
    Ack, ConnAck, Connect, Packet, Properties, Property, Publish, QoS, ReasonCode, Version,
};
use tokio_util::codec::{Decoder as _, Encoder as _};

/// A 5.0 CONNACK with a property: as 3.1.1 it is malformed (remaining
/// length 5 where 3.1.1 has 2).
fn v5_connack() -> Vec<u8> {
    let props = [Property::ReceiveMaximum(10)];
    Packet::from(ConnAck::new(ReasonCode::SUCCESS).properties(Properties::from_list(&props)))
        .to_vec(Version::V5)
        .unwrap()
}

#[test]
fn client_side_an_encoded_connect_switches_the_version() {
    for (start, connect_version) in [
        (Version::V3_1_1, Version::V5),
        (Version::V5, Version::V3_1_1),
        (Version::V3_1_1, Version::V3_1),
    ] {
        let mut codec = MqttCodec::new(start);
        let mut out = BytesMut::new();
        codec
            .encode(Packet::from(Connect::new(connect_version, "c")), &mut out)
            .unwrap();
        assert_eq!(codec.version(), connect_version);
        // the CONNECT went out in its own version (protocol level byte)
        let level_at = 4 + connect_version.protocol_name().len();
        assert_eq!(out[level_at], connect_version.level());
        if connect_version == Version::V5 {
            let mut input = BytesMut::from(&v5_connack()[..]);
            let frame = codec.decode(&mut input).unwrap().unwrap();
            let Packet::ConnAck(ack) = frame.packet().unwrap() else {
                panic!()
            };
            assert_eq!(ack.properties.receive_maximum(), Some(10));
        }
    }
    // without the switch the same bytes are refused: what the switch fixes
    let mut stale = MqttCodec::new(Version::V3_1_1);
    let mut input = BytesMut::from(&v5_connack()[..]);
    assert!(stale.decode(&mut input).is_err());
}

#[test]
fn server_side_a_decoded_connect_switches_the_version() {
    let mut codec = MqttCodec::new(Version::V3_1_1);
    let bytes = Packet::from(Connect::new(Version::V5, "c"))
        .to_vec(Version::V5)
        .unwrap();
    let mut input = BytesMut::from(&bytes[..]);
    let frame = codec.decode(&mut input).unwrap().unwrap();
    assert!(matches!(frame.packet().unwrap(), Packet::Connect(_)));
    assert_eq!(codec.version(), Version::V5);
    // and the server's answer goes out as 5.0
    let mut out = BytesMut::new();
    let props = [Property::ReceiveMaximum(10)];
    codec
        .encode(
            Packet::from(
                ConnAck::new(ReasonCode::SUCCESS).properties(Properties::from_list(&props)),
            ),
            &mut out,
        )
        .unwrap();
    assert_eq!(&out[..], &v5_connack()[..]);
}

#[test]
fn frames_are_forwarded_without_re_encoding() {
    let mut upstream = MqttCodec::new(Version::V5);
    let publish = Publish::new("a/b", b"hi").qos(QoS::AtLeastOnce, 3);
    let bytes = Packet::from(publish).to_vec(Version::V5).unwrap();
    let mut input = BytesMut::from(&bytes[..]);
    let frame = upstream.decode(&mut input).unwrap().unwrap();
    let mut downstream = MqttCodec::new(Version::V5);
    let mut out = BytesMut::new();
    downstream.encode(frame.clone(), &mut out).unwrap();
    assert_eq!(&out[..], &bytes[..]);
    // a forwarded CONNECT frame switches the downstream codec
    let connect = Packet::from(Connect::new(Version::V3_1, "c"))
        .to_vec(Version::V3_1)
        .unwrap();
    let mut input = BytesMut::from(&connect[..]);
    let frame = upstream.decode(&mut input).unwrap().unwrap();
    downstream.encode(frame, &mut out).unwrap();
    assert_eq!(downstream.version(), Version::V3_1);
}

#[test]
fn owned_bytes_from_a_writer_task() {
    // a packet built from runtime values, sent as Bytes after they are gone
    let (tx, rx) = std::sync::mpsc::channel::<Bytes>();
    for i in 1..=3u16 {
        let topic = format!("t/{i}");
        let payload = vec![i as u8; 3];
        let packet = Packet::from(Publish::new(&topic, &payload).qos(QoS::AtLeastOnce, i));
        tx.send(packet.to_bytes(Version::V3_1_1).unwrap()).unwrap();
    }
    tx.send(
        Packet::PubAck(Ack::new(9))
            .to_bytes(Version::V3_1_1)
            .unwrap(),
    )
    .unwrap();
    drop(tx);
    let mut codec = MqttCodec::new(Version::V3_1_1);
    let mut wire = BytesMut::new();
    for b in rx {
        codec.encode(b, &mut wire).unwrap();
    }
    let mut seen = Vec::new();
    while let Some(frame) = codec.decode(&mut wire).unwrap() {
        match frame.packet().unwrap() {
            Packet::Publish(p) => seen.push((p.topic.to_owned(), p.packet_id)),
            Packet::PubAck(a) => assert_eq!(a.packet_id, 9),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            ("t/1".to_owned(), Some(1)),
            ("t/2".to_owned(), Some(2)),
            ("t/3".to_owned(), Some(3))
        ]
    );
    // encoded CONNECT bytes switch the codec too
    let connect = Packet::from(Connect::new(Version::V5, "c"))
        .to_bytes(Version::V5)
        .unwrap();
    codec.encode(connect, &mut wire).unwrap();
    assert_eq!(codec.version(), Version::V5);
}
