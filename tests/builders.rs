//! Packets built with the constructors and setters are the packets the
//! parser reads back from their bytes; the typed getters and reason codes
//! give the values on the wire.

use mqttwire::{
    parse, Ack, Auth, ConnAck, Connect, Disconnect, Packet, PacketType, Properties, PropertiesBuf,
    Property, PropertyId, Publish, QoS, ReasonCode, Status, SubAck, Subscribe, SubscriptionOptions,
    UnsubAck, Unsubscribe, Version, Will, REASON_CODES,
};

/// Encode in `version`, parse back, compare.
fn round_trip(packet: Packet<'_>, version: Version) {
    let bytes = packet.to_bytes(version).unwrap();
    assert_eq!(packet.to_vec(version).unwrap(), &bytes[..]);
    let (back, used) = parse(&bytes, version).unwrap().unwrap();
    assert_eq!(used, bytes.len());
    assert_eq!(back, packet, "{version:?}");
}

#[test]
fn every_constructor_round_trips() {
    let id = String::from("client-1");
    let props = PropertiesBuf::new()
        .session_expiry_interval(10)
        .user_property("a", &id);
    let will_props = [Property::WillDelayInterval(5)];
    let connect = Connect::new(Version::V5, &id)
        .keep_alive(7)
        .clean_start(false)
        .username("u")
        .password(b"p")
        .will(
            Will::new("w/t", b"bye")
                .qos(QoS::ExactlyOnce)
                .retain()
                .properties(Properties::from_list(&will_props)),
        )
        .properties(props.as_properties());
    assert_eq!(
        (connect.keep_alive, connect.clean_start, connect.bridge),
        (7, false, false)
    );
    round_trip(connect.into(), Version::V5);
    round_trip(
        Connect::new(Version::V3_1_1, "c").bridge().into(),
        Version::V3_1_1,
    );
    round_trip(Connect::new(Version::V3_1, "c").into(), Version::V3_1);
    // defaults of Connect::new
    let c = Connect::new(Version::V5, "c");
    assert!(c.clean_start && c.keep_alive == 60 && c.will.is_none() && c.properties.is_empty());

    let connack_props = [Property::AssignedClientIdentifier("x")];
    round_trip(
        ConnAck::new(ReasonCode::SUCCESS)
            .session_present()
            .properties(Properties::from_list(&connack_props))
            .into(),
        Version::V5,
    );
    round_trip(ConnAck::new(ReasonCode::new(4)).into(), Version::V3_1_1);

    for v in [Version::V3_1_1, Version::V5] {
        round_trip(Publish::new("t", b"x").into(), v);
        round_trip(
            Publish::new("t", b"x")
                .qos(QoS::ExactlyOnce, 9)
                .dup()
                .retain()
                .into(),
            v,
        );
        round_trip(Packet::PubAck(Ack::new(1)), v);
        round_trip(Packet::PubRec(Ack::new(2)), v);
        round_trip(Packet::PubRel(Ack::new(3)), v);
        round_trip(Packet::PubComp(Ack::new(4)), v);
        let filters = [
            ("a/+", QoS::AtLeastOnce.into()),
            ("b", SubscriptionOptions::from(QoS::ExactlyOnce)),
        ];
        round_trip(Subscribe::new(5, &filters).into(), v);
        round_trip(SubAck::new(5, &[1, 0x80]).into(), v);
        round_trip(Unsubscribe::new(6, &["a/+", "b"]).into(), v);
        round_trip(Disconnect::new().into(), v);
    }
    // QoS 0 has no packet identifier, whatever was passed
    assert_eq!(
        Publish::new("t", b"").qos(QoS::AtMostOnce, 9).packet_id,
        None
    );

    let v = Version::V5;
    let reason = [Property::ReasonString("why")];
    let reason = Properties::from_list(&reason);
    round_trip(
        Packet::PubRec(
            Ack::new(2)
                .reason_code(ReasonCode::QUOTA_EXCEEDED)
                .properties(reason),
        ),
        v,
    );
    round_trip(
        Packet::PubRel(Ack::new(3).reason_code(ReasonCode::PACKET_IDENTIFIER_NOT_FOUND)),
        v,
    );
    round_trip(
        Subscribe::new(5, &[("c", QoS::AtMostOnce.into())])
            .properties(
                PropertiesBuf::new()
                    .subscription_identifier(3)
                    .as_properties(),
            )
            .into(),
        v,
    );
    round_trip(SubAck::new(5, &[2]).properties(reason).into(), v);
    round_trip(
        Unsubscribe::new(6, &["a"])
            .properties(PropertiesBuf::new().user_property("k", "v").as_properties())
            .into(),
        v,
    );
    round_trip(UnsubAck::new(6, &[0, 0x11]).properties(reason).into(), v);
    round_trip(UnsubAck::new(6, &[]).into(), Version::V3_1_1);
    round_trip(
        Disconnect::new()
            .reason_code(ReasonCode::SERVER_SHUTTING_DOWN)
            .properties(reason)
            .into(),
        v,
    );
    round_trip(Auth::new(ReasonCode::RE_AUTHENTICATE).into(), v);
    round_trip(Auth::default().into(), v);
}

#[test]
fn reason_codes_of_parsed_packets() {
    let bytes = [0x40, 0x03, 0x00, 0x01, 0x10]; // PUBACK 1, No matching subscribers
    let Status::Complete((Packet::PubAck(a), _)) = parse(&bytes, Version::V5).unwrap() else {
        panic!()
    };
    assert_eq!(a.reason(), ReasonCode::NO_MATCHING_SUBSCRIBERS);
    assert!(!a.reason().is_error());
    // the short form means Success
    let (Packet::PubAck(a), _) = parse(&[0x40, 2, 0, 1], Version::V5).unwrap().unwrap() else {
        panic!()
    };
    assert_eq!((a.reason_code, a.reason()), (None, ReasonCode::SUCCESS));
    // 3.1.1 CONNACK return codes map to their 5.0 meaning
    let expected = [
        ReasonCode::SUCCESS,
        ReasonCode::UNSUPPORTED_PROTOCOL_VERSION,
        ReasonCode::CLIENT_IDENTIFIER_NOT_VALID,
        ReasonCode::SERVER_UNAVAILABLE,
        ReasonCode::BAD_USER_NAME_OR_PASSWORD,
        ReasonCode::NOT_AUTHORIZED,
    ];
    for (code, want) in expected.into_iter().enumerate() {
        let bytes = [0x20, 2, 0, code as u8];
        let (Packet::ConnAck(c), _) = parse(&bytes, Version::V3_1_1).unwrap().unwrap() else {
            panic!()
        };
        assert_eq!(c.reason(Version::V3_1_1), want);
        assert_eq!(c.reason(Version::V3_1_1).is_error(), code != 0);
    }
    // SUBACK: granted QoS and failures
    let (Packet::SubAck(s), _) = parse(&[0x90, 4, 0, 1, 2, 0x80], Version::V3_1_1)
        .unwrap()
        .unwrap()
    else {
        panic!()
    };
    let r: Vec<_> = s.reasons().collect();
    assert_eq!(
        r,
        [ReasonCode::GRANTED_QOS_2, ReasonCode::UNSPECIFIED_ERROR]
    );
}

#[test]
fn the_table_decides_what_the_parser_accepts() {
    // For every packet with reason codes and every byte: the v5 parser
    // accepts the code exactly when the table allows it there.
    for code in 0..=255u8 {
        let rc = ReasonCode::new(code);
        let cases: [(PacketType, Vec<u8>); 8] = [
            (PacketType::ConnAck, vec![0x20, 3, 0, code, 0]),
            (PacketType::PubAck, vec![0x40, 3, 0, 1, code]),
            (PacketType::PubRec, vec![0x50, 3, 0, 1, code]),
            (PacketType::PubRel, vec![0x62, 3, 0, 1, code]),
            (PacketType::PubComp, vec![0x70, 3, 0, 1, code]),
            (PacketType::SubAck, vec![0x90, 4, 0, 1, 0, code]),
            (PacketType::UnsubAck, vec![0xb0, 4, 0, 1, 0, code]),
            (PacketType::Disconnect, vec![0xe0, 1, code]),
        ];
        for (ty, bytes) in cases {
            assert_eq!(
                parse(&bytes, Version::V5).is_ok(),
                rc.allowed_in(ty),
                "{rc:?} in {ty:?}"
            );
        }
        let auth = [0xf0, 1, code];
        assert_eq!(
            parse(&auth, Version::V5).is_ok(),
            rc.allowed_in(PacketType::Auth)
        );
    }
    // names: every row has one, and a code's name in a packet is its row's
    for e in REASON_CODES {
        for &ty in e.packets {
            assert_eq!(e.code.name_in(ty), Some(e.name));
        }
    }
}

#[test]
fn typed_getters_read_every_property() {
    use Property as P;
    let all = [
        P::PayloadFormatIndicator(1),
        P::MessageExpiryInterval(2),
        P::ContentType("ct"),
        P::ResponseTopic("rt"),
        P::CorrelationData(b"cd"),
        P::SubscriptionIdentifier(11),
        P::SubscriptionIdentifier(12),
        P::SessionExpiryInterval(17),
        P::AssignedClientIdentifier("aci"),
        P::ServerKeepAlive(19),
        P::AuthenticationMethod("am"),
        P::AuthenticationData(b"ad"),
        P::RequestProblemInformation(1),
        P::WillDelayInterval(24),
        P::RequestResponseInformation(1),
        P::ResponseInformation("ri"),
        P::ServerReference("sr"),
        P::ReasonString("rs"),
        P::ReceiveMaximum(33),
        P::TopicAliasMaximum(34),
        P::TopicAlias(35),
        P::MaximumQoS(1),
        P::RetainAvailable(0),
        P::UserProperty("k", "v"),
        P::UserProperty("k", "w"),
        P::MaximumPacketSize(39),
        P::WildcardSubscriptionAvailable(1),
        P::SubscriptionIdentifierAvailable(0),
        P::SharedSubscriptionAvailable(1),
    ];
    // every property id is covered
    for id in PropertyId::ALL {
        assert!(all.iter().any(|p| p.id() == *id), "{id:?}");
    }
    let p = Properties::from_list(&all);
    assert_eq!(p.payload_format_indicator(), Some(1));
    assert_eq!(p.message_expiry_interval(), Some(2));
    assert_eq!(p.content_type(), Some("ct"));
    assert_eq!(p.response_topic(), Some("rt"));
    assert_eq!(p.correlation_data(), Some(&b"cd"[..]));
    assert!(p.subscription_identifiers().eq([11, 12]));
    assert_eq!(p.session_expiry_interval(), Some(17));
    assert_eq!(p.assigned_client_identifier(), Some("aci"));
    assert_eq!(p.server_keep_alive(), Some(19));
    assert_eq!(p.authentication_method(), Some("am"));
    assert_eq!(p.authentication_data(), Some(&b"ad"[..]));
    assert_eq!(p.request_problem_information(), Some(1));
    assert_eq!(p.will_delay_interval(), Some(24));
    assert_eq!(p.request_response_information(), Some(1));
    assert_eq!(p.response_information(), Some("ri"));
    assert_eq!(p.server_reference(), Some("sr"));
    assert_eq!(p.reason_string(), Some("rs"));
    assert_eq!(p.receive_maximum(), Some(33));
    assert_eq!(p.topic_alias_maximum(), Some(34));
    assert_eq!(p.topic_alias(), Some(35));
    assert_eq!(p.maximum_qos(), Some(1));
    assert_eq!(p.retain_available(), Some(0));
    assert!(p.user_properties().eq([("k", "v"), ("k", "w")]));
    assert_eq!(p.maximum_packet_size(), Some(39));
    assert_eq!(p.wildcard_subscription_available(), Some(1));
    assert_eq!(p.subscription_identifier_available(), Some(0));
    assert_eq!(p.shared_subscription_available(), Some(1));
    assert_eq!(Properties::EMPTY.session_expiry_interval(), None);

    // and from the wire: a parsed CONNACK's properties
    let list = [
        P::ReceiveMaximum(20),
        P::MaximumQoS(1),
        P::AssignedClientIdentifier("gen-1"),
    ];
    let bytes =
        Packet::from(ConnAck::new(ReasonCode::SUCCESS).properties(Properties::from_list(&list)))
            .to_vec(Version::V5)
            .unwrap();
    let (Packet::ConnAck(c), _) = parse(&bytes, Version::V5).unwrap().unwrap() else {
        panic!()
    };
    assert!(c.properties.wire_bytes().is_some());
    assert_eq!(c.properties.receive_maximum(), Some(20));
    assert_eq!(c.properties.maximum_qos(), Some(1));
    assert_eq!(c.properties.assigned_client_identifier(), Some("gen-1"));
    assert_eq!(c.properties.topic_alias_maximum(), None);
}

#[test]
fn properties_buf_from_runtime_values() {
    // bound with `let`, from values computed at run time
    fn build(names: &[String]) -> PropertiesBuf<'_> {
        names
            .iter()
            .map(|n| Property::UserProperty("name", n))
            .collect()
    }
    let names: Vec<String> = (0..3).map(|i| format!("n{i}")).collect();
    let mut props = build(&names);
    props.push(Property::ContentType("text/plain"));
    props.extend([Property::MessageExpiryInterval(9)]);
    let publish = Publish::new("t", b"").properties(props.as_properties());
    round_trip(publish.into(), Version::V5);
    let p = props.as_properties();
    assert_eq!(p.user_properties().count(), 3);
    assert_eq!(p.content_type(), Some("text/plain"));
    assert_eq!(p.message_expiry_interval(), Some(9));
}

#[test]
fn status_helpers() {
    let s = parse(&[0xc0, 0x00], Version::V5).unwrap();
    assert!(s.is_complete() && !s.is_partial());
    assert_eq!(s.map(|(p, n)| (p, n + 1)).unwrap(), (Packet::PingReq, 3));
    let partial = parse(&[0xc0], Version::V5).unwrap();
    assert!(!partial.is_complete());
    assert_eq!(partial.map(|(_, n)| n), Status::Partial(1));
    assert!(std::panic::catch_unwind(|| partial.unwrap()).is_err());
}
