//! `tokio_util::codec` support (feature `tokio`).
//!
//! [`MqttCodec`] decodes [`Frame`]s with the streaming [`Decoder`] and encodes
//! a [`Packet`], a [`Frame`] (forwarded as it is, no re-encoding) or raw
//! [`Bytes`] (an already encoded packet, for example from
//! [`Packet::to_bytes`]).
//!
//! With three `Encoder` implementations, `send` needs a value of a named
//! type: `conn.send(Packet::from(publish))`, not `conn.send(publish.into())`.
//!
//! The codec's protocol version follows the CONNECT packets it sees, the ones
//! it decodes (a server) and the ones it encodes (a client): a client that
//! creates `MqttCodec::new(Version::V3_1_1)` and sends a 5.0 CONNECT decodes
//! the broker's CONNACK as 5.0.
//!
//! # Keep the `Frame`
//!
//! A [`Frame`] owns its bytes (a [`Bytes`] slice of the read buffer, no copy);
//! a [`Packet`] borrows from it. Keep the frame in a variable and take
//! [`Frame::packet`] where the view is needed:
//!
//! ```compile_fail,E0716
//! # use bytes::BytesMut;
//! # use mqttwire::{codec::MqttCodec, Version};
//! # use tokio_util::codec::Decoder as _;
//! # let mut codec = MqttCodec::new(Version::V5);
//! # let mut buf = BytesMut::from(&[0xd0u8, 0][..]);
//! // the frame is a temporary dropped at the end of the statement
//! // (the same as `conn.next().await.unwrap()?.packet()?`)
//! let packet = codec.decode(&mut buf).unwrap().unwrap().packet().unwrap();
//! println!("{packet:?}");
//! ```
//!
//! ```
//! # use bytes::BytesMut;
//! # use mqttwire::{codec::MqttCodec, Packet, Version};
//! # use tokio_util::codec::{Decoder as _, Encoder as _};
//! # let mut codec = MqttCodec::new(Version::V5);
//! # let mut buf = BytesMut::new();
//! # codec.encode(Packet::PingResp, &mut buf).unwrap();
//! let frame = codec.decode(&mut buf).unwrap().unwrap(); // conn.next().await
//! match frame.packet().unwrap() {
//!     Packet::PingResp => {}
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! A function cannot return a `Packet` borrowed from a frame it received
//! (E0515): return the [`Frame`]. To hand a packet to another task (an `mpsc`
//! channel to a writer task), send the [`Frame`] itself, or the owned bytes
//! of a packet built from values the sender owns: [`Packet::to_bytes`]
//! encodes into a [`Bytes`] that the codec writes as is. There is no owned
//! copy of [`Packet`]: these two forms cover what an owned packet would be
//! used for without copying topics and payloads into `String`s and `Vec`s.
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

use bytes::{Bytes, BytesMut};

use crate::stream::{Decoder, Frame};
use crate::{DecodeError, EncodeError, Limits, Packet, PacketType, Status, Version};

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

impl std::error::Error for CodecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CodecError::Decode(e) => Some(e),
            CodecError::Encode(e) => Some(e),
            CodecError::Io(e) => Some(e),
        }
    }
}

impl From<io::Error> for CodecError {
    fn from(e: io::Error) -> Self {
        CodecError::Io(e)
    }
}

impl From<DecodeError> for CodecError {
    fn from(e: DecodeError) -> Self {
        CodecError::Decode(e)
    }
}

impl From<EncodeError> for CodecError {
    fn from(e: EncodeError) -> Self {
        CodecError::Encode(e)
    }
}

/// A tokio-util codec for MQTT.
#[derive(Debug, Clone)]
pub struct MqttCodec {
    decoder: Decoder,
}

impl MqttCodec {
    /// A codec speaking `version` until a CONNECT, decoded or encoded,
    /// switches it to that CONNECT's version.
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

    /// Set the protocol version in force (both directions).
    pub fn set_version(&mut self, version: Version) {
        self.decoder.set_version(version);
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

/// Encodes the packet in the codec's version; a CONNECT is encoded in its own
/// version and switches the codec to it.
impl tokio_util::codec::Encoder<Packet<'_>> for MqttCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Packet<'_>, dst: &mut BytesMut) -> Result<(), CodecError> {
        let version = self.decoder.version();
        let n = item.encoded_len(version)?;
        dst.reserve(n);
        item.encode(version, dst)?;
        if let Packet::Connect(c) = item {
            self.decoder.set_version(c.protocol);
        }
        Ok(())
    }
}

/// Writes the frame's bytes as they are (forwarding or proxying a packet
/// without re-encoding it); a CONNECT frame switches the codec's version.
impl tokio_util::codec::Encoder<Frame> for MqttCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Frame, dst: &mut BytesMut) -> Result<(), CodecError> {
        dst.extend_from_slice(item.bytes());
        if item.header().packet_type == PacketType::Connect {
            self.decoder.set_version(item.version());
        }
        Ok(())
    }
}

/// Writes bytes that already hold encoded packets (from [`Packet::to_bytes`]
/// or a [`Frame`]) as they are. When they start with a whole CONNECT, the
/// codec switches to its version.
impl tokio_util::codec::Encoder<Bytes> for MqttCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Bytes, dst: &mut BytesMut) -> Result<(), CodecError> {
        if item.first().map(|b| b >> 4) == Some(PacketType::Connect as u8) {
            if let Ok(Status::Complete((Packet::Connect(c), _))) =
                crate::parse(&item, self.version())
            {
                self.decoder.set_version(c.protocol);
            }
        }
        dst.extend_from_slice(&item);
        Ok(())
    }
}
