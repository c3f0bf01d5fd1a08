//! Shared by the property tests: owned "model" packets that proptest can
//! generate, and their conversion into borrowed `Packet<'_>` values.
#![allow(dead_code)]

use mqttwire::properties::Value;
use mqttwire::*;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::strategy::Union;

/// An owned v5 property: (id, value).
#[derive(Debug, Clone, PartialEq)]
pub enum PropM {
    Int(u8, u32),
    Str(u8, String),
    Bin(u8, Vec<u8>),
    Pair(String, String),
}

impl PropM {
    pub fn borrow(&self) -> Property<'_> {
        let (id, v) = match self {
            PropM::Int(id, v) => (*id, Value::Int(*v)),
            PropM::Str(id, s) => (*id, Value::Str(s)),
            PropM::Bin(id, b) => (*id, Value::Bin(b)),
            PropM::Pair(k, v) => (38, Value::Pair(k, v)),
        };
        Property::from_value(PropertyId::from_u8(id).unwrap(), v).unwrap()
    }
}

fn borrow_all(v: &[PropM]) -> Vec<Property<'_>> {
    v.iter().map(PropM::borrow).collect()
}

#[derive(Debug, Clone)]
pub struct WillM {
    pub qos: QoS,
    pub retain: bool,
    pub props: Vec<PropM>,
    pub topic: String,
    pub payload: Vec<u8>,
}

/// An owned packet.
#[derive(Debug, Clone)]
pub enum PacketM {
    Connect {
        protocol: Version,
        bridge: bool,
        clean: bool,
        keep_alive: u16,
        props: Vec<PropM>,
        client_id: String,
        will: Option<WillM>,
        username: Option<String>,
        password: Option<Vec<u8>>,
    },
    ConnAck {
        session_present: bool,
        code: u8,
        props: Vec<PropM>,
    },
    Publish {
        dup: bool,
        qos: QoS,
        retain: bool,
        topic: String,
        packet_id: Option<u16>,
        props: Vec<PropM>,
        payload: Vec<u8>,
    },
    /// PUBACK (4), PUBREC (5), PUBREL (6), PUBCOMP (7).
    Ack {
        ty: u8,
        packet_id: u16,
        code: Option<u8>,
        props: Option<Vec<PropM>>,
    },
    Subscribe {
        packet_id: u16,
        props: Vec<PropM>,
        filters: Vec<(String, SubscriptionOptions)>,
    },
    SubAck {
        packet_id: u16,
        props: Vec<PropM>,
        codes: Vec<u8>,
    },
    Unsubscribe {
        packet_id: u16,
        props: Vec<PropM>,
        filters: Vec<String>,
    },
    UnsubAck {
        packet_id: u16,
        props: Vec<PropM>,
        codes: Vec<u8>,
    },
    PingReq,
    PingResp,
    Disconnect {
        code: Option<u8>,
        props: Option<Vec<PropM>>,
    },
    Auth {
        code: Option<u8>,
        props: Option<Vec<PropM>>,
    },
}

impl PacketM {
    /// Call `f` with the borrowed packet this model stands for.
    pub fn with<R>(&self, f: impl FnOnce(Packet<'_>) -> R) -> R {
        match self {
            PacketM::Connect {
                protocol,
                bridge,
                clean,
                keep_alive,
                props,
                client_id,
                will,
                username,
                password,
            } => {
                let p = borrow_all(props);
                let wp = will
                    .as_ref()
                    .map(|w| borrow_all(&w.props))
                    .unwrap_or_default();
                let will = will.as_ref().map(|w| Will {
                    qos: w.qos,
                    retain: w.retain,
                    properties: Properties::from_list(&wp),
                    topic: &w.topic,
                    payload: &w.payload,
                });
                f(Packet::Connect(Connect {
                    protocol: *protocol,
                    bridge: *bridge,
                    clean_start: *clean,
                    keep_alive: *keep_alive,
                    properties: Properties::from_list(&p),
                    client_id,
                    will,
                    username: username.as_deref(),
                    password: password.as_deref(),
                }))
            }
            PacketM::ConnAck {
                session_present,
                code,
                props,
            } => {
                let p = borrow_all(props);
                f(Packet::ConnAck(ConnAck {
                    session_present: *session_present,
                    code: *code,
                    properties: Properties::from_list(&p),
                }))
            }
            PacketM::Publish {
                dup,
                qos,
                retain,
                topic,
                packet_id,
                props,
                payload,
            } => {
                let p = borrow_all(props);
                f(Packet::Publish(Publish {
                    dup: *dup,
                    qos: *qos,
                    retain: *retain,
                    topic,
                    packet_id: *packet_id,
                    properties: Properties::from_list(&p),
                    payload,
                }))
            }
            PacketM::Ack {
                ty,
                packet_id,
                code,
                props,
            } => {
                let p = props.as_ref().map(|p| borrow_all(p));
                let ack = Ack {
                    packet_id: *packet_id,
                    reason_code: *code,
                    properties: p.as_ref().map(|p| Properties::from_list(p)),
                };
                f(match ty {
                    4 => Packet::PubAck(ack),
                    5 => Packet::PubRec(ack),
                    6 => Packet::PubRel(ack),
                    _ => Packet::PubComp(ack),
                })
            }
            PacketM::Subscribe {
                packet_id,
                props,
                filters,
            } => {
                let p = borrow_all(props);
                let fl: Vec<(&str, SubscriptionOptions)> =
                    filters.iter().map(|(f, o)| (f.as_str(), *o)).collect();
                f(Packet::Subscribe(Subscribe {
                    packet_id: *packet_id,
                    properties: Properties::from_list(&p),
                    filters: Filters::from_list(&fl),
                }))
            }
            PacketM::SubAck {
                packet_id,
                props,
                codes,
            } => {
                let p = borrow_all(props);
                f(Packet::SubAck(SubAck {
                    packet_id: *packet_id,
                    properties: Properties::from_list(&p),
                    return_codes: codes,
                }))
            }
            PacketM::Unsubscribe {
                packet_id,
                props,
                filters,
            } => {
                let p = borrow_all(props);
                let fl: Vec<&str> = filters.iter().map(String::as_str).collect();
                f(Packet::Unsubscribe(Unsubscribe {
                    packet_id: *packet_id,
                    properties: Properties::from_list(&p),
                    filters: TopicList::from_list(&fl),
                }))
            }
            PacketM::UnsubAck {
                packet_id,
                props,
                codes,
            } => {
                let p = borrow_all(props);
                f(Packet::UnsubAck(UnsubAck {
                    packet_id: *packet_id,
                    properties: Properties::from_list(&p),
                    reason_codes: codes,
                }))
            }
            PacketM::PingReq => f(Packet::PingReq),
            PacketM::PingResp => f(Packet::PingResp),
            PacketM::Disconnect { code, props } => {
                let p = props.as_ref().map(|p| borrow_all(p));
                f(Packet::Disconnect(Disconnect {
                    reason_code: *code,
                    properties: p.as_ref().map(|p| Properties::from_list(p)),
                }))
            }
            PacketM::Auth { code, props } => {
                let p = props.as_ref().map(|p| borrow_all(p));
                f(Packet::Auth(Auth {
                    reason_code: *code,
                    properties: p.as_ref().map(|p| Properties::from_list(p)),
                }))
            }
        }
    }

    /// The encoded bytes (the model is valid: encoding must succeed).
    pub fn encode(&self, version: Version) -> Vec<u8> {
        self.with(|p| {
            let v = p
                .to_vec(version)
                .unwrap_or_else(|e| panic!("encode {p:?}: {e}"));
            assert_eq!(v.len(), p.encoded_len(version).unwrap());
            v
        })
    }

    /// Assert that `parsed` is the packet this model stands for.
    pub fn assert_eq_packet(&self, parsed: &Packet<'_>) {
        self.with(|expected| assert_eq!(*parsed, expected));
    }
}

// ---------------------------------------------------------------- strategies

/// A UTF-8 string without U+0000: sometimes ASCII only, sometimes not.
pub fn string() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-zA-Z0-9/ _.-]{0,10}",
        1 => "\\PC{0,6}",
        1 => "[^\\x00]{0,4}",
    ]
    .boxed()
}

pub fn bytes(max: usize) -> BoxedStrategy<Vec<u8>> {
    vec(any::<u8>(), 0..=max).boxed()
}

/// A topic name: non-empty, no wildcard, no U+0000.
pub fn topic_name() -> BoxedStrategy<String> {
    prop_oneof![
        3 => "[a-z0-9]{1,5}(/[a-z0-9$]{0,5}){0,3}",
        1 => "[^+#\\x00]{1,6}",
    ]
    .boxed()
}

/// A valid topic filter (possibly a shared subscription).
pub fn topic_filter() -> BoxedStrategy<String> {
    let level = prop_oneof![
        3 => "[a-z0-9 é$]{0,4}",
        1 => Just("+".to_string()),
    ];
    (
        vec(level, 1..4),
        any::<bool>(),
        option::weighted(0.2, "[a-z0-9]{1,4}"),
    )
        .prop_map(|(levels, hash, share)| {
            let mut f = levels.join("/");
            if hash {
                if f.is_empty() {
                    f = "#".into();
                } else {
                    f.push_str("/#");
                }
            }
            if f.is_empty() {
                f = "a".into();
            }
            match share {
                Some(name) => format!("$share/{name}/{f}"),
                None => f,
            }
        })
        .boxed()
}

pub fn qos() -> BoxedStrategy<QoS> {
    prop_oneof![
        Just(QoS::AtMostOnce),
        Just(QoS::AtLeastOnce),
        Just(QoS::ExactlyOnce)
    ]
    .boxed()
}

pub fn packet_id() -> BoxedStrategy<u16> {
    prop_oneof![Just(1u16), Just(u16::MAX), 1..=u16::MAX].boxed()
}

fn user_prop() -> BoxedStrategy<PropM> {
    (string(), string())
        .prop_map(|(k, v)| PropM::Pair(k, v))
        .boxed()
}

/// A value for property `id`, in the range the spec allows.
pub fn prop_value(id: u8) -> BoxedStrategy<PropM> {
    match id {
        // byte, 0 or 1
        1 | 23 | 25 | 36 | 37 | 40 | 41 | 42 => {
            (0u32..=1).prop_map(move |v| PropM::Int(id, v)).boxed()
        }
        // two-byte, non-zero
        33 | 35 => (1u32..=65535).prop_map(move |v| PropM::Int(id, v)).boxed(),
        // two-byte, any
        19 | 34 => (0u32..=65535).prop_map(move |v| PropM::Int(id, v)).boxed(),
        // four-byte, non-zero
        39 => (1u32..=u32::MAX)
            .prop_map(move |v| PropM::Int(id, v))
            .boxed(),
        // four-byte, any
        2 | 17 | 24 => any::<u32>().prop_map(move |v| PropM::Int(id, v)).boxed(),
        // variable byte integer 1..=268,435,455
        11 => prop_oneof![
            Just(1u32),
            Just(127),
            Just(128),
            Just(16_384),
            Just(268_435_455),
            1u32..=268_435_455
        ]
        .prop_map(move |v| PropM::Int(id, v))
        .boxed(),
        3 | 8 | 18 | 21 | 26 | 28 | 31 => string().prop_map(move |s| PropM::Str(id, s)).boxed(),
        9 | 22 => bytes(12).prop_map(move |b| PropM::Bin(id, b)).boxed(),
        38 => user_prop(),
        _ => unreachable!("no property {id}"),
    }
}

/// A property list: each id of `ids` at most once, up to `users` user
/// properties and up to `subids` (repeated) subscription identifiers, shuffled.
pub fn props(ids: &'static [u8], users: usize, subids: usize) -> BoxedStrategy<Vec<PropM>> {
    let singles: Vec<BoxedStrategy<Option<PropM>>> = ids
        .iter()
        .map(|&id| option::weighted(0.3, prop_value(id)).boxed())
        .collect();
    (
        singles,
        vec(user_prop(), 0..=users),
        vec(prop_value(11), 0..=subids),
    )
        .prop_map(|(s, u, sub)| {
            let mut v: Vec<PropM> = s.into_iter().flatten().collect();
            v.extend(u);
            v.extend(sub);
            v
        })
        .prop_shuffle()
        .boxed()
}

pub const CONNECT_IDS: &[u8] = &[17, 21, 22, 23, 25, 33, 34, 39];
pub const WILL_IDS: &[u8] = &[1, 2, 3, 8, 9, 24];
pub const CONNACK_IDS: &[u8] = &[
    17, 18, 19, 21, 22, 26, 28, 31, 33, 34, 36, 37, 39, 40, 41, 42,
];
pub const PUBLISH_IDS: &[u8] = &[1, 2, 3, 8, 9, 35];
pub const REASON_IDS: &[u8] = &[31];
pub const SUBSCRIBE_IDS: &[u8] = &[11];
pub const DISCONNECT_IDS: &[u8] = &[17, 28, 31];
pub const AUTH_IDS: &[u8] = &[21, 22, 31];

fn v5_props(v: Version, ids: &'static [u8], subids: usize) -> BoxedStrategy<Vec<PropM>> {
    if v.is_v5() {
        props(ids, 2, subids)
    } else {
        Just(Vec::new()).boxed()
    }
}

/// Optional reason code and properties in the canonical short forms.
fn tail(
    v: Version,
    codes: &'static [u8],
    ids: &'static [u8],
) -> BoxedStrategy<(Option<u8>, Option<Vec<PropM>>)> {
    if !v.is_v5() {
        return Just((None, None)).boxed();
    }
    (
        option::of(proptest::sample::select(codes)),
        option::of(props(ids, 2, 0)),
    )
        .prop_map(|(c, p)| match (c, p) {
            (None, Some(p)) => (Some(0), Some(p)),
            other => other,
        })
        .boxed()
}

pub const PUBACK_CODES: &[u8] = &[0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
pub const PUBREL_CODES: &[u8] = &[0x00, 0x92];
pub const DISCONNECT_CODES: &[u8] = &[
    0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94, 0x95,
    0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2,
];
pub const AUTH_CODES: &[u8] = &[0x00, 0x18, 0x19];
pub const CONNACK_V5_CODES: &[u8] = &[
    0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A, 0x8C, 0x90, 0x95, 0x97,
    0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F,
];
pub const SUBACK_V3_CODES: &[u8] = &[0, 1, 2, 0x80];
pub const SUBACK_V5_CODES: &[u8] = &[
    0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2,
];
pub const UNSUBACK_CODES: &[u8] = &[0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91];

fn connect(v: Version) -> BoxedStrategy<PacketM> {
    let will = option::of(
        (
            qos(),
            any::<bool>(),
            v5_props(v, WILL_IDS, 0),
            topic_name(),
            bytes(16),
        )
            .prop_map(|(qos, retain, props, topic, payload)| WillM {
                qos,
                retain,
                props,
                topic,
                payload,
            }),
    );
    (
        any::<bool>(),
        any::<bool>(),
        any::<u16>(),
        v5_props(v, CONNECT_IDS, 0),
        string(),
        will,
        option::of(string()),
        option::of(bytes(8)),
    )
        .prop_map(
            move |(bridge, clean, keep_alive, props, client_id, will, username, password)| {
                // Before 5.0 a password needs a user name [MQTT-3.1.2-22].
                let password = if v.is_v5() || username.is_some() {
                    password
                } else {
                    None
                };
                PacketM::Connect {
                    protocol: v,
                    bridge,
                    clean,
                    keep_alive,
                    props,
                    client_id,
                    will,
                    username,
                    password,
                }
            },
        )
        .boxed()
}

fn connack(v: Version) -> BoxedStrategy<PacketM> {
    let code = if v.is_v5() {
        proptest::sample::select(CONNACK_V5_CODES).boxed()
    } else {
        (0u8..=5).boxed()
    };
    (any::<bool>(), code, v5_props(v, CONNACK_IDS, 0))
        .prop_map(move |(session_present, code, props)| PacketM::ConnAck {
            // Session Present only with code 0 [MQTT-3.2.2-4] [MQTT-3.2.2-6]
            // (3.1 has no such flag: the bit is carried as is)
            session_present: session_present && (code == 0 || v == Version::V3_1),
            code,
            props,
        })
        .boxed()
}

fn publish(v: Version) -> BoxedStrategy<PacketM> {
    (
        any::<bool>(),
        qos(),
        any::<bool>(),
        topic_name(),
        any::<bool>(),
        packet_id(),
        v5_props(v, PUBLISH_IDS, 3),
        bytes(40),
    )
        .prop_map(
            move |(dup, qos, retain, topic, empty, id, props, payload)| {
                let aliased = props.iter().any(|p| matches!(p, PropM::Int(35, _)));
                // An empty topic only in 5.0 with a Topic Alias [MQTT-4.7.3-1].
                let topic = if empty && aliased {
                    String::new()
                } else {
                    topic
                };
                PacketM::Publish {
                    // DUP is 0 for QoS 0 [MQTT-3.3.1-2]
                    dup: dup && qos != QoS::AtMostOnce,
                    qos,
                    retain,
                    topic,
                    packet_id: (qos != QoS::AtMostOnce).then_some(id),
                    props,
                    payload,
                }
            },
        )
        .boxed()
}

fn ack(v: Version) -> BoxedStrategy<PacketM> {
    (4u8..=7)
        .prop_flat_map(move |ty| {
            let codes = if ty <= 5 { PUBACK_CODES } else { PUBREL_CODES };
            (Just(ty), packet_id(), tail(v, codes, REASON_IDS))
        })
        .prop_map(|(ty, packet_id, (code, props))| PacketM::Ack {
            ty,
            packet_id,
            code,
            props,
        })
        .boxed()
}

fn sub_options(v: Version) -> BoxedStrategy<SubscriptionOptions> {
    if v.is_v5() {
        (qos(), any::<bool>(), any::<bool>(), 0u8..=2)
            .prop_map(
                |(qos, no_local, retain_as_published, retain_handling)| SubscriptionOptions {
                    qos,
                    no_local,
                    retain_as_published,
                    retain_handling,
                },
            )
            .boxed()
    } else {
        qos()
            .prop_map(|qos| SubscriptionOptions {
                qos,
                ..Default::default()
            })
            .boxed()
    }
}

fn subscribe(v: Version) -> BoxedStrategy<PacketM> {
    (
        packet_id(),
        v5_props(v, SUBSCRIBE_IDS, 0),
        vec((topic_filter(), sub_options(v)), 1..5),
    )
        .prop_map(move |(packet_id, props, mut filters)| {
            for (f, o) in &mut filters {
                // No Local on a shared subscription is a protocol error [MQTT-3.8.3-4].
                if v.is_v5() && f.starts_with("$share/") {
                    o.no_local = false;
                }
            }
            PacketM::Subscribe {
                packet_id,
                props,
                filters,
            }
        })
        .boxed()
}

fn suback(v: Version) -> BoxedStrategy<PacketM> {
    let codes = if v.is_v5() {
        SUBACK_V5_CODES
    } else {
        SUBACK_V3_CODES
    };
    (
        packet_id(),
        v5_props(v, REASON_IDS, 0),
        vec(proptest::sample::select(codes), 1..6),
    )
        .prop_map(|(packet_id, props, codes)| PacketM::SubAck {
            packet_id,
            props,
            codes,
        })
        .boxed()
}

fn unsubscribe(v: Version) -> BoxedStrategy<PacketM> {
    (packet_id(), v5_props(v, &[], 0), vec(topic_filter(), 1..5))
        .prop_map(|(packet_id, props, filters)| PacketM::Unsubscribe {
            packet_id,
            props,
            filters,
        })
        .boxed()
}

fn unsuback(v: Version) -> BoxedStrategy<PacketM> {
    let codes = if v.is_v5() {
        vec(proptest::sample::select(UNSUBACK_CODES), 0..6).boxed()
    } else {
        Just(Vec::new()).boxed()
    };
    (packet_id(), v5_props(v, REASON_IDS, 0), codes)
        .prop_map(|(packet_id, props, codes)| PacketM::UnsubAck {
            packet_id,
            props,
            codes,
        })
        .boxed()
}

/// Any valid packet of `v` (CONNECT with protocol `v`).
pub fn packet(v: Version) -> BoxedStrategy<PacketM> {
    let mut arms: Vec<BoxedStrategy<PacketM>> = vec![
        connect(v),
        connack(v),
        publish(v),
        publish(v),
        ack(v),
        subscribe(v),
        suback(v),
        unsubscribe(v),
        unsuback(v),
        Just(PacketM::PingReq).boxed(),
        Just(PacketM::PingResp).boxed(),
        tail(v, DISCONNECT_CODES, DISCONNECT_IDS)
            .prop_map(|(code, props)| PacketM::Disconnect { code, props })
            .boxed(),
    ];
    if v.is_v5() {
        arms.push(
            tail(v, AUTH_CODES, AUTH_IDS)
                .prop_map(|(code, props)| PacketM::Auth { code, props })
                .boxed(),
        );
    }
    Union::new(arms).boxed()
}

pub fn version() -> BoxedStrategy<Version> {
    prop_oneof![
        Just(Version::V3_1),
        Just(Version::V3_1_1),
        Just(Version::V5)
    ]
    .boxed()
}

/// A version and 1..max packets of it.
pub fn stream(max: usize) -> BoxedStrategy<(Version, Vec<PacketM>)> {
    version()
        .prop_flat_map(move |v| (Just(v), vec(packet(v), 1..max)))
        .boxed()
}

/// Chunk sizes: often 1 byte, sometimes larger.
pub fn chunks() -> BoxedStrategy<Vec<usize>> {
    vec(
        prop_oneof![2 => Just(1usize), 2 => 1usize..8, 1 => 1usize..200],
        1..64,
    )
    .boxed()
}

/// Split `bytes` by cycling through `sizes`.
pub fn split<'a>(bytes: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while at < bytes.len() {
        let n = sizes[i % sizes.len()].max(1).min(bytes.len() - at);
        out.push(&bytes[at..at + n]);
        at += n;
        i += 1;
    }
    out
}
