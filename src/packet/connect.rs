//! CONNECT (3.1) and CONNACK (3.2).

use bytes::BufMut;

use crate::primitives::{self as p, fail, PResult};
use crate::properties::{parse_properties_with, Context};
use crate::{EncodeError, ErrorKind, Field, PacketType, Properties, QoS, ReasonCode, Version};

/// The will message of a CONNECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Will<'a> {
    /// Will QoS.
    pub qos: QoS,
    /// Will Retain.
    pub retain: bool,
    /// Will properties (5.0).
    pub properties: Properties<'a>,
    /// Will topic (non-empty, no wildcards).
    pub topic: &'a str,
    /// Will payload.
    pub payload: &'a [u8],
}

/// CONNECT: the first packet a client sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connect<'a> {
    /// Protocol version asked for (name and level agree: `MQIsdp`/3, `MQTT`/4, `MQTT`/5).
    pub protocol: Version,
    /// Bridge mode: bit 7 of the protocol level set (a broker-to-broker connection).
    pub bridge: bool,
    /// Clean Session (3.1.1) / Clean Start (5.0).
    pub clean_start: bool,
    /// Keep alive in seconds.
    pub keep_alive: u16,
    /// CONNECT properties (5.0).
    pub properties: Properties<'a>,
    /// Client identifier (may be empty).
    pub client_id: &'a str,
    /// Will message.
    pub will: Option<Will<'a>>,
    /// User name.
    pub username: Option<&'a str>,
    /// Password.
    pub password: Option<&'a [u8]>,
}

impl<'a> Will<'a> {
    /// A will message: QoS 0, not retained, no properties.
    ///
    /// ```
    /// use mqttwire::{Property, Properties, QoS, Will};
    /// let props = [Property::WillDelayInterval(30)];
    /// let will = Will::new("clients/c1/status", b"gone")
    ///     .qos(QoS::AtLeastOnce)
    ///     .retain()
    ///     .properties(Properties::from_list(&props));
    /// assert!(will.retain && will.qos == QoS::AtLeastOnce);
    /// ```
    pub fn new(topic: &'a str, payload: &'a [u8]) -> Self {
        Will {
            qos: QoS::AtMostOnce,
            retain: false,
            properties: Properties::EMPTY,
            topic,
            payload,
        }
    }

    /// Set the will QoS.
    pub fn qos(mut self, qos: QoS) -> Self {
        self.qos = qos;
        self
    }

    /// Set Will Retain.
    pub fn retain(mut self) -> Self {
        self.retain = true;
        self
    }

    /// Set the will properties (5.0).
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = properties;
        self
    }
}

impl<'a> Connect<'a> {
    /// A CONNECT for `version` with Clean Start set, a keep alive of 60
    /// seconds, and no properties, will, user name or password.
    ///
    /// ```
    /// use mqttwire::{Connect, Packet, Properties, Property, Version};
    ///
    /// let name = String::from("sensor-7");
    /// let props = [
    ///     Property::SessionExpiryInterval(3600),
    ///     Property::UserProperty("site", &name),
    /// ];
    /// let connect = Connect::new(Version::V5, &name)
    ///     .keep_alive(30)
    ///     .username("user")
    ///     .password(b"secret")
    ///     .properties(Properties::from_list(&props));
    /// let bytes = Packet::from(connect).to_vec(Version::V5).unwrap();
    /// assert_eq!(bytes[0], 0x10);
    /// ```
    pub fn new(version: Version, client_id: &'a str) -> Self {
        Connect {
            protocol: version,
            bridge: false,
            clean_start: true,
            keep_alive: 60,
            properties: Properties::EMPTY,
            client_id,
            will: None,
            username: None,
            password: None,
        }
    }

    /// Set Clean Session (3.1.1) / Clean Start (5.0).
    pub fn clean_start(mut self, clean_start: bool) -> Self {
        self.clean_start = clean_start;
        self
    }

    /// Set the keep alive in seconds (0: none).
    pub fn keep_alive(mut self, seconds: u16) -> Self {
        self.keep_alive = seconds;
        self
    }

    /// Set the CONNECT properties (5.0).
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = properties;
        self
    }

    /// Set the will message.
    pub fn will(mut self, will: Will<'a>) -> Self {
        self.will = Some(will);
        self
    }

    /// Set the user name.
    pub fn username(mut self, username: &'a str) -> Self {
        self.username = Some(username);
        self
    }

    /// Set the password.
    pub fn password(mut self, password: &'a [u8]) -> Self {
        self.password = Some(password);
        self
    }

    /// Set bridge mode (bit 7 of the protocol level).
    pub fn bridge(mut self) -> Self {
        self.bridge = true;
        self
    }
}

const USERNAME: u8 = 0x80;
const PASSWORD: u8 = 0x40;
const WILL_RETAIN: u8 = 0x20;
const WILL_QOS_SHIFT: u8 = 3;
const WILL: u8 = 0x04;
const CLEAN: u8 = 0x02;
const RESERVED: u8 = 0x01;

pub(crate) fn parse_connect(input: &[u8], strict: bool) -> PResult<'_, Connect<'_>> {
    let (i, name) = p::utf8(input, Field::ProtocolName)?;
    // "If the protocol name is incorrect the Server MAY disconnect" [MQTT-3.1.2-1]
    if name != "MQTT" && name != "MQIsdp" {
        return fail(input, ErrorKind::InvalidProtocolName);
    }
    let level_at = i;
    let (i, level) = p::byte(i, Field::ProtocolLevel)?;
    let Some(protocol) = crate::Version::from_level(level) else {
        return fail(level_at, ErrorKind::InvalidProtocolLevel);
    };
    if strict && (protocol == Version::V3_1) != (name == "MQIsdp") {
        return fail(level_at, ErrorKind::ProtocolNameMismatch);
    }
    let bridge = level & 0x80 != 0;
    let flags_at = i;
    let (i, flags) = p::byte(i, Field::ConnectFlags)?;
    // "The Server MUST validate that the reserved flag ... is set to 0" [MQTT-3.1.2-3]
    if flags & RESERVED != 0 {
        return fail(flags_at, ErrorKind::ConnectReservedFlag);
    }
    let will_qos = (flags >> WILL_QOS_SHIFT) & 3;
    let has_will = flags & WILL != 0;
    if has_will {
        // "If the Will Flag is set to 1, the value of Will QoS can be 0, 1 or 2.
        // It MUST NOT be 3" [MQTT-3.1.2-14]
        if will_qos == 3 {
            return fail(flags_at, ErrorKind::WillQos3);
        }
    } else {
        // [MQTT-3.1.2-15]
        if flags & WILL_RETAIN != 0 {
            return fail(flags_at, ErrorKind::WillRetainWithoutWill);
        }
        // [MQTT-3.1.2-13]
        if will_qos != 0 {
            return fail(flags_at, ErrorKind::WillQosWithoutWill);
        }
    }
    // "If the User Name Flag is set to 0, the Password Flag MUST be set to 0"
    // [MQTT-3.1.2-22] (dropped in 5.0)
    if strict && !protocol.is_v5() && flags & PASSWORD != 0 && flags & USERNAME == 0 {
        return fail(flags_at, ErrorKind::PasswordWithoutUsername);
    }
    let (i, keep_alive) = p::u16_be(i, Field::KeepAlive)?;
    let (i, properties) = if protocol.is_v5() {
        parse_properties_with(i, Context::Packet(PacketType::Connect), strict)?
    } else {
        (i, Properties::EMPTY)
    };
    let (mut i, client_id) = p::utf8_with(i, Field::ClientId, strict)?;
    let mut will = None;
    if has_will {
        let (j, wprops) = if protocol.is_v5() {
            parse_properties_with(i, Context::Will, strict)?
        } else {
            (i, Properties::EMPTY)
        };
        let topic_at = j;
        let (j, topic) = p::utf8_with(j, Field::WillTopic, strict)?;
        if let Some(at) = super::topic_name_wildcard(topic).filter(|_| strict) {
            return fail(&topic_at[2 + at..], ErrorKind::TopicWildcard);
        }
        // "All Topic Names and Topic Filters MUST be at least one character
        // long" [MQTT-4.7.3-1]
        if strict && topic.is_empty() {
            return fail(topic_at, ErrorKind::EmptyTopic);
        }
        let (j, payload) = p::binary(j, Field::WillPayload)?;
        will = Some(Will {
            qos: QoS::from_u8(will_qos).unwrap_or_default(),
            retain: flags & WILL_RETAIN != 0,
            properties: wprops,
            topic,
            payload,
        });
        i = j;
    }
    let mut username = None;
    if flags & USERNAME != 0 {
        let (j, u) = p::utf8_with(i, Field::Username, strict)?;
        username = Some(u);
        i = j;
    }
    let mut password = None;
    if flags & PASSWORD != 0 {
        let (j, pw) = p::binary(i, Field::Password)?;
        password = Some(pw);
        i = j;
    }
    let (i, ()) = p::expect_end(i, PacketType::Connect)?;
    Ok((
        i,
        Connect {
            protocol,
            bridge,
            clean_start: flags & CLEAN != 0,
            keep_alive,
            properties,
            client_id,
            will,
            username,
            password,
        },
    ))
}

impl Connect<'_> {
    fn flags(&self) -> u8 {
        let mut f = 0;
        if self.clean_start {
            f |= CLEAN;
        }
        if let Some(w) = &self.will {
            f |= WILL | (w.qos as u8) << WILL_QOS_SHIFT;
            if w.retain {
                f |= WILL_RETAIN;
            }
        }
        if self.username.is_some() {
            f |= USERNAME;
        }
        if self.password.is_some() {
            f |= PASSWORD;
        }
        f
    }

    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        let v5 = self.protocol.is_v5();
        let mut n = p::field_len(self.protocol.protocol_name().len(), Field::ProtocolName)? + 4;
        if v5 {
            n += self
                .properties
                .encoded_len(Context::Packet(PacketType::Connect))?;
        } else if !self.properties.is_empty() {
            return Err(EncodeError::PropertiesBeforeV5);
        }
        n += p::check_str_for_encode(self.client_id, Field::ClientId)?;
        if let Some(w) = &self.will {
            if v5 {
                n += w.properties.encoded_len(Context::Will)?;
            } else if !w.properties.is_empty() {
                return Err(EncodeError::PropertiesBeforeV5);
            }
            if super::topic_name_wildcard(w.topic).is_some() {
                return Err(EncodeError::Invalid(ErrorKind::TopicWildcard));
            }
            if w.topic.is_empty() {
                return Err(EncodeError::Invalid(ErrorKind::EmptyTopic));
            }
            n += p::check_str_for_encode(w.topic, Field::WillTopic)?;
            n += p::field_len(w.payload.len(), Field::WillPayload)?;
        }
        if let Some(u) = self.username {
            n += p::check_str_for_encode(u, Field::Username)?;
        } else if self.password.is_some() && !v5 {
            return Err(EncodeError::Invalid(ErrorKind::PasswordWithoutUsername));
        }
        if let Some(pw) = self.password {
            n += p::field_len(pw.len(), Field::Password)?;
        }
        Ok(n)
    }

    pub(crate) fn write_body(&self, buf: &mut impl BufMut) {
        p::write_binary(buf, self.protocol.protocol_name().as_bytes());
        buf.put_u8(self.protocol.level() | if self.bridge { 0x80 } else { 0 });
        buf.put_u8(self.flags());
        buf.put_u16(self.keep_alive);
        let v5 = self.protocol.is_v5();
        if v5 {
            self.properties.write(buf);
        }
        p::write_binary(buf, self.client_id.as_bytes());
        if let Some(w) = &self.will {
            if v5 {
                w.properties.write(buf);
            }
            p::write_binary(buf, w.topic.as_bytes());
            p::write_binary(buf, w.payload);
        }
        if let Some(u) = self.username {
            p::write_binary(buf, u.as_bytes());
        }
        if let Some(pw) = self.password {
            p::write_binary(buf, pw);
        }
    }
}

/// CONNACK: the server's answer to CONNECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnAck<'a> {
    /// Session Present (0 with a non-zero code [MQTT-3.2.2-4]; in 3.1 the
    /// bit is reserved and carried as is).
    pub session_present: bool,
    /// Return code (3.1, 3.1.1: 0-5) or reason code (5.0).
    pub code: u8,
    /// CONNACK properties (5.0).
    pub properties: Properties<'a>,
}

impl<'a> ConnAck<'a> {
    /// A CONNACK with this code (in 3.1 / 3.1.1, a return code 0-5:
    /// `ReasonCode::new(5)`), Session Present clear, no properties.
    ///
    /// ```
    /// use mqttwire::{ConnAck, ReasonCode, Version};
    /// let ack = ConnAck::new(ReasonCode::SUCCESS).session_present();
    /// assert!(ack.session_present);
    /// assert_eq!(ConnAck::new(ReasonCode::new(5)).reason(Version::V3_1_1), ReasonCode::NOT_AUTHORIZED);
    /// ```
    pub fn new(code: ReasonCode) -> Self {
        ConnAck {
            session_present: false,
            code: code.get(),
            properties: Properties::EMPTY,
        }
    }

    /// Set Session Present.
    pub fn session_present(mut self) -> Self {
        self.session_present = true;
        self
    }

    /// Set the CONNACK properties (5.0).
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = properties;
        self
    }

    /// The code as a 5.0 reason code. In 3.1 and 3.1.1 the return codes 1-5
    /// map to the reason codes 5.0 gives the same meaning (0x84 Unsupported
    /// Protocol Version, 0x85 Client Identifier not valid, 0x88 Server
    /// unavailable, 0x86 Bad User Name or Password, 0x87 Not authorized).
    pub fn reason(&self, version: Version) -> ReasonCode {
        if version.is_v5() {
            return ReasonCode::new(self.code);
        }
        match self.code {
            0 => ReasonCode::SUCCESS,
            1 => ReasonCode::UNSUPPORTED_PROTOCOL_VERSION,
            2 => ReasonCode::CLIENT_IDENTIFIER_NOT_VALID,
            3 => ReasonCode::SERVER_UNAVAILABLE,
            4 => ReasonCode::BAD_USER_NAME_OR_PASSWORD,
            5 => ReasonCode::NOT_AUTHORIZED,
            // only a lenient parse lets another value through
            other => ReasonCode::new(other),
        }
    }
}

/// CONNACK reason codes of 5.0 (table 3-1).
fn connack_v5_code_ok(code: u8) -> bool {
    crate::ReasonCode::new(code).allowed_in(PacketType::ConnAck)
}

/// Session Present set with a non-zero code, in 3.1.1 or 5.0.
fn session_present_refused(session_present: bool, code: u8, version: Version) -> bool {
    session_present && code != 0 && version != Version::V3_1
}

fn connack_code_ok(code: u8, version: Version) -> bool {
    if version.is_v5() {
        connack_v5_code_ok(code)
    } else {
        code <= 5
    }
}

pub(crate) fn parse_connack(
    input: &[u8],
    version: Version,
    strict: bool,
) -> PResult<'_, ConnAck<'_>> {
    let (i, flags) = p::byte(input, Field::ConnackFlags)?;
    // "Bits 7-1 are reserved and MUST be set to 0" [MQTT-3.2.2-1]
    if flags & 0xfe != 0 {
        return fail(input, ErrorKind::ConnackReservedFlags);
    }
    if !strict && version.is_v5() && i.len() < 2 {
        // mqtt-packet's compatibility: a 5.0 CONNACK without properties
        // (a 3.1.1 server refusing a 5.0 client), or without a reason code.
        let (i, code) = if i.is_empty() {
            (i, 0)
        } else {
            p::byte(i, Field::ReturnCode)?
        };
        return Ok((
            i,
            ConnAck {
                session_present: flags & 1 != 0,
                code,
                properties: Properties::EMPTY,
            },
        ));
    }
    let code_at = i;
    let (i, code) = p::byte(i, Field::ReturnCode)?;
    if strict && !connack_code_ok(code, version) {
        return fail(code_at, ErrorKind::InvalidConnackCode);
    }
    // "If a Server sends a CONNACK packet containing a non-zero return code it
    // MUST set Session Present to 0" [MQTT-3.2.2-4] (5.0: reason code,
    // [MQTT-3.2.2-6]). 3.1 has no Session Present flag.
    if strict && session_present_refused(flags & 1 != 0, code, version) {
        return fail(input, ErrorKind::ConnackSessionPresent);
    }
    let (i, properties) = if version.is_v5() {
        parse_properties_with(i, Context::Packet(PacketType::ConnAck), strict)?
    } else {
        (i, Properties::EMPTY)
    };
    let (i, ()) = p::expect_end(i, PacketType::ConnAck)?;
    Ok((
        i,
        ConnAck {
            session_present: flags & 1 != 0,
            code,
            properties,
        },
    ))
}

impl ConnAck<'_> {
    pub(crate) fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        if !connack_code_ok(self.code, version) {
            return Err(EncodeError::Invalid(ErrorKind::InvalidConnackCode));
        }
        if session_present_refused(self.session_present, self.code, version) {
            return Err(EncodeError::Invalid(ErrorKind::ConnackSessionPresent));
        }
        if version.is_v5() {
            Ok(2 + self
                .properties
                .encoded_len(Context::Packet(PacketType::ConnAck))?)
        } else if !self.properties.is_empty() {
            Err(EncodeError::PropertiesBeforeV5)
        } else {
            Ok(2)
        }
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        buf.put_u8(self.session_present as u8);
        buf.put_u8(self.code);
        if version.is_v5() {
            self.properties.write(buf);
        }
    }
}
