//! PUBACK, PUBREC, PUBREL, PUBCOMP (3.4–3.7), DISCONNECT (3.14) and AUTH (3.15):
//! the packets made of an optional reason code and optional properties.
//!
//! In 5.0 these have short forms: the reason code may be left out when it is
//! 0x00 (Success) and there are no properties, and the property length may be
//! left out when there are no properties. Which form was used is kept
//! (`None` = left out) so that encoding a parsed packet gives the same bytes.

use bytes::BufMut;

use crate::primitives::{self as p, fail, PResult};
use crate::properties::{parse_properties_with, Context};
use crate::{EncodeError, ErrorKind, Field, PacketType, Properties, ReasonCode, Version};

/// PUBACK / PUBREC / PUBREL / PUBCOMP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack<'a> {
    /// Packet identifier (non-zero).
    pub packet_id: u16,
    /// Reason code (5.0); `None` when left out (meaning 0x00 Success).
    pub reason_code: Option<u8>,
    /// Properties (5.0); `None` when the property length is left out.
    pub properties: Option<Properties<'a>>,
}

/// DISCONNECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Disconnect<'a> {
    /// Reason code (5.0); `None` when left out (0x00 Normal disconnection).
    pub reason_code: Option<u8>,
    /// Properties (5.0); `None` when left out.
    pub properties: Option<Properties<'a>>,
}

/// AUTH (5.0 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Auth<'a> {
    /// Reason code; `None` when left out (0x00 Success, remaining length 0).
    pub reason_code: Option<u8>,
    /// Properties; `None` when left out.
    pub properties: Option<Properties<'a>>,
}

/// The setters and reader shared by the packets whose v5 form is an optional
/// reason code then optional properties (Ack, Disconnect).
macro_rules! reason_and_properties {
    ($($ty:ident),+) => {$(
        impl<'a> $ty<'a> {
            /// Set the reason code (5.0).
            pub fn reason_code(mut self, code: ReasonCode) -> Self {
                self.reason_code = Some(code.get());
                self
            }

            /// Set the properties (5.0).
            pub fn properties(mut self, properties: Properties<'a>) -> Self {
                self.properties = Some(properties);
                self
            }

            /// The reason code; 0x00 when it was left out.
            pub fn reason(&self) -> ReasonCode {
                ReasonCode::new(self.reason_code.unwrap_or(0))
            }
        }
    )+};
}
reason_and_properties!(Ack, Disconnect);

impl<'a> Ack<'a> {
    /// A PUBACK, PUBREC, PUBREL or PUBCOMP for `packet_id`, with no reason
    /// code or properties (the short form: Success). An `Ack` is the body of
    /// four packets, so it is wrapped by naming the packet.
    ///
    /// ```
    /// use mqttwire::{Ack, Packet, ReasonCode, Version};
    /// let puback = Packet::PubAck(Ack::new(7));
    /// assert_eq!(puback.to_vec(Version::V3_1_1).unwrap(), [0x40, 2, 0, 7]);
    /// let pubrec = Packet::PubRec(Ack::new(7).reason_code(ReasonCode::NO_MATCHING_SUBSCRIBERS));
    /// assert_eq!(pubrec.to_vec(Version::V5).unwrap(), [0x50, 3, 0, 7, 0x10]);
    /// ```
    pub fn new(packet_id: u16) -> Self {
        Ack {
            packet_id,
            reason_code: None,
            properties: None,
        }
    }
}

impl<'a> Disconnect<'a> {
    /// A DISCONNECT without reason code or properties (Normal disconnection).
    ///
    /// ```
    /// use mqttwire::{Disconnect, Packet, ReasonCode, Version};
    /// assert_eq!(Packet::from(Disconnect::new()).to_vec(Version::V5).unwrap(), [0xe0, 0]);
    /// let d = Disconnect::new().reason_code(ReasonCode::DISCONNECT_WITH_WILL_MESSAGE);
    /// assert_eq!(Packet::from(d).to_vec(Version::V5).unwrap(), [0xe0, 1, 0x04]);
    /// ```
    pub fn new() -> Self {
        Disconnect::default()
    }
}

impl<'a> Auth<'a> {
    /// An AUTH with this reason code and no properties.
    ///
    /// ```
    /// use mqttwire::{Auth, Packet, Properties, Property, ReasonCode, Version};
    /// let props = [Property::AuthenticationMethod("SCRAM-SHA-1")];
    /// let auth = Auth::new(ReasonCode::CONTINUE_AUTHENTICATION)
    ///     .properties(Properties::from_list(&props));
    /// assert_eq!(Packet::from(auth).to_vec(Version::V5).unwrap()[..3], [0xf0, 16, 0x18]);
    /// ```
    pub fn new(code: ReasonCode) -> Self {
        Auth {
            reason_code: Some(code.get()),
            properties: None,
        }
    }

    /// Set the properties .
    pub fn properties(mut self, properties: Properties<'a>) -> Self {
        self.properties = Some(properties);
        self
    }

    /// The reason code; 0x00 when it was left out.
    pub fn reason(&self) -> ReasonCode {
        ReasonCode::new(self.reason_code.unwrap_or(0))
    }
}

/// Whether a reason code is defined for this packet type (table 2-6).
#[inline]
pub(crate) fn reason_code_ok(ty: PacketType, code: u8) -> bool {
    crate::ReasonCode::new(code).allowed_in(ty)
}

/// Parse the optional reason code and properties that end these packets.
fn reason_and_properties(
    input: &[u8],
    ty: PacketType,
    strict: bool,
) -> PResult<'_, (Option<u8>, Option<Properties<'_>>)> {
    if input.is_empty() {
        return Ok((input, (None, None)));
    }
    let (i, code) = p::byte(input, Field::ReasonCode)?;
    if !reason_code_ok(ty, code) {
        return fail(input, ErrorKind::InvalidReasonCode(ty));
    }
    if i.is_empty() {
        return Ok((i, (Some(code), None)));
    }
    let (i, props) = parse_properties_with(i, Context::Packet(ty), strict)?;
    let (i, ()) = p::expect_end(i, ty)?;
    Ok((i, (Some(code), Some(props))))
}

fn tail_len(
    code: Option<u8>,
    props: &Option<Properties<'_>>,
    ty: PacketType,
    version: Version,
) -> Result<usize, EncodeError> {
    if !version.is_v5() {
        return match (code, props) {
            (_, Some(_)) => Err(EncodeError::PropertiesBeforeV5),
            (Some(_), None) => Err(EncodeError::ReasonCodeBeforeV5(ty)),
            (None, None) => Ok(0),
        };
    }
    let code = match (code, props) {
        (Some(c), _) => c,
        (None, Some(_)) => 0,
        (None, None) => return Ok(0),
    };
    if !reason_code_ok(ty, code) {
        return Err(EncodeError::Invalid(ErrorKind::InvalidReasonCode(ty)));
    }
    Ok(1 + match props {
        Some(pr) => pr.encoded_len(Context::Packet(ty))?,
        None => 0,
    })
}

fn write_tail(code: Option<u8>, props: &Option<Properties<'_>>, buf: &mut impl BufMut) {
    match (code, props) {
        (None, None) => {}
        (c, None) => buf.put_u8(c.unwrap_or(0)),
        (c, Some(pr)) => {
            buf.put_u8(c.unwrap_or(0));
            pr.write(buf);
        }
    }
}

pub(crate) fn parse_ack(
    input: &[u8],
    ty: PacketType,
    version: Version,
    strict: bool,
) -> PResult<'_, Ack<'_>> {
    let (i, packet_id) = p::u16_be(input, Field::PacketId)?;
    if strict && packet_id == 0 {
        return fail(input, ErrorKind::ZeroPacketId);
    }
    let (i, (reason_code, properties)) = if version.is_v5() {
        reason_and_properties(i, ty, strict)?
    } else {
        let (i, ()) = p::expect_end(i, ty)?;
        (i, (None, None))
    };
    Ok((
        i,
        Ack {
            packet_id,
            reason_code,
            properties,
        },
    ))
}

impl Ack<'_> {
    pub(crate) fn body_len(&self, ty: PacketType, version: Version) -> Result<usize, EncodeError> {
        if self.packet_id == 0 {
            return Err(EncodeError::Invalid(ErrorKind::ZeroPacketId));
        }
        Ok(2 + tail_len(self.reason_code, &self.properties, ty, version)?)
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        buf.put_u16(self.packet_id);
        if version.is_v5() {
            write_tail(self.reason_code, &self.properties, buf);
        }
    }
}

pub(crate) fn parse_disconnect(
    input: &[u8],
    version: Version,
    strict: bool,
) -> PResult<'_, Disconnect<'_>> {
    let (i, (reason_code, properties)) = if version.is_v5() {
        reason_and_properties(input, PacketType::Disconnect, strict)?
    } else {
        let (i, ()) = p::expect_end(input, PacketType::Disconnect)?;
        (i, (None, None))
    };
    Ok((
        i,
        Disconnect {
            reason_code,
            properties,
        },
    ))
}

impl Disconnect<'_> {
    pub(crate) fn body_len(&self, version: Version) -> Result<usize, EncodeError> {
        tail_len(
            self.reason_code,
            &self.properties,
            PacketType::Disconnect,
            version,
        )
    }

    pub(crate) fn write_body(&self, version: Version, buf: &mut impl BufMut) {
        if version.is_v5() {
            write_tail(self.reason_code, &self.properties, buf);
        }
    }
}

pub(crate) fn parse_auth(input: &[u8], strict: bool) -> PResult<'_, Auth<'_>> {
    let (i, (reason_code, properties)) = reason_and_properties(input, PacketType::Auth, strict)?;
    Ok((
        i,
        Auth {
            reason_code,
            properties,
        },
    ))
}

impl Auth<'_> {
    pub(crate) fn body_len(&self) -> Result<usize, EncodeError> {
        tail_len(
            self.reason_code,
            &self.properties,
            PacketType::Auth,
            Version::V5,
        )
    }

    pub(crate) fn write_body(&self, buf: &mut impl BufMut) {
        write_tail(self.reason_code, &self.properties, buf);
    }
}
