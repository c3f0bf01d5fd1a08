//! Streaming decoder: chunks in, packets out.
//!
//! Bytes arrive in a [`BytesMut`] in whatever pieces the network delivers.
//! [`Decoder::decode`] splits off one whole packet at a time as a [`Frame`]
//! (a [`Bytes`] slice, no copy) or says how many more bytes it needs at least.
//! The maximum packet size is checked from the fixed header, so a peer
//! announcing a huge packet is refused before its body is buffered: a decoder
//! never makes its caller hold more than the maximum packet size for one
//! packet. The protocol version is learned from CONNECT. After an error the
//! decoder stays failed: framing can no longer be trusted.
//!
//! ```
//! use bytes::BytesMut;
//! use mqttwire::{stream::Decoder, Packet, Status, Version};
//!
//! let mut dec = Decoder::new(Version::V3_1_1);
//! let mut buf = BytesMut::new();
//! buf.extend_from_slice(&[0xc0]); // half a PINGREQ
//! assert_eq!(dec.decode(&mut buf).unwrap(), Status::Partial(1));
//! buf.extend_from_slice(&[0x00]);
//! let Status::Complete(frame) = dec.decode(&mut buf).unwrap() else { panic!() };
//! assert_eq!(frame.packet().unwrap(), Packet::PingReq);
//! ```

use bytes::{Bytes, BytesMut};

use crate::framing::{parse_fixed_header, FixedHeader};
use crate::{packet, DecodeError, Limits, Packet, Status, Version};

/// The most a decoder reserves ahead of bytes that have arrived.
const RESERVE_AHEAD: usize = 64 * 1024;

/// One whole, validated packet, owning its bytes as a [`Bytes`] slice of the
/// stream's buffer.
///
/// A `Frame` is the owned form of a packet: keep it (in a variable, a queue,
/// a channel to another task) and take [`packet`](Self::packet) where the
/// borrowed view is needed; the view lives as long as the frame. To forward
/// it, write [`bytes`](Self::bytes) as they are (the tokio codec encodes a
/// `Frame` that way); [`slice_ref`](Self::slice_ref) turns a topic or payload
/// of the view into its own `Bytes` without a copy.
///
/// ```
/// use bytes::BytesMut;
/// use mqttwire::{stream::{Decoder, Frame}, Packet, Status, Version};
///
/// let mut dec = Decoder::new(Version::V3_1_1);
/// let mut buf = BytesMut::from(&[0x30, 0x04, 0x00, 0x01, b't', b'x'][..]);
/// let Status::Complete(frame) = dec.decode(&mut buf).unwrap() else { panic!() };
/// let kept: Vec<Frame> = vec![frame]; // owned: no lifetime ties it to `buf`
/// let Packet::Publish(p) = kept[0].packet().unwrap() else { panic!() };
/// let payload = kept[0].slice_ref(p.payload).unwrap(); // zero-copy Bytes
/// assert_eq!(&payload[..], b"x");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    bytes: Bytes,
    header: FixedHeader,
    version: Version,
    strict: bool,
}

impl Frame {
    /// The packet's bytes, fixed header included.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The fixed header.
    pub fn header(&self) -> &FixedHeader {
        &self.header
    }

    /// The protocol version the packet was decoded with.
    pub fn version(&self) -> Version {
        self.version
    }

    /// The packet, borrowing from this frame. The frame was validated when it
    /// was decoded, so this is `Ok` for every frame a [`Decoder`] returns.
    pub fn packet(&self) -> Result<Packet<'_>, DecodeError> {
        let limits = Limits::default().strict(self.strict);
        if let Some(Status::Complete((p, _))) =
            crate::parse_publish_fast(&self.bytes, self.version, &limits)
        {
            return Ok(p);
        }
        packet::parse_body_with(
            &self.header,
            &self.bytes[self.header.header_len..],
            self.version,
            self.strict,
        )
    }

    /// A zero-copy [`Bytes`] handle on a slice of this frame (for example a
    /// topic or payload borrowed from [`Frame::packet`]). Returns `None` if the
    /// slice is not inside the frame.
    pub fn slice_ref(&self, part: &[u8]) -> Option<Bytes> {
        let base = self.bytes.as_ptr() as usize;
        let at = (part.as_ptr() as usize).checked_sub(base)?;
        if at + part.len() > self.bytes.len() {
            return None;
        }
        Some(self.bytes.slice(at..at + part.len()))
    }
}

/// The streaming decoder.
#[derive(Debug, Clone)]
pub struct Decoder {
    version: Version,
    limits: Limits,
    failed: Option<DecodeError>,
    position: u64,
}

impl Decoder {
    /// A decoder for a connection speaking `version` (a CONNECT switches it).
    pub fn new(version: Version) -> Self {
        Decoder::with_limits(version, Limits::default())
    }

    /// A decoder enforcing `limits`.
    pub fn with_limits(version: Version, limits: Limits) -> Self {
        Decoder {
            version,
            limits,
            failed: None,
            position: 0,
        }
    }

    /// The protocol version in force.
    pub fn version(&self) -> Version {
        self.version
    }

    /// Set the protocol version the next packets are decoded with (a client
    /// calls this when it sends a CONNECT: the broker answers in that
    /// version; the tokio codec does it by itself).
    pub fn set_version(&mut self, version: Version) {
        self.version = version;
    }

    /// Bytes consumed from the stream so far.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The error the decoder failed with, if it has.
    pub fn error(&self) -> Option<DecodeError> {
        self.failed
    }

    /// Take one packet off the front of `src`.
    ///
    /// `Partial(n)`: `src` holds only part of a packet; at least `n` more bytes
    /// are needed (`src` is untouched). An error is final: this and every later
    /// call return it. Error offsets count from the start of the stream.
    pub fn decode(&mut self, src: &mut BytesMut) -> Result<Status<Frame>, DecodeError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        match self.try_decode(src) {
            Err(e) => {
                let e = e.shifted(self.position as usize);
                self.failed = Some(e);
                Err(e)
            }
            ok => ok,
        }
    }

    /// Decode one packet from the front of a borrowed slice: the packet view
    /// borrows from `src` and nothing is copied or validated twice (use this
    /// instead of [`decode`](Self::decode) + [`Frame::packet`] when you own the
    /// buffer and advance it yourself).
    ///
    /// Same contract as [`decode`](Self::decode): `Partial(n)` needs at least
    /// `n` more bytes; `Complete((packet, used))` consumed `used` bytes (advance
    /// your buffer by that much); a CONNECT switches the version; an error is
    /// final.
    ///
    /// ```
    /// use mqttwire::{stream::Decoder, Packet, Status, Version};
    ///
    /// let mut dec = Decoder::new(Version::V3_1_1);
    /// let bytes = [0x30, 0x04, 0x00, 0x01, b't', b'x', 0xc0];
    /// let Status::Complete((Packet::Publish(p), used)) = dec.decode_slice(&bytes).unwrap() else {
    ///     panic!()
    /// };
    /// assert_eq!((p.topic, p.payload, used), ("t", &b"x"[..], 6));
    /// assert_eq!(dec.decode_slice(&bytes[used..]).unwrap(), Status::Partial(1));
    /// ```
    pub fn decode_slice<'b>(
        &mut self,
        src: &'b [u8],
    ) -> Result<Status<(Packet<'b>, usize)>, DecodeError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        match crate::parse_with(src, self.version, &self.limits) {
            Ok(Status::Complete((packet, used))) => {
                if let Packet::Connect(c) = &packet {
                    self.version = c.protocol;
                }
                self.position += used as u64;
                Ok(Status::Complete((packet, used)))
            }
            Ok(Status::Partial(n)) => Ok(Status::Partial(n)),
            Err(e) => {
                let e = e.shifted(self.position as usize);
                self.failed = Some(e);
                Err(e)
            }
        }
    }

    fn try_decode(&mut self, src: &mut BytesMut) -> Result<Status<Frame>, DecodeError> {
        let fast = packet::publish_fast(src, self.limits.get_max_packet_size())
            .map(|f| (f.flags, f.header_len, f.rest_at, f.total));
        if let Some((flags, header_len, rest_at, total)) = fast {
            // A plain PUBLISH: in 5.0 its properties are still to be checked.
            let ok = !self.version.is_v5()
                || crate::properties::publish_checked(
                    &src[header_len + rest_at..total],
                    self.limits.is_strict(),
                )
                .is_some();
            if ok {
                let header = FixedHeader {
                    packet_type: crate::PacketType::Publish,
                    flags,
                    remaining_length: total - header_len,
                    header_len,
                };
                let bytes = src.split_to(total).freeze();
                self.position += total as u64;
                return Ok(Status::Complete(Frame {
                    bytes,
                    header,
                    version: self.version,
                    strict: self.limits.is_strict(),
                }));
            }
        }
        let header = match parse_fixed_header(src, &self.limits)? {
            Status::Complete(h) => h,
            Status::Partial(n) => return Ok(Status::Partial(n)),
        };
        let total = header.packet_len();
        if src.len() < total {
            // Make room for what is likely to come next, not for what the
            // header claims: a hostile header must not make us allocate
            // (the buffer grows as bytes actually arrive).
            src.reserve((total - src.len()).min(RESERVE_AHEAD));
            return Ok(Status::Partial(total - src.len()));
        }
        let parsed = packet::parse_body_with(
            &header,
            &src[header.header_len..total],
            self.version,
            self.limits.is_strict(),
        )
        .map_err(|e| e.shifted(header.header_len))?;
        let version = match parsed {
            Packet::Connect(c) => c.protocol,
            _ => self.version,
        };
        let bytes = src.split_to(total).freeze();
        self.position += total as u64;
        self.version = version;
        Ok(Status::Complete(Frame {
            bytes,
            header,
            version,
            strict: self.limits.is_strict(),
        }))
    }
}
