//! PUBLISH (3.3).

use bytes::BufMut;

use crate::framing::FixedHeader;
use crate::primitives::{self as p, fail, PResult};
use crate::properties::{parse_properties_with, Context};
use crate::{
    EncodeError, ErrorKind, Field, PacketType, Properties, Property, PropertyId, QoS, Version,
};

/// PUBLISH: an application message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publish<'a> {
    /// DUP flag.
    pub dup: bool,
    /// QoS.
    pub qos: QoS,
    /// RETAIN flag.
    pub retain: bool,
    /// Topic name (no wildcards; empty only in 5.0 with a Topic Alias).
    pub topic: &'a str,
    /// Packet identifier: present (non-zero) exactly when QoS > 0.
    pub packet_id: Option<u16>,
    /// PUBLISH properties (5.0).
    pub properties: Properties<'a>,
    /// The application message.
    pub payload: &'a [u8],
}

pub(crate) fn parse<'a>(
    input: &'a [u8],
    header: &FixedHeader,
    version: Version,
    strict: bool,
) -> PResult<'a, Publish<'a>> {
    let (i, topic) = p::utf8_with(input, Field::Topic, strict)?;
    // "The Topic Name in the PUBLISH packet MUST NOT contain wildcard characters"
    // [MQTT-3.3.2-2]
    if let Some(at) = super::topic_name_wildcard(topic).filter(|_| strict) {
        return fail(&input[2 + at..], ErrorKind::TopicWildcard);
    }
    let qos = header.qos();
    let (i, packet_id) = if qos != QoS::AtMostOnce {
        let (j, id) = p::u16_be(i, Field::PacketId)?;
        // [MQTT-2.2.1-3]: a non-zero packet identifier
        if strict && id == 0 {
            return fail(i, ErrorKind::ZeroPacketId);
        }
        (j, Some(id))
    } else {
        (i, None)
    };
    let (i, properties) = if version.is_v5() {
        parse_properties_with(i, Context::Packet(PacketType::Publish), strict)?
    } else {
        (i, Properties::EMPTY)
    };
    // All Topic Names and Topic Filters MUST be at least one character long
    // [MQTT-4.7.3-1]; 5.0 allows an empty name when a Topic Alias stands for it.
    if strict
        && topic.is_empty()
        && !(version.is_v5() && properties.get(PropertyId::TopicAlias).is_some())
    {
        return fail(input, ErrorKind::EmptyTopic);
    }
    Ok((
        &i[i.len()..],
        Publish {
            dup: header.dup(),
            qos,
            retain: header.retain(),
            topic,
            packet_id,
            properties,
            payload: i,
        },
    ))
}

impl Publish<'_> {
    pub(crate) fn flags(&self) -> u8 {
        (self.dup as u8) << 3 | (self.qos as u8) << 1 | self.retain as u8
    }

    pub(crate) fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        if super::topic_name_wildcard(self.topic).is_some() {
            return Err(EncodeError::Invalid(ErrorKind::TopicWildcard));
        }
        let mut n = p::check_str_for_encode(self.topic, Field::Topic)?;
        match (self.qos, self.packet_id) {
            (QoS::AtMostOnce, None) => {}
            (QoS::AtMostOnce, Some(_)) | (_, None) | (_, Some(0)) => {
                return Err(EncodeError::Invalid(ErrorKind::ZeroPacketId))
            }
            (_, Some(_)) => n += 2,
        }
        if version.is_v5() {
            n += self
                .properties
                .encoded_len(Context::Packet(PacketType::Publish))?;
            let aliased = self
                .properties
                .iter()
                .any(|p| matches!(p, Property::TopicAlias(_)));
            if self.topic.is_empty() && !aliased {
                return Err(EncodeError::Invalid(ErrorKind::EmptyTopic));
            }
        } else if !self.properties.is_empty() {
            return Err(EncodeError::PropertiesBeforeV5);
        } else if self.topic.is_empty() {
            return Err(EncodeError::Invalid(ErrorKind::EmptyTopic));
        }
        Ok(n + self.payload.len())
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        p::write_binary(buf, self.topic.as_bytes());
        if let Some(id) = self.packet_id {
            buf.put_u16(id);
        }
        if version.is_v5() {
            self.properties.write(buf);
        }
        buf.put_slice(self.payload);
    }
}
