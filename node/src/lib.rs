//! Node-API binding of mqttwire: glue only. Every protocol rule lives in the
//! `mqttwire` crate; this crate moves a chunk in and a tape out, once per chunk.
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

use mqttwire::tape;
use mqttwire::ErrorKind;
use napi::bindgen_prelude::{AsyncTask, Buffer, Uint32Array, Uint32ArraySlice};
use napi::{Env, Task};
use napi_derive::napi;

/// Frame and validate `buf[start..end]` into `tape` (layout: docs/tape.md).
///
/// The four scalar inputs travel in the tape's first words — `tape[0]` start,
/// `tape[1]` end, `tape[2]` config, `tape[3]` max packet size — because each
/// number argument costs a Node-API conversion (about 50 ns here, more than
/// framing a packet): with them in the tape a call converts two arguments,
/// not six. The header overwrites them; the status is `tape[0]`.
#[napi(catch_unwind)]
pub fn frame(buf: &[u8], mut tape: Uint32ArraySlice<'_>) {
    // SAFETY: the call is synchronous on the JS thread, so no JS code can read
    // or write the typed array while this slice is alive, and the slice does
    // not outlive the call.
    let tape = unsafe { tape.as_mut() };
    let Some(&[start, end, config, max]) = tape.first_chunk::<4>() else {
        return; // shorter than the header: tape::frame would leave it untouched too
    };
    tape::frame(buf, start as usize, end as usize, config, max, tape);
}

/// The message of an error code and parameter from the tape (mqtt-packet's
/// wording where it has one).
#[napi]
pub fn error_message(code: u32, param: u32) -> String {
    match ErrorKind::from_code(code, param) {
        Some(k) => k.message(),
        None => format!("Unknown mqttwire error code {code}"),
    }
}

/// The specification rule an error code enforces.
#[napi]
pub fn error_rule(code: u32, param: u32) -> String {
    ErrorKind::from_code(code, param)
        .map(|k| k.rule().to_string())
        .unwrap_or_default()
}

/// Whether mqtt-packet accepts the input that gives this error (mqttwire is
/// stricter by the spec).
#[napi]
pub fn error_is_stricter(code: u32, param: u32) -> bool {
    ErrorKind::from_code(code, param).is_some_and(|k| k.is_stricter_than_mqtt_packet())
}

/// Whether lenient mode (`tape::LENIENT`, mqtt-packet's leniency) skips the
/// check that gives this error.
#[napi]
pub fn error_relaxed_when_lenient(code: u32, param: u32) -> bool {
    ErrorKind::from_code(code, param).is_some_and(|k| k.relaxed_when_lenient())
}

/// Frames a whole buffer on the libuv thread pool.
pub struct FrameTask {
    buf: Buffer,
    config: u32,
    max_packet_size: u32,
}

impl Task for FrameTask {
    type Output = Vec<u32>;
    type JsValue = Uint32Array;

    fn compute(&mut self) -> napi::Result<Vec<u32>> {
        let buf: &[u8] = &self.buf;
        let mut words = vec![0u32; 1024.max(buf.len() / 2)];
        loop {
            let status = tape::frame(
                buf,
                0,
                buf.len(),
                self.config,
                self.max_packet_size,
                &mut words,
            );
            if status != tape::Status::Full {
                // Keep the records and, with the ARENA bit, the arena's used part.
                let records = words[7] as usize;
                let arena = (words[8] as usize + words[9] as usize) / 4;
                words.truncate(records.max(arena));
                return Ok(words);
            }
            let n = words.len() * 2;
            words.resize(n, 0);
        }
    }

    fn resolve(&mut self, _env: Env, output: Vec<u32>) -> napi::Result<Uint32Array> {
        Ok(Uint32Array::new(output))
    }
}

/// Frame a whole buffer off the event loop; resolves to its tape (the buffer
/// must stay unmodified until then).
#[napi]
pub fn frame_async(buf: Buffer, config: u32, max_packet_size: u32) -> AsyncTask<FrameTask> {
    AsyncTask::new(FrameTask {
        buf,
        config,
        max_packet_size,
    })
}
