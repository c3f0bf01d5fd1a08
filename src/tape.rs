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
    self, Context, Properties, Property, PropertyId, PropertyType, Raw, Value,
};
use crate::{packet, primitives, DecodeError, Limits, Packet, PacketType, Version};

/// Words of the tape header; records start here.
pub const HEADER_WORDS: usize = 10;

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

struct Writer<'t> {
    tape: &'t mut [u32],
    pos: usize,
    overflow: bool,
    /// The string arena (empty when the ARENA bit is off) and its bytes used
    /// (a multiple of 4: each string starts on a word).
    arena: &'t mut [u32],
    used: usize,
    use_arena: bool,
}

impl Writer<'_> {
    /// Where the next record starts: to go back to after an error or overflow.
    #[inline]
    fn mark(&self) -> (usize, usize) {
        (self.pos, self.used)
    }

    #[inline]
    fn reset(&mut self, (pos, used): (usize, usize)) {
        self.pos = pos;
        self.used = used;
    }

    /// The two words of a string: `(off, len | ASCII)` for the bytes at `off`
    /// in the chunk, or, when it is ASCII and the arena is on, copied into
    /// the arena and `(arena offset, len | ASCII | IN_ARENA)`.
    #[inline]
    fn string_words(&mut self, off: u32, s: &[u8], ascii: bool) -> [u32; 2] {
        if ascii && self.use_arena {
            let at = self.used as u32;
            self.arena_copy(s);
            [at, s.len() as u32 | ASCII | IN_ARENA]
        } else {
            [off, s.len() as u32 | if ascii { ASCII } else { 0 }]
        }
    }

    #[inline]
    fn string(&mut self, off: u32, s: &[u8], ascii: bool) {
        let [a, b] = self.string_words(off, s, ascii);
        self.push(a);
        self.push(b);
    }

    /// Copy `s` to the arena, whole words in native byte order (so that a
    /// byte view of the tape reads the string), the last one zero-padded.
    #[inline]
    fn arena_copy(&mut self, s: &[u8]) {
        let at = self.used / 4;
        let words = s.len().div_ceil(4);
        self.used += words * 4;
        let Some(dst) = self.arena.get_mut(at..at + words) else {
            self.overflow = true;
            return;
        };
        let mut chunks = s.chunks_exact(4);
        for (d, c) in dst.iter_mut().zip(&mut chunks) {
            *d = u32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
        }
        let tail = chunks.remainder();
        if let Some(last) = dst.get_mut(s.len() / 4) {
            let mut a = [0u8; 4];
            a[..tail.len()].copy_from_slice(tail);
            *last = u32::from_ne_bytes(a);
        }
    }

    /// Overwrite word `at` (already pushed; ignored past the end of the tape).
    #[inline]
    fn set(&mut self, at: usize, v: u32) {
        if let Some(w) = self.tape.get_mut(at) {
            *w = v;
        }
    }

    #[inline]
    fn push(&mut self, v: u32) {
        match self.tape.get_mut(self.pos) {
            Some(w) => *w = v,
            None => self.overflow = true,
        }
        self.pos += 1;
    }
}

struct Ctx<'b> {
    base: usize,
    buf: &'b [u8],
}

impl Ctx<'_> {
    #[inline]
    fn off(&self, s: &[u8]) -> u32 {
        (s.as_ptr() as usize).wrapping_sub(self.base) as u32
    }

    #[inline]
    fn string(&self, w: &mut Writer<'_>, s: &str) {
        w.string(self.off(s.as_bytes()), s.as_bytes(), s.is_ascii());
    }

    #[inline]
    fn binary(&self, w: &mut Writer<'_>, b: &[u8]) {
        w.push(self.off(b));
        w.push(b.len() as u32);
    }

    /// One property entry: its id, then its value by type.
    #[inline]
    fn property(&self, w: &mut Writer<'_>, p: &Property<'_>) {
        w.push(p.id() as u32);
        match p.value() {
            Value::Int(v) => w.push(v),
            Value::Str(s) => self.string(w, s),
            Value::Bin(b) => self.binary(w, b),
            Value::Pair(k, v) => {
                self.string(w, k);
                self.string(w, v);
            }
        }
    }

    fn props(&self, w: &mut Writer<'_>, props: &Properties<'_>) {
        if let Some(wire) = props.wire_bytes() {
            return self.wire_props(w, wire);
        }
        let at = w.pos;
        w.push(0);
        for p in props.iter() {
            self.property(w, &p);
        }
        let n = (w.pos - at - 1) as u32;
        if let Some(slot) = w.tape.get_mut(at) {
            *slot = n;
        }
    }

    /// Write a property list the parser has validated, walking its bytes
    /// without decoding (or re-validating) the values again.
    fn wire_props(&self, w: &mut Writer<'_>, wire: &[u8]) {
        let at = w.pos;
        w.push(0);
        let mut i = 0;
        let u16_at = |i: usize| -> usize {
            match wire.get(i..i + 2) {
                Some(&[a, b]) => u16::from_be_bytes([a, b]) as usize,
                _ => 0,
            }
        };
        while let Some(&id) = wire.get(i) {
            i += 1;
            let Some(pid) = PropertyId::from_u8(id) else {
                break;
            };
            w.push(id as u32);
            match pid.value_type() {
                PropertyType::Byte => {
                    w.push(wire.get(i).copied().unwrap_or(0) as u32);
                    i += 1;
                }
                PropertyType::U16 => {
                    w.push(u16_at(i) as u32);
                    i += 2;
                }
                PropertyType::U32 => {
                    let v = match wire.get(i..i + 4) {
                        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
                        _ => 0,
                    };
                    w.push(v);
                    i += 4;
                }
                PropertyType::VarInt => match framing::read_var_int(&wire[i..]) {
                    Ok(framing::Status::Complete((v, n))) => {
                        w.push(v);
                        i += n;
                    }
                    _ => break,
                },
                PropertyType::Binary => {
                    let n = u16_at(i);
                    let b = wire.get(i + 2..i + 2 + n).unwrap_or(&[]);
                    self.binary(w, b);
                    i += 2 + n;
                }
                PropertyType::Str | PropertyType::Pair => {
                    let strings = if pid.value_type() == PropertyType::Pair {
                        2
                    } else {
                        1
                    };
                    for _ in 0..strings {
                        let n = u16_at(i);
                        let b = wire.get(i + 2..i + 2 + n).unwrap_or(&[]);
                        w.string(self.off(b), b, b.is_ascii());
                        i += 2 + n;
                    }
                }
            }
        }
        let n = (w.pos - at - 1) as u32;
        if let Some(slot) = w.tape.get_mut(at) {
            *slot = n;
        }
    }

    fn opt_props(&self, w: &mut Writer<'_>, props: &Option<Properties<'_>>) {
        match props {
            Some(p) => self.props(w, p),
            None => w.push(0),
        }
    }
}

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
    let mut version = Version::from_level(config as u8).unwrap_or(Version::V3_1_1);
    let mut bridge = config & 0x100 != 0;
    let mut limits = Limits::default().strict(config & LENIENT == 0);
    if max_packet_size != 0 {
        limits = limits.max_packet_size(max_packet_size as usize);
    }
    let ctx = Ctx {
        base: buf.as_ptr() as usize,
        buf,
    };
    let mut w = Writer {
        tape,
        pos: HEADER_WORDS,
        overflow: false,
        arena,
        used: 0,
        use_arena,
    };
    let mut pos = start;
    let mut count = 0u32;
    let mut need = 0u32;
    let mut error: Option<DecodeError> = None;
    let status = loop {
        if pos >= end {
            break Status::Done;
        }
        let input = &buf[pos..end];
        if let Some(f) = packet::publish_fast(input, limits.get_max_packet_size()) {
            // The hot path: a plain PUBLISH, written without building a `Packet`.
            let rec = w.mark();
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
            let body = f.body;
            if let Err(e) = publish_record(
                &ctx,
                &mut w,
                at,
                body,
                head,
                version,
                bridge,
                limits.is_strict(),
            ) {
                w.reset(rec);
                error = Some(e.shifted(f.header_len));
                break Status::Error;
            }
            if w.overflow {
                w.reset(rec);
                break Status::Full;
            }
            count += 1;
            pos += f.total;
            continue;
        }
        let header = match parse_fixed_header(input, &limits) {
            Ok(framing::Status::Complete(h)) => h,
            Ok(framing::Status::Partial(_)) => break Status::Partial,
            Err(e) => {
                error = Some(e);
                break Status::Error;
            }
        };
        let total = header.packet_len();
        if input.len() < total {
            need = total as u32;
            break Status::Partial;
        }
        let body = &input[header.header_len..total];
        let body_at = (pos + header.header_len) as u32;
        if header.packet_type == PacketType::Publish {
            // The hot path: no `Packet` is built.
            let rec = w.mark();
            let at = Span {
                start: pos,
                flags: header.flags,
                header_len: header.header_len,
            };
            let strict = limits.is_strict();
            let res = packet::publish_head(body, header.flags, strict).and_then(|head| {
                publish_record(&ctx, &mut w, at, body, head, version, bridge, strict)
            });
            if let Err(e) = res {
                w.reset(rec);
                error = Some(e.shifted(header.header_len));
                break Status::Error;
            }
            if w.overflow {
                w.reset(rec);
                break Status::Full;
            }
            count += 1;
            pos += total;
            continue;
        }
        let packet = match packet::parse_body_with(&header, body, version, limits.is_strict()) {
            Ok(p) => p,
            Err(e) => {
                error = Some(e.shifted(header.header_len));
                break Status::Error;
            }
        };
        let record_version = match &packet {
            Packet::Connect(c) => c.protocol,
            _ => version,
        };
        let record_bridge = match &packet {
            Packet::Connect(c) => c.bridge,
            _ => bridge,
        };
        let mark = w.mark();
        let rec = mark.0;
        w.push(
            header.packet_type as u32
                | (header.flags as u32) << 4
                | (record_version.level() as u32) << 8
                | (record_bridge as u32) << 16,
        );
        w.push(0);
        w.push(pos as u32);
        w.push(header.remaining_length as u32);
        write_record(&ctx, &mut w, &packet, record_version, body_at);
        if w.overflow {
            w.reset(mark);
            break Status::Full;
        }
        let len = (w.pos - rec) as u32;
        w.tape[rec + 1] = len;
        count += 1;
        if let Packet::Connect(c) = &packet {
            version = c.protocol;
            bridge = c.bridge;
        }
        pos += total;
    };
    let words = w.pos as u32;
    let used = w.used as u32;
    let t = w.tape;
    t[0] = status as u32;
    t[1] = pos as u32;
    t[2] = need;
    t[3] = 0;
    t[4] = 0;
    if let Some(e) = error {
        t[2] = e.kind.code();
        t[3] = e.kind.param();
        t[4] = (pos + e.offset) as u32;
    }
    t[5] = count;
    t[6] = version.level() as u32 | (bridge as u32) << 8;
    t[7] = words;
    t[8] = if use_arena { arena_bytes } else { 0 };
    t[9] = used;
    status
}

/// Where a packet starts in the chunk, and its fixed header.
struct Span {
    start: usize,
    flags: u8,
    header_len: usize,
}

/// One PUBLISH straight to the tape, without building a [`Packet`], from its
/// checked head (topic and packet identifier, by the fast path or the same
/// `head()` that `parse` uses); in 5.0 the properties are validated and
/// written in the same pass. Error offsets count from the start of the body.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn publish_record(
    ctx: &Ctx<'_>,
    w: &mut Writer<'_>,
    at: Span,
    body: &[u8],
    f: packet::PublishHead<'_>,
    version: Version,
    bridge: bool,
    strict: bool,
) -> Result<(), DecodeError> {
    let body_at = at.start + at.header_len;
    let rec = w.pos;
    let [t0, t1] = w.string_words((body_at + 2) as u32, f.topic.as_bytes(), f.ascii);
    // The nine fixed words in one bounds check; the payload words are final
    // before 5.0 and rewritten below when properties precede the payload.
    let words = [
        PacketType::Publish as u32
            | (at.flags as u32) << 4
            | (version.level() as u32) << 8
            | (bridge as u32) << 16,
        9,
        at.start as u32,
        body.len() as u32,
        t0,
        t1,
        f.packet_id.unwrap_or(0) as u32,
        (body_at + f.rest_at) as u32,
        (body.len() - f.rest_at) as u32,
    ];
    match w.tape.get_mut(rec..rec + 9) {
        Some(slot) => slot.copy_from_slice(&words),
        None => w.overflow = true,
    }
    w.pos += 9;
    let mut payload_at = f.rest_at;
    let mut alias = false;
    if version.is_v5() {
        let block = w.pos;
        w.push(0);
        let input = &body[f.rest_at..];
        let mark = w.mark();
        // The common properties by the fast path, written as they are found;
        // anything else by the general parser, from the same place.
        let fast = properties::publish_fast(input, |id, v| {
            alias |= id == PropertyId::TopicAlias as u8;
            w.push(id as u32);
            match v {
                Raw::Int(x) => w.push(x),
                Raw::Str(s) => w.string(ctx.off(s), s, true),
                Raw::Bin(b) => {
                    w.push(ctx.off(b));
                    w.push(b.len() as u32);
                }
                Raw::Pair(k, v) => {
                    w.string(ctx.off(k), k, true);
                    w.string(ctx.off(v), v, true);
                }
            }
        });
        let after = match fast {
            Some((after, _)) => after,
            None => {
                w.reset(mark);
                alias = false;
                let (after, _) = properties::parse_properties_visit(
                    input,
                    Context::Packet(PacketType::Publish),
                    strict,
                    |p| {
                        alias |= matches!(p, Property::TopicAlias(_));
                        ctx.property(w, p);
                    },
                )
                .map_err(|e| primitives::to_decode_error(body, e))?;
                after
            }
        };
        payload_at = body.len() - after.len();
        w.set(block, (w.pos - block - 1) as u32);
    }
    // All Topic Names MUST be at least one character long [MQTT-4.7.3-1];
    // 5.0 allows an empty one when a Topic Alias stands for it.
    if strict && f.topic.is_empty() && !alias {
        return Err(DecodeError::new(crate::ErrorKind::EmptyTopic, 0));
    }
    if version.is_v5() {
        w.set(rec + 1, (w.pos - rec) as u32);
        w.set(rec + 7, (body_at + payload_at) as u32);
        w.set(rec + 8, (body.len() - payload_at) as u32);
    }
    Ok(())
}

fn write_record(
    ctx: &Ctx<'_>,
    w: &mut Writer<'_>,
    packet: &Packet<'_>,
    version: Version,
    body_at: u32,
) {
    let v5 = version.is_v5();
    match packet {
        Packet::Connect(c) => {
            // The protocol name is the body's first field, after its length.
            // (read from the bytes: leniently, MQIsdp may come with level 4)
            let at = body_at as usize;
            let name_len = match ctx.buf.get(at..at + 2) {
                Some(&[hi, lo]) => u16::from_be_bytes([hi, lo]) as u32,
                _ => c.protocol.protocol_name().len() as u32,
            };
            let name = ctx
                .buf
                .get(at + 2..at + 2 + name_len as usize)
                .unwrap_or(&[]);
            w.string(body_at + 2, name, true);
            w.push(c.protocol.level() as u32 | if c.bridge { 0x80 } else { 0 });
            let mut flags = 0u32;
            if c.clean_start {
                flags |= 0x02;
            }
            if let Some(will) = &c.will {
                flags |= 0x04 | (will.qos as u32) << 3 | if will.retain { 0x20 } else { 0 };
            }
            if c.password.is_some() {
                flags |= 0x40;
            }
            if c.username.is_some() {
                flags |= 0x80;
            }
            w.push(flags);
            w.push(c.keep_alive as u32);
            if v5 {
                ctx.props(w, &c.properties);
            }
            ctx.string(w, c.client_id);
            if let Some(will) = &c.will {
                if v5 {
                    ctx.props(w, &will.properties);
                }
                ctx.string(w, will.topic);
                ctx.binary(w, will.payload);
            }
            if let Some(u) = c.username {
                ctx.string(w, u);
            }
            if let Some(p) = c.password {
                ctx.binary(w, p);
            }
        }
        Packet::ConnAck(c) => {
            w.push(c.session_present as u32);
            w.push(c.code as u32);
            if v5 {
                ctx.props(w, &c.properties);
            }
        }
        // framed by `publish_record`, which never builds a `Packet`
        Packet::Publish(_) => {}
        Packet::PubAck(a) | Packet::PubRec(a) | Packet::PubRel(a) | Packet::PubComp(a) => {
            w.push(a.packet_id as u32);
            w.push(a.reason_code.unwrap_or(0) as u32);
            if v5 {
                ctx.opt_props(w, &a.properties);
            }
        }
        Packet::Subscribe(s) => {
            w.push(s.packet_id as u32);
            if v5 {
                ctx.props(w, &s.properties);
            }
            let at = w.pos;
            w.push(0);
            let mut n = 0;
            for (f, o) in s.filters.iter() {
                ctx.string(w, f);
                w.push(o.to_byte() as u32);
                n += 1;
            }
            if let Some(slot) = w.tape.get_mut(at) {
                *slot = n;
            }
        }
        Packet::SubAck(s) => {
            w.push(s.packet_id as u32);
            if v5 {
                ctx.props(w, &s.properties);
            }
            ctx.binary(w, s.return_codes);
        }
        Packet::Unsubscribe(u) => {
            w.push(u.packet_id as u32);
            if v5 {
                ctx.props(w, &u.properties);
            }
            let at = w.pos;
            w.push(0);
            let mut n = 0;
            for f in u.filters.iter() {
                ctx.string(w, f);
                n += 1;
            }
            if let Some(slot) = w.tape.get_mut(at) {
                *slot = n;
            }
        }
        Packet::UnsubAck(u) => {
            w.push(u.packet_id as u32);
            if v5 {
                ctx.props(w, &u.properties);
            }
            ctx.binary(w, u.reason_codes);
        }
        Packet::PingReq | Packet::PingResp => {}
        Packet::Disconnect(d) => {
            w.push(d.reason_code.unwrap_or(0) as u32);
            if v5 {
                ctx.opt_props(w, &d.properties);
            }
        }
        Packet::Auth(a) => {
            w.push(a.reason_code.unwrap_or(0) as u32);
            ctx.opt_props(w, &a.properties);
        }
    }
}
