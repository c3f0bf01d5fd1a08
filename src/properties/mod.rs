//! MQTT 5.0 properties (section 2.2.2).
//!
//! One table ([`PropertyId`]) gives each property's identifier, wire type, the
//! packets it may appear in and whether it may repeat. Parsing validates a whole
//! property list once (ids, types, allowed packet, duplicates, value ranges,
//! UTF-8) and keeps it as the borrowed wire bytes; [`Properties::iter`] then
//! decodes lazily. Properties built for encoding are a borrowed slice of
//! [`Property`] values and are validated by the same code.

use core::fmt;

use bytes::BufMut;

use crate::primitives::{self, fail, PResult};
use crate::{framing, EncodeError, ErrorKind, Field, PacketType};

/// Wire type of a property value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    /// One byte.
    Byte,
    /// Two Byte Integer.
    U16,
    /// Four Byte Integer.
    U32,
    /// Variable Byte Integer.
    VarInt,
    /// UTF-8 Encoded String.
    Str,
    /// Binary Data.
    Binary,
    /// UTF-8 String Pair.
    Pair,
}

/// Where a property list is: a packet type, or the will properties of CONNECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The properties of a packet of this type.
    Packet(PacketType),
    /// The will properties in a CONNECT payload.
    Will,
}

impl Context {
    fn bit(self) -> u16 {
        match self {
            Context::Will => 1,
            Context::Packet(t) => 1 << (t as u16),
        }
    }

    fn packet_type(self) -> PacketType {
        match self {
            Context::Will => PacketType::Connect,
            Context::Packet(t) => t,
        }
    }
}

macro_rules! property_table {
    ($( $variant:ident = $id:literal, $name:literal, $ty:ident, $mp:literal, [$($ctx:ident),*], $multi:literal; )*) => {
        /// A v5 property identifier.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        #[allow(missing_docs)]
        pub enum PropertyId {
            $( $variant = $id, )*
        }

        impl PropertyId {
            /// Every property, in identifier order.
            pub const ALL: &'static [PropertyId] = &[$( PropertyId::$variant, )*];

            /// The property of an identifier.
            pub fn from_u8(id: u8) -> Option<PropertyId> {
                match id {
                    $( $id => Some(PropertyId::$variant), )*
                    _ => None,
                }
            }

            /// The name mqtt-packet uses for it (`userProperties` for id 38).
            pub fn name(self) -> &'static str {
                match self { $( PropertyId::$variant => $name, )* }
            }

            /// Its wire type.
            pub fn value_type(self) -> PropertyType {
                match self { $( PropertyId::$variant => PropertyType::$ty, )* }
            }

            /// The value type mqtt-packet gives it (`byte` is a boolean there,
            /// `int8`/`int16`/`int32`/`var` numbers, `string`, `binary`, `pair`).
            pub fn mqtt_packet_type(self) -> &'static str {
                match self { $( PropertyId::$variant => $mp, )* }
            }

            /// Whether it may appear more than once in one list (in PUBLISH, for
            /// Subscription Identifier).
            pub fn may_repeat(self) -> bool {
                match self { $( PropertyId::$variant => $multi, )* }
            }

            /// Bit set of the contexts it is allowed in (table 2-4): bit 0 the
            /// will properties of CONNECT, bit `t` packet type `t`.
            pub fn allowed(self) -> u16 {
                match self {
                    $( PropertyId::$variant => 0 $( | ctx::$ctx )*, )*
                }
            }
        }
    };
}

/// Context bits of the property table (bit 0: will properties, else the packet type).
#[allow(non_upper_case_globals)]
mod ctx {
    use crate::PacketType as T;
    pub const Will: u16 = 1;
    pub const Connect: u16 = 1 << T::Connect as u16;
    pub const ConnAck: u16 = 1 << T::ConnAck as u16;
    pub const Publish: u16 = 1 << T::Publish as u16;
    pub const PubAck: u16 = 1 << T::PubAck as u16;
    pub const PubRec: u16 = 1 << T::PubRec as u16;
    pub const PubRel: u16 = 1 << T::PubRel as u16;
    pub const PubComp: u16 = 1 << T::PubComp as u16;
    pub const Subscribe: u16 = 1 << T::Subscribe as u16;
    pub const SubAck: u16 = 1 << T::SubAck as u16;
    pub const Unsubscribe: u16 = 1 << T::Unsubscribe as u16;
    pub const UnsubAck: u16 = 1 << T::UnsubAck as u16;
    pub const Disconnect: u16 = 1 << T::Disconnect as u16;
    pub const Auth: u16 = 1 << T::Auth as u16;
}

property_table! {
    PayloadFormatIndicator = 1, "payloadFormatIndicator", Byte, "byte", [Publish, Will], false;
    MessageExpiryInterval = 2, "messageExpiryInterval", U32, "int32", [Publish, Will], false;
    ContentType = 3, "contentType", Str, "string", [Publish, Will], false;
    ResponseTopic = 8, "responseTopic", Str, "string", [Publish, Will], false;
    CorrelationData = 9, "correlationData", Binary, "binary", [Publish, Will], false;
    SubscriptionIdentifier = 11, "subscriptionIdentifier", VarInt, "var", [Publish, Subscribe], true;
    SessionExpiryInterval = 17, "sessionExpiryInterval", U32, "int32", [Connect, ConnAck, Disconnect], false;
    AssignedClientIdentifier = 18, "assignedClientIdentifier", Str, "string", [ConnAck], false;
    ServerKeepAlive = 19, "serverKeepAlive", U16, "int16", [ConnAck], false;
    AuthenticationMethod = 21, "authenticationMethod", Str, "string", [Connect, ConnAck, Auth], false;
    AuthenticationData = 22, "authenticationData", Binary, "binary", [Connect, ConnAck, Auth], false;
    RequestProblemInformation = 23, "requestProblemInformation", Byte, "byte", [Connect], false;
    WillDelayInterval = 24, "willDelayInterval", U32, "int32", [Will], false;
    RequestResponseInformation = 25, "requestResponseInformation", Byte, "byte", [Connect], false;
    ResponseInformation = 26, "responseInformation", Str, "string", [ConnAck], false;
    ServerReference = 28, "serverReference", Str, "string", [ConnAck, Disconnect], false;
    ReasonString = 31, "reasonString", Str, "string", [ConnAck, PubAck, PubRec, PubRel, PubComp, SubAck, UnsubAck, Disconnect, Auth], false;
    ReceiveMaximum = 33, "receiveMaximum", U16, "int16", [Connect, ConnAck], false;
    TopicAliasMaximum = 34, "topicAliasMaximum", U16, "int16", [Connect, ConnAck], false;
    TopicAlias = 35, "topicAlias", U16, "int16", [Publish], false;
    MaximumQoS = 36, "maximumQoS", Byte, "int8", [ConnAck], false;
    RetainAvailable = 37, "retainAvailable", Byte, "byte", [ConnAck], false;
    UserProperty = 38, "userProperties", Pair, "pair", [Will, Connect, ConnAck, Publish, PubAck, PubRec, PubRel, PubComp, Subscribe, SubAck, Unsubscribe, UnsubAck, Disconnect, Auth], true;
    MaximumPacketSize = 39, "maximumPacketSize", U32, "int32", [Connect, ConnAck], false;
    WildcardSubscriptionAvailable = 40, "wildcardSubscriptionAvailable", Byte, "byte", [ConnAck], false;
    SubscriptionIdentifierAvailable = 41, "subscriptionIdentifiersAvailable", Byte, "byte", [ConnAck], false;
    SharedSubscriptionAvailable = 42, "sharedSubscriptionAvailable", Byte, "byte", [ConnAck], false;
}

/// The mqtt-packet name of a property id, or `"unknown"`.
pub fn property_name(id: u8) -> &'static str {
    PropertyId::from_u8(id).map_or("unknown", PropertyId::name)
}

/// One v5 property with its value (section 2.2.2.2, table 2-4). Each
/// variant names the packets it may appear in; the encoder refuses a property
/// outside them, and a value out of its range, with the rule it breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property<'a> {
    /// 0x01, PUBLISH and will: 0 the payload is unspecified bytes, 1 it is
    /// UTF-8 text.
    PayloadFormatIndicator(u8),
    /// 0x02, PUBLISH and will: the lifetime of the message in seconds.
    MessageExpiryInterval(u32),
    /// 0x03, PUBLISH and will: the content type of the payload (a MIME type,
    /// for example).
    ContentType(&'a str),
    /// 0x08, PUBLISH and will: the topic a response is to be published to.
    ResponseTopic(&'a str),
    /// 0x09, PUBLISH and will: data that ties a response to its request.
    CorrelationData(&'a [u8]),
    /// 0x0B, PUBLISH (may repeat) and SUBSCRIBE: the identifier of a
    /// subscription, 1 to 268,435,455.
    SubscriptionIdentifier(u32),
    /// 0x11, CONNECT, CONNACK, DISCONNECT: how long the session outlives the
    /// connection, in seconds (0xFFFFFFFF: never expires).
    SessionExpiryInterval(u32),
    /// 0x12, CONNACK: the client identifier the server assigned (when the
    /// CONNECT had an empty one).
    AssignedClientIdentifier(&'a str),
    /// 0x13, CONNACK: the keep alive the server imposes, in seconds.
    ServerKeepAlive(u16),
    /// 0x15, CONNECT, CONNACK, AUTH: the name of the extended authentication
    /// method.
    AuthenticationMethod(&'a str),
    /// 0x16, CONNECT, CONNACK, AUTH: the method's authentication data.
    AuthenticationData(&'a [u8]),
    /// 0x17, CONNECT: 0 asks the server not to send a Reason String or User
    /// Properties except in PUBLISH, CONNACK and DISCONNECT; 1 (default)
    /// allows them.
    RequestProblemInformation(u8),
    /// 0x18, will: the delay before the will is published, in seconds.
    WillDelayInterval(u32),
    /// 0x19, CONNECT: 1 asks the server for Response Information in CONNACK.
    RequestResponseInformation(u8),
    /// 0x1A, CONNACK: the basis for response topics the server suggests.
    ResponseInformation(&'a str),
    /// 0x1C, CONNACK, DISCONNECT: another server the client should use.
    ServerReference(&'a str),
    /// 0x1F, CONNACK, the acknowledgements, DISCONNECT, AUTH: a human-readable
    /// reason for the diagnosis, not meant to be parsed.
    ReasonString(&'a str),
    /// 0x21, CONNECT, CONNACK: how many QoS 1 and 2 publications the sender
    /// is willing to process at once (not 0).
    ReceiveMaximum(u16),
    /// 0x22, CONNECT, CONNACK: the highest Topic Alias the sender accepts
    /// (0: none).
    TopicAliasMaximum(u16),
    /// 0x23, PUBLISH: a number standing for the topic (not 0); with it the
    /// topic may be empty.
    TopicAlias(u16),
    /// 0x24, CONNACK: the highest QoS the server supports (0 or 1; absent
    /// means 2).
    MaximumQoS(u8),
    /// 0x25, CONNACK: whether the server supports retained messages (0 or 1).
    RetainAvailable(u8),
    /// 0x26, every packet with properties and the will (may repeat): a name
    /// and a value, both UTF-8.
    UserProperty(&'a str, &'a str),
    /// 0x27, CONNECT, CONNACK: the largest packet the sender accepts, in
    /// bytes (not 0).
    MaximumPacketSize(u32),
    /// 0x28, CONNACK: whether the server supports wildcard subscriptions
    /// (0 or 1).
    WildcardSubscriptionAvailable(u8),
    /// 0x29, CONNACK: whether the server supports subscription identifiers
    /// (0 or 1).
    SubscriptionIdentifierAvailable(u8),
    /// 0x2A, CONNACK: whether the server supports shared subscriptions
    /// (0 or 1).
    SharedSubscriptionAvailable(u8),
}

/// A property value in its wire type, used by the encoder and the tape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// Byte, two- and four-byte and variable byte integers.
    Int(u32),
    /// UTF-8 string.
    Str(&'a str),
    /// Binary data.
    Bin(&'a [u8]),
    /// String pair.
    Pair(&'a str, &'a str),
}

impl<'a> Property<'a> {
    /// The property's identifier.
    pub fn id(&self) -> PropertyId {
        use Property as P;
        use PropertyId as I;
        match self {
            P::PayloadFormatIndicator(_) => I::PayloadFormatIndicator,
            P::MessageExpiryInterval(_) => I::MessageExpiryInterval,
            P::ContentType(_) => I::ContentType,
            P::ResponseTopic(_) => I::ResponseTopic,
            P::CorrelationData(_) => I::CorrelationData,
            P::SubscriptionIdentifier(_) => I::SubscriptionIdentifier,
            P::SessionExpiryInterval(_) => I::SessionExpiryInterval,
            P::AssignedClientIdentifier(_) => I::AssignedClientIdentifier,
            P::ServerKeepAlive(_) => I::ServerKeepAlive,
            P::AuthenticationMethod(_) => I::AuthenticationMethod,
            P::AuthenticationData(_) => I::AuthenticationData,
            P::RequestProblemInformation(_) => I::RequestProblemInformation,
            P::WillDelayInterval(_) => I::WillDelayInterval,
            P::RequestResponseInformation(_) => I::RequestResponseInformation,
            P::ResponseInformation(_) => I::ResponseInformation,
            P::ServerReference(_) => I::ServerReference,
            P::ReasonString(_) => I::ReasonString,
            P::ReceiveMaximum(_) => I::ReceiveMaximum,
            P::TopicAliasMaximum(_) => I::TopicAliasMaximum,
            P::TopicAlias(_) => I::TopicAlias,
            P::MaximumQoS(_) => I::MaximumQoS,
            P::RetainAvailable(_) => I::RetainAvailable,
            P::UserProperty(..) => I::UserProperty,
            P::MaximumPacketSize(_) => I::MaximumPacketSize,
            P::WildcardSubscriptionAvailable(_) => I::WildcardSubscriptionAvailable,
            P::SubscriptionIdentifierAvailable(_) => I::SubscriptionIdentifierAvailable,
            P::SharedSubscriptionAvailable(_) => I::SharedSubscriptionAvailable,
        }
    }

    /// The value in its wire type.
    pub fn value(&self) -> Value<'a> {
        use Property as P;
        match *self {
            P::PayloadFormatIndicator(v)
            | P::RequestProblemInformation(v)
            | P::RequestResponseInformation(v)
            | P::MaximumQoS(v)
            | P::RetainAvailable(v)
            | P::WildcardSubscriptionAvailable(v)
            | P::SubscriptionIdentifierAvailable(v)
            | P::SharedSubscriptionAvailable(v) => Value::Int(v as u32),
            P::ServerKeepAlive(v)
            | P::ReceiveMaximum(v)
            | P::TopicAliasMaximum(v)
            | P::TopicAlias(v) => Value::Int(v as u32),
            P::MessageExpiryInterval(v)
            | P::SubscriptionIdentifier(v)
            | P::SessionExpiryInterval(v)
            | P::WillDelayInterval(v)
            | P::MaximumPacketSize(v) => Value::Int(v),
            P::ContentType(s)
            | P::ResponseTopic(s)
            | P::AssignedClientIdentifier(s)
            | P::AuthenticationMethod(s)
            | P::ResponseInformation(s)
            | P::ServerReference(s)
            | P::ReasonString(s) => Value::Str(s),
            P::CorrelationData(b) | P::AuthenticationData(b) => Value::Bin(b),
            P::UserProperty(k, v) => Value::Pair(k, v),
        }
    }

    /// Build a property from its id and a value of the right wire type.
    pub fn from_value(id: PropertyId, value: Value<'a>) -> Option<Property<'a>> {
        use Property as P;
        use PropertyId as I;
        let byte = |v: u32| u8::try_from(v).ok();
        let short = |v: u32| u16::try_from(v).ok();
        Some(match (id, value) {
            (I::PayloadFormatIndicator, Value::Int(v)) => P::PayloadFormatIndicator(byte(v)?),
            (I::MessageExpiryInterval, Value::Int(v)) => P::MessageExpiryInterval(v),
            (I::ContentType, Value::Str(s)) => P::ContentType(s),
            (I::ResponseTopic, Value::Str(s)) => P::ResponseTopic(s),
            (I::CorrelationData, Value::Bin(b)) => P::CorrelationData(b),
            (I::SubscriptionIdentifier, Value::Int(v)) => P::SubscriptionIdentifier(v),
            (I::SessionExpiryInterval, Value::Int(v)) => P::SessionExpiryInterval(v),
            (I::AssignedClientIdentifier, Value::Str(s)) => P::AssignedClientIdentifier(s),
            (I::ServerKeepAlive, Value::Int(v)) => P::ServerKeepAlive(short(v)?),
            (I::AuthenticationMethod, Value::Str(s)) => P::AuthenticationMethod(s),
            (I::AuthenticationData, Value::Bin(b)) => P::AuthenticationData(b),
            (I::RequestProblemInformation, Value::Int(v)) => P::RequestProblemInformation(byte(v)?),
            (I::WillDelayInterval, Value::Int(v)) => P::WillDelayInterval(v),
            (I::RequestResponseInformation, Value::Int(v)) => {
                P::RequestResponseInformation(byte(v)?)
            }
            (I::ResponseInformation, Value::Str(s)) => P::ResponseInformation(s),
            (I::ServerReference, Value::Str(s)) => P::ServerReference(s),
            (I::ReasonString, Value::Str(s)) => P::ReasonString(s),
            (I::ReceiveMaximum, Value::Int(v)) => P::ReceiveMaximum(short(v)?),
            (I::TopicAliasMaximum, Value::Int(v)) => P::TopicAliasMaximum(short(v)?),
            (I::TopicAlias, Value::Int(v)) => P::TopicAlias(short(v)?),
            (I::MaximumQoS, Value::Int(v)) => P::MaximumQoS(byte(v)?),
            (I::RetainAvailable, Value::Int(v)) => P::RetainAvailable(byte(v)?),
            (I::UserProperty, Value::Pair(k, v)) => P::UserProperty(k, v),
            (I::MaximumPacketSize, Value::Int(v)) => P::MaximumPacketSize(v),
            (I::WildcardSubscriptionAvailable, Value::Int(v)) => {
                P::WildcardSubscriptionAvailable(byte(v)?)
            }
            (I::SubscriptionIdentifierAvailable, Value::Int(v)) => {
                P::SubscriptionIdentifierAvailable(byte(v)?)
            }
            (I::SharedSubscriptionAvailable, Value::Int(v)) => {
                P::SharedSubscriptionAvailable(byte(v)?)
            }
            _ => return None,
        })
    }

    /// Whether the value is in the range the spec allows.
    fn value_ok(&self) -> bool {
        self.range_ok() && self.strings_ok()
    }

    /// The numeric ranges a parsed property must be in: those of the spec,
    /// except the three zero values the spec calls a Protocol Error for the
    /// receiver to answer with its own reason code, which the parser delivers
    /// (docs/strictness.md): Receive Maximum 0 (a server answers CONNACK 0x82
    /// [MQTT-3.1.2.11.3]), Topic Alias 0 (DISCONNECT 0x94 [MQTT-3.3.2-8],
    /// checked with the receiver's own Topic Alias Maximum) and Subscription
    /// Identifier 0 (DISCONNECT 0x82 [MQTT-3.8.2.1.2]). The encoder refuses them.
    fn wire_range_ok(&self) -> bool {
        match *self {
            Property::ReceiveMaximum(0)
            | Property::TopicAlias(0)
            | Property::SubscriptionIdentifier(0) => true,
            _ => self.range_ok(),
        }
    }

    /// The numeric ranges of the spec.
    fn range_ok(&self) -> bool {
        use Property as P;
        match *self {
            // 0 or 1 only [MQTT-3.3.2.3.2], [MQTT-3.1.2.11.6/7], [MQTT-3.2.2.3.4/5/11/12/13]
            P::PayloadFormatIndicator(v)
            | P::RequestProblemInformation(v)
            | P::RequestResponseInformation(v)
            | P::MaximumQoS(v)
            | P::RetainAvailable(v)
            | P::WildcardSubscriptionAvailable(v)
            | P::SubscriptionIdentifierAvailable(v)
            | P::SharedSubscriptionAvailable(v) => v <= 1,
            // "It is a Protocol Error to include ... a value of 0" [MQTT-3.1.2.11.3/4]
            P::ReceiveMaximum(v) | P::TopicAlias(v) => v != 0,
            P::MaximumPacketSize(v) => v != 0,
            // 1 to 268,435,455 [MQTT-3.8.2.1.2]
            P::SubscriptionIdentifier(v) => (1..=framing::MAX_REMAINING_LENGTH as u32).contains(&v),
            _ => true,
        }
    }

    /// Lengths that fit the wire's 16 bits and no U+0000 in strings: what a
    /// property built by the caller must be checked for before it is encoded
    /// (a parsed one was checked by the string parser).
    fn strings_ok(&self) -> bool {
        use Property as P;
        match *self {
            P::ContentType(s)
            | P::ResponseTopic(s)
            | P::AssignedClientIdentifier(s)
            | P::AuthenticationMethod(s)
            | P::ResponseInformation(s)
            | P::ServerReference(s)
            | P::ReasonString(s) => s.len() <= u16::MAX as usize && !s.as_bytes().contains(&0),
            P::CorrelationData(b) | P::AuthenticationData(b) => b.len() <= u16::MAX as usize,
            P::UserProperty(k, v) => {
                k.len() <= u16::MAX as usize
                    && v.len() <= u16::MAX as usize
                    && !k.as_bytes().contains(&0)
                    && !v.as_bytes().contains(&0)
            }
            _ => true,
        }
    }

    /// Bytes this property takes on the wire (identifier included).
    pub fn wire_len(&self) -> usize {
        1 + match self.value() {
            Value::Int(v) => match self.id().value_type() {
                PropertyType::Byte => 1,
                PropertyType::U16 => 2,
                PropertyType::U32 => 4,
                _ => framing::var_int_len(v as usize),
            },
            Value::Str(s) => 2 + s.len(),
            Value::Bin(b) => 2 + b.len(),
            Value::Pair(k, v) => 4 + k.len() + v.len(),
        }
    }

    fn write(&self, buf: &mut impl BufMut) {
        let id = self.id();
        buf.put_u8(id as u8);
        match self.value() {
            Value::Int(v) => match id.value_type() {
                PropertyType::Byte => buf.put_u8(v as u8),
                PropertyType::U16 => buf.put_u16(v as u16),
                PropertyType::U32 => buf.put_u32(v),
                _ => framing::write_var_int(buf, v as usize),
            },
            Value::Str(s) => primitives::write_binary(buf, s.as_bytes()),
            Value::Bin(b) => primitives::write_binary(buf, b),
            Value::Pair(k, v) => {
                primitives::write_binary(buf, k.as_bytes());
                primitives::write_binary(buf, v.as_bytes());
            }
        }
    }
}

/// Tracks which properties a list has had, to find forbidden repeats.
#[derive(Default)]
struct Seen(u64);

/// Check one property against the rules of its context. Shared by the parser
/// and the encoder so both enforce the same table.
/// The context rules of one property: allowed in `ctx`, not repeated where it
/// may not be, its value in range. `parsed`: it comes from the wire through
/// the strict string parser, which has already refused U+0000 and whose
/// lengths are 16-bit, so only the numeric ranges are left to check.
fn check(
    prop: &Property<'_>,
    ctx: Context,
    seen: &mut Seen,
    parsed: bool,
) -> Result<(), ErrorKind> {
    let id = prop.id();
    if id.allowed() & ctx.bit() == 0 {
        return Err(ErrorKind::PropertyNotAllowed(id as u8, ctx.packet_type()));
    }
    let bit = 1u64 << (id as u8);
    let repeat_ok = id.may_repeat()
        && (id != PropertyId::SubscriptionIdentifier
            || ctx == Context::Packet(PacketType::Publish));
    if seen.0 & bit != 0 && !repeat_ok {
        return Err(ErrorKind::DuplicateProperty(id as u8));
    }
    seen.0 |= bit;
    let ok = if parsed {
        prop.wire_range_ok()
    } else {
        prop.value_ok()
    };
    if !ok {
        return Err(ErrorKind::InvalidPropertyValue(id as u8));
    }
    Ok(())
}

/// Parse one property at the start of `input` (no context checks).
fn parse_one(input: &[u8], strict: bool) -> PResult<'_, Property<'_>> {
    let (rest, raw_id) = primitives::byte(input, Field::Properties)?;
    if raw_id == 0 {
        return fail(input, ErrorKind::PropertyIdZero);
    }
    let Some(id) = PropertyId::from_u8(raw_id) else {
        return fail(input, ErrorKind::UnknownProperty(raw_id));
    };
    let f = Field::PropertyValue;
    let (rest, value) = match id.value_type() {
        PropertyType::Byte => {
            let (r, v) = primitives::byte(rest, f)?;
            (r, Value::Int(v as u32))
        }
        PropertyType::U16 => {
            let (r, v) = primitives::u16_be(rest, f)?;
            (r, Value::Int(v as u32))
        }
        PropertyType::U32 => {
            let (r, v) = primitives::u32_be(rest, f)?;
            (r, Value::Int(v))
        }
        PropertyType::VarInt => {
            let (r, v) = primitives::var_int(rest, f)?;
            (r, Value::Int(v))
        }
        PropertyType::Str => {
            let (r, v) = primitives::utf8_with(rest, f, strict)?;
            (r, Value::Str(v))
        }
        PropertyType::Binary => {
            let (r, v) = primitives::binary(rest, f)?;
            (r, Value::Bin(v))
        }
        PropertyType::Pair => {
            let (r, k) = primitives::utf8_with(rest, f, strict)?;
            let (r, v) = primitives::utf8_with(r, f, strict)?;
            (r, Value::Pair(k, v))
        }
    };
    // The value has the id's type by construction.
    match Property::from_value(id, value) {
        Some(p) => Ok((rest, p)),
        None => fail(input, ErrorKind::InvalidPropertyValue(raw_id)),
    }
}

#[derive(Clone, Copy)]
enum Repr<'a> {
    Wire(&'a [u8]),
    List(&'a [Property<'a>]),
}

/// A validated v5 property list, borrowed.
///
/// From the parser it is the wire bytes (decoded lazily by [`iter`](Self::iter));
/// for encoding, build it from a slice of [`Property`] with
/// [`from_list`](Self::from_list). Two lists are equal when they hold the same
/// properties in the same order, whatever their form.
#[derive(Clone, Copy)]
pub struct Properties<'a>(Repr<'a>);

impl<'a> Properties<'a> {
    /// No properties.
    pub const EMPTY: Properties<'static> = Properties(Repr::Wire(&[]));

    /// Properties to encode, in this order. They are checked when the packet is
    /// encoded.
    pub const fn from_list(list: &'a [Property<'a>]) -> Self {
        Properties(Repr::List(list))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        match self.0 {
            Repr::Wire(w) => w.is_empty(),
            Repr::List(l) => l.is_empty(),
        }
    }

    /// The properties in order.
    pub fn iter(&self) -> PropertyIter<'a> {
        match self.0 {
            Repr::Wire(w) => PropertyIter(IterRepr::Wire(w)),
            Repr::List(l) => PropertyIter(IterRepr::List(l.iter())),
        }
    }

    /// The first property with this id.
    pub fn get(&self, id: PropertyId) -> Option<Property<'a>> {
        self.iter().find(|p| p.id() == id)
    }

    /// The user properties (name, value) in order.
    pub fn user_properties(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.iter().filter_map(|p| match p {
            Property::UserProperty(k, v) => Some((k, v)),
            _ => None,
        })
    }

    /// The wire bytes, when parsed (not built from a list).
    pub fn wire_bytes(&self) -> Option<&'a [u8]> {
        match self.0 {
            Repr::Wire(w) => Some(w),
            Repr::List(_) => None,
        }
    }

    /// Bytes of the property list without its length prefix.
    pub fn body_len(&self) -> usize {
        match self.0 {
            Repr::Wire(w) => w.len(),
            Repr::List(l) => l.iter().map(Property::wire_len).sum(),
        }
    }

    /// Bytes on the wire including the length prefix; checks the list against
    /// the rules of `ctx` when it was built from values.
    pub(crate) fn encoded_len(&self, ctx: Context) -> Result<usize, EncodeError> {
        if let Repr::List(l) = self.0 {
            let mut seen = Seen::default();
            for p in l {
                check(p, ctx, &mut seen, false).map_err(EncodeError::Invalid)?;
            }
        }
        let n = self.body_len();
        if n > framing::MAX_REMAINING_LENGTH {
            return Err(EncodeError::PacketTooLarge);
        }
        Ok(framing::var_int_len(n) + n)
    }

    /// Write the length prefix and the list.
    pub(crate) fn write(&self, buf: &mut impl BufMut) {
        framing::write_var_int(buf, self.body_len());
        match self.0 {
            Repr::Wire(w) => buf.put_slice(w),
            Repr::List(l) => l.iter().for_each(|p| p.write(buf)),
        }
    }
}

impl PartialEq for Properties<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Properties<'_> {}

impl Default for Properties<'_> {
    fn default() -> Self {
        Properties::EMPTY
    }
}

impl fmt::Debug for Properties<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

enum IterRepr<'a> {
    Wire(&'a [u8]),
    List(core::slice::Iter<'a, Property<'a>>),
}

/// Iterator over a [`Properties`] list.
pub struct PropertyIter<'a>(IterRepr<'a>);

impl<'a> Iterator for PropertyIter<'a> {
    type Item = Property<'a>;

    fn next(&mut self) -> Option<Property<'a>> {
        match &mut self.0 {
            IterRepr::Wire(w) => {
                if w.is_empty() {
                    return None;
                }
                // Validated when parsed: this cannot fail; stop if it ever did.
                match parse_one(w, false) {
                    Ok((rest, p)) => {
                        *w = rest;
                        Some(p)
                    }
                    Err(_) => {
                        *w = &[];
                        None
                    }
                }
            }
            IterRepr::List(l) => l.next().copied(),
        }
    }
}

/// Parse and validate a property list (length prefix first) for `ctx`.
pub fn parse_properties<'a>(input: &'a [u8], ctx: Context) -> PResult<'a, Properties<'a>> {
    parse_properties_with(input, ctx, true)
}

/// [`parse_properties`]; when not `strict`, properties not allowed in `ctx`,
/// repeated or out of range are accepted (as mqtt-packet does) and strings may
/// hold U+0000. Ids, types, lengths and UTF-8 are always checked.
pub fn parse_properties_with<'a>(
    input: &'a [u8],
    ctx: Context,
    strict: bool,
) -> PResult<'a, Properties<'a>> {
    parse_properties_visit(input, ctx, strict, |_| {})
}

/// [`parse_properties_with`], handing each property to `visit` as it is
/// validated (the tape writes its entries in the same pass).
#[inline]
pub(crate) fn parse_properties_visit<'a>(
    input: &'a [u8],
    ctx: Context,
    strict: bool,
    mut visit: impl FnMut(&Property<'a>),
) -> PResult<'a, Properties<'a>> {
    let (rest, len) = primitives::var_int(input, Field::Properties)?;
    let len = len as usize;
    if rest.len() < len {
        // Reported at the property length, the field that overruns the body.
        return fail(input, ErrorKind::Truncated(Field::Properties));
    }
    let (mut list, after) = rest.split_at(len);
    let wire = list;
    // Errors point into `list`, which is split off `rest`: re-anchor them in
    // `rest` so their offset counts from the start of the whole body (their
    // remaining length is what `to_decode_error` measures).
    let anchor = |e: nom::Err<primitives::ParseError<'a>>| {
        e.map(|pe| primitives::ParseError {
            input: &rest[len.saturating_sub(pe.input.len())..],
            kind: pe.kind,
        })
    };
    let mut seen = Seen::default();
    while !list.is_empty() {
        let (r, p) = parse_one(list, strict).map_err(anchor)?;
        if strict {
            if let Err(kind) = check(&p, ctx, &mut seen, true) {
                return fail(list, kind).map_err(anchor);
            }
        }
        visit(&p);
        list = r;
    }
    Ok((after, Properties(Repr::Wire(wire))))
}

mod publish;
pub(crate) use publish::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_spec_ids() {
        assert_eq!(PropertyId::ALL.len(), 27);
        for id in PropertyId::ALL {
            assert_eq!(PropertyId::from_u8(*id as u8), Some(*id));
        }
        assert!(PropertyId::from_u8(4).is_none());
        assert_eq!(
            PropertyId::ReasonString.allowed() & Context::Packet(PacketType::Publish).bit(),
            0
        );
        assert_ne!(
            PropertyId::WillDelayInterval.allowed() & Context::Will.bit(),
            0
        );
    }

    /// The PUBLISH property fast path takes only what the general parser
    /// accepts, and returns the same: on each edge it must leave to it.
    #[test]
    fn publish_fast_path_agrees_with_the_general_parser() {
        let ctx = Context::Packet(PacketType::Publish);
        let cases: &[&[u8]] = &[
            &[0],
            &[2, 1, 1],                          // payload format 1
            &[2, 1, 2],                          // payload format 2: out of range
            &[5, 2, 0, 0, 0, 60],                // message expiry
            &[4, 2, 0, 0, 0],                    // truncated u32
            &[4, 3, 0, 1, b'a'],                 // content type
            &[6, 3, 0, 3, b'a', 0, b'b'],        // U+0000 in a string
            &[5, 3, 0, 2, 0xc3, 0xa9],           // UTF-8 (valid, not ASCII)
            &[5, 3, 0, 2, 0xff, 0x41],           // invalid UTF-8
            &[8, 3, 0, 1, b'a', 3, 0, 1, b'b'],  // content type twice
            &[2, 11, 1],                         // subscription identifier 1
            &[2, 11, 0],                         // subscription identifier 0
            &[3, 11, 0x81, 0],                   // not the shortest form
            &[5, 11, 0xff, 0xff, 0xff, 0x7f],    // 268,435,455
            &[6, 11, 0x80, 0x80, 0x80, 0x80, 1], // five bytes
            &[4, 11, 1, 11, 2],                  // repeated: allowed in PUBLISH
            &[3, 35, 0, 0],                      // topic alias 0
            &[3, 35, 0, 7],                      // topic alias 7
            &[6, 35, 0, 7, 35, 0, 8],            // topic alias twice
            &[7, 38, 0, 1, b'k', 0, 1, b'v'],    // user property
            &[14, 38, 0, 1, b'k', 0, 1, b'v', 38, 0, 1, b'k', 0, 1, b'w'],
            &[6, 38, 0, 1, b'k', 0, 1], // truncated pair
            &[4, 9, 0, 1, 0],           // correlation data (binary: U+0000 fine)
            &[2, 0x11, 0],              // session expiry: not in PUBLISH
            &[2, 0x1f, 0],              // reason string: not in PUBLISH
            &[1, 0],                    // property id 0
            &[0x80, 0],                 // property length not the shortest form
            &[0x80, 1, 0],              // length 128, truncated
            &[3, 1, 1],                 // length past the input
        ];
        for &case in cases {
            let mut tail = case.to_vec();
            tail.extend_from_slice(b"payload");
            for strict in [true, false] {
                let general = parse_properties_with(&tail, ctx, strict).ok();
                let mut seen = Vec::new();
                if let Some((rest, props)) = publish_fast(&tail, |id, _| seen.push(id)) {
                    let (g_rest, g_props) = general.unwrap_or_else(|| {
                        panic!(
                            "fast path took {case:02x?} (strict {strict}), the parser refuses it"
                        )
                    });
                    assert_eq!((rest, props.wire_bytes()), (g_rest, g_props.wire_bytes()));
                    let ids: Vec<u8> = g_props.iter().map(|p| p.id() as u8).collect();
                    assert_eq!(seen, ids, "{case:02x?}");
                }
            }
        }
        // and it does take the common lists
        for case in [&[5u8, 2, 0, 0, 0, 60][..], &[7, 38, 0, 1, b'k', 0, 1, b'v']] {
            assert!(publish_fast(case, |_, _| {}).is_some(), "{case:02x?}");
        }
    }

    #[test]
    fn subscription_identifier_repeats_only_in_publish() {
        // two subscription identifiers: 0x0b 0x01, 0x0b 0x02
        let bytes = [4u8, 0x0b, 1, 0x0b, 2];
        let (_, p) = parse_properties(&bytes, Context::Packet(PacketType::Publish)).unwrap();
        assert_eq!(p.iter().count(), 2);
        let e = parse_properties(&bytes, Context::Packet(PacketType::Subscribe)).unwrap_err();
        let nom::Err::Failure(e) = e else { panic!() };
        assert_eq!(e.kind, ErrorKind::DuplicateProperty(11));
    }
}
