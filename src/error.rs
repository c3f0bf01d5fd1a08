//! Decode and encode errors.
//!
//! Every malformed-packet rule of the specification that mqttwire checks is one
//! [`ErrorKind`] variant. Each variant knows the normative statement it enforces
//! ([`ErrorKind::rule`]), a stable numeric code used on the Node tape
//! ([`ErrorKind::code`]), and the message `mqtt-packet` emits for the same input
//! ([`ErrorKind::message`]) so that the Node package can be a drop-in replacement.

use alloc::string::{String, ToString};
use core::fmt;

use crate::PacketType;

/// Which field of a packet an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// CONNECT protocol name (`MQTT` or `MQIsdp`).
    ProtocolName = 0,
    /// CONNECT protocol level byte.
    ProtocolLevel = 1,
    /// CONNECT flags byte.
    ConnectFlags = 2,
    /// CONNECT keep alive.
    KeepAlive = 3,
    /// CONNECT client identifier.
    ClientId = 4,
    /// CONNECT will topic.
    WillTopic = 5,
    /// CONNECT will payload.
    WillPayload = 6,
    /// CONNECT user name.
    Username = 7,
    /// CONNECT password.
    Password = 8,
    /// PUBLISH topic name.
    Topic = 9,
    /// Packet identifier.
    PacketId = 10,
    /// SUBSCRIBE / UNSUBSCRIBE topic filter.
    TopicFilter = 11,
    /// SUBSCRIBE subscription options byte.
    SubscriptionOptions = 12,
    /// CONNACK acknowledge flags.
    ConnackFlags = 13,
    /// CONNACK return code (3.1 / 3.1.1) or reason code (5.0).
    ReturnCode = 14,
    /// Reason code of PUBACK, PUBREC, PUBREL, PUBCOMP, DISCONNECT or AUTH.
    ReasonCode = 15,
    /// v5 property length or property list.
    Properties = 16,
    /// The value of one v5 property.
    PropertyValue = 17,
    /// The remaining length of the fixed header.
    RemainingLength = 18,
}

impl Field {
    /// Every field, indexed by its numeric value.
    pub const ALL: [Field; 19] = [
        Field::ProtocolName,
        Field::ProtocolLevel,
        Field::ConnectFlags,
        Field::KeepAlive,
        Field::ClientId,
        Field::WillTopic,
        Field::WillPayload,
        Field::Username,
        Field::Password,
        Field::Topic,
        Field::PacketId,
        Field::TopicFilter,
        Field::SubscriptionOptions,
        Field::ConnackFlags,
        Field::ReturnCode,
        Field::ReasonCode,
        Field::Properties,
        Field::PropertyValue,
        Field::RemainingLength,
    ];

    /// The field from its numeric value.
    pub fn from_u8(v: u8) -> Option<Field> {
        Field::ALL.get(v as usize).copied()
    }

    /// Human name of the field, as used in messages.
    pub fn name(self) -> &'static str {
        FIELDS[self as usize].0
    }

    /// mqtt-packet's message when the remaining length ends inside this field
    /// (the [`ErrorKind::Truncated`] message).
    pub fn truncated_message(self) -> &'static str {
        FIELDS[self as usize].1
    }
}

/// Every field by number: its name and the message of a packet that ends
/// inside it (mqtt-packet's wording).
pub const FIELDS: [(&str, &str); 19] = [
    ("protocol name", "Cannot parse protocolId"),
    ("protocol level", "Packet too short"),
    ("connect flags", "Packet too short"),
    ("keep alive", "Packet too short"),
    ("client identifier", "Packet too short"),
    ("will topic", "Cannot parse will topic"),
    ("will payload", "Cannot parse will payload"),
    ("user name", "Cannot parse username"),
    ("password", "Cannot parse password"),
    ("topic", "Cannot parse topic"),
    ("packet identifier", "Cannot parse messageId"),
    ("topic filter", "Cannot parse topic"),
    ("subscription options", "Malformed Subscribe Payload"),
    ("connack flags", "Cannot parse return code"),
    ("return code", "Cannot parse return code"),
    ("reason code", "Packet too short"),
    // mqtt-packet's message when a property list runs past the packet
    ("properties", "Cannot parse property code type"),
    ("property value", "Malformed properties: truncated"),
    ("remaining length", "Packet too short"),
];

/// What is wrong with a packet. Each variant names the rule it enforces.
///
/// The numeric [`code`](ErrorKind::code) of each variant is stable: the Node
/// binding transports it on the tape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Packet type 0 is reserved. [MQTT-2.1.3] (table 2-1)
    ReservedPacketType,
    /// Reserved fixed header flag bits are not as the table requires. [MQTT-2.2.2-1]
    InvalidHeaderFlags(PacketType),
    /// PUBLISH with both QoS bits set. [MQTT-3.3.1-4]
    PublishQos3,
    /// A Variable Byte Integer longer than four bytes. [MQTT-1.5.5]
    VarIntTooLong,
    /// A Variable Byte Integer not encoded in the fewest bytes. [MQTT-1.5.5-1]
    VarIntNotMinimal,
    /// The packet is larger than the configured maximum packet size (the limit). [MQTT-3.1.2-24]
    PacketTooLarge(u32),
    /// The remaining length ends before this field does.
    Truncated(Field),
    /// The remaining length is longer than the packet's fields. [MQTT-2.1.4]
    TrailingBytes(PacketType),
    /// A UTF-8 string field is not well-formed UTF-8. [MQTT-1.5.4-1]
    InvalidUtf8(Field),
    /// A UTF-8 string field contains U+0000. [MQTT-1.5.4-2]
    NullCharacter(Field),
    /// CONNECT protocol name is neither `MQTT` nor `MQIsdp`. [MQTT-3.1.2-1]
    InvalidProtocolName,
    /// CONNECT protocol level is not 3, 4 or 5. [MQTT-3.1.2-2]
    InvalidProtocolLevel,
    /// CONNECT protocol name does not match its level (`MQIsdp` is level 3, `MQTT` 4 or 5). [MQTT-3.1.2-1]
    ProtocolNameMismatch,
    /// CONNECT reserved flag bit 0 is set. [MQTT-3.1.2-3]
    ConnectReservedFlag,
    /// Will Retain set while the Will Flag is 0. [MQTT-3.1.2-15]
    WillRetainWithoutWill,
    /// Will QoS non-zero while the Will Flag is 0. [MQTT-3.1.2-13]
    WillQosWithoutWill,
    /// Will QoS is 3. [MQTT-3.1.2-14]
    WillQos3,
    /// Password flag set without the User Name flag (3.1 and 3.1.1). [MQTT-3.1.2-22]
    PasswordWithoutUsername,
    /// CONNACK acknowledge flags bits 7-1 are not 0. [MQTT-3.2.2-1]
    ConnackReservedFlags,
    /// CONNACK return code (3.1.1: 0-5) or reason code (5.0, table 3-1) is not defined. [MQTT-3.2.2-8]
    InvalidConnackCode,
    /// PUBLISH topic name contains a wildcard character. [MQTT-3.3.2-2]
    TopicWildcard,
    /// A PUBLISH or will topic name is empty (a PUBLISH one is allowed in 5.0
    /// with a Topic Alias). [MQTT-4.7.3-1]
    EmptyTopic,
    /// A packet identifier of 0 where a non-zero one is required. [MQTT-2.2.1-3]
    ZeroPacketId,
    /// The packet has a remaining length of 0 but needs a payload (mqtt-packet's check).
    NoPayload(PacketType),
    /// SUBSCRIBE / UNSUBSCRIBE without any topic filter. [MQTT-3.8.3-3] [MQTT-3.10.3-2]
    NoTopicFilters(PacketType),
    /// Subscription options reserved bits set (7-6 in 5.0, 7-2 before; the protocol level). [MQTT-3.8.3-5]
    SubscriptionOptionsReserved(u8),
    /// Subscription options requested QoS 3. [MQTT-3-8.3-4]
    SubscribeQos3,
    /// Subscription options Retain Handling 3. [MQTT-3.8.3-5]
    RetainHandling3,
    /// SUBSCRIBE topic filter without its options byte.
    MissingSubscriptionOptions,
    /// A topic filter with a misplaced wildcard or an empty filter. [MQTT-4.7.1-1] [MQTT-4.7.3-1]
    InvalidTopicFilter,
    /// No Local set on a shared subscription. [MQTT-3.8.3-4]
    SharedSubscriptionNoLocal,
    /// SUBACK return code not allowed (0, 1, 2, 0x80 before 5.0; table 3-8 in 5.0; the protocol level). [MQTT-3.9.3-2]
    InvalidSubackCode(u8),
    /// SUBACK without any return code. [MQTT-3.9.3-1]
    NoReturnCodes,
    /// UNSUBACK before 5.0 whose remaining length is not 2. [MQTT-3.11.1]
    UnsubackLength,
    /// UNSUBACK reason code not in table 3-9. [MQTT-3.11.3-1]
    InvalidUnsubackCode,
    /// Reason code not defined for this packet type. [MQTT-2.4]
    InvalidReasonCode(PacketType),
    /// AUTH packet before MQTT 5.0. [MQTT-3.15]
    AuthBeforeV5,
    /// Property identifier 0.
    PropertyIdZero,
    /// Property identifier not defined in 5.0 (the id). [MQTT-2.2.2.2]
    UnknownProperty(u8),
    /// A property not allowed in this packet (the id, the packet type). [MQTT-2.2.2.2]
    PropertyNotAllowed(u8, PacketType),
    /// A property given more than once where the spec allows it once (the id). [MQTT-2.2.2.2]
    DuplicateProperty(u8),
    /// A property value outside its range (the id), e.g. Receive Maximum 0. [MQTT-3.1.2.11]
    InvalidPropertyValue(u8),
    /// PUBLISH with the DUP flag set and QoS 0. [MQTT-3.3.1-2]
    PublishDupQos0,
    /// CONNACK with Session Present set and a non-zero return code (3.1.1) or
    /// reason code (5.0). [MQTT-3.2.2-4] [MQTT-3.2.2-6]
    ConnackSessionPresent,
}

impl ErrorKind {
    /// Stable numeric code of the variant (the tape's `T[2]`).
    pub fn code(self) -> u32 {
        use ErrorKind::*;
        match self {
            ReservedPacketType => 1,
            InvalidHeaderFlags(_) => 2,
            PublishQos3 => 3,
            VarIntTooLong => 4,
            VarIntNotMinimal => 5,
            PacketTooLarge(_) => 6,
            Truncated(_) => 7,
            TrailingBytes(_) => 8,
            InvalidUtf8(_) => 9,
            NullCharacter(_) => 10,
            InvalidProtocolName => 11,
            InvalidProtocolLevel => 12,
            ProtocolNameMismatch => 13,
            ConnectReservedFlag => 14,
            WillRetainWithoutWill => 15,
            WillQosWithoutWill => 16,
            WillQos3 => 17,
            PasswordWithoutUsername => 18,
            ConnackReservedFlags => 19,
            InvalidConnackCode => 20,
            TopicWildcard => 21,
            EmptyTopic => 22,
            ZeroPacketId => 23,
            NoPayload(_) => 24,
            NoTopicFilters(_) => 25,
            SubscriptionOptionsReserved(_) => 26,
            SubscribeQos3 => 27,
            RetainHandling3 => 28,
            MissingSubscriptionOptions => 29,
            InvalidTopicFilter => 30,
            SharedSubscriptionNoLocal => 31,
            InvalidSubackCode(_) => 32,
            NoReturnCodes => 33,
            UnsubackLength => 34,
            InvalidUnsubackCode => 35,
            InvalidReasonCode(_) => 36,
            AuthBeforeV5 => 37,
            PropertyIdZero => 38,
            UnknownProperty(_) => 39,
            PropertyNotAllowed(..) => 40,
            DuplicateProperty(_) => 41,
            InvalidPropertyValue(_) => 42,
            PublishDupQos0 => 43,
            ConnackSessionPresent => 44,
        }
    }

    /// The variant's parameter as carried on the tape's `T[3]`.
    ///
    /// Packet types are their 4-bit number, fields their [`Field`] number,
    /// property ids the id; [`ErrorKind::PropertyNotAllowed`] packs
    /// `id | packet_type << 8`.
    pub fn param(self) -> u32 {
        use ErrorKind::*;
        match self {
            InvalidHeaderFlags(t)
            | TrailingBytes(t)
            | NoPayload(t)
            | NoTopicFilters(t)
            | InvalidReasonCode(t) => t as u32,
            PacketTooLarge(n) => n,
            Truncated(f) | InvalidUtf8(f) | NullCharacter(f) => f as u32,
            UnknownProperty(id)
            | DuplicateProperty(id)
            | InvalidPropertyValue(id)
            | SubscriptionOptionsReserved(id)
            | InvalidSubackCode(id) => id as u32,
            PropertyNotAllowed(id, t) => id as u32 | (t as u32) << 8,
            _ => 0,
        }
    }

    /// Rebuild a kind from its [`code`](ErrorKind::code) and [`param`](ErrorKind::param).
    pub fn from_code(code: u32, param: u32) -> Option<ErrorKind> {
        use ErrorKind::*;
        let ty = || PacketType::from_u8((param & 0xf) as u8);
        let field = || Field::from_u8(param as u8);
        let id = param as u8;
        Some(match code {
            1 => ReservedPacketType,
            2 => InvalidHeaderFlags(ty()?),
            3 => PublishQos3,
            4 => VarIntTooLong,
            5 => VarIntNotMinimal,
            6 => PacketTooLarge(param),
            7 => Truncated(field()?),
            8 => TrailingBytes(ty()?),
            9 => InvalidUtf8(field()?),
            10 => NullCharacter(field()?),
            11 => InvalidProtocolName,
            12 => InvalidProtocolLevel,
            13 => ProtocolNameMismatch,
            14 => ConnectReservedFlag,
            15 => WillRetainWithoutWill,
            16 => WillQosWithoutWill,
            17 => WillQos3,
            18 => PasswordWithoutUsername,
            19 => ConnackReservedFlags,
            20 => InvalidConnackCode,
            21 => TopicWildcard,
            22 => EmptyTopic,
            23 => ZeroPacketId,
            24 => NoPayload(ty()?),
            25 => NoTopicFilters(ty()?),
            26 => SubscriptionOptionsReserved(id),
            27 => SubscribeQos3,
            28 => RetainHandling3,
            29 => MissingSubscriptionOptions,
            30 => InvalidTopicFilter,
            31 => SharedSubscriptionNoLocal,
            32 => InvalidSubackCode(id),
            33 => NoReturnCodes,
            34 => UnsubackLength,
            35 => InvalidUnsubackCode,
            36 => InvalidReasonCode(ty()?),
            37 => AuthBeforeV5,
            38 => PropertyIdZero,
            39 => UnknownProperty(id),
            40 => PropertyNotAllowed(id, PacketType::from_u8((param >> 8) as u8 & 0xf)?),
            41 => DuplicateProperty(id),
            42 => InvalidPropertyValue(id),
            43 => PublishDupQos0,
            44 => ConnackSessionPresent,
            _ => return None,
        })
    }

    /// This kind's row of [`ERRORS`].
    pub fn info(self) -> &'static ErrorInfo {
        &ERRORS[self.code() as usize - 1]
    }

    /// The normative statement of the specification this error enforces.
    pub fn rule(self) -> &'static str {
        self.info().rule
    }

    /// Whether `mqtt-packet` 9 accepts input that produces this error
    /// (mqttwire is stricter by the specification here).
    pub fn is_stricter_than_mqtt_packet(self) -> bool {
        self.info().stricter
    }

    /// Whether [`Limits::strict(false)`](crate::Limits::strict) (mqtt-packet's
    /// leniency) accepts what gives this error.
    pub fn relaxed_when_lenient(self) -> bool {
        self.info().lenient
    }

    /// The error message, identical to `mqtt-packet`'s where it has one for the
    /// same input; otherwise a message of mqttwire's own naming the rule broken.
    /// [`ErrorInfo::message`] filled in with this kind's parameter.
    pub fn message(self) -> String {
        let info = self.info();
        let param = self.param();
        let template = match (info.param, info.message_v5) {
            (Param::Version, Some(m)) if param == 5 => m,
            _ => info.message,
        };
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find('}') else { break };
            let hole = &rest[i + 1..i + j];
            rest = &rest[i + j + 1..];
            let ty = || PacketType::from_u8((param >> info.param.type_shift()) as u8 & 0xf);
            match hole {
                "packet" => out.push_str(ty().map_or("unknown", PacketType::name)),
                "flags" => {
                    let f = ty().map_or(0, PacketType::required_flags);
                    out.push_str(&format!("{f:x}"));
                }
                "field" => out.push_str(Field::from_u8(param as u8).map_or("unknown", Field::name)),
                "truncated" => out.push_str(
                    Field::from_u8(param as u8)
                        .map_or("Packet too short", Field::truncated_message),
                ),
                "property" => out.push_str(crate::properties::property_name(param as u8)),
                "max" => out.push_str(&param.to_string()),
                _ => {}
            }
        }
        out.push_str(rest);
        out
    }
}

/// What an error's parameter (the tape's `T[3]`, [`ErrorKind::param`]) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// No parameter (0).
    None,
    /// A packet type number.
    PacketType,
    /// A [`Field`] number.
    Field,
    /// A v5 property id.
    Property,
    /// `property id | packet type << 8`.
    PropertyInPacket,
    /// The protocol level the packet was parsed with.
    Version,
    /// The limit exceeded (bytes).
    Limit,
}

impl Param {
    /// The bit position of the packet type in the parameter.
    fn type_shift(self) -> u32 {
        if self == Param::PropertyInPacket {
            8
        } else {
            0
        }
    }

    /// Its name in the generated JS table.
    pub fn name(self) -> &'static str {
        match self {
            Param::None => "none",
            Param::PacketType => "packetType",
            Param::Field => "field",
            Param::Property => "property",
            Param::PropertyInPacket => "propertyInPacket",
            Param::Version => "version",
            Param::Limit => "limit",
        }
    }
}

/// One row of the error table: what mqttwire knows about an [`ErrorKind`].
///
/// A message is a template: `{packet}` is the packet type's name (the type
/// from the parameter), `{flags}` its required fixed-header flags in hex,
/// `{field}` the [`Field`]'s name, `{truncated}` its
/// [`Field::truncated_message`], `{property}` the property's name, `{max}` the
/// limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The stable code ([`ErrorKind::code`], the tape's `T[2]`).
    pub code: u32,
    /// The variant's name.
    pub name: &'static str,
    /// What the parameter is.
    pub param: Param,
    /// The normative statement of the specification the check enforces.
    pub rule: &'static str,
    /// The message template (mqtt-packet's message where it has one).
    pub message: &'static str,
    /// With [`Param::Version`]: the message for a 5.0 packet, when it differs.
    pub message_v5: Option<&'static str>,
    /// mqtt-packet 9 accepts what gives this error (stricter by the spec).
    pub stricter: bool,
    /// Lenient mode ([`Limits::strict`](crate::Limits::strict) off) skips the check.
    pub lenient: bool,
}

macro_rules! error_table {
    ($( $code:literal $name:ident $param:ident $rule:literal, $msg:literal $(/ $v5:literal)?, $stricter:ident $lenient:ident; )*) => {
        /// Every error kind by code (row `code - 1`).
        pub const ERRORS: [ErrorInfo; 44] = [$(
            ErrorInfo {
                code: $code,
                name: stringify!($name),
                param: Param::$param,
                rule: $rule,
                message: $msg,
                message_v5: error_table!(@v5 $($v5)?),
                stricter: error_table!(@flag $stricter),
                lenient: error_table!(@flag $lenient),
            },
        )*];
    };
    (@v5) => { None };
    (@v5 $v5:literal) => { Some($v5) };
    (@flag stricter) => { true };
    (@flag lenient) => { true };
    (@flag no) => { false };
}

// code, variant, parameter, rule, message [/ message for 5.0],
// stricter than mqtt-packet, relaxed when lenient
error_table! {
    1 ReservedPacketType None "MQTT-2.1.3 (packet type 0 is reserved)", "Not supported", no no;
    2 InvalidHeaderFlags PacketType "MQTT-2.2.2-1", "Invalid header flag bits, must be 0x{flags} for {packet} packet", no no;
    3 PublishQos3 None "MQTT-3.3.1-4", "Packet must not have both QoS bits set to 1", no no;
    4 VarIntTooLong None "MQTT-1.5.5 (at most four bytes)", "Invalid variable byte integer", no no;
    5 VarIntNotMinimal None "MQTT-1.5.5-1", "Invalid variable byte integer: not encoded in the fewest bytes", stricter no;
    6 PacketTooLarge Limit "MQTT-3.1.2-24 (Maximum Packet Size)", "Packet too large: exceeds the maximum packet size of {max} bytes", stricter no;
    7 Truncated Field "MQTT-4.13 (malformed packet: remaining length too short)", "{truncated}", no no;
    8 TrailingBytes PacketType "MQTT-4.13 (malformed packet: bytes after the last field)", "Malformed {packet} packet: remaining length exceeds its fields", stricter no;
    9 InvalidUtf8 Field "MQTT-1.5.4-1", "Invalid UTF-8 string in {field}", stricter no;
    10 NullCharacter Field "MQTT-1.5.4-2", "Invalid string in {field}: contains U+0000", stricter lenient;
    11 InvalidProtocolName None "MQTT-3.1.2-1", "Invalid protocolId", no no;
    12 InvalidProtocolLevel None "MQTT-3.1.2-2", "Invalid protocol version", no no;
    13 ProtocolNameMismatch None "MQTT-3.1.2-1 (name and level disagree)", "Protocol name does not match protocol version", stricter lenient;
    14 ConnectReservedFlag None "MQTT-3.1.2-3", "Connect flag bit 0 must be 0, but got 1", no no;
    15 WillRetainWithoutWill None "MQTT-3.1.2-15", "Will Retain Flag must be set to zero when Will Flag is set to 0", no no;
    16 WillQosWithoutWill None "MQTT-3.1.2-13", "Will QoS must be set to zero when Will Flag is set to 0", no no;
    17 WillQos3 None "MQTT-3.1.2-14", "Will QoS must be <= 2", stricter no;
    18 PasswordWithoutUsername None "MQTT-3.1.2-22", "Password flag must be 0 when User Name flag is 0", stricter lenient;
    19 ConnackReservedFlags None "MQTT-3.2.2-1", "Invalid connack flags, bits 7-1 must be set to 0", no no;
    20 InvalidConnackCode None "MQTT-3.2.2-8 (table 3.1 / 3-1)", "Invalid connack return code", stricter lenient;
    21 TopicWildcard None "MQTT-3.3.2-2", "Invalid topic: wildcards are not allowed in a publish topic", stricter lenient;
    22 EmptyTopic None "MQTT-4.7.3-1", "Invalid topic: empty topic name", stricter lenient;
    23 ZeroPacketId None "MQTT-2.2.1-3", "Invalid messageId: 0", stricter lenient;
    24 NoPayload PacketType "MQTT-4.13 (malformed packet: no payload)", "Malformed {packet}, no payload specified", no no;
    25 NoTopicFilters PacketType "MQTT-3.8.3-3 / MQTT-3.10.3-2", "Malformed {packet}, no topic filters", stricter lenient;
    26 SubscriptionOptionsReserved Version "MQTT-3.8.3-5", "Invalid subscribe topic flag bits, bits 7-2 must be 0" / "Invalid subscribe topic flag bits, bits 7-6 must be 0", no no;
    27 SubscribeQos3 None "MQTT-3-8.3-4", "Invalid subscribe QoS, must be <= 2", no no;
    28 RetainHandling3 None "MQTT-3.8.3-5 (Retain Handling 3 is reserved)", "Invalid retain handling, must be <= 2", no no;
    29 MissingSubscriptionOptions None "MQTT-3.8.3 (each filter has an options byte)", "Malformed Subscribe Payload", no no;
    30 InvalidTopicFilter None "MQTT-4.7.1-1 / MQTT-4.7.3-1", "Invalid topic filter", stricter lenient;
    31 SharedSubscriptionNoLocal None "MQTT-3.8.3-4", "No Local must be 0 on a shared subscription", stricter lenient;
    32 InvalidSubackCode Version "MQTT-3.9.3-2", "Invalid suback QoS, must be 0, 1, 2 or 128" / "Invalid suback code", no no;
    33 NoReturnCodes None "MQTT-3.9.3-1", "Malformed suback, no return codes", stricter lenient;
    34 UnsubackLength None "MQTT-3.11.1 (remaining length 2)", "Malformed unsuback, payload length must be 2", no no;
    35 InvalidUnsubackCode None "MQTT-3.11.3-1", "Invalid unsuback code", no no;
    36 InvalidReasonCode PacketType "MQTT-2.4 (reason code not defined for this packet)", "Invalid {packet} reason code", no no;
    37 AuthBeforeV5 None "MQTT-3.15 (AUTH exists in 5.0 only)", "Not supported auth packet for this version MQTT", no no;
    38 PropertyIdZero None "MQTT-2.2.2.2 (property identifier 0)", "Cannot parse property code type", no no;
    39 UnknownProperty Property "MQTT-2.2.2.2 (unknown property identifier)", "Unknown property", no no;
    40 PropertyNotAllowed PropertyInPacket "MQTT-2.2.2.2 (property not allowed in this packet)", "Property {property} is not allowed in {packet} packet", stricter lenient;
    41 DuplicateProperty Property "MQTT-2.2.2.2 (property included more than once)", "Duplicate property {property}", stricter lenient;
    42 InvalidPropertyValue Property "MQTT-3.1.2.11 (property value out of range)", "Invalid property value for {property}", stricter lenient;
    43 PublishDupQos0 None "MQTT-3.3.1-2", "Invalid header flag bits: DUP must be 0 for QoS 0", stricter lenient;
    44 ConnackSessionPresent None "MQTT-3.2.2-4 / MQTT-3.2.2-6", "Invalid connack flags: session present must be 0 when the return code is not 0", stricter lenient;
}

/// A decode error: what is wrong and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DecodeError {
    /// The rule broken.
    pub kind: ErrorKind,
    /// Byte offset of the offending byte, counted from the first byte of the
    /// packet (its fixed header) for [`crate::parse`], and from the start of the
    /// stream for [`crate::stream::Decoder`].
    pub offset: usize,
}

impl DecodeError {
    /// A new error at `offset`.
    pub const fn new(kind: ErrorKind, offset: usize) -> Self {
        DecodeError { kind, offset }
    }

    /// The same error with its offset moved by `by` bytes.
    pub fn shifted(self, by: usize) -> Self {
        DecodeError {
            kind: self.kind,
            offset: self.offset.saturating_add(by),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (at byte {}; {})",
            self.kind.message(),
            self.offset,
            self.kind.rule()
        )
    }
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl std::error::Error for DecodeError {}

/// Why a packet cannot be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EncodeError {
    /// A string or binary field is longer than 65,535 bytes (which field).
    FieldTooLong(Field),
    /// The packet's remaining length would exceed 268,435,455 bytes.
    PacketTooLarge,
    /// A field holds a value the spec forbids (the error a decoder would report).
    Invalid(ErrorKind),
    /// The packet type does not exist in the protocol version requested.
    WrongVersion(PacketType),
    /// A v5 property value does not fit its wire type (the id).
    PropertyValue(u8),
    /// Properties given for a packet of MQTT 3.1 / 3.1.1, which has none.
    PropertiesBeforeV5,
    /// A reason code given for a packet of MQTT 3.1 / 3.1.1, where this
    /// packet has none (which packet).
    ReasonCodeBeforeV5(PacketType),
    /// A PUBLISH of QoS 1 or 2 without a packet identifier: a client or server
    /// sending one "MUST assign it a currently unused non-zero Packet
    /// Identifier" [MQTT-2.2.1-3].
    MissingPacketId,
    /// A PUBLISH of QoS 0 with a packet identifier: "A PUBLISH packet MUST NOT
    /// contain a Packet Identifier if its QoS value is set to 0" [MQTT-2.2.1-2].
    UnexpectedPacketId,
    /// The output buffer has no room for the packet.
    BufferTooSmall,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::FieldTooLong(field) => {
                write!(f, "{} is longer than 65535 bytes", field.name())
            }
            EncodeError::PacketTooLarge => {
                write!(f, "remaining length exceeds 268435455 bytes")
            }
            EncodeError::Invalid(kind) => write!(f, "{} ({})", kind.message(), kind.rule()),
            EncodeError::WrongVersion(t) => {
                write!(
                    f,
                    "{} packet does not exist in this protocol version",
                    t.name()
                )
            }
            EncodeError::PropertiesBeforeV5 => {
                write!(f, "properties exist in MQTT 5.0 only")
            }
            EncodeError::ReasonCodeBeforeV5(t) => {
                write!(f, "a reason code in {} exists in MQTT 5.0 only", t.name())
            }
            EncodeError::MissingPacketId => write!(
                f,
                "a publish of QoS 1 or 2 needs a packet identifier (MQTT-2.2.1-3)"
            ),
            EncodeError::UnexpectedPacketId => write!(
                f,
                "a publish of QoS 0 has no packet identifier (MQTT-2.2.1-2)"
            ),
            EncodeError::BufferTooSmall => write!(f, "output buffer too small"),
            EncodeError::PropertyValue(id) => write!(
                f,
                "value of property {} does not fit its type",
                crate::properties::property_name(*id)
            ),
        }
    }
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl std::error::Error for EncodeError {}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn rows_are_in_code_order_and_name_their_variant() {
        for (i, row) in ERRORS.iter().enumerate() {
            assert_eq!(row.code as usize, i + 1);
            // a kind rebuilt from the code is the row's variant
            let param = match row.param {
                Param::PacketType => 8,
                Param::PropertyInPacket => 1 | 3 << 8,
                Param::Version => 4,
                _ => 1,
            };
            let kind = ErrorKind::from_code(row.code, param).expect("every code decodes");
            assert_eq!(kind.code(), row.code);
            assert!(
                format!("{kind:?}").starts_with(row.name),
                "{kind:?} vs {}",
                row.name
            );
            assert!(!kind.message().contains('{'), "{}", kind.message());
        }
    }
}
