//! Batch framing of a whole chunk into a flat `u32` tape.
//!
//! This is the Node binding's entry point: one call frames and validates every
//! packet in a socket chunk and describes each one with a few `u32` words
//! (type, flags, offsets and lengths of topic, payload, properties, filters…,
//! and whether each string is ASCII), so the binding crosses the Node-API
//! boundary once per chunk and JS builds objects by slicing the chunk. The
//! format is specified in `docs/tape.md`; the constants below name its words.
//!
//! ```
//! use mqttwire::tape::{frame, Status, HEADER_WORDS};
//! // Two PINGREQs and half of a third.
//! let chunk = [0xc0, 0x00, 0xc0, 0x00, 0xc0];
//! let mut tape = [0u32; 64];
//! frame(&chunk, 0, chunk.len(), 4, 0, &mut tape);
//! assert_eq!(tape[0], Status::Partial as u32);
//! assert_eq!(tape[1], 4); // the partial packet starts at byte 4
//! assert_eq!(tape[5], 2); // two records
//! assert_eq!(tape[HEADER_WORDS] & 0xf, 12); // the first is a PINGREQ
//! ```

use crate::framing::{self, parse_fixed_header};
use crate::properties::{
    self, Context, Properties, Property, PropertyId, PropertyType, PublishVisit, Raw, Value,
};
use crate::{packet, primitives, DecodeError, Limits, Packet, PacketType, Version};

/// Words of the tape header; records start here.
pub const HEADER_WORDS: usize = 10;

/// Config bit: bridge mode (the protocol level's high bit) in force.
pub const BRIDGE: u32 = 0x100;

/// Config bit: mqtt-packet's leniency ([`Limits::strict`](crate::Limits::strict) off).
pub const LENIENT: u32 = 0x200;

/// Config bit: copy every ASCII string into the tape's string arena (its last
/// quarter), so that JS makes one string per call and slices it with
/// `substring`, instead of one native call per string.
pub const ARENA: u32 = 0x400;

/// Set on a string's length word when every byte is ASCII.
pub const ASCII: u32 = 0x8000_0000;

/// Set on a string's length word when the string is in the arena: its offset
/// word is then the byte offset from the start of the arena (`T[8]`).
pub const IN_ARENA: u32 = 0x4000_0000;

/// The tape's word offsets (`docs/tape.md`): header words from the start of
/// the tape, record words from the start of a record. JS reads them by these
/// names (lib/generated/protocol.js).
pub mod word {
    /// Header: the [`Status`](super::Status).
    pub const STATUS: usize = 0;
    /// Header: offset of the first byte not consumed.
    pub const NEXT: usize = 1;
    /// Header: PARTIAL: size of the incomplete packet (0 = unknown yet);
    /// ERROR: the error code.
    pub const NEED_OR_CODE: usize = 2;
    /// Header: ERROR: the error parameter.
    pub const ERROR_PARAM: usize = 3;
    /// Header: ERROR: offset of the offending byte.
    pub const ERROR_OFFSET: usize = 4;
    /// Header: records written.
    pub const RECORDS: usize = 5;
    /// Header: version in force after the call | bridge << 8.
    pub const VERSION: usize = 6;
    /// Header: tape words used by the records.
    pub const WORDS_USED: usize = 7;
    /// Header: byte offset of the string arena in the tape (0 without ARENA).
    pub const ARENA_AT: usize = 8;
    /// Header: arena bytes used.
    pub const ARENA_USED: usize = 9;
    /// Inputs of the Node binding's calls, overwritten by the header.
    pub const IN_START: usize = 0;
    /// Input: end of the bytes to frame.
    pub const IN_END: usize = 1;
    /// Input: the config word.
    pub const IN_CONFIG: usize = 2;
    /// Input: the maximum packet size.
    pub const IN_MAX: usize = 3;
    /// Input of the Node binding's registered call: bytes of the head framed
    /// before the chunk ([`frame_after`](super::frame_after)), 0 for none.
    pub const IN_HEAD: usize = 4;

    /// Record: type | flags << 4 | version << 8 | bridge << 16.
    pub const R_HEAD: usize = 0;
    /// Record: its length in words.
    pub const R_WORDS: usize = 1;
    /// Record: offset of the packet's first byte.
    pub const R_OFFSET: usize = 2;
    /// Record: remaining length.
    pub const R_LENGTH: usize = 3;
    /// Record: the first word after the prefix.
    pub const R_BODY: usize = 4;
    /// PUBLISH: topic string (offset; the length word follows).
    pub const PUBLISH_TOPIC: usize = 4;
    /// PUBLISH: message id (0 at QoS 0).
    pub const PUBLISH_MESSAGE_ID: usize = 6;
    /// PUBLISH: payload (offset; the length word follows).
    pub const PUBLISH_PAYLOAD: usize = 7;
    /// PUBLISH: the property block (5.0).
    pub const PUBLISH_PROPERTIES: usize = 9;
    /// CONNECT: protocol name string.
    pub const CONNECT_PROTOCOL_ID: usize = 4;
    /// CONNECT: the protocol level byte as sent.
    pub const CONNECT_LEVEL: usize = 6;
    /// CONNECT: the connect flags byte.
    pub const CONNECT_FLAGS: usize = 7;
    /// CONNECT: keep alive.
    pub const CONNECT_KEEPALIVE: usize = 8;
    /// CONNECT: what follows the fixed part (properties, then client id).
    pub const CONNECT_REST: usize = 9;
    /// CONNACK: acknowledge flags.
    pub const CONNACK_FLAGS: usize = 4;
    /// CONNACK: return / reason code.
    pub const CONNACK_CODE: usize = 5;
    /// CONNACK: the property block (5.0).
    pub const CONNACK_PROPERTIES: usize = 6;
    /// PUBACK..PUBCOMP, SUBSCRIBE..UNSUBACK: message id.
    pub const MESSAGE_ID: usize = 4;
    /// PUBACK..PUBCOMP: reason code.
    pub const ACK_REASON: usize = 5;
    /// PUBACK..PUBCOMP: the property block (5.0).
    pub const ACK_PROPERTIES: usize = 6;
    /// SUBSCRIBE..UNSUBACK: what follows the message id.
    pub const SUB_REST: usize = 5;
    /// DISCONNECT, AUTH: reason code.
    pub const REASON: usize = 4;
    /// DISCONNECT, AUTH: the property block (5.0).
    pub const REASON_PROPERTIES: usize = 5;
}

/// Where the arena starts (in words) in a tape of `len` words with the
/// [`ARENA`] bit: its last quarter.
#[inline]
pub fn arena_start(len: usize) -> usize {
    (len - len / 4).max(HEADER_WORDS)
}

/// Outcome of a [`frame`] call (tape word 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum Status {
    /// Every byte up to `end` was consumed.
    Done = 0,
    /// The packet at `T[1]` is incomplete.
    Partial = 1,
    /// The packet at `T[1]` is malformed (code, param, offset in `T[2..5]`).
    Error = 2,
    /// The tape is full: call again from `T[1]` with a larger tape.
    Full = 3,
}

mod records;
mod writer;

use records::*;
use writer::{Ctx, Writer};

/// Frame and validate `buf[start..end]` into `tape` (layout in `docs/tape.md`).
///
/// `config` is `version | bridge << 8 | lenient << 9 | arena << 10` ([`LENIENT`],
/// [`ARENA`]) with `version` 3, 4 or 5 (anything else is taken as 4);
/// `max_packet_size` is the largest whole packet accepted (0 = the spec
/// maximum). With [`ARENA`], ASCII strings are copied to the last quarter of
/// the tape ([`arena_start`]) and records only use the words before it.
/// Never panics: out-of-range `start`/`end` are clamped, a tape shorter than
/// the header is left untouched.
///
/// ```
/// use mqttwire::tape::{frame, Status, ARENA, ASCII, HEADER_WORDS, IN_ARENA};
/// // PUBLISH QoS 0, topic "a/b", payload "hi"
/// let chunk = [0x30, 7, 0, 3, b'a', b'/', b'b', b'h', b'i'];
/// let mut t = [0u32; 64];
/// assert_eq!(frame(&chunk, 0, chunk.len(), 4 | ARENA, 0, &mut t), Status::Done);
/// let r = HEADER_WORDS;
/// assert_eq!(t[r + 5], 3 | ASCII | IN_ARENA); // the topic is in the arena...
/// let arena: Vec<u8> = t.iter().flat_map(|w| w.to_ne_bytes()).collect();
/// let at = (t[8] + t[r + 4]) as usize; // ...at this byte of the tape
/// assert_eq!(&arena[at..at + 3], b"a/b");
/// assert_eq!((t[r + 7], t[r + 8]), (7, 2)); // the payload stays in the chunk
/// ```
pub fn frame(
    buf: &[u8],
    start: usize,
    end: usize,
    config: u32,
    max_packet_size: u32,
    tape: &mut [u32],
) -> Status {
    frame_after(&[], buf, start, end, config, max_packet_size, tape)
}

/// [`frame`] `head` and then `buf[start..end]` into one tape, as if the two
/// were one chunk: the records of `head` come first and index `head`, the
/// others index `buf`.
///
/// This is how a reader frames the end of a packet that straddled two reads
/// (`head`, the packet made whole) and the rest of the new read in one call.
/// A CONNECT in `head` sets the version for `buf`. When framing stops within
/// `head` (a malformed or incomplete packet there, or a full tape) nothing of
/// `buf` is framed and `T[1]` (and an error's offset) is an offset in `head`;
/// a caller that passes one whole packet as `head` tells this case by no
/// record at all. An empty `head` is [`frame`].
///
/// ```
/// use mqttwire::tape::{frame_after, word, Status, HEADER_WORDS};
/// // A PINGREQ whose second byte came with the next read, then a PINGRESP.
/// let head = [0xc0, 0x00];
/// let read = [0x00, 0xd0, 0x00];
/// let mut t = [0u32; 64];
/// assert_eq!(frame_after(&head, &read, 1, read.len(), 4, 0, &mut t), Status::Done);
/// assert_eq!(t[word::RECORDS], 2);
/// let first = HEADER_WORDS;
/// let second = first + t[first + word::R_WORDS] as usize;
/// assert_eq!(t[first + word::R_OFFSET], 0); // in head
/// assert_eq!(t[second + word::R_OFFSET], 1); // in read
/// ```
pub fn frame_after(
    head: &[u8],
    buf: &[u8],
    start: usize,
    end: usize,
    config: u32,
    max_packet_size: u32,
    tape: &mut [u32],
) -> Status {
    if tape.len() < HEADER_WORDS {
        return Status::Full;
    }
    let use_arena = config & ARENA != 0;
    let split = if use_arena {
        arena_start(tape.len())
    } else {
        tape.len()
    };
    let arena_bytes = split as u32 * 4;
    let (tape, arena) = tape.split_at_mut(split);
    let end = end.min(buf.len());
    let start = start.min(end);
    let mut limits = Limits::default().strict(config & LENIENT == 0);
    if max_packet_size != 0 {
        limits = limits.max_packet_size(max_packet_size as usize);
    }
    let mut st = Run {
        pos: 0,
        words: HEADER_WORDS,
        used: 0,
        count: 0,
        version: Version::from_level(config as u8).unwrap_or(Version::V3_1_1),
        bridge: config & BRIDGE != 0,
    };
    let mut stop = (Status::Done, 0, None);
    if !head.is_empty() {
        stop = run_all(head, head.len(), tape, arena, &limits, use_arena, &mut st);
    }
    if stop.0 == Status::Done {
        st.pos = start;
        stop = run_all(buf, end, tape, arena, &limits, use_arena, &mut st);
    }
    let (status, need, error) = stop;
    let t = tape;
    t[word::STATUS] = status as u32;
    t[word::NEXT] = st.pos as u32;
    t[word::NEED_OR_CODE] = need;
    t[word::ERROR_PARAM] = 0;
    t[word::ERROR_OFFSET] = 0;
    if let Some(e) = error {
        t[word::NEED_OR_CODE] = e.kind.code();
        t[word::ERROR_PARAM] = e.kind.param();
        t[word::ERROR_OFFSET] = (st.pos + e.offset) as u32;
    }
    t[word::RECORDS] = st.count;
    t[word::VERSION] = st.version.level() as u32 | (st.bridge as u32) << 8;
    t[word::WORDS_USED] = st.words as u32;
    t[word::ARENA_AT] = if use_arena { arena_bytes } else { 0 };
    t[word::ARENA_USED] = st.used as u32;
    status
}

/// Frame `buf[st.pos..end]`, going on from `st`, until a stop.
fn run_all(
    buf: &[u8],
    end: usize,
    tape: &mut [u32],
    arena: &mut [u32],
    limits: &Limits,
    use_arena: bool,
    st: &mut Run,
) -> Stop {
    let ctx = Ctx {
        base: buf.as_ptr() as usize,
        buf,
    };
    // One loop per version family and arena setting, so that each keeps its
    // state in registers and carries no code for the other cases; a CONNECT
    // that switches to or from 5.0 goes on in the other loop.
    loop {
        let stop = match (st.version.is_v5(), use_arena) {
            (false, false) => run::<false, false>(&ctx, tape, arena, end, limits, st),
            (false, true) => run::<false, true>(&ctx, tape, arena, end, limits, st),
            (true, false) => run::<true, false>(&ctx, tape, arena, end, limits, st),
            (true, true) => run::<true, true>(&ctx, tape, arena, end, limits, st),
        };
        if let Some(stop) = stop {
            return stop;
        }
    }
}

/// Where a [`frame`] call is: the next packet, the tape words and arena
/// bytes used by the records so far, the records written, and the version
/// and bridge flag in force.
struct Run {
    pos: usize,
    words: usize,
    used: usize,
    count: u32,
    version: Version,
    bridge: bool,
}

/// Why [`run`] stopped: the status, `T[2]` when PARTIAL, and the error.
type Stop = (Status, u32, Option<DecodeError>);

/// The packets from `st.pos` up to `end`, while the version is 5.0 exactly
/// when `V5`, with the string arena exactly when `ARENA`. `None` when a
/// CONNECT has switched to or from 5.0 (the caller goes on in the other
/// loop). Each packet is written by a `Writer` made from the state, which
/// takes it back only when the whole record is in (so an error or a full
/// tape drops the partial record).
#[inline(never)]
fn run<const V5: bool, const ARENA: bool>(
    ctx: &Ctx<'_>,
    tape: &mut [u32],
    arena: &mut [u32],
    end: usize,
    limits: &Limits,
    st: &mut Run,
) -> Option<Stop> {
    let buf = ctx.buf;
    let max = limits.get_max_packet_size();
    let strict = limits.is_strict();
    let Run {
        mut pos,
        mut words,
        mut used,
        mut count,
        mut version,
        mut bridge,
    } = *st;
    let stop = loop {
        if pos >= end {
            break Some((Status::Done, 0, None));
        }
        let input = &buf[pos..end];
        if let Some(f) = packet::publish_fast(input, max) {
            // The hot path: a plain PUBLISH, written without building a
            // `Packet`, by a writer that never leaves this function (so that
            // it stays in registers).
            let mut w = Writer::start(tape, arena, words, used, ARENA, buf);
            let head = packet::PublishHead {
                topic: f.topic,
                ascii: true,
                packet_id: f.packet_id,
                rest_at: f.rest_at,
            };
            let at = Span {
                start: pos,
                flags: f.flags,
                header_len: f.header_len,
            };
            let v = if V5 { Version::V5 } else { version };
            let res = publish_record::<V5>(ctx, &mut w, at, f.body, head, v, bridge, strict);
            if let Err(e) = res {
                break Some((Status::Error, 0, Some(e.shifted(f.header_len))));
            }
            if w.overflow {
                break Some((Status::Full, 0, None));
            }
            (words, used) = (w.pos, w.used);
            count += 1;
            pos += f.total;
            continue;
        }
        let mut w = Writer::start(tape, arena, words, used, ARENA, buf);
        match other(ctx, &mut w, input, pos, limits, version, bridge) {
            Ok((total, v, b)) => {
                (words, used, version, bridge) = (w.pos, w.used, v, b);
                count += 1;
                pos += total;
                if version.is_v5() != V5 {
                    break None;
                }
            }
            Err(stop) => break Some(stop),
        }
    };
    *st = Run {
        pos,
        words,
        used,
        count,
        version,
        bridge,
    };
    stop
}

/// What one packet did: `Ok` with its size and the version and bridge flag
/// in force after it (a CONNECT switches them), its record written; or `Err`
/// with the status, `T[2]` when PARTIAL, and the error, to stop with (the
/// writer's state is then dropped).
type Step = Result<(usize, Version, bool), Stop>;

/// Every packet but the PUBLISH of the fast path, at the start of `input`
/// (at `pos` in the chunk), written by `w`. Out of line so that the hot loop
/// keeps its state in registers.
#[inline(never)]
fn other(
    ctx: &Ctx<'_>,
    w: &mut Writer<'_>,
    input: &[u8],
    pos: usize,
    limits: &Limits,
    version: Version,
    bridge: bool,
) -> Step {
    let header = match parse_fixed_header(input, limits) {
        Ok(framing::Status::Complete(h)) => h,
        Ok(framing::Status::Partial(_)) => return Err((Status::Partial, 0, None)),
        Err(e) => return Err((Status::Error, 0, Some(e))),
    };
    let total = header.packet_len();
    if input.len() < total {
        return Err((Status::Partial, total as u32, None));
    }
    let body = &input[header.header_len..total];
    let body_at = (pos + header.header_len) as u32;
    let strict = limits.is_strict();
    if header.packet_type == PacketType::Publish {
        // No `Packet` is built.
        let at = Span {
            start: pos,
            flags: header.flags,
            header_len: header.header_len,
        };
        let res = packet::publish_head(body, header.flags, strict).and_then(|head| {
            if version.is_v5() {
                publish_record::<true>(ctx, w, at, body, head, version, bridge, strict)
            } else {
                publish_record::<false>(ctx, w, at, body, head, version, bridge, strict)
            }
        });
        return match res {
            Ok(()) if w.overflow => Err((Status::Full, 0, None)),
            Ok(()) => Ok((total, version, bridge)),
            Err(e) => Err((Status::Error, 0, Some(e.shifted(header.header_len)))),
        };
    }
    let packet = match packet::parse_body_with(&header, body, version, strict) {
        Ok(p) => p,
        Err(e) => return Err((Status::Error, 0, Some(e.shifted(header.header_len)))),
    };
    // A CONNECT switches the version (and bridge flag) from its own record on.
    let (version, bridge) = match &packet {
        Packet::Connect(c) => (c.protocol, c.bridge),
        _ => (version, bridge),
    };
    let rec = w.pos;
    w.push(
        header.packet_type as u32
            | (header.flags as u32) << 4
            | (version.level() as u32) << 8
            | (bridge as u32) << 16,
    );
    w.push(0);
    w.push(pos as u32);
    w.push(header.remaining_length as u32);
    write_record(ctx, w, &packet, version, body_at);
    if w.overflow {
        return Err((Status::Full, 0, None));
    }
    w.tape[rec + 1] = (w.pos - rec) as u32;
    Ok((total, version, bridge))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string arena at every string length the copy treats differently
    /// (one to three words, four to eight, more) and at the chunk's end (a
    /// string's words are read whole from the chunk, or byte by byte when it
    /// ends within three bytes of the end): the 3.1.1 topic, and in 5.0 also
    /// a content type and a user property, each copied whole and zero-padded
    /// into a tape of stale words, and nothing written past the last one.
    #[test]
    fn arena_strings_at_every_length() {
        fn var_int(mut n: usize, out: &mut Vec<u8>) {
            loop {
                let b = (n % 128) as u8;
                n /= 128;
                out.push(if n > 0 { b | 0x80 } else { b });
                if n == 0 {
                    break;
                }
            }
        }
        fn string(s: &[u8], out: &mut Vec<u8>) {
            out.extend_from_slice(&(s.len() as u16).to_be_bytes());
            out.extend_from_slice(s);
        }
        const STALE: u32 = 0xa5a5_a5a5;
        for len in 1..=70usize {
            let topic: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            let ct = &topic[..len.div_ceil(2)];
            let (key, value) = (&topic[len / 3..], &topic[..len - len / 3]);
            for payload in [0usize, 1, 2, 3, 4, 40] {
                for v5 in [false, true] {
                    let mut body = Vec::new();
                    string(&topic, &mut body);
                    let mut expected = vec![&topic[..]];
                    if v5 {
                        let mut props = vec![3];
                        string(ct, &mut props);
                        props.push(38);
                        string(key, &mut props);
                        string(value, &mut props);
                        var_int(props.len(), &mut body);
                        body.extend_from_slice(&props);
                        expected.extend([ct, key, value]);
                    }
                    body.extend(std::iter::repeat(b'x').take(payload));
                    let mut chunk = vec![0x30];
                    var_int(body.len(), &mut chunk);
                    chunk.extend_from_slice(&body);
                    let mut t = vec![STALE; 512];
                    let config = if v5 { 5 } else { 4 } | ARENA;
                    let status = frame(&chunk, 0, chunk.len(), config, 0, &mut t);
                    assert_eq!((status, t[5]), (Status::Done, 1), "{len} {payload} {v5}");
                    let r = HEADER_WORDS;
                    let mut strings = vec![(t[r + 4], t[r + 5])];
                    if v5 {
                        assert_eq!(t[r + 9..r + 11], [8, 3]);
                        assert_eq!(t[r + 13], 38);
                        strings.extend([(t[r + 11], t[r + 12]), (t[r + 14], t[r + 15])]);
                        strings.push((t[r + 16], t[r + 17]));
                    }
                    let bytes: Vec<u8> = t.iter().flat_map(|w| w.to_ne_bytes()).collect();
                    let arena = &bytes[t[8] as usize..];
                    let mut at = 0;
                    for ((off, w), want) in strings.into_iter().zip(expected) {
                        let (off, n) = (off as usize, want.len());
                        assert_eq!((off, w), (at, n as u32 | ASCII | IN_ARENA));
                        assert_eq!(&arena[off..off + n], want, "{len} {payload} {v5}");
                        let padded = off + n.div_ceil(4) * 4;
                        assert!(arena[off + n..padded].iter().all(|&b| b == 0));
                        at = padded;
                    }
                    assert_eq!(t[9] as usize, at);
                    assert!(
                        arena[at..].iter().all(|&b| b == 0xa5),
                        "written past the strings: {len} {payload} {v5}"
                    );
                }
            }
        }
    }
}
