//! A `#![no_std]` crate using mqttwire with `default-features = false`:
//! the borrowed parse, the packet builders, the encoder, typed properties and
//! reason codes, and the streaming decoder build for `no_std` + `alloc`.
//! `cargo build` here is the check (the tests run the same code on the host).
#![cfg_attr(not(test), no_std)]

extern crate alloc;

use alloc::vec::Vec;

use mqttwire::bytes::BytesMut;
use mqttwire::stream::Decoder;
use mqttwire::{parse, Ack, Packet, PropertiesBuf, Publish, QoS, ReasonCode, Status, Version};

/// Encode a v5 PUBLISH with a user property into `out` (a fixed buffer:
/// no allocation); returns the bytes written.
pub fn encode_publish(topic: &str, payload: &[u8], out: &mut [u8]) -> Option<usize> {
    let props = PropertiesBuf::new().user_property("k", "v");
    let publish = Publish::new(topic, payload)
        .qos(QoS::AtLeastOnce, 1)
        .properties(props.as_properties());
    let mut buf = &mut out[..];
    Packet::from(publish).encode(Version::V5, &mut buf).ok()
}

/// The topic and payload length of a v5 PUBLISH, or the reason of a PUBACK.
pub fn inspect(bytes: &[u8]) -> Option<(Option<&str>, usize, ReasonCode)> {
    match parse(bytes, Version::V5).ok()? {
        Status::Complete((Packet::Publish(p), _)) => {
            Some((Some(p.topic), p.payload.len(), ReasonCode::SUCCESS))
        }
        Status::Complete((Packet::PubAck(a), _)) => Some((None, 0, a.reason())),
        _ => None,
    }
}

/// Decode every packet of a byte stream with the streaming decoder.
pub fn count_packets(bytes: &[u8]) -> usize {
    let mut dec = Decoder::new(Version::V5);
    let mut buf = BytesMut::from(bytes);
    let mut n = 0;
    while let Ok(Status::Complete(_)) = dec.decode(&mut buf) {
        n += 1;
    }
    n
}

/// A PUBACK with a reason code, as owned bytes.
pub fn puback(id: u16) -> Vec<u8> {
    Packet::PubAck(Ack::new(id).reason_code(ReasonCode::NO_MATCHING_SUBSCRIBERS))
        .to_vec(Version::V5)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn works_without_std() {
        let mut out = [0u8; 64];
        let n = encode_publish("a/b", b"hi", &mut out).unwrap();
        assert_eq!(
            inspect(&out[..n]),
            Some((Some("a/b"), 2, ReasonCode::SUCCESS))
        );
        let ack = puback(1);
        assert_eq!(
            inspect(&ack),
            Some((None, 0, ReasonCode::NO_MATCHING_SUBSCRIBERS))
        );
        let mut stream = out[..n].to_vec();
        stream.extend_from_slice(&ack);
        assert_eq!(count_packets(&stream), 2);
    }
}
