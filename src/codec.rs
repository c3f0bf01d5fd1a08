//! `tokio_util::codec` support (feature `tokio`).
//!
//! [`MqttCodec`] decodes [`Frame`]s with the streaming [`Decoder`] and encodes
//! any [`Packet`] in the codec's protocol version.
//!
//! ```
//! use bytes::BytesMut;
//! use mqttwire::codec::MqttCodec;
//! use mqttwire::{Packet, Version};
//! use tokio_util::codec::{Decoder as _, Encoder as _};
//!
//! let mut codec = MqttCodec::new(Version::V5);
//! let mut buf = BytesMut::new();
//! codec.encode(Packet::PingReq, &mut buf).unwrap();
//! let frame = codec.decode(&mut buf).unwrap().unwrap();
//! assert_eq!(frame.packet().unwrap(), Packet::PingReq);
//! ```

use std::{fmt, io};

use bytes::BytesMut;

use crate::stream::{Decoder, Frame};
use crate::{DecodeError, EncodeError, Limits, Packet, Status, Version};

/// Error of [`MqttCodec`].
#[derive(Debug)]
pub enum CodecError {
    /// The peer sent a malformed packet; the connection should be closed.
    Decode(DecodeError),
    /// A packet could not be encoded.
    Encode(EncodeError),
    /// The transport failed.
    Io(io::Error),
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Decode(e) => write!(f, "decode: {e}"),
            CodecError::Encode(e) => write!(f, "encode: {e}"),
            CodecError::Io(e) => write!(f, "io: {e}"),
        }
    }
}

impl std::error::Error for CodecError {}

impl From<io::Error> for CodecError {
    fn from(e: io::Error) -> Self {
        CodecError::Io(e)
    }
}

/// A tokio-util codec for MQTT.
#[derive(Debug, Clone)]
pub struct MqttCodec {
    decoder: Decoder,
}

impl MqttCodec {
    /// A codec speaking `version` (a decoded CONNECT switches it).
    pub fn new(version: Version) -> Self {
        MqttCodec {
            decoder: Decoder::new(version),
        }
    }

    /// A codec enforcing `limits` on what it decodes.
    pub fn with_limits(version: Version, limits: Limits) -> Self {
        MqttCodec {
            decoder: Decoder::with_limits(version, limits),
        }
    }

    /// The protocol version in force.
    pub fn version(&self) -> Version {
        self.decoder.version()
    }
}

impl tokio_util::codec::Decoder for MqttCodec {
    type Item = Frame;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        match self.decoder.decode(src) {
            Ok(Status::Complete(f)) => Ok(Some(f)),
            Ok(Status::Partial(_)) => Ok(None),
            Err(e) => Err(CodecError::Decode(e)),
        }
    }
}

impl tokio_util::codec::Encoder<Packet<'_>> for MqttCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Packet<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        let n = item
            .encoded_len(self.decoder.version())
            .map_err(CodecError::Encode)?;
        dst.reserve(n);
        item.encode(self.decoder.version(), dst)
            .map_err(CodecError::Encode)?;
        Ok(())
    }
}
