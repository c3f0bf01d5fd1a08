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
        match self {
            Field::ProtocolName => "protocol name",
            Field::ProtocolLevel => "protocol level",
            Field::ConnectFlags => "connect flags",
            Field::KeepAlive => "keep alive",
            Field::ClientId => "client identifier",
            Field::WillTopic => "will topic",
            Field::WillPayload => "will payload",
            Field::Username => "user name",
            Field::Password => "password",
            Field::Topic => "topic",
            Field::PacketId => "packet identifier",
            Field::TopicFilter => "topic filter",
            Field::SubscriptionOptions => "subscription options",
            Field::ConnackFlags => "connack flags",
            Field::ReturnCode => "return code",
            Field::ReasonCode => "reason code",
            Field::Properties => "properties",
            Field::PropertyValue => "property value",
            Field::RemainingLength => "remaining length",
        }
    }
}

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

    /// The normative statement of the specification this error enforces.
    pub fn rule(self) -> &'static str {
        use ErrorKind::*;
        match self {
            ReservedPacketType => "MQTT-2.1.3 (packet type 0 is reserved)",
            InvalidHeaderFlags(_) => "MQTT-2.2.2-1",
            PublishQos3 => "MQTT-3.3.1-4",
            VarIntTooLong => "MQTT-1.5.5 (at most four bytes)",
            VarIntNotMinimal => "MQTT-1.5.5-1",
            PacketTooLarge(_) => "MQTT-3.1.2-24 (Maximum Packet Size)",
            Truncated(_) => "MQTT-4.13 (malformed packet: remaining length too short)",
            TrailingBytes(_) => "MQTT-4.13 (malformed packet: bytes after the last field)",
            InvalidUtf8(_) => "MQTT-1.5.4-1",
            NullCharacter(_) => "MQTT-1.5.4-2",
            InvalidProtocolName => "MQTT-3.1.2-1",
            InvalidProtocolLevel => "MQTT-3.1.2-2",
            ProtocolNameMismatch => "MQTT-3.1.2-1 (name and level disagree)",
            ConnectReservedFlag => "MQTT-3.1.2-3",
            WillRetainWithoutWill => "MQTT-3.1.2-15",
            WillQosWithoutWill => "MQTT-3.1.2-13",
            WillQos3 => "MQTT-3.1.2-14",
            PasswordWithoutUsername => "MQTT-3.1.2-22",
            ConnackReservedFlags => "MQTT-3.2.2-1",
            InvalidConnackCode => "MQTT-3.2.2-8 (table 3.1 / 3-1)",
            TopicWildcard => "MQTT-3.3.2-2",
            EmptyTopic => "MQTT-4.7.3-1",
            ZeroPacketId => "MQTT-2.2.1-3",
            NoPayload(_) => "MQTT-4.13 (malformed packet: no payload)",
            NoTopicFilters(_) => "MQTT-3.8.3-3 / MQTT-3.10.3-2",
            SubscriptionOptionsReserved(_) => "MQTT-3.8.3-5",
            SubscribeQos3 => "MQTT-3-8.3-4",
            RetainHandling3 => "MQTT-3.8.3-5 (Retain Handling 3 is reserved)",
            MissingSubscriptionOptions => "MQTT-3.8.3 (each filter has an options byte)",
            InvalidTopicFilter => "MQTT-4.7.1-1 / MQTT-4.7.3-1",
            SharedSubscriptionNoLocal => "MQTT-3.8.3-4",
            InvalidSubackCode(_) => "MQTT-3.9.3-2",
            NoReturnCodes => "MQTT-3.9.3-1",
            UnsubackLength => "MQTT-3.11.1 (remaining length 2)",
            InvalidUnsubackCode => "MQTT-3.11.3-1",
            InvalidReasonCode(_) => "MQTT-2.4 (reason code not defined for this packet)",
            AuthBeforeV5 => "MQTT-3.15 (AUTH exists in 5.0 only)",
            PropertyIdZero => "MQTT-2.2.2.2 (property identifier 0)",
            UnknownProperty(_) => "MQTT-2.2.2.2 (unknown property identifier)",
            PropertyNotAllowed(..) => "MQTT-2.2.2.2 (property not allowed in this packet)",
            DuplicateProperty(_) => "MQTT-2.2.2.2 (property included more than once)",
            InvalidPropertyValue(_) => "MQTT-3.1.2.11 (property value out of range)",
            PublishDupQos0 => "MQTT-3.3.1-2",
            ConnackSessionPresent => "MQTT-3.2.2-4 / MQTT-3.2.2-6",
        }
    }

    /// Whether `mqtt-packet` 9 accepts input that produces this error
    /// (mqttwire is stricter by the specification here).
    pub fn is_stricter_than_mqtt_packet(self) -> bool {
        use ErrorKind::*;
        matches!(
            self,
            VarIntNotMinimal
                | PacketTooLarge(_)
                | TrailingBytes(_)
                | InvalidUtf8(_)
                | NullCharacter(_)
                | ProtocolNameMismatch
                | WillQos3
                | PasswordWithoutUsername
                | InvalidConnackCode
                | TopicWildcard
                | EmptyTopic
                | ZeroPacketId
                | NoTopicFilters(_)
                | InvalidTopicFilter
                | SharedSubscriptionNoLocal
                | NoReturnCodes
                | PropertyNotAllowed(..)
                | DuplicateProperty(_)
                | InvalidPropertyValue(_)
                | PublishDupQos0
                | ConnackSessionPresent
        )
    }

    /// Whether [`Limits::strict(false)`](crate::Limits::strict) (mqtt-packet's
    /// leniency) accepts what gives this error.
    pub fn relaxed_when_lenient(self) -> bool {
        use ErrorKind::*;
        matches!(
            self,
            NullCharacter(_)
                | ProtocolNameMismatch
                | PasswordWithoutUsername
                | InvalidConnackCode
                | TopicWildcard
                | EmptyTopic
                | ZeroPacketId
                | NoTopicFilters(_)
                | InvalidTopicFilter
                | SharedSubscriptionNoLocal
                | NoReturnCodes
                | PropertyNotAllowed(..)
                | DuplicateProperty(_)
                | InvalidPropertyValue(_)
                | PublishDupQos0
                | ConnackSessionPresent
        )
    }

    /// The error message, identical to `mqtt-packet`'s where it has one for the
    /// same input; otherwise a message of mqttwire's own naming the rule broken.
    pub fn message(self) -> String {
        use ErrorKind::*;
        let s: &str = match self {
            ReservedPacketType => "Not supported",
            InvalidHeaderFlags(t) => {
                return format!(
                    "Invalid header flag bits, must be 0x{:x} for {} packet",
                    t.required_flags(),
                    t.name()
                )
            }
            PublishQos3 => "Packet must not have both QoS bits set to 1",
            VarIntTooLong => "Invalid variable byte integer",
            VarIntNotMinimal => "Invalid variable byte integer: not encoded in the fewest bytes",
            PacketTooLarge(max) => {
                return format!("Packet too large: exceeds the maximum packet size of {max} bytes")
            }
            Truncated(f) => match f {
                Field::ProtocolName => "Cannot parse protocolId",
                Field::WillTopic => "Cannot parse will topic",
                Field::WillPayload => "Cannot parse will payload",
                Field::Username => "Cannot parse username",
                Field::Password => "Cannot parse password",
                Field::Topic | Field::TopicFilter => "Cannot parse topic",
                Field::PacketId => "Cannot parse messageId",
                Field::SubscriptionOptions => "Malformed Subscribe Payload",
                Field::ConnackFlags | Field::ReturnCode => "Cannot parse return code",
                // mqtt-packet's message when a property list runs past the packet
                Field::Properties => "Cannot parse property code type",
                Field::PropertyValue => "Malformed properties: truncated",
                _ => "Packet too short",
            },
            TrailingBytes(t) => {
                return format!(
                    "Malformed {} packet: remaining length exceeds its fields",
                    t.name()
                )
            }
            InvalidUtf8(f) => return format!("Invalid UTF-8 string in {}", f.name()),
            NullCharacter(f) => return format!("Invalid string in {}: contains U+0000", f.name()),
            InvalidProtocolName => "Invalid protocolId",
            InvalidProtocolLevel => "Invalid protocol version",
            ProtocolNameMismatch => "Protocol name does not match protocol version",
            ConnectReservedFlag => "Connect flag bit 0 must be 0, but got 1",
            WillRetainWithoutWill => {
                "Will Retain Flag must be set to zero when Will Flag is set to 0"
            }
            WillQosWithoutWill => "Will QoS must be set to zero when Will Flag is set to 0",
            WillQos3 => "Will QoS must be <= 2",
            PasswordWithoutUsername => "Password flag must be 0 when User Name flag is 0",
            ConnackReservedFlags => "Invalid connack flags, bits 7-1 must be set to 0",
            InvalidConnackCode => "Invalid connack return code",
            TopicWildcard => "Invalid topic: wildcards are not allowed in a publish topic",
            EmptyTopic => "Invalid topic: empty topic name",
            ZeroPacketId => "Invalid messageId: 0",
            NoPayload(t) => match t {
                PacketType::Subscribe => "Malformed subscribe, no payload specified",
                PacketType::SubAck => "Malformed suback, no payload specified",
                PacketType::Unsubscribe => "Malformed unsubscribe, no payload specified",
                _ => "Malformed unsuback, no payload specified",
            },
            NoTopicFilters(t) => {
                return format!("Malformed {}, no topic filters", t.name());
            }
            SubscriptionOptionsReserved(5) => {
                "Invalid subscribe topic flag bits, bits 7-6 must be 0"
            }
            SubscriptionOptionsReserved(_) => {
                "Invalid subscribe topic flag bits, bits 7-2 must be 0"
            }
            SubscribeQos3 => "Invalid subscribe QoS, must be <= 2",
            RetainHandling3 => "Invalid retain handling, must be <= 2",
            MissingSubscriptionOptions => "Malformed Subscribe Payload",
            InvalidTopicFilter => "Invalid topic filter",
            SharedSubscriptionNoLocal => "No Local must be 0 on a shared subscription",
            InvalidSubackCode(5) => "Invalid suback code",
            InvalidSubackCode(_) => "Invalid suback QoS, must be 0, 1, 2 or 128",
            NoReturnCodes => "Malformed suback, no return codes",
            UnsubackLength => "Malformed unsuback, payload length must be 2",
            InvalidUnsubackCode => "Invalid unsuback code",
            InvalidReasonCode(t) => return format!("Invalid {} reason code", t.name()),
            AuthBeforeV5 => "Not supported auth packet for this version MQTT",
            PropertyIdZero => "Cannot parse property code type",
            UnknownProperty(_) => "Unknown property",
            PropertyNotAllowed(id, t) => {
                return format!(
                    "Property {} is not allowed in {} packet",
                    crate::properties::property_name(id),
                    t.name()
                )
            }
            DuplicateProperty(id) => {
                return format!(
                    "Duplicate property {}",
                    crate::properties::property_name(id)
                )
            }
            InvalidPropertyValue(id) => {
                return format!(
                    "Invalid property value for {}",
                    crate::properties::property_name(id)
                )
            }
            PublishDupQos0 => "Invalid header flag bits: DUP must be 0 for QoS 0",
            ConnackSessionPresent => {
                "Invalid connack flags: session present must be 0 when the return code is not 0"
            }
        };
        s.to_string()
    }
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
