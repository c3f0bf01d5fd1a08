//! MQTT 5.0 reason codes (section 2.4, table 2-6): one table giving each
//! code's name, the packets it may appear in and whether it is an error.
//!
//! [`ReasonCode`] wraps the byte as it is on the wire, so a packet parsed
//! leniently still has a value; [`ReasonCode::allowed_in`] says whether the
//! spec defines it for a packet type, and the parsers and the encoder check
//! codes with it. A code of 0x80 or more is an error ([`ReasonCode::is_error`]).
//!
//! ```
//! use mqttwire::{PacketType, ReasonCode};
//!
//! let code = ReasonCode::NO_MATCHING_SUBSCRIBERS;
//! assert_eq!(code.get(), 0x10);
//! assert!(!code.is_error());
//! assert!(code.allowed_in(PacketType::PubAck));
//! assert!(!code.allowed_in(PacketType::SubAck));
//! assert_eq!(code.to_string(), "No matching subscribers (0x10)");
//!
//! // 0x00 has a name of its own in DISCONNECT and SUBACK
//! assert_eq!(ReasonCode::SUCCESS.name_in(PacketType::Disconnect), Some("Normal disconnection"));
//! assert_eq!(ReasonCode::SUCCESS.name_in(PacketType::SubAck), Some("Granted QoS 0"));
//! assert!(ReasonCode::QUOTA_EXCEEDED.is_error());
//! ```

use core::fmt;

use crate::PacketType;

/// A reason code byte (MQTT 5.0), or a return code of CONNACK / SUBACK in
/// 3.1.1 mapped to one (see [`ConnAck::reason`](crate::ConnAck::reason)).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(transparent)]
pub struct ReasonCode(u8);

/// One row of the reason code table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReasonCodeEntry {
    /// The code.
    pub code: ReasonCode,
    /// Its name in the spec (table 2-6).
    pub name: &'static str,
    /// The packets it may appear in under this name.
    pub packets: &'static [PacketType],
}

macro_rules! reason_table {
    ($( $(#[$doc:meta])* $konst:ident = $code:literal, $name:literal, [$($pkt:ident),*]; )*) => {
        impl ReasonCode {
            $( $(#[$doc])* #[doc = concat!("`", stringify!($code), "` ", $name, ".")]
               pub const $konst: ReasonCode = ReasonCode($code); )*
        }

        /// Every reason code of MQTT 5.0 with its name and the packets it may
        /// appear in, in code order. 0x00, 0x01 and 0x02 appear more than once
        /// because their names depend on the packet (`Success`, `Normal
        /// disconnection`, `Granted QoS 0`).
        pub const REASON_CODES: &[ReasonCodeEntry] = &[
            $( ReasonCodeEntry {
                code: ReasonCode($code),
                name: $name,
                packets: &[$(PacketType::$pkt),*],
            }, )*
        ];
    };
}

reason_table! {
    SUCCESS = 0x00, "Success", [ConnAck, PubAck, PubRec, PubRel, PubComp, UnsubAck, Auth];
    /// The DISCONNECT name of 0x00 (the same value as [`ReasonCode::SUCCESS`]).
    NORMAL_DISCONNECTION = 0x00, "Normal disconnection", [Disconnect];
    /// The SUBACK name of 0x00 (the same value as [`ReasonCode::SUCCESS`]).
    GRANTED_QOS_0 = 0x00, "Granted QoS 0", [SubAck];
    GRANTED_QOS_1 = 0x01, "Granted QoS 1", [SubAck];
    GRANTED_QOS_2 = 0x02, "Granted QoS 2", [SubAck];
    DISCONNECT_WITH_WILL_MESSAGE = 0x04, "Disconnect with Will Message", [Disconnect];
    NO_MATCHING_SUBSCRIBERS = 0x10, "No matching subscribers", [PubAck, PubRec];
    NO_SUBSCRIPTION_EXISTED = 0x11, "No subscription existed", [UnsubAck];
    CONTINUE_AUTHENTICATION = 0x18, "Continue authentication", [Auth];
    RE_AUTHENTICATE = 0x19, "Re-authenticate", [Auth];
    UNSPECIFIED_ERROR = 0x80, "Unspecified error", [ConnAck, PubAck, PubRec, SubAck, UnsubAck, Disconnect];
    MALFORMED_PACKET = 0x81, "Malformed Packet", [ConnAck, Disconnect];
    PROTOCOL_ERROR = 0x82, "Protocol Error", [ConnAck, Disconnect];
    IMPLEMENTATION_SPECIFIC_ERROR = 0x83, "Implementation specific error", [ConnAck, PubAck, PubRec, SubAck, UnsubAck, Disconnect];
    UNSUPPORTED_PROTOCOL_VERSION = 0x84, "Unsupported Protocol Version", [ConnAck];
    CLIENT_IDENTIFIER_NOT_VALID = 0x85, "Client Identifier not valid", [ConnAck];
    BAD_USER_NAME_OR_PASSWORD = 0x86, "Bad User Name or Password", [ConnAck];
    NOT_AUTHORIZED = 0x87, "Not authorized", [ConnAck, PubAck, PubRec, SubAck, UnsubAck, Disconnect];
    SERVER_UNAVAILABLE = 0x88, "Server unavailable", [ConnAck];
    SERVER_BUSY = 0x89, "Server busy", [ConnAck, Disconnect];
    BANNED = 0x8A, "Banned", [ConnAck];
    SERVER_SHUTTING_DOWN = 0x8B, "Server shutting down", [Disconnect];
    /// Table 2-6 also lists DISCONNECT for 0x8C, but the DISCONNECT reason
    /// codes of section 3.14.2.1 do not include it; this table follows 3.14.
    BAD_AUTHENTICATION_METHOD = 0x8C, "Bad authentication method", [ConnAck];
    KEEP_ALIVE_TIMEOUT = 0x8D, "Keep Alive timeout", [Disconnect];
    SESSION_TAKEN_OVER = 0x8E, "Session taken over", [Disconnect];
    TOPIC_FILTER_INVALID = 0x8F, "Topic Filter invalid", [SubAck, UnsubAck, Disconnect];
    TOPIC_NAME_INVALID = 0x90, "Topic Name invalid", [ConnAck, PubAck, PubRec, Disconnect];
    PACKET_IDENTIFIER_IN_USE = 0x91, "Packet Identifier in use", [PubAck, PubRec, SubAck, UnsubAck];
    PACKET_IDENTIFIER_NOT_FOUND = 0x92, "Packet Identifier not found", [PubRel, PubComp];
    RECEIVE_MAXIMUM_EXCEEDED = 0x93, "Receive Maximum exceeded", [Disconnect];
    TOPIC_ALIAS_INVALID = 0x94, "Topic Alias invalid", [Disconnect];
    PACKET_TOO_LARGE = 0x95, "Packet too large", [ConnAck, Disconnect];
    MESSAGE_RATE_TOO_HIGH = 0x96, "Message rate too high", [Disconnect];
    QUOTA_EXCEEDED = 0x97, "Quota exceeded", [ConnAck, PubAck, PubRec, SubAck, Disconnect];
    ADMINISTRATIVE_ACTION = 0x98, "Administrative action", [Disconnect];
    PAYLOAD_FORMAT_INVALID = 0x99, "Payload format invalid", [ConnAck, PubAck, PubRec, Disconnect];
    RETAIN_NOT_SUPPORTED = 0x9A, "Retain not supported", [ConnAck, Disconnect];
    QOS_NOT_SUPPORTED = 0x9B, "QoS not supported", [ConnAck, Disconnect];
    USE_ANOTHER_SERVER = 0x9C, "Use another server", [ConnAck, Disconnect];
    SERVER_MOVED = 0x9D, "Server moved", [ConnAck, Disconnect];
    SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9E, "Shared Subscriptions not supported", [SubAck, Disconnect];
    CONNECTION_RATE_EXCEEDED = 0x9F, "Connection rate exceeded", [ConnAck, Disconnect];
    MAXIMUM_CONNECT_TIME = 0xA0, "Maximum connect time", [Disconnect];
    SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED = 0xA1, "Subscription Identifiers not supported", [SubAck, Disconnect];
    WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED = 0xA2, "Wildcard Subscriptions not supported", [SubAck, Disconnect];
}

/// For each byte, the packet types (bit `1 << type`) it is defined in:
/// computed from [`REASON_CODES`] at compile time.
const ALLOWED: [u16; 256] = {
    let mut masks = [0u16; 256];
    let mut i = 0;
    while i < REASON_CODES.len() {
        let e = &REASON_CODES[i];
        let mut j = 0;
        while j < e.packets.len() {
            masks[e.code.0 as usize] |= 1 << e.packets[j] as u16;
            j += 1;
        }
        i += 1;
    }
    masks
};

impl ReasonCode {
    /// The code of a byte (any byte: [`allowed_in`](Self::allowed_in) says
    /// whether the spec defines it for a packet).
    #[inline]
    pub const fn new(code: u8) -> ReasonCode {
        ReasonCode(code)
    }

    /// The byte.
    #[inline]
    pub const fn get(self) -> u8 {
        self.0
    }

    /// Whether this is an error: 0x80 or more ("Reason Code values of 0x80
    /// or greater indicate failure", section 2.4).
    #[inline]
    pub const fn is_error(self) -> bool {
        self.0 >= 0x80
    }

    /// Whether the spec defines this code for packets of type `ty`.
    #[inline]
    pub const fn allowed_in(self, ty: PacketType) -> bool {
        ALLOWED[self.0 as usize] & (1 << ty as u16) != 0
    }

    /// The name of the code (for 0x00, `"Success"`), or `None` when the spec
    /// defines no such code.
    pub fn name(self) -> Option<&'static str> {
        REASON_CODES.iter().find(|e| e.code == self).map(|e| e.name)
    }

    /// The name of the code in a packet of type `ty`, or `None` when it is
    /// not defined there.
    pub fn name_in(self, ty: PacketType) -> Option<&'static str> {
        REASON_CODES
            .iter()
            .find(|e| e.code == self && e.packets.contains(&ty))
            .map(|e| e.name)
    }

    /// The table rows of this code (one, or several for 0x00 to 0x02).
    pub fn entries(self) -> impl Iterator<Item = &'static ReasonCodeEntry> {
        REASON_CODES.iter().filter(move |e| e.code == self)
    }
}

impl From<u8> for ReasonCode {
    fn from(code: u8) -> Self {
        ReasonCode(code)
    }
}

impl From<ReasonCode> for u8 {
    fn from(code: ReasonCode) -> Self {
        code.0
    }
}

impl fmt::Debug for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "ReasonCode({:#04x} {name:?})", self.0),
            None => write!(f, "ReasonCode({:#04x})", self.0),
        }
    }
}

/// The name and the byte (`Quota exceeded (0x97)`); an undefined code shows
/// as `reason code 0xNN`.
impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} ({:#04x})", self.0),
            None => write!(f, "reason code {:#04x}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_errors_are_the_high_codes() {
        for w in REASON_CODES.windows(2) {
            assert!(w[0].code <= w[1].code, "{:?}", w[1]);
        }
        for e in REASON_CODES {
            assert_eq!(e.code.is_error(), e.code.get() >= 0x80);
            for &ty in e.packets {
                assert!(e.code.allowed_in(ty));
            }
        }
        // a byte the table lacks is allowed nowhere
        for ty in 1..=15 {
            let ty = PacketType::from_u8(ty).unwrap();
            assert!(!ReasonCode::new(0x03).allowed_in(ty));
            assert!(!ReasonCode::new(0xA3).allowed_in(ty));
        }
        assert_eq!(ReasonCode::new(0xA3).name(), None);
        assert_eq!(ReasonCode::new(0xA3).to_string(), "reason code 0xa3");
        assert_eq!(ReasonCode::SUCCESS.entries().count(), 3);
    }
}
