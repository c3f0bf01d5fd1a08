//! SUBSCRIBE (3.8), SUBACK (3.9), UNSUBSCRIBE (3.10), UNSUBACK (3.11).

use core::fmt;

use bytes::BufMut;

use crate::primitives::{self as p, fail, PResult};
use crate::properties::{parse_properties_with, Context};
use crate::{EncodeError, ErrorKind, Field, PacketType, Properties, QoS, ReasonCode, Version};

/// The options byte that follows each SUBSCRIBE topic filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubscriptionOptions {
    /// Maximum QoS.
    pub qos: QoS,
    /// No Local (5.0).
    pub no_local: bool,
    /// Retain As Published (5.0).
    pub retain_as_published: bool,
    /// Retain Handling 0-2 (5.0).
    pub retain_handling: u8,
}

impl SubscriptionOptions {
    /// Decode and check an options byte for `version`.
    pub fn from_byte(b: u8, version: Version) -> Result<Self, ErrorKind> {
        // Reserved bits: 7-6 in 5.0 [MQTT-3.8.3-5], 7-2 before [MQTT-3.8.3-4].
        let reserved = if version.is_v5() { 0xc0 } else { 0xfc };
        if b & reserved != 0 {
            return Err(ErrorKind::SubscriptionOptionsReserved(version.level()));
        }
        let qos = QoS::from_u8(b & 3).ok_or(ErrorKind::SubscribeQos3)?;
        let retain_handling = (b >> 4) & 3;
        if retain_handling == 3 {
            return Err(ErrorKind::RetainHandling3);
        }
        Ok(SubscriptionOptions {
            qos,
            no_local: b & 0x04 != 0,
            retain_as_published: b & 0x08 != 0,
            retain_handling,
        })
    }

    /// The options byte.
    pub fn to_byte(self) -> u8 {
        self.qos as u8
            | (self.no_local as u8) << 2
            | (self.retain_as_published as u8) << 3
            | (self.retain_handling & 3) << 4
    }
}

/// Options with this maximum QoS and every 5.0 option at its default.
impl From<QoS> for SubscriptionOptions {
    fn from(qos: QoS) -> Self {
        SubscriptionOptions {
            qos,
            ..SubscriptionOptions::default()
        }
    }
}

#[derive(Clone, Copy)]
enum FiltersRepr<'a> {
    Wire(&'a [u8]),
    List(&'a [(&'a str, SubscriptionOptions)]),
}

/// The topic filters of a SUBSCRIBE: wire bytes decoded lazily, or a slice to
/// encode.
#[derive(Clone, Copy)]
pub struct Filters<'a>(FiltersRepr<'a>, Version);

impl<'a> Filters<'a> {
    /// Filters to encode.
    pub const fn from_list(list: &'a [(&'a str, SubscriptionOptions)]) -> Self {
        Filters(FiltersRepr::List(list), Version::V5)
    }

    /// The filters and their options, in order.
    pub fn iter(&self) -> FiltersIter<'a> {
        FiltersIter(match self.0 {
            FiltersRepr::Wire(w) => FiltersIterRepr::Wire(w, self.1),
            FiltersRepr::List(l) => FiltersIterRepr::List(l.iter()),
        })
    }

    /// Number of filters.
    pub fn len(&self) -> usize {
        match self.0 {
            FiltersRepr::List(l) => l.len(),
            FiltersRepr::Wire(_) => self.iter().count(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        match self.0 {
            FiltersRepr::List(l) => l.is_empty(),
            FiltersRepr::Wire(w) => w.is_empty(),
        }
    }
}

enum FiltersIterRepr<'a> {
    Wire(&'a [u8], Version),
    List(core::slice::Iter<'a, (&'a str, SubscriptionOptions)>),
}

/// Iterator over [`Filters`].
pub struct FiltersIter<'a>(FiltersIterRepr<'a>);

impl<'a> Iterator for FiltersIter<'a> {
    type Item = (&'a str, SubscriptionOptions);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            FiltersIterRepr::Wire(w, v) => {
                if w.is_empty() {
                    return None;
                }
                // Validated when parsed.
                let item = p::utf8_with(w, Field::TopicFilter, false)
                    .ok()
                    .and_then(|(r, f)| {
                        let (&b, r) = r.split_first()?;
                        Some((r, (f, SubscriptionOptions::from_byte(b, *v).ok()?)))
                    });
                match item {
                    Some((r, it)) => {
                        *w = r;
                        Some(it)
                    }
                    None => {
                        *w = &[];
                        None
                    }
                }
            }
            FiltersIterRepr::List(l) => l.next().copied(),
        }
    }
}

impl PartialEq for Filters<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Filters<'_> {}

impl fmt::Debug for Filters<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[derive(Clone, Copy)]
enum TopicsRepr<'a> {
    Wire(&'a [u8]),
    List(&'a [&'a str]),
}

/// The topic filters of an UNSUBSCRIBE.
#[derive(Clone, Copy)]
pub struct TopicList<'a>(TopicsRepr<'a>);

impl<'a> TopicList<'a> {
    /// Filters to encode.
    pub const fn from_list(list: &'a [&'a str]) -> Self {
        TopicList(TopicsRepr::List(list))
    }

    /// The filters in order.
    pub fn iter(&self) -> TopicListIter<'a> {
        TopicListIter(match self.0 {
            TopicsRepr::Wire(w) => TopicsIterRepr::Wire(w),
            TopicsRepr::List(l) => TopicsIterRepr::List(l.iter()),
        })
    }

    /// Number of filters.
    pub fn len(&self) -> usize {
        match self.0 {
            TopicsRepr::List(l) => l.len(),
            TopicsRepr::Wire(_) => self.iter().count(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        match self.0 {
            TopicsRepr::List(l) => l.is_empty(),
            TopicsRepr::Wire(w) => w.is_empty(),
        }
    }
}

enum TopicsIterRepr<'a> {
    Wire(&'a [u8]),
    List(core::slice::Iter<'a, &'a str>),
}

/// Iterator over a [`TopicList`].
pub struct TopicListIter<'a>(TopicsIterRepr<'a>);

impl<'a> Iterator for TopicListIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match &mut self.0 {
            TopicsIterRepr::Wire(w) => {
                if w.is_empty() {
                    return None;
                }
                match p::utf8_with(w, Field::TopicFilter, false) {
                    Ok((r, s)) => {
                        *w = r;
                        Some(s)
                    }
                    Err(_) => {
                        *w = &[];
                        None
                    }
                }
            }
            TopicsIterRepr::List(l) => l.next().copied(),
        }
    }
}

impl PartialEq for TopicList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for TopicList<'_> {}

impl fmt::Debug for TopicList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// SUBSCRIBE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscribe<'a> {
    /// Packet identifier (non-zero).
    pub packet_id: u16,
    /// Properties (5.0).
    pub properties: Properties<'a>,
    /// At least one topic filter with its options.
    pub filters: Filters<'a>,
}

/// SUBACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubAck<'a> {
    /// Packet identifier.
    pub packet_id: u16,
    /// Properties (5.0).
    pub properties: Properties<'a>,
    /// One return code (reason code in 5.0) per filter subscribed.
    pub return_codes: &'a [u8],
}

/// UNSUBSCRIBE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsubscribe<'a> {
    /// Packet identifier (non-zero).
    pub packet_id: u16,
    /// Properties (5.0).
    pub properties: Properties<'a>,
    /// At least one topic filter.
    pub filters: TopicList<'a>,
}

/// UNSUBACK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsubAck<'a> {
    /// Packet identifier.
    pub packet_id: u16,
    /// Properties (5.0).
    pub properties: Properties<'a>,
    /// Reason codes, one per filter (5.0; empty before).
    pub reason_codes: &'a [u8],
}

fn packet_id(input: &[u8], strict: bool) -> PResult<'_, u16> {
    let (i, id) = p::u16_be(input, Field::PacketId)?;
    if strict && id == 0 {
        return fail(input, ErrorKind::ZeroPacketId);
    }
    Ok((i, id))
}

fn props(
    input: &[u8],
    ty: PacketType,
    version: Version,
    strict: bool,
) -> PResult<'_, Properties<'_>> {
    if version.is_v5() {
        parse_properties_with(input, Context::Packet(ty), strict)
    } else {
        Ok((input, Properties::EMPTY))
    }
}

fn filter(input: &[u8], version: Version, strict: bool) -> PResult<'_, &str> {
    let (i, f) = p::utf8_with(input, Field::TopicFilter, strict)?;
    if strict && !super::valid_topic_filter(f, version) {
        return fail(input, ErrorKind::InvalidTopicFilter);
    }
    Ok((i, f))
}

impl<'a> Subscribe<'a> {
    /// A SUBSCRIBE of these filters, without properties.
    ///
    /// ```
    /// use mqttwire::{Packet, QoS, Subscribe, SubscriptionOptions, Version};
    /// let filters = [
    ///     ("a/+", QoS::AtLeastOnce.into()),
    ///     ("b/#", SubscriptionOptions { no_local: true, ..QoS::AtMostOnce.into() }),
    /// ];
    /// let subscribe = Subscribe::new(1, &filters);
    /// assert_eq!(Packet::from(subscribe).to_vec(Version::V5).unwrap()[0], 0x82);
    /// ```
    pub fn new(packet_id: u16, filters: &'a [(&'a str, SubscriptionOptions)]) -> Self {
        Subscribe {
            packet_id,
            properties: Properties::EMPTY,
            filters: Filters::from_list(filters),
        }
    }

    /// Set the SUBSCRIBE properties (5.0).
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = properties;
        self
    }
}

impl<'a> SubAck<'a> {
    /// A SUBACK with one return code (reason code in 5.0) per filter.
    ///
    /// ```
    /// use mqttwire::{Packet, ReasonCode, SubAck, Version};
    /// let suback = SubAck::new(1, &[1, 0x87]);
    /// assert_eq!(Packet::from(suback).to_vec(Version::V5).unwrap(), [0x90, 5, 0, 1, 0, 1, 0x87]);
    /// assert!(suback.reasons().eq([ReasonCode::GRANTED_QOS_1, ReasonCode::NOT_AUTHORIZED]));
    /// ```
    pub fn new(packet_id: u16, return_codes: &'a [u8]) -> Self {
        SubAck {
            packet_id,
            properties: Properties::EMPTY,
            return_codes,
        }
    }

    /// Set the SUBACK properties (5.0).
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = properties;
        self
    }

    /// The return codes as reason codes (3.1.1's 0x80 Failure is 5.0's 0x80
    /// Unspecified error; 0-2 are the granted QoS in both).
    pub fn reasons(&self) -> impl Iterator<Item = ReasonCode> + 'a {
        self.return_codes.iter().map(|&c| ReasonCode::new(c))
    }
}

impl<'a> Unsubscribe<'a> {
    /// An UNSUBSCRIBE of these filters, without properties.
    ///
    /// ```
    /// use mqttwire::{Packet, Unsubscribe, Version};
    /// let unsubscribe = Unsubscribe::new(2, &["a/+"]);
    /// assert_eq!(Packet::from(unsubscribe).to_vec(Version::V3_1_1).unwrap(), [0xa2, 7, 0, 2, 0, 3, b'a', b'/', b'+']);
    /// ```
    pub fn new(packet_id: u16, filters: &'a [&'a str]) -> Self {
        Unsubscribe {
            packet_id,
            properties: Properties::EMPTY,
            filters: TopicList::from_list(filters),
        }
    }

    /// Set the UNSUBSCRIBE properties (5.0).
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = properties;
        self
    }
}

impl<'a> UnsubAck<'a> {
    /// An UNSUBACK; in 5.0 with one reason code per filter (empty before
    /// 5.0, whose UNSUBACK has none: [`EncodeError::ReasonCodeBeforeV5`]).
    ///
    /// ```
    /// use mqttwire::{Packet, ReasonCode, UnsubAck, Version};
    /// let unsuback = UnsubAck::new(2, &[0x11]);
    /// assert_eq!(unsuback.reasons().next(), Some(ReasonCode::NO_SUBSCRIPTION_EXISTED));
    /// assert_eq!(Packet::from(unsuback).to_vec(Version::V5).unwrap(), [0xb0, 4, 0, 2, 0, 0x11]);
    /// ```
    pub fn new(packet_id: u16, reason_codes: &'a [u8]) -> Self {
        UnsubAck {
            packet_id,
            properties: Properties::EMPTY,
            reason_codes,
        }
    }

    /// Set the UNSUBACK properties (5.0).
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = properties;
        self
    }

    /// The reason codes (5.0).
    pub fn reasons(&self) -> impl Iterator<Item = ReasonCode> + 'a {
        self.reason_codes.iter().map(|&c| ReasonCode::new(c))
    }
}

fn subackcode_ok(code: u8, version: Version) -> bool {
    if version.is_v5() {
        crate::ReasonCode::new(code).allowed_in(PacketType::SubAck)
    } else {
        matches!(code, 0 | 1 | 2 | 0x80)
    }
}

fn unsuback_code_ok(code: u8) -> bool {
    crate::ReasonCode::new(code).allowed_in(PacketType::UnsubAck)
}

pub(crate) fn parse_subscribe(
    input: &[u8],
    version: Version,
    strict: bool,
) -> PResult<'_, Subscribe<'_>> {
    if input.is_empty() {
        return fail(input, ErrorKind::NoPayload(PacketType::Subscribe));
    }
    let (i, packet_id) = packet_id(input, strict)?;
    let (i, properties) = props(i, PacketType::Subscribe, version, strict)?;
    if i.is_empty() {
        // "The payload of a SUBSCRIBE packet MUST contain at least one Topic
        // Filter / Subscription Options pair" [MQTT-3.8.3-3]
        if strict {
            return fail(i, ErrorKind::NoTopicFilters(PacketType::Subscribe));
        }
    }
    let list = i;
    let mut rest = i;
    while !rest.is_empty() {
        let (r, f) = filter(rest, version, strict)?;
        let Some((&b, r)) = r.split_first() else {
            return fail(r, ErrorKind::MissingSubscriptionOptions);
        };
        let opts = match SubscriptionOptions::from_byte(b, version) {
            Ok(o) => o,
            Err(kind) => return fail(&rest[rest.len() - r.len() - 1..], kind),
        };
        // "It is a Protocol Error to set the No Local bit to 1 on a Shared
        // Subscription" [MQTT-3.8.3-4]
        if strict && version.is_v5() && opts.no_local && super::is_shared(f) {
            return fail(rest, ErrorKind::SharedSubscriptionNoLocal);
        }
        rest = r;
    }
    Ok((
        rest,
        Subscribe {
            packet_id,
            properties,
            filters: Filters(FiltersRepr::Wire(list), version),
        },
    ))
}

pub(crate) fn parse_suback(
    input: &[u8],
    version: Version,
    strict: bool,
) -> PResult<'_, SubAck<'_>> {
    if input.is_empty() {
        return fail(input, ErrorKind::NoPayload(PacketType::SubAck));
    }
    let (i, packet_id) = packet_id(input, strict)?;
    let (i, properties) = props(i, PacketType::SubAck, version, strict)?;
    if strict && i.is_empty() {
        return fail(i, ErrorKind::NoReturnCodes);
    }
    if let Some(at) = i.iter().position(|&c| !subackcode_ok(c, version)) {
        return fail(&i[at..], ErrorKind::InvalidSubackCode(version.level()));
    }
    Ok((
        &i[i.len()..],
        SubAck {
            packet_id,
            properties,
            return_codes: i,
        },
    ))
}

pub(crate) fn parse_unsubscribe(
    input: &[u8],
    version: Version,
    strict: bool,
) -> PResult<'_, Unsubscribe<'_>> {
    if input.is_empty() {
        return fail(input, ErrorKind::NoPayload(PacketType::Unsubscribe));
    }
    let (i, packet_id) = packet_id(input, strict)?;
    let (i, properties) = props(i, PacketType::Unsubscribe, version, strict)?;
    if i.is_empty() {
        // [MQTT-3.10.3-2]
        if strict {
            return fail(i, ErrorKind::NoTopicFilters(PacketType::Unsubscribe));
        }
    }
    let list = i;
    let mut rest = i;
    while !rest.is_empty() {
        let (r, _) = filter(rest, version, strict)?;
        rest = r;
    }
    Ok((
        rest,
        Unsubscribe {
            packet_id,
            properties,
            filters: TopicList(TopicsRepr::Wire(list)),
        },
    ))
}

pub(crate) fn parse_unsuback(
    input: &[u8],
    version: Version,
    strict: bool,
) -> PResult<'_, UnsubAck<'_>> {
    if !version.is_v5() && input.len() != 2 {
        return fail(input, ErrorKind::UnsubackLength);
    }
    if input.is_empty() {
        return fail(input, ErrorKind::NoPayload(PacketType::UnsubAck));
    }
    let (i, packet_id) = packet_id(input, strict)?;
    let (i, properties) = props(i, PacketType::UnsubAck, version, strict)?;
    if let Some(at) = i.iter().position(|&c| !unsuback_code_ok(c)) {
        return fail(&i[at..], ErrorKind::InvalidUnsubackCode);
    }
    Ok((
        &i[i.len()..],
        UnsubAck {
            packet_id,
            properties,
            reason_codes: i,
        },
    ))
}

fn props_len(
    props: &Properties<'_>,
    ty: PacketType,
    version: Version,
) -> Result<usize, EncodeError> {
    if version.is_v5() {
        props.encoded_len(Context::Packet(ty))
    } else if props.is_empty() {
        Ok(0)
    } else {
        Err(EncodeError::PropertiesBeforeV5)
    }
}

fn check_id(id: u16) -> Result<(), EncodeError> {
    if id == 0 {
        Err(EncodeError::Invalid(ErrorKind::ZeroPacketId))
    } else {
        Ok(())
    }
}

impl Subscribe<'_> {
    pub(crate) fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        check_id(self.packet_id)?;
        let mut n = 2 + props_len(&self.properties, PacketType::Subscribe, version)?;
        if self.filters.is_empty() {
            return Err(EncodeError::Invalid(ErrorKind::NoTopicFilters(
                PacketType::Subscribe,
            )));
        }
        for (f, o) in self.filters.iter() {
            if !super::valid_topic_filter(f, version) {
                return Err(EncodeError::Invalid(ErrorKind::InvalidTopicFilter));
            }
            SubscriptionOptions::from_byte(o.to_byte(), version).map_err(EncodeError::Invalid)?;
            if o.retain_handling > 2 {
                return Err(EncodeError::Invalid(ErrorKind::RetainHandling3));
            }
            if version.is_v5() && o.no_local && super::is_shared(f) {
                return Err(EncodeError::Invalid(ErrorKind::SharedSubscriptionNoLocal));
            }
            n += p::check_str_for_encode(f, Field::TopicFilter)? + 1;
        }
        Ok(n)
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        buf.put_u16(self.packet_id);
        if version.is_v5() {
            self.properties.write(buf);
        }
        for (f, o) in self.filters.iter() {
            p::write_binary(buf, f.as_bytes());
            buf.put_u8(o.to_byte());
        }
    }
}

impl SubAck<'_> {
    pub(crate) fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        check_id(self.packet_id)?;
        if self.return_codes.is_empty() {
            return Err(EncodeError::Invalid(ErrorKind::NoReturnCodes));
        }
        if self
            .return_codes
            .iter()
            .any(|&c| !subackcode_ok(c, version))
        {
            return Err(EncodeError::Invalid(ErrorKind::InvalidSubackCode(
                version.level(),
            )));
        }
        Ok(2 + props_len(&self.properties, PacketType::SubAck, version)? + self.return_codes.len())
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        buf.put_u16(self.packet_id);
        if version.is_v5() {
            self.properties.write(buf);
        }
        buf.put_slice(self.return_codes);
    }
}

impl Unsubscribe<'_> {
    pub(crate) fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        check_id(self.packet_id)?;
        let mut n = 2 + props_len(&self.properties, PacketType::Unsubscribe, version)?;
        if self.filters.is_empty() {
            return Err(EncodeError::Invalid(ErrorKind::NoTopicFilters(
                PacketType::Unsubscribe,
            )));
        }
        for f in self.filters.iter() {
            if !super::valid_topic_filter(f, version) {
                return Err(EncodeError::Invalid(ErrorKind::InvalidTopicFilter));
            }
            n += p::check_str_for_encode(f, Field::TopicFilter)?;
        }
        Ok(n)
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        buf.put_u16(self.packet_id);
        if version.is_v5() {
            self.properties.write(buf);
        }
        for f in self.filters.iter() {
            p::write_binary(buf, f.as_bytes());
        }
    }
}

impl UnsubAck<'_> {
    pub(crate) fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        check_id(self.packet_id)?;
        if !version.is_v5() {
            if !self.properties.is_empty() {
                return Err(EncodeError::PropertiesBeforeV5);
            }
            if !self.reason_codes.is_empty() {
                return Err(EncodeError::ReasonCodeBeforeV5(PacketType::UnsubAck));
            }
            return Ok(2);
        }
        if self.reason_codes.iter().any(|&c| !unsuback_code_ok(c)) {
            return Err(EncodeError::Invalid(ErrorKind::InvalidUnsubackCode));
        }
        Ok(
            2 + props_len(&self.properties, PacketType::UnsubAck, version)?
                + self.reason_codes.len(),
        )
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        buf.put_u16(self.packet_id);
        if version.is_v5() {
            self.properties.write(buf);
            buf.put_slice(self.reason_codes);
        }
    }
}
