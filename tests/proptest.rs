//! Property tests: every valid packet round-trips through the encoder, the
//! parser, the streaming decoder and the tape; no input makes any of them panic.

mod common;

use bytes::BytesMut;
use common::*;
use mqttwire::stream::Decoder;
use mqttwire::tape::{self, ARENA, HEADER_WORDS, LENIENT};
use mqttwire::{parse, Limits, Status, Version};
use proptest::collection::vec;
use proptest::prelude::*;

/// Run a whole stream through a `Decoder`, chunk by chunk. Returns the frames
/// decoded and the error if any; checks `Partial(n)` is honest on the way.
fn decode_stream(
    version: Version,
    limits: Limits,
    bytes: &[u8],
    sizes: &[usize],
) -> (Vec<mqttwire::stream::Frame>, Option<mqttwire::DecodeError>) {
    let mut dec = Decoder::with_limits(version, limits);
    let mut buf = BytesMut::new();
    let mut frames = Vec::new();
    for chunk in split(bytes, sizes) {
        buf.extend_from_slice(chunk);
        loop {
            match dec.decode(&mut buf) {
                Ok(Status::Complete(f)) => frames.push(f),
                Ok(Status::Partial(n)) => {
                    assert!(n >= 1);
                    break;
                }
                Err(e) => {
                    // An error is final.
                    assert_eq!(dec.decode(&mut buf), Err(e));
                    assert_eq!(dec.error(), Some(e));
                    assert!(e.offset <= bytes.len(), "{e:?} past {}", bytes.len());
                    return (frames, Some(e));
                }
            }
        }
    }
    (frames, None)
}

/// `tape::frame` over the whole input with a tape of `words` words, calling
/// again from `T[1]` on FULL (growing the tape when not even one record fits),
/// as the JS glue does. Checks the invariants of the header on the way.
/// Returns the final status and the number of records.
fn frame_all(bytes: &[u8], config: u32, max: u32, words: usize) -> (tape::Status, u32) {
    let mut t = vec![0u32; words];
    let mut start = 0usize;
    let mut config = config;
    let mut records = 0;
    loop {
        let st = tape::frame(bytes, start, bytes.len(), config, max, &mut t);
        assert_eq!(t[0], st as u32);
        let next = t[1] as usize;
        assert!(
            next >= start && next <= bytes.len(),
            "T[1]={next} len={}",
            bytes.len()
        );
        let used = t[7] as usize;
        assert!(used >= HEADER_WORDS && used <= t.len());
        // The bound the Node binding's fixed 16,384-word tape relies on for
        // reads of up to 4 KiB: at most 3 words per byte framed.
        assert!(
            used - HEADER_WORDS <= 3 * (next - start),
            "{} words for {} bytes",
            used - HEADER_WORDS,
            next - start
        );
        if config & ARENA != 0 {
            // records end before the arena; the arena ends inside the tape
            assert!(used * 4 <= t[8] as usize);
            assert!(t[8] as usize + t[9] as usize <= t.len() * 4);
        } else {
            assert_eq!((t[8], t[9]), (0, 0));
        }
        // Records: prefix offsets inside the input, lengths chain to T[7].
        let mut r = HEADER_WORDS;
        for _ in 0..t[5] {
            let len = t[r + 1] as usize;
            assert!(len >= 4);
            let at = t[r + 2] as usize;
            assert!(at >= start && at + 2 + (t[r + 3] as usize) <= bytes.len());
            r += len;
        }
        assert_eq!(r, used);
        records += t[5];
        match st {
            tape::Status::Full => {
                // The version (and bridge) in force carry over to the next
                // call; the mode bits are the caller's.
                config = t[6] | (config & (ARENA | LENIENT));
                if t[5] == 0 {
                    t = vec![0u32; t.len() * 2];
                }
                start = next;
            }
            tape::Status::Error => {
                assert!(
                    t[4] as usize <= bytes.len(),
                    "error offset {} past {}",
                    t[4],
                    bytes.len()
                );
                assert!(t[4] as usize >= next);
                assert!(mqttwire::ErrorKind::from_code(t[2], t[3]).is_some());
                return (st, records);
            }
            tape::Status::Partial => return (st, records),
            tape::Status::Done => {
                assert_eq!(next, bytes.len());
                return (st, records);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    /// model → encode → parse == model, and re-encoding gives the same bytes.
    #[test]
    fn round_trip((v, packets) in stream(2)) {
        for m in &packets {
            let bytes = m.encode(v);
            let Status::Complete((p, used)) = parse(&bytes, v).unwrap() else {
                panic!("partial")
            };
            prop_assert_eq!(used, bytes.len());
            m.assert_eq_packet(&p);
            prop_assert_eq!(p.to_vec(v).unwrap(), bytes.clone());
            // Every proper prefix is Partial, never an error.
            for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
                if cut < bytes.len() {
                    let st = parse(&bytes[..cut], v).unwrap();
                    prop_assert!(st.is_partial(), "prefix {} of {:?}", cut, bytes);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    /// A stream of packets split at random boundaries decodes to the same
    /// packets, and the tape has one record per packet.
    #[test]
    fn stream_and_tape((v, packets) in stream(8), sizes in chunks(), words in HEADER_WORDS..64) {
        let encoded: Vec<Vec<u8>> = packets.iter().map(|m| m.encode(v)).collect();
        let all: Vec<u8> = encoded.concat();

        let (frames, err) = decode_stream(v, Limits::default(), &all, &sizes);
        prop_assert_eq!(err, None);
        prop_assert_eq!(frames.len(), packets.len());
        for ((f, m), e) in frames.iter().zip(&packets).zip(&encoded) {
            prop_assert_eq!(&f.bytes()[..], &e[..]);
            m.assert_eq_packet(&f.packet().unwrap());
        }

        let mut t = vec![0u32; 16 + 64 * packets.len() + all.len() * 4];
        let st = tape::frame(&all, 0, all.len(), v.level() as u32, 0, &mut t);
        prop_assert_eq!(st, tape::Status::Done);
        prop_assert_eq!(t[1] as usize, all.len());
        prop_assert_eq!(t[5] as usize, packets.len());
        prop_assert_eq!(t[6], v.level() as u32 | if matches!(packets.iter().rev().find(|m| matches!(m, PacketM::Connect { .. })), Some(PacketM::Connect { bridge: true, .. })) { 0x100 } else { 0 });
        let mut r = HEADER_WORDS;
        let mut at = 0;
        for e in &encoded {
            prop_assert_eq!(t[r + 2] as usize, at);
            prop_assert_eq!(t[r] & 0xf, (e[0] >> 4) as u32);
            prop_assert_eq!((t[r] >> 4) & 0xf, (e[0] & 0xf) as u32);
            prop_assert_eq!((t[r] >> 8) & 0xff, v.level() as u32);
            at += e.len();
            r += t[r + 1] as usize;
        }
        prop_assert_eq!(r, t[7] as usize);

        // frame_after: any prefix of whole packets framed as a separate head
        // before the rest gives the tape of the whole (offsets in the head are
        // offsets in `all` too, as the head starts it).
        let mut boundaries = vec![0];
        for e in &encoded {
            boundaries.push(boundaries.last().unwrap() + e.len());
        }
        for config in [v.level() as u32, v.level() as u32 | ARENA] {
            let mut whole = vec![0u32; t.len()];
            tape::frame(&all, 0, all.len(), config, 0, &mut whole);
            for &h in &boundaries {
                let head = all[..h].to_vec();
                let mut joined = vec![0u32; t.len()];
                let st = tape::frame_after(&head, &all, h, all.len(), config, 0, &mut joined);
                prop_assert_eq!(st, tape::Status::Done);
                let used = whole[7] as usize;
                let arena = (whole[8] as usize + whole[9] as usize).div_ceil(4);
                prop_assert_eq!(&joined[..used], &whole[..used], "head of {} bytes", h);
                prop_assert_eq!(&joined[whole[8] as usize / 4..arena], &whole[whole[8] as usize / 4..arena]);
            }
        }

        // The same with a small tape: FULL paths, same number of records.
        prop_assert_eq!(frame_all(&all, v.level() as u32, 0, words), (tape::Status::Done, packets.len() as u32));
        prop_assert_eq!(frame_all(&all, v.level() as u32 | ARENA, 0, words), (tape::Status::Done, packets.len() as u32));
    }
}

/// One way to damage a valid encoding.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn mutate(bytes: &mut Vec<u8>, muts: &[Mutation]) {
    for m in muts {
        if bytes.is_empty() {
            return;
        }
        match *m {
            Mutation::Flip(i, x) => {
                let i = i % bytes.len();
                bytes[i] ^= x.max(1);
            }
            Mutation::Insert(i, b) => {
                let i = i % (bytes.len() + 1);
                bytes.insert(i, b);
            }
            Mutation::Delete(i) => {
                let i = i % bytes.len();
                bytes.remove(i);
            }
            Mutation::Truncate(i) => {
                let i = i % bytes.len();
                bytes.truncate(i);
            }
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(i, x)| Mutation::Flip(i, x)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Input for the robustness test: random bytes, or a damaged valid stream.
fn hostile() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => vec(any::<u8>(), 0..64),
        1 => (vec(0u8..16, 1..12), vec(any::<u8>(), 0..40)).prop_map(|(types, tail)| {
            // Plausible first bytes with short lengths followed by noise.
            let mut v = Vec::new();
            for t in types { v.push(t << 4 | (t & 3)); v.push(t); }
            v.extend(tail);
            v
        }),
        4 => (stream(5), vec(mutation(), 1..4)).prop_map(|((v, packets), muts)| {
            let mut bytes: Vec<u8> = packets.iter().flat_map(|m| m.encode(v)).collect();
            mutate(&mut bytes, &muts);
            bytes
        }),
    ]
}

fn check_no_panic(bytes: &[u8], sizes: &[usize], words: usize, max: u32) {
    for v in [Version::V3_1, Version::V3_1_1, Version::V5] {
        // parse: Ok or a well-formed error within the packet.
        match parse(bytes, v) {
            Ok(Status::Complete((p, n))) => {
                assert!(n <= bytes.len());
                // Whatever parses re-encodes to the same bytes.
                assert_eq!(p.to_vec(v).unwrap(), &bytes[..n]);
            }
            Ok(Status::Partial(n)) => assert!(n >= 1),
            Err(e) => {
                assert!(e.offset <= bytes.len(), "{e:?} past {}", bytes.len());
                assert_eq!(
                    mqttwire::ErrorKind::from_code(e.kind.code(), e.kind.param()),
                    Some(e.kind)
                );
                let _ = e.to_string();
            }
        }
        let limits = if max == 0 {
            Limits::default()
        } else {
            Limits::new().max_packet_size(max as usize)
        };
        let (frames, _) = decode_stream(v, limits, bytes, sizes);
        for f in &frames {
            let p = f.packet().unwrap();
            assert_eq!(p.to_vec(f.version()).unwrap(), &f.bytes()[..]);
        }
        let (_, records) = frame_all(bytes, v.level() as u32, max, words);
        assert_eq!(records as usize, frames.len());
        let (_, records) = frame_all(bytes, v.level() as u32 | ARENA, max, words);
        assert_eq!(records as usize, frames.len());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Nothing panics on hostile input; offsets stay inside it; the decoder,
    /// the tape and parse agree on how many packets precede the first problem.
    #[test]
    fn hostile_input_never_panics(
        bytes in hostile(),
        sizes in chunks(),
        words in HEADER_WORDS..64,
        max in prop_oneof![3 => Just(0u32), 1 => 5u32..64],
    ) {
        check_no_panic(&bytes, &sizes, words, max);
    }
}

/// `frame_after` stops within the head when the head is not whole packets:
/// no record of the chunk, `T[1]` (and an error's offset) in the head.
#[test]
fn frame_after_stops_in_the_head() {
    let chunk = [0xd0u8, 0x00]; // PINGRESP
    let mut t = [0u32; 64];
    // a PINGREQ and half of a PUBLISH
    let head = [0xc0u8, 0x00, 0x30, 0x05, 0x00];
    assert_eq!(
        tape::frame_after(&head, &chunk, 0, 2, 4, 0, &mut t),
        tape::Status::Partial
    );
    assert_eq!((t[1], t[2], t[5]), (2, 7, 1));
    // a PINGREQ with a remaining length of 1: malformed at byte 1 of the head
    let head = [0xc0u8, 0x01, 0x00];
    assert_eq!(
        tape::frame_after(&head, &chunk, 0, 2, 4, 0, &mut t),
        tape::Status::Error
    );
    assert_eq!((t[1], t[5]), (0, 0));
    assert!(t[4] < head.len() as u32);
    // an empty head is frame
    assert_eq!(
        tape::frame_after(&[], &chunk, 0, 2, 4, 0, &mut t),
        tape::Status::Done
    );
    assert_eq!((t[1], t[5]), (2, 1));
}

#[test]
fn frame_clamps_bad_ranges_and_small_tapes() {
    let bytes = [0xc0u8, 0x00, 0xd0, 0x00];
    let mut small = [7u32; HEADER_WORDS - 1];
    assert_eq!(
        tape::frame(&bytes, 0, 4, 4, 0, &mut small),
        tape::Status::Full
    );
    assert_eq!(
        small,
        [7; HEADER_WORDS - 1],
        "a tape shorter than the header is left untouched"
    );
    let mut t = [0u32; HEADER_WORDS + 8];
    assert_eq!(tape::frame(&bytes, 10, 2, 4, 0, &mut t), tape::Status::Done);
    assert_eq!(t[1], 2);
    assert_eq!(t[5], 0);
    assert_eq!(
        tape::frame(&bytes, 0, 100, 4, 0, &mut t),
        tape::Status::Done
    );
    assert_eq!(t[1], 4);
    assert_eq!(t[5], 2);
    // Two records of 4 words do not fit in the header + 6 words: FULL after the first.
    let mut t = [0u32; HEADER_WORDS + 6];
    assert_eq!(tape::frame(&bytes, 0, 4, 4, 0, &mut t), tape::Status::Full);
    assert_eq!((t[1], t[5], t[7]), (2, 1, HEADER_WORDS as u32 + 4));
}
