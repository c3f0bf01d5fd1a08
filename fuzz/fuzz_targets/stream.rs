//! The first byte picks the version, a limit and chunk sizes; the rest is fed
//! to `stream::Decoder` in chunks. Never panics; the frames are exactly what
//! a one-shot `parse` loop over the whole input gives; after an error the
//! decoder stays failed with the same error.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use mqttwire::stream::Decoder;
use mqttwire::{parse_with, Limits, Packet, Status, Version};

/// One-shot reference: what the whole input decodes to.
fn reference(
    input: &[u8],
    mut version: Version,
    limits: &Limits,
) -> (Vec<(usize, usize, Version)>, Option<mqttwire::DecodeError>) {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        if pos >= input.len() {
            return (out, None);
        }
        match parse_with(&input[pos..], version, limits) {
            Ok(Status::Complete((p, used))) => {
                if let Packet::Connect(c) = p {
                    version = c.protocol;
                }
                out.push((pos, used, version));
                pos += used;
            }
            Ok(Status::Partial(_)) => return (out, None),
            Err(e) => return (out, Some(e.shifted(pos))),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, input)) = data.split_first() else {
        return;
    };
    let version = [Version::V3_1, Version::V3_1_1, Version::V5, Version::V3_1_1][(ctl & 3) as usize];
    let limits = if ctl & 4 != 0 {
        Limits::new().max_packet_size(16 + (ctl as usize >> 3) * 4)
    } else {
        Limits::default()
    };
    // Chunk sizes from a tiny xorshift seeded by the control byte.
    let max_chunk = 1 + (ctl as usize >> 3);
    let mut seed = 0x9e37_79b9u32 ^ ctl as u32 | 1;
    let mut next_chunk = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        1 + (seed as usize % max_chunk)
    };

    let (expected, expected_err) = reference(input, version, &limits);

    let mut dec = Decoder::with_limits(version, limits);
    let mut buf = BytesMut::new();
    let mut fed = 0;
    let mut frames: Vec<(usize, usize, Version)> = Vec::new();
    let mut consumed = 0usize;
    let mut failed = None;
    'feed: while fed < input.len() {
        let n = next_chunk().min(input.len() - fed);
        buf.extend_from_slice(&input[fed..fed + n]);
        fed += n;
        loop {
            match dec.decode(&mut buf) {
                Ok(Status::Complete(frame)) => {
                    let len = frame.bytes().len();
                    assert_eq!(frame.bytes().as_ref(), &input[consumed..consumed + len]);
                    assert!(len <= limits.get_max_packet_size());
                    let p = frame.packet().expect("a decoded frame re-parses");
                    assert_eq!(p.packet_type(), frame.header().packet_type);
                    // Zero-copy slices of the frame.
                    if let Packet::Publish(pb) = p {
                        let t = frame.slice_ref(pb.topic.as_bytes()).expect("topic in frame");
                        assert_eq!(t.as_ref(), pb.topic.as_bytes());
                        let pl = frame.slice_ref(pb.payload).expect("payload in frame");
                        assert_eq!(pl.as_ref(), pb.payload);
                    }
                    frames.push((consumed, len, frame.version()));
                    consumed += len;
                    assert_eq!(dec.position(), consumed as u64);
                }
                Ok(Status::Partial(n)) => {
                    assert!(n >= 1);
                    break;
                }
                Err(e) => {
                    failed = Some(e);
                    break 'feed;
                }
            }
        }
    }
    assert_eq!(frames, expected, "chunked decode differs from one-shot parse");
    match (failed, expected_err) {
        (Some(e), Some(x)) => {
            assert_eq!(e, x, "chunked error differs from one-shot error");
            // Stays failed, whatever comes next.
            assert_eq!(dec.error(), Some(e));
            buf.extend_from_slice(&[0xc0, 0x00]);
            assert_eq!(dec.decode(&mut buf), Err(e));
            assert_eq!(dec.decode(&mut BytesMut::from(&[0xc0u8, 0][..])), Err(e));
        }
        (None, None) => {
            assert_eq!(buf.len(), input.len() - consumed);
            assert!(dec.error().is_none());
        }
        (got, want) => panic!("chunked error {got:?}, one-shot error {want:?}"),
    }
});
