//! Writing to the tape: the `Writer` (records and the string arena) and
//! the chunk context strings and binaries are cut from.

use super::*;

pub(super) struct Writer<'t> {
    pub(super) tape: &'t mut [u32],
    pub(super) pos: usize,
    pub(super) overflow: bool,
    /// The string arena (empty when the ARENA bit is off) and its bytes used
    /// (a multiple of 4: each string starts on a word).
    pub(super) arena: &'t mut [u32],
    pub(super) used: usize,
    pub(super) use_arena: bool,
    /// The chunk every string is cut from (string offsets count from its start).
    pub(super) buf: &'t [u8],
}

/// The mask that keeps the first `n % 4` bytes of a word in native byte
/// order (all four when `n % 4 == 0`): the zero padding of an arena string.
pub(super) const KEEP: [u32; 4] = [
    u32::MAX,
    u32::from_ne_bytes([0xff, 0, 0, 0]),
    u32::from_ne_bytes([0xff, 0xff, 0, 0]),
    u32::from_ne_bytes([0xff, 0xff, 0xff, 0]),
];

impl Writer<'_> {
    /// Where the next record starts: to go back to after an error or overflow.
    #[inline]
    pub(super) fn mark(&self) -> (usize, usize) {
        (self.pos, self.used)
    }

    #[inline]
    pub(super) fn reset(&mut self, (pos, used): (usize, usize)) {
        self.pos = pos;
        self.used = used;
    }

    /// A writer of the next record: `words` of the tape and `used` bytes of
    /// the arena already written.
    #[inline(always)]
    pub(super) fn start<'a>(
        tape: &'a mut [u32],
        arena: &'a mut [u32],
        words: usize,
        used: usize,
        use_arena: bool,
        buf: &'a [u8],
    ) -> Writer<'a> {
        Writer {
            tape,
            pos: words,
            overflow: false,
            arena,
            used,
            use_arena,
            buf,
        }
    }

    /// A writer on the same tape and arena from the same place, to hand to
    /// code that is not inlined (so that `self` stays in registers); take its
    /// state back with [`Writer::resume`].
    #[inline]
    pub(super) fn reborrow(&mut self) -> Writer<'_> {
        Writer {
            tape: &mut *self.tape,
            pos: self.pos,
            overflow: self.overflow,
            arena: &mut *self.arena,
            used: self.used,
            use_arena: self.use_arena,
            buf: self.buf,
        }
    }

    #[inline]
    pub(super) fn resume(&mut self, (pos, used, overflow): (usize, usize, bool)) {
        self.pos = pos;
        self.used = used;
        self.overflow = overflow;
    }

    #[inline]
    pub(super) fn state(&self) -> (usize, usize, bool) {
        (self.pos, self.used, self.overflow)
    }

    /// The two words of a string: `(off, len | ASCII)` for the bytes at `off`
    /// in the chunk, or, when it is ASCII and the arena is on, copied into
    /// the arena and `(arena offset, len | ASCII | IN_ARENA)`.
    #[inline(always)]
    pub(super) fn string_words(&mut self, off: u32, s: &[u8], ascii: bool) -> [u32; 2] {
        if ascii && self.use_arena {
            let at = self.used as u32;
            self.arena_copy(off as usize, s);
            [at, s.len() as u32 | ASCII | IN_ARENA]
        } else {
            [off, s.len() as u32 | if ascii { ASCII } else { 0 }]
        }
    }

    #[inline(always)]
    pub(super) fn string(&mut self, off: u32, s: &[u8], ascii: bool) {
        let [a, b] = self.string_words(off, s, ascii);
        self.push(a);
        self.push(b);
    }

    /// Copy `s` (the bytes at `off` in the chunk) to the arena, whole words
    /// in native byte order (so that a byte view of the tape reads the
    /// string), the last one zero-padded.
    #[inline(always)]
    pub(super) fn arena_copy(&mut self, off: usize, s: &[u8]) {
        let at = self.used / 4;
        let words = s.len().div_ceil(4);
        self.used += words * 4;
        let Some(dst) = self.arena.get_mut(at..at + words) else {
            self.overflow = true;
            return;
        };
        // The string's words read whole from the chunk (up to three bytes
        // past its end, masked off below), unless it ends too near the end.
        if let Some(src) = self.buf.get(off..off + words * 4) {
            copy_words(dst, src);
            if let Some(last) = dst.last_mut() {
                *last &= KEEP[s.len() % 4];
            }
            return;
        }
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
    pub(super) fn set(&mut self, at: usize, v: u32) {
        if let Some(w) = self.tape.get_mut(at) {
            *w = v;
        }
    }

    #[inline(always)]
    pub(super) fn push(&mut self, v: u32) {
        match self.tape.get_mut(self.pos) {
            Some(w) => *w = v,
            None => self.overflow = true,
        }
        self.pos += 1;
    }
}

/// `dst[i] = ` the `i`-th four bytes of `src` in native byte order, for
/// `src.len() == 4 * dst.len()`. Four to eight words (strings of 13 to 32
/// bytes, most topics) as two blocks of four (one 16-byte move each), the
/// second ending where `dst` ends (overlapping the first); fewer one by one;
/// more out of line.
#[inline(always)]
pub(super) fn copy_words(dst: &mut [u32], src: &[u8]) {
    #[inline(always)]
    pub(super) fn block(d: &mut [u32; 4], s: &[u8; 16]) {
        let w = |i: usize| u32::from_ne_bytes([s[i], s[i + 1], s[i + 2], s[i + 3]]);
        // one aggregate store (a 16-byte move), not four
        *d = [w(0), w(4), w(8), w(12)];
    }
    let n = dst.len();
    if n > 8 {
        return copy_words_long(dst, src);
    }
    if n < 4 {
        for (d, s) in dst.iter_mut().zip(src.chunks_exact(4)) {
            *d = u32::from_ne_bytes([s[0], s[1], s[2], s[3]]);
        }
        return;
    }
    if let (Some(d), Some(s)) = (dst.first_chunk_mut::<4>(), src.first_chunk::<16>()) {
        block(d, s);
    }
    if let (Some(d), Some(s)) = (dst.last_chunk_mut::<4>(), src.last_chunk::<16>()) {
        block(d, s);
    }
}

/// [`copy_words`] of more than eight words.
#[inline(never)]
pub(super) fn copy_words_long(dst: &mut [u32], src: &[u8]) {
    for (d, s) in dst.iter_mut().zip(src.chunks_exact(4)) {
        *d = u32::from_ne_bytes([s[0], s[1], s[2], s[3]]);
    }
}

pub(super) struct Ctx<'b> {
    pub(super) base: usize,
    pub(super) buf: &'b [u8],
}

impl Ctx<'_> {
    #[inline]
    pub(super) fn off(&self, s: &[u8]) -> u32 {
        (s.as_ptr() as usize).wrapping_sub(self.base) as u32
    }

    #[inline]
    pub(super) fn string(&self, w: &mut Writer<'_>, s: &str) {
        w.string(self.off(s.as_bytes()), s.as_bytes(), s.is_ascii());
    }

    #[inline]
    pub(super) fn binary(&self, w: &mut Writer<'_>, b: &[u8]) {
        w.push(self.off(b));
        w.push(b.len() as u32);
    }

    /// One property entry: its id, then its value by type.
    #[inline]
    pub(super) fn property(&self, w: &mut Writer<'_>, p: &Property<'_>) {
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

    pub(super) fn props(&self, w: &mut Writer<'_>, props: &Properties<'_>) {
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
    pub(super) fn wire_props(&self, w: &mut Writer<'_>, wire: &[u8]) {
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

    pub(super) fn opt_props(&self, w: &mut Writer<'_>, props: &Option<Properties<'_>>) {
        match props {
            Some(p) => self.props(w, p),
            None => w.push(0),
        }
    }
}
