//! Differential check of the tape against `parse`: for random valid streams,
//! each record, read with the layout of docs/tape.md, describes exactly the
//! packet `parse` returns at that offset (strings slice to the same text with
//! the right ASCII flag, payload and code ranges, packet ids, properties).

mod common;

use common::*;
use mqttwire::properties::{Properties, Value};
use mqttwire::tape::{self, ARENA, ASCII, HEADER_WORDS, IN_ARENA};
use mqttwire::{parse, Packet, Status, Version};
use proptest::collection::vec;
use proptest::prelude::*;

/// Reads one record's words in order.
struct Reader<'a> {
    buf: &'a [u8],
    words: &'a [u32],
    at: usize,
    /// The tape's string arena (bytes), when the ARENA bit was on.
    arena: Option<&'a [u8]>,
}

impl<'a> Reader<'a> {
    fn word(&mut self) -> u32 {
        let w = self.words[self.at];
        self.at += 1;
        w
    }

    /// Offset of `part` in the buffer (it must borrow from it).
    fn offset_of(&self, part: &[u8]) -> usize {
        let at = part.as_ptr() as usize - self.buf.as_ptr() as usize;
        assert!(at + part.len() <= self.buf.len());
        at
    }

    fn string(&mut self, expected: &str) {
        if let Some(off) = self.string_text(expected) {
            assert_eq!(off, self.offset_of(expected.as_bytes()));
        }
    }

    /// A string compared by content only; returns its offset in the buffer
    /// (`None` when it is in the arena).
    fn string_text(&mut self, expected: &str) -> Option<usize> {
        let off = self.word() as usize;
        let w = self.word();
        let len = (w & 0xffff) as usize;
        if w & IN_ARENA != 0 {
            // Only ASCII strings go to the arena, each on a word boundary.
            let arena = self.arena.expect("IN_ARENA only with the ARENA bit");
            assert!(expected.is_ascii() && w & ASCII != 0);
            assert_eq!(off % 4, 0);
            assert_eq!(&arena[off..off + len], expected.as_bytes());
            return None;
        }
        assert!(
            self.arena.is_none() || !expected.is_ascii(),
            "with the arena on, every ASCII string is in it: {expected:?}"
        );
        assert_eq!(w & !ASCII, len as u32, "string length fits 16 bits");
        assert_eq!(&self.buf[off..off + len], expected.as_bytes());
        assert_eq!(
            w & ASCII != 0,
            expected.is_ascii(),
            "ASCII flag of {expected:?}"
        );
        Some(off)
    }

    fn binary(&mut self, expected: &[u8]) {
        let off = self.word() as usize;
        let len = self.word() as usize;
        assert_eq!(&self.buf[off..off + len], expected);
        assert_eq!(off, self.offset_of(expected));
    }

    fn props(&mut self, props: &Properties<'_>) {
        let words = self.word() as usize;
        let start = self.at;
        for p in props.iter() {
            assert_eq!(self.word(), p.id() as u32);
            match p.value() {
                Value::Int(v) => assert_eq!(self.word(), v),
                Value::Str(s) => self.string(s),
                Value::Bin(b) => self.binary(b),
                Value::Pair(k, v) => {
                    self.string(k);
                    self.string(v);
                }
            }
        }
        assert_eq!(self.at - start, words, "P[0] counts the block's words");
    }

    fn opt_props(&mut self, props: &Option<Properties<'_>>) {
        match props {
            Some(p) => self.props(p),
            None => assert_eq!(self.word(), 0),
        }
    }
}

/// Check the record at `words[0..]` against the packet `parse` gives at its offset.
/// Returns the record length.
fn check_record(
    buf: &[u8],
    end: usize,
    words: &[u32],
    version: Version,
    arena: Option<&[u8]>,
) -> (usize, Version) {
    let r0 = words[0];
    let len = words[1] as usize;
    let at = words[2] as usize;
    let remaining = words[3] as usize;
    let Status::Complete((packet, used)) = parse(&buf[at..end], version).unwrap() else {
        panic!("partial at {at}")
    };
    assert_eq!(r0 & 0xf, packet.packet_type() as u32);
    assert_eq!(
        (r0 >> 4) & 0xf,
        (buf[at] & 0xf) as u32,
        "fixed header flags"
    );
    let record_version = match &packet {
        Packet::Connect(c) => c.protocol,
        _ => version,
    };
    assert_eq!((r0 >> 8) & 0xff, record_version.level() as u32);
    assert_eq!(
        used - remaining,
        mqttwire::framing::var_int_len(remaining) + 1
    );
    let v5 = record_version.is_v5();
    let mut r = Reader {
        buf,
        words: &words[..len],
        at: 4,
        arena,
    };
    match &packet {
        Packet::Connect(c) => {
            if let Some(name_at) = r.string_text(c.protocol.protocol_name()) {
                assert_eq!(
                    name_at,
                    at + 1 + mqttwire::framing::var_int_len(remaining) + 2
                );
            }
            assert_eq!(r.word(), buf[r.at_level(at, c.protocol)] as u32);
            let flags = r.word();
            assert_eq!(
                flags,
                buf[r.at_level(at, c.protocol) + 1] as u32,
                "flags byte raw"
            );
            assert_eq!(r.word(), c.keep_alive as u32);
            if v5 {
                r.props(&c.properties);
            }
            r.string(c.client_id);
            if let Some(w) = &c.will {
                if v5 {
                    r.props(&w.properties);
                }
                r.string(w.topic);
                r.binary(w.payload);
            }
            if let Some(u) = c.username {
                r.string(u);
            }
            if let Some(p) = c.password {
                r.binary(p);
            }
            assert_eq!((r0 >> 16) & 1, c.bridge as u32);
        }
        Packet::ConnAck(c) => {
            assert_eq!(r.word(), c.session_present as u32);
            assert_eq!(r.word(), c.code as u32);
            if v5 {
                r.props(&c.properties);
            }
        }
        Packet::Publish(p) => {
            // fixed positions R[4..8]
            r.string(p.topic);
            assert_eq!(r.word(), p.packet_id.unwrap_or(0) as u32);
            r.binary(p.payload);
            assert_eq!(
                r.offset_of(p.payload) + p.payload.len(),
                at + used,
                "payload ends the packet"
            );
            assert_eq!((r0 >> 5) & 3, p.qos as u32);
            assert_eq!((r0 >> 7) & 1, p.dup as u32);
            assert_eq!((r0 >> 4) & 1, p.retain as u32);
            if v5 {
                r.props(&p.properties);
            }
        }
        Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
            assert_eq!(r.word(), a.packet_id as u32);
            assert_eq!(r.word(), a.reason_code.unwrap_or(0) as u32);
            if v5 {
                r.opt_props(&a.properties);
            }
        }
        Packet::Subscribe(s) => {
            assert_eq!(r.word(), s.packet_id as u32);
            if v5 {
                r.props(&s.properties);
            }
            assert_eq!(r.word() as usize, s.filters.len());
            for (f, o) in s.filters.iter() {
                r.string(f);
                assert_eq!(r.word(), o.to_byte() as u32);
            }
        }
        Packet::SubAck(s) => {
            assert_eq!(r.word(), s.packet_id as u32);
            if v5 {
                r.props(&s.properties);
            }
            r.binary(s.return_codes);
        }
        Packet::Unsubscribe(u) => {
            assert_eq!(r.word(), u.packet_id as u32);
            if v5 {
                r.props(&u.properties);
            }
            assert_eq!(r.word() as usize, u.filters.len());
            for f in u.filters.iter() {
                r.string(f);
            }
        }
        Packet::UnsubAck(u) => {
            assert_eq!(r.word(), u.packet_id as u32);
            if v5 {
                r.props(&u.properties);
            }
            r.binary(u.reason_codes);
        }
        Packet::PingReq | Packet::PingResp => {}
        Packet::Disconnect(d) => {
            assert_eq!(r.word(), d.reason_code.unwrap_or(0) as u32);
            if v5 {
                r.opt_props(&d.properties);
            }
        }
        Packet::Auth(a) => {
            assert_eq!(r.word(), a.reason_code.unwrap_or(0) as u32);
            r.opt_props(&a.properties);
        }
    }
    assert_eq!(r.at, len, "record length R[1]");
    (len, record_version)
}

impl Reader<'_> {
    /// Offset of the CONNECT protocol level byte of the packet at `at`.
    fn at_level(&self, at: usize, protocol: Version) -> usize {
        let header_len = 1 + mqttwire::framing::var_int_len(self.words[3] as usize);
        at + header_len + 2 + protocol.protocol_name().len()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn tape_records_agree_with_parse(
        (v, packets) in stream(10),
        prefix in vec(any::<u8>(), 0..5),
        suffix in vec(any::<u8>(), 0..5),
        arena in any::<bool>(),
    ) {
        let encoded: Vec<u8> = packets.iter().flat_map(|m| m.encode(v)).collect();
        // The stream sits between junk: start/end select it; offsets are absolute.
        let buf = [&prefix[..], &encoded[..], &suffix[..]].concat();
        let start = prefix.len();
        let end = start + encoded.len();
        let words = HEADER_WORDS + 64 * packets.len() + 4 * encoded.len();
        let mut t = vec![0u32; words * 2];
        let config = v.level() as u32 | if arena { ARENA } else { 0 };
        let st = tape::frame(&buf, start, end, config, 0, &mut t);
        prop_assert_eq!(st, tape::Status::Done);
        prop_assert_eq!(t[1] as usize, end);
        prop_assert_eq!(t[5] as usize, packets.len());
        // The arena: T[8] (its start, bytes) and T[9] (bytes used), in the last
        // quarter of the tape; zero and zero without the ARENA bit.
        let arena_bytes: Vec<u8> = t.iter().flat_map(|w| w.to_ne_bytes()).collect();
        let arena_bytes = if arena {
            prop_assert_eq!(t[8] as usize, tape::arena_start(t.len()) * 4);
            prop_assert!(t[8] as usize + t[9] as usize <= t.len() * 4);
            prop_assert_eq!(t[9] % 4, 0);
            prop_assert!((t[7] as usize) * 4 <= t[8] as usize);
            Some(arena_bytes[t[8] as usize..(t[8] + t[9]) as usize].to_vec())
        } else {
            prop_assert_eq!((t[8], t[9]), (0, 0));
            None
        };
        let mut r = HEADER_WORDS;
        let mut at = start;
        let mut version = v;
        for m in &packets {
            prop_assert_eq!(t[r + 2] as usize, at);
            let (len, rv) = check_record(&buf, end, &t[r..], version, arena_bytes.as_deref());
            // the record describes the model packet too
            let Status::Complete((p, used)) = parse(&buf[at..end], version).unwrap() else { unreachable!() };
            m.assert_eq_packet(&p);
            version = rv;
            r += len;
            at += used;
        }
        prop_assert_eq!(r, t[7] as usize);
        prop_assert_eq!(t[6] & 0xff, version.level() as u32);
    }
}
