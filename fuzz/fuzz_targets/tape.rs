//! `tape::frame` into small and large tapes: never panics; the header is
//! consistent; every record walks exactly as docs/tape.md lays it out and every
//! offset+len in it is inside the input; status, count and error agree with a
//! `parse` loop; a small tape resumed from `T[1]` gives the same records as a
//! large one; whole packets framed as `frame_after`'s head give the same tape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mqttwire::properties::PropertyType;
use mqttwire::tape::{self, frame, Status, ARENA, ASCII, HEADER_WORDS};
use mqttwire::{parse_with, Limits, Packet, PropertyId, Version};

struct Walk<'a> {
    t: &'a [u32],
    i: usize,
    end: usize,
    buf: &'a [u8],
    lo: usize,
    hi: usize,
}

impl Walk<'_> {
    fn word(&mut self) -> u32 {
        assert!(self.i < self.end, "record overruns its length at word {}", self.i);
        let w = self.t[self.i];
        self.i += 1;
        w
    }
    fn range(&self, off: u32, len: u32) -> &[u8] {
        let (off, len) = (off as usize, len as usize);
        assert!(
            off >= self.lo && off + len <= self.hi,
            "slice {off}+{len} outside packet {}..{}",
            self.lo,
            self.hi
        );
        &self.buf[off..off + len]
    }
    fn string(&mut self) {
        let off = self.word();
        let w = self.word();
        assert_eq!(w & 0x7fff_0000, 0, "string length word {w:#x}");
        let s = self.range(off, w & 0xffff);
        assert!(std::str::from_utf8(s).is_ok());
        assert_eq!(w & ASCII != 0, s.is_ascii(), "ASCII bit wrong");
    }
    fn binary(&mut self) {
        let off = self.word();
        let len = self.word();
        assert!(len <= 0xffff || self.hi - self.lo > 0xffff);
        self.range(off, len);
    }
    fn props(&mut self) {
        let n = self.word() as usize;
        let stop = self.i + n;
        assert!(stop <= self.end, "property block overruns record");
        while self.i < stop {
            let id = self.word();
            let id = PropertyId::from_u8(id as u8).unwrap_or_else(|| panic!("bad id {id}"));
            match id.value_type() {
                PropertyType::Byte | PropertyType::U16 | PropertyType::U32 | PropertyType::VarInt => {
                    self.word();
                }
                PropertyType::Str => self.string(),
                PropertyType::Binary => self.binary(),
                PropertyType::Pair => {
                    self.string();
                    self.string();
                }
            }
        }
        assert_eq!(self.i, stop, "property block length");
    }
}

/// Walk every record; returns the records' words.
fn walk(buf: &[u8], t: &[u32], start: usize) -> Vec<Vec<u32>> {
    let words = t[7] as usize;
    assert!(words >= HEADER_WORDS && words <= t.len());
    let mut recs = Vec::new();
    let mut r = HEADER_WORDS;
    let mut pos = start;
    for _ in 0..t[5] {
        assert!(r + 4 <= words);
        let ty = t[r] & 0xf;
        let level = (t[r] >> 8) & 0xff;
        assert!((3..=5).contains(&level));
        let len = t[r + 1] as usize;
        assert!(len >= 4 && r + len <= words);
        let at = t[r + 2] as usize;
        assert_eq!(at, pos, "records are contiguous");
        let rem = t[r + 3] as usize;
        assert!(at < buf.len());
        let hlen = 1 + mqttwire::framing::var_int_len(rem);
        let hi = at + hlen + rem;
        assert!(hi <= t[1] as usize && hi <= buf.len(), "packet beyond T[1]");
        assert_eq!(buf[at] & 0xf, ((t[r] >> 4) & 0xf) as u8);
        assert_eq!((buf[at] >> 4) as u32, ty);
        let v5 = level == 5;
        let mut w = Walk { t, i: r + 4, end: r + len, buf, lo: at + hlen, hi };
        match ty {
            1 => {
                w.string();
                w.word();
                let flags = w.word();
                w.word();
                if v5 {
                    w.props();
                }
                w.string();
                if flags & 0x04 != 0 {
                    if v5 {
                        w.props();
                    }
                    w.string();
                    w.binary();
                }
                if flags & 0x80 != 0 {
                    w.string();
                }
                if flags & 0x40 != 0 {
                    w.binary();
                }
            }
            2 => {
                w.word();
                w.word();
                if v5 {
                    w.props();
                }
            }
            3 => {
                w.string();
                w.word();
                w.binary();
                if v5 {
                    w.props();
                }
            }
            4..=7 => {
                w.word();
                w.word();
                if v5 {
                    w.props();
                }
            }
            8 | 10 => {
                w.word();
                if v5 {
                    w.props();
                }
                let n = w.word();
                for _ in 0..n {
                    w.string();
                    if ty == 8 {
                        w.word();
                    }
                }
            }
            9 | 11 => {
                w.word();
                if v5 {
                    w.props();
                }
                w.binary();
            }
            12 | 13 => {}
            14 | 15 => {
                w.word();
                if v5 || ty == 15 {
                    w.props();
                }
            }
            _ => panic!("type {ty}"),
        }
        assert_eq!(w.i, r + len, "record length word disagrees with layout (type {ty})");
        recs.push(t[r..r + len].to_vec());
        r += len;
        pos = hi;
    }
    assert_eq!(r, words, "T[7] is the end of the last record");
    recs
}

fuzz_target!(|data: &[u8]| {
    let Some((&ctl, buf)) = data.split_first() else {
        return;
    };
    let level = [3u32, 4, 5, 4][(ctl & 3) as usize];
    let bridge = (ctl >> 2) & 1;
    let config = level | (bridge as u32) << 8;
    let max = if ctl & 8 != 0 { 16 + (ctl as u32 >> 4) * 8 } else { 0 };
    let start = ((ctl >> 4) as usize).min(buf.len());
    let end = buf.len();

    // Too short a tape: untouched, FULL.
    let mut tiny = [0xdead_beefu32; 4];
    assert_eq!(frame(buf, start, end, config, max, &mut tiny), Status::Full);
    assert_eq!(tiny, [0xdead_beef; 4]);

    // Large tape: never FULL.
    let mut big = vec![0u32; HEADER_WORDS + 4 * buf.len() + 64];
    let st = frame(buf, start, end, config, max, &mut big);
    assert_eq!(big[0], st as u32);
    assert_ne!(st, Status::Full, "large tape reported FULL");
    let recs = walk(buf, &big, start);
    assert_eq!(recs.len(), big[5] as usize);
    // At most 3 words per byte framed (the Node binding's fixed tape relies on it).
    assert!(big[7] as usize - HEADER_WORDS <= 3 * (big[1] as usize - start));

    // frame_after: the first k whole packets as a separate head (a copy)
    // give the same tape, offsets included (the head starts the input).
    if start == 0 && !recs.is_empty() {
        let k = ctl as usize % recs.len();
        let h = if k == 0 { 0 } else { recs[k][2] as usize };
        let head = buf[..h].to_vec();
        let mut joined = vec![0u32; big.len()];
        let st_j = tape::frame_after(&head, buf, h, end, config, max, &mut joined);
        assert_eq!(st_j, st);
        let used = big[7] as usize;
        assert_eq!(&joined[..used], &big[..used], "frame_after differs from frame");
    }

    // The same with the string arena: the same header and record lengths;
    // the arena stays in the last quarter and holds whole words.
    let mut arena = vec![0u32; (HEADER_WORDS + 4 * buf.len() + 64) * 2];
    let st_a = frame(buf, start, end, config | ARENA, max, &mut arena);
    assert_eq!(st_a, st);
    assert_eq!(&arena[..8], &big[..8]);
    assert_eq!(arena[8] as usize, tape::arena_start(arena.len()) * 4);
    assert!(arena[8] as usize + arena[9] as usize <= arena.len() * 4);
    assert_eq!(arena[9] % 4, 0);

    // Reference: a parse loop.
    let limits = if max == 0 { Limits::default() } else { Limits::new().max_packet_size(max as usize) };
    let mut version = Version::from_level(level as u8).unwrap();
    let mut pos = start;
    let mut n = 0u32;
    let expect = loop {
        if pos >= end {
            break Status::Done;
        }
        match parse_with(&buf[pos..end], version, &limits) {
            Ok(mqttwire::Status::Complete((p, used))) => {
                if let Packet::Connect(c) = p {
                    version = c.protocol;
                }
                n += 1;
                pos += used;
            }
            Ok(mqttwire::Status::Partial(_)) => break Status::Partial,
            Err(e) => {
                assert_eq!(big[2], e.kind.code());
                assert_eq!(big[3], e.kind.param());
                assert_eq!(big[4] as usize, pos + e.offset);
                break Status::Error;
            }
        }
    };
    assert_eq!(st, expect);
    assert_eq!(big[5], n);
    assert_eq!(big[1] as usize, pos);
    assert_eq!(big[6] & 0xff, version.level() as u32);
    match st {
        Status::Done => assert_eq!(pos, end),
        Status::Partial => {
            let need = big[2] as usize;
            assert!(need == 0 || pos + need > end, "PARTIAL but {need} bytes are there");
        }
        _ => {}
    }

    // Small tape, resumed from T[1] with the version of T[6] until not FULL.
    let mut small = vec![0u32; HEADER_WORDS + (ctl as usize % 24)];
    let mut s = start;
    let mut cfg = config;
    let mut got: Vec<Vec<u32>> = Vec::new();
    loop {
        let st2 = frame(buf, s, end, cfg, max, &mut small);
        got.extend(walk(buf, &small, s));
        if st2 != Status::Full {
            assert_eq!(st2, st);
            assert_eq!(&small[..5], &big[..5]);
            assert_eq!(small[6], big[6]);
            break;
        }
        if small[5] == 0 {
            // Not even one record fits: the caller must grow the tape.
            break;
        }
        s = small[1] as usize;
        cfg = small[6];
    }
    assert_eq!(got[..], recs[..got.len()], "small-tape records differ");
});
