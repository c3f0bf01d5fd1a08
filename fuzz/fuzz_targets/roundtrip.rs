//! Structured packets from `arbitrary`: whatever the encoder accepts, the
//! parser must accept as exactly the same packet, using every byte, and the
//! encoding must be the size `encoded_len` announced. (The byte-level half of
//! the round trip — parse then encode gives the input back — is in `parse`.)
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use mqttwire::properties::Value;
use mqttwire::{
    parse, Ack, Auth, ConnAck, Connect, Disconnect, Filters, Packet, Properties, Property,
    PropertyId, Publish, QoS, Status, SubAck, Subscribe, SubscriptionOptions, TopicList, UnsubAck,
    Unsubscribe, Version, Will,
};

#[derive(Arbitrary, Debug)]
enum V {
    Int(u32),
    Str(String),
    Bin(Vec<u8>),
    Pair(String, String),
}

#[derive(Arbitrary, Debug)]
struct P {
    id: u8,
    v: V,
}

#[derive(Arbitrary, Debug)]
struct WillA {
    qos: u8,
    retain: bool,
    props: Vec<P>,
    topic: String,
    payload: Vec<u8>,
}

#[derive(Arbitrary, Debug)]
enum Kind {
    Connect {
        level: u8,
        bridge: bool,
        clean: bool,
        keep_alive: u16,
        client_id: String,
        will: Option<WillA>,
        username: Option<String>,
        password: Option<Vec<u8>>,
    },
    ConnAck { sp: bool, code: u8 },
    Publish { dup: bool, qos: u8, retain: bool, topic: String, id: Option<u16>, payload: Vec<u8> },
    Ack { ty: u8, id: u16, code: Option<u8>, props: bool },
    Subscribe { id: u16, filters: Vec<(String, u8)> },
    SubAck { id: u16, codes: Vec<u8> },
    Unsubscribe { id: u16, filters: Vec<String> },
    UnsubAck { id: u16, codes: Vec<u8> },
    PingReq,
    PingResp,
    Disconnect { code: Option<u8>, props: bool },
    Auth { code: Option<u8>, props: bool },
}

#[derive(Arbitrary, Debug)]
struct Input {
    version: u8,
    props: Vec<P>,
    kind: Kind,
}

fn build_props<'a>(ps: &'a [P]) -> Vec<Property<'a>> {
    ps.iter()
        .filter_map(|p| {
            let id = PropertyId::ALL[p.id as usize % PropertyId::ALL.len()];
            let v = match &p.v {
                V::Int(i) => Value::Int(*i),
                V::Str(s) => Value::Str(s),
                V::Bin(b) => Value::Bin(b),
                V::Pair(k, v) => Value::Pair(k, v),
            };
            Property::from_value(id, v)
        })
        .collect()
}

/// The one representation the wire cannot keep: a reason code left out
/// (`None`) while properties follow. The encoder writes 0x00 (Success) then,
/// which parses back as `Some(0)`.
fn normalize(p: Packet<'_>) -> Packet<'_> {
    fn fix<'a>(c: Option<u8>, pr: &Option<Properties<'a>>) -> Option<u8> {
        if pr.is_some() { Some(c.unwrap_or(0)) } else { c }
    }
    match p {
        Packet::PubAck(mut a) => { a.reason_code = fix(a.reason_code, &a.properties); Packet::PubAck(a) }
        Packet::PubRec(mut a) => { a.reason_code = fix(a.reason_code, &a.properties); Packet::PubRec(a) }
        Packet::PubRel(mut a) => { a.reason_code = fix(a.reason_code, &a.properties); Packet::PubRel(a) }
        Packet::PubComp(mut a) => { a.reason_code = fix(a.reason_code, &a.properties); Packet::PubComp(a) }
        Packet::Disconnect(mut d) => { d.reason_code = fix(d.reason_code, &d.properties); Packet::Disconnect(d) }
        Packet::Auth(mut a) => { a.reason_code = fix(a.reason_code, &a.properties); Packet::Auth(a) }
        other => other,
    }
}

fn qos(q: u8) -> QoS {
    QoS::from_u8(q % 3).unwrap()
}

fuzz_target!(|input: Input| {
    let version = [Version::V3_1, Version::V3_1_1, Version::V5][input.version as usize % 3];
    let props = build_props(&input.props);
    let props = Properties::from_list(&props);
    let will_props;
    let sub_list: Vec<(&str, SubscriptionOptions)>;
    let unsub_list: Vec<&str>;
    let packet = match &input.kind {
        Kind::Connect { level, bridge, clean, keep_alive, client_id, will, username, password, .. } => {
            let protocol = Version::from_level(*level % 3 + 3).unwrap();
            will_props = will.as_ref().map(|w| build_props(&w.props)).unwrap_or_default();
            Packet::Connect(Connect {
                protocol,
                bridge: *bridge,
                clean_start: *clean,
                keep_alive: *keep_alive,
                properties: props,
                client_id,
                will: will.as_ref().map(|w| Will {
                    qos: qos(w.qos),
                    retain: w.retain,
                    properties: Properties::from_list(&will_props),
                    topic: &w.topic,
                    payload: &w.payload,
                }),
                username: username.as_deref(),
                password: password.as_deref(),
            })
        }
        Kind::ConnAck { sp, code } => {
            Packet::ConnAck(ConnAck { session_present: *sp, code: *code, properties: props })
        }
        Kind::Publish { dup, qos: q, retain, topic, id, payload } => Packet::Publish(Publish {
            dup: *dup,
            qos: qos(*q),
            retain: *retain,
            topic,
            packet_id: *id,
            properties: props,
            payload,
        }),
        Kind::Ack { ty, id, code, props: has } => {
            let a = Ack { packet_id: *id, reason_code: *code, properties: has.then_some(props) };
            match ty % 4 {
                0 => Packet::PubAck(a),
                1 => Packet::PubRec(a),
                2 => Packet::PubRel(a),
                _ => Packet::PubComp(a),
            }
        }
        Kind::Subscribe { id, filters } => {
            sub_list = filters
                .iter()
                .filter_map(|(f, o)| {
                    let o = SubscriptionOptions {
                        qos: qos(*o),
                        no_local: o & 4 != 0,
                        retain_as_published: o & 8 != 0,
                        retain_handling: (o >> 4) % 3,
                    };
                    Some((f.as_str(), o))
                })
                .collect();
            Packet::Subscribe(Subscribe {
                packet_id: *id,
                properties: props,
                filters: Filters::from_list(&sub_list),
            })
        }
        Kind::SubAck { id, codes } => {
            Packet::SubAck(SubAck { packet_id: *id, properties: props, return_codes: codes })
        }
        Kind::Unsubscribe { id, filters } => {
            unsub_list = filters.iter().map(String::as_str).collect();
            Packet::Unsubscribe(Unsubscribe {
                packet_id: *id,
                properties: props,
                filters: TopicList::from_list(&unsub_list),
            })
        }
        Kind::UnsubAck { id, codes } => {
            Packet::UnsubAck(UnsubAck { packet_id: *id, properties: props, reason_codes: codes })
        }
        Kind::PingReq => Packet::PingReq,
        Kind::PingResp => Packet::PingResp,
        Kind::Disconnect { code, props: has } => Packet::Disconnect(Disconnect {
            reason_code: *code,
            properties: has.then_some(props),
        }),
        Kind::Auth { code, props: has } => {
            Packet::Auth(Auth { reason_code: *code, properties: has.then_some(props) })
        }
    };

    let mut out = Vec::new();
    let Ok(n) = packet.encode(version, &mut out) else {
        // Refused: encoded_len must refuse it too, and nothing was written.
        assert!(packet.encoded_len(version).is_err());
        assert!(out.is_empty(), "a refused encode wrote {} bytes", out.len());
        return;
    };
    assert_eq!(n, out.len());
    assert_eq!(packet.encoded_len(version), Ok(n));
    match parse(&out, version) {
        Ok(Status::Complete((back, used))) => {
            assert_eq!(used, out.len(), "parse used {used} of {}", out.len());
            assert_eq!(back, normalize(packet), "round trip changed the packet");
            // And the parsed (wire-form) packet encodes to the same bytes.
            assert_eq!(back.to_vec(version).unwrap(), out);
        }
        other => panic!(
            "encoder accepted what the parser refuses: {other:?}\npacket {packet:?}\nbytes {:02x?}",
            out
        ),
    }
});
