//! One record per packet: the PUBLISH fast path and every other packet type
//! from its parsed [`Packet`] (layout in `docs/tape.md`).

use super::writer::{Ctx, Writer};
use super::*;

/// Where a packet starts in the chunk, and its fixed header.
pub(super) struct Span {
    pub(super) start: usize,
    pub(super) flags: u8,
    pub(super) header_len: usize,
}

/// One PUBLISH straight to the tape, without building a [`Packet`], from its
/// checked head (topic and packet identifier, by the fast path or the same
/// `head()` that `parse` uses); in 5.0 the properties are validated and
/// written in the same pass. Error offsets count from the start of the body.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) fn publish_record<const V5: bool>(
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
    if V5 {
        let block = w.pos;
        w.push(0);
        let input = &body[f.rest_at..];
        let mark = w.mark();
        // The common properties by the fast path, written as they are found;
        // anything else by the general parser, from the same place.
        let fast = properties::publish_fast_with::<true>(
            input,
            PropWriter {
                ctx,
                w: &mut *w,
                alias: &mut alias,
            },
        );
        let after = match fast {
            Some((after, _)) => after,
            None => {
                w.reset(mark);
                let mut w2 = w.reborrow();
                let (after, a) = general_props(ctx, &mut w2, input, body, strict)?;
                let state = w2.state();
                w.resume(state);
                alias = a;
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
    if V5 {
        w.set(rec + 1, (w.pos - rec) as u32);
        w.set(rec + 7, (body_at + payload_at) as u32);
        w.set(rec + 8, (body.len() - payload_at) as u32);
    }
    Ok(())
}

/// Writes each property [`properties::publish_fast`] finds.
pub(super) struct PropWriter<'c, 'w, 't> {
    pub(super) ctx: &'c Ctx<'c>,
    pub(super) w: &'w mut Writer<'t>,
    /// Set when a Topic Alias is seen.
    pub(super) alias: &'w mut bool,
}

impl<'a> PublishVisit<'a> for PropWriter<'_, '_, '_> {
    #[inline(always)]
    fn visit(&mut self, id: u8, value: Raw<'a>) {
        let (ctx, w) = (self.ctx, &mut *self.w);
        *self.alias |= id == PropertyId::TopicAlias as u8;
        w.push(id as u32);
        match value {
            Raw::Int(x) => w.push(x),
            Raw::Str(s) => w.string(ctx.off(s), s, true),
            Raw::Bin(b) => ctx.binary(w, b),
            Raw::Pair(k, v) => {
                w.string(ctx.off(k), k, true);
                w.string(ctx.off(v), v, true);
            }
        }
    }
}

/// PUBLISH properties the fast path leaves (`input` at their length, in
/// `body`), by the general parser, which validates them as `parse` does:
/// what follows them, and whether there is a Topic Alias.
#[inline(never)]
pub(super) fn general_props<'a>(
    ctx: &Ctx<'_>,
    w: &mut Writer<'_>,
    input: &'a [u8],
    body: &[u8],
    strict: bool,
) -> Result<(&'a [u8], bool), DecodeError> {
    let mut alias = false;
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
    Ok((after, alias))
}

pub(super) fn write_record(
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
