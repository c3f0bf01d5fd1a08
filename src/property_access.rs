//! Typed access to v5 properties: one getter per property on [`Properties`]
//! (beside its iterator), and [`PropertiesBuf`], an owned list to build
//! properties from runtime values.

use alloc::vec::Vec;

use crate::properties::{Properties, Property, PropertyId};

macro_rules! typed {
    ($( $getter:ident, $variant:ident, $ty:ty, $what:literal; )*) => {
        /// Typed getters: each returns the property's value, or `None` when
        /// the list does not have it.
        ///
        /// ```
        /// use mqttwire::{Properties, Property};
        /// let list = [Property::SessionExpiryInterval(60), Property::UserProperty("k", "v")];
        /// let props = Properties::from_list(&list);
        /// assert_eq!(props.session_expiry_interval(), Some(60));
        /// assert_eq!(props.receive_maximum(), None);
        /// assert!(props.user_properties().eq([("k", "v")]));
        /// ```
        impl<'a> Properties<'a> {
            $(
                #[doc = concat!("The ", $what, ", if present.")]
                pub fn $getter(&self) -> Option<$ty> {
                    match self.get(PropertyId::$variant) {
                        Some(Property::$variant(v)) => Some(v),
                        _ => None,
                    }
                }
            )*

            /// The Subscription Identifiers (PUBLISH may carry several), in order.
            pub fn subscription_identifiers(&self) -> impl Iterator<Item = u32> + 'a {
                self.iter().filter_map(|p| match p {
                    Property::SubscriptionIdentifier(v) => Some(v),
                    _ => None,
                })
            }
        }

        impl<'a> PropertiesBuf<'a> {
            $(
                #[doc = concat!("Add the ", $what, ".")]
                pub fn $getter(mut self, value: $ty) -> Self {
                    self.0.push(Property::$variant(value));
                    self
                }
            )*
        }
    };
}

typed! {
    payload_format_indicator, PayloadFormatIndicator, u8, "Payload Format Indicator (0 bytes, 1 UTF-8)";
    message_expiry_interval, MessageExpiryInterval, u32, "Message Expiry Interval (seconds)";
    content_type, ContentType, &'a str, "Content Type";
    response_topic, ResponseTopic, &'a str, "Response Topic";
    correlation_data, CorrelationData, &'a [u8], "Correlation Data";
    session_expiry_interval, SessionExpiryInterval, u32, "Session Expiry Interval (seconds)";
    assigned_client_identifier, AssignedClientIdentifier, &'a str, "Assigned Client Identifier";
    server_keep_alive, ServerKeepAlive, u16, "Server Keep Alive (seconds)";
    authentication_method, AuthenticationMethod, &'a str, "Authentication Method";
    authentication_data, AuthenticationData, &'a [u8], "Authentication Data";
    request_problem_information, RequestProblemInformation, u8, "Request Problem Information";
    will_delay_interval, WillDelayInterval, u32, "Will Delay Interval (seconds)";
    request_response_information, RequestResponseInformation, u8, "Request Response Information";
    response_information, ResponseInformation, &'a str, "Response Information";
    server_reference, ServerReference, &'a str, "Server Reference";
    reason_string, ReasonString, &'a str, "Reason String";
    receive_maximum, ReceiveMaximum, u16, "Receive Maximum";
    topic_alias_maximum, TopicAliasMaximum, u16, "Topic Alias Maximum";
    topic_alias, TopicAlias, u16, "Topic Alias";
    maximum_qos, MaximumQoS, u8, "Maximum QoS";
    retain_available, RetainAvailable, u8, "Retain Available";
    maximum_packet_size, MaximumPacketSize, u32, "Maximum Packet Size (bytes)";
    wildcard_subscription_available, WildcardSubscriptionAvailable, u8, "Wildcard Subscription Available";
    subscription_identifier_available, SubscriptionIdentifierAvailable, u8, "Subscription Identifier Available";
    shared_subscription_available, SharedSubscriptionAvailable, u8, "Shared Subscription Available";
}

/// An owned list of properties, built from runtime values with one chained
/// call per property; [`as_properties`](Self::as_properties) lends it to a
/// packet. It owns the list (not the strings it points to), so it can be
/// bound with `let` where `Properties::from_list(&[..])` of runtime values
/// would be a temporary dropped at the end of the statement (E0716).
///
/// ```
/// use mqttwire::{Connect, Packet, PropertiesBuf, Version};
///
/// let site = String::from("north");
/// let props = PropertiesBuf::new()
///     .session_expiry_interval(3600)
///     .receive_maximum(16)
///     .user_property("site", &site);
/// let connect = Connect::new(Version::V5, "sensor-7").properties(props.as_properties());
/// let bytes = Packet::from(connect).to_vec(Version::V5).unwrap();
/// assert_eq!(bytes[0], 0x10);
/// assert_eq!(props.as_properties().user_properties().next(), Some(("site", "north")));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertiesBuf<'a>(Vec<Property<'a>>);

impl<'a> PropertiesBuf<'a> {
    /// An empty list.
    pub fn new() -> Self {
        PropertiesBuf(Vec::new())
    }

    /// Add a User Property (name, value); it may repeat.
    pub fn user_property(mut self, name: &'a str, value: &'a str) -> Self {
        self.0.push(Property::UserProperty(name, value));
        self
    }

    /// Add a Subscription Identifier.
    pub fn subscription_identifier(mut self, id: u32) -> Self {
        self.0.push(Property::SubscriptionIdentifier(id));
        self
    }

    /// Add any property.
    pub fn push(&mut self, property: Property<'a>) {
        self.0.push(property);
    }

    /// The list as [`Properties`] for a packet (checked when the packet is
    /// encoded).
    pub fn as_properties(&self) -> Properties<'_> {
        Properties::from_list(&self.0)
    }
}

impl<'a> FromIterator<Property<'a>> for PropertiesBuf<'a> {
    fn from_iter<I: IntoIterator<Item = Property<'a>>>(iter: I) -> Self {
        PropertiesBuf(iter.into_iter().collect())
    }
}

impl<'a> Extend<Property<'a>> for PropertiesBuf<'a> {
    fn extend<I: IntoIterator<Item = Property<'a>>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}
