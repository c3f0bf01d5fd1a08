//! Node-API binding of mqttwire: glue only. Every protocol rule lives in the
//! `mqttwire` crate; this crate moves a chunk in and a tape out, once per chunk.
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

use mqttwire::tape;
use napi::bindgen_prelude::Object;
use napi::bindgen_prelude::{AsyncTask, Buffer, Uint32Array, Uint32ArraySlice};
use napi::{sys, Env, JsValue, Task};
use napi_derive::napi;
use std::ffi::c_void;
use std::ptr;

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

/// Bytes of the input area `frameInput()` frames from.
const INPUT_BYTES: usize = 65536;
/// Words of the tape `frameInput()` frames into: enough for the records of
/// any 4 KiB (a record takes at most 3 words per byte of its packet:
/// tests/proptest.rs), the most lib/native.js frames through the area; a
/// larger range may report FULL, as on any tape.
const TAPE_WORDS: usize = 16384;

/// The input area and tape of one `napi_env` (the main thread or one
/// worker), allocated by Rust at module initialisation and freed when the
/// env is torn down (the env's instance data, which only this addon sets).
/// JS sees them as the exports `input` (Uint8Array) and `tape`
/// (Uint32Array), views of two external ArrayBuffers over this memory.
struct Areas {
    input: *mut u8,
    tape: *mut u32,
}

impl Drop for Areas {
    fn drop(&mut self) {
        // SAFETY: both pointers come from `Box::into_raw` of boxed slices of
        // these lengths in `Areas::new`, and are freed only here, once.
        unsafe {
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
                self.input,
                INPUT_BYTES,
            )));
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
                self.tape, TAPE_WORDS,
            )));
        }
    }
}

impl Areas {
    fn new() -> Self {
        Areas {
            input: Box::into_raw(vec![0u8; INPUT_BYTES].into_boxed_slice()) as *mut u8,
            tape: Box::into_raw(vec![0u32; TAPE_WORDS].into_boxed_slice()) as *mut u32,
        }
    }
}

/// An external ArrayBuffer of `len` bytes at `data` and a typed array of
/// `kind` over all of it.
///
/// # Safety
/// `env` must be live; `data` must stay valid for `len` bytes as long as the
/// env.
unsafe fn external_view(
    env: sys::napi_env,
    data: *mut c_void,
    len: usize,
    kind: sys::napi_typedarray_type,
    elements: usize,
) -> Option<sys::napi_value> {
    let (mut ab, mut view) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: the caller's contract; the out-pointers are locals. No
    // finalizer: `Areas` owns the memory. Node copies an external
    // ArrayBuffer made by Node-API instead of transferring it (postMessage,
    // structuredClone: __test__/workers.test.js), so no other thread gets
    // this memory.
    let ok = unsafe {
        sys::napi_create_external_arraybuffer(env, data, len, None, ptr::null_mut(), &mut ab)
            == sys::Status::napi_ok
            && sys::napi_create_typedarray(env, kind, elements, ab, 0, &mut view)
                == sys::Status::napi_ok
    };
    ok.then_some(view)
}

/// `frameInput()`: frames `input[start..end]` of this env's input area into
/// its tape, the scalars in the tape's first words as for [`frame`]; with
/// `tape[4]` (`IN_HEAD`) non-zero, the `tape[4]` bytes after `input[end]`
/// are framed first, as the head of [`tape::frame_after`]. A bare Node-API
/// callback with no argument: it skips napi-rs's argument machinery and every
/// Node-API query but one (the per-call cost is what a small read pays).
unsafe extern "C" fn frame_input(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let mut data: *mut c_void = ptr::null_mut();
    // SAFETY: `env` and `info` are this callback's; `data` is a local
    // out-pointer, the others may be null (Node-API).
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            ptr::null_mut(),
            ptr::null_mut(),
            ptr::null_mut(),
            &mut data,
        )
    };
    if status != sys::Status::napi_ok || data.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `data` is the `Areas` that `init` made this function's data
    // and the env's instance data: freed only at env teardown, after which
    // no JS calls this function. Its memory is allocated by Rust and outlives
    // the env's JS views of it; the call is synchronous on the env's thread,
    // so no JS reads or writes the views while these slices live (and no
    // other thread has them: see `external_view`); the two allocations do
    // not overlap; the slices do not outlive the call.
    let (input, words) = unsafe {
        let areas = &*(data as *const Areas);
        (
            std::slice::from_raw_parts(areas.input as *const u8, INPUT_BYTES),
            std::slice::from_raw_parts_mut(areas.tape, TAPE_WORDS),
        )
    };
    // tape::frame_after never panics; should it, the panic stops here, not at
    // the FFI boundary (the tape is then left with whatever status it had).
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        frame_area(input, words)
    }));
    ptr::null_mut() // undefined
}

/// [`frame_input`]'s work, on its two areas.
fn frame_area(input: &[u8], words: &mut [u32]) {
    use tape::word::{IN_CONFIG, IN_END, IN_HEAD, IN_MAX, IN_START};
    let [start, end, config, max, head] = [
        words[IN_START],
        words[IN_END],
        words[IN_CONFIG],
        words[IN_MAX],
        words[IN_HEAD],
    ];
    let (start, end, head) = (start as usize, end as usize, head as usize);
    // The head, when there is one, lies right after the chunk in the area.
    let head = input
        .get(end..end.saturating_add(head).min(input.len()))
        .unwrap_or(&[]);
    tape::frame_after(head, input, start, end, config, max, words);
}

/// Sets `exports[name] = value`.
///
/// # Safety
/// `env`, `exports` and `value` must be live handles; `name` NUL-terminated.
unsafe fn set(
    env: sys::napi_env,
    exports: sys::napi_value,
    name: &std::ffi::CStr,
    value: sys::napi_value,
) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        sys::napi_set_named_property(env, exports, name.as_ptr(), value) == sys::Status::napi_ok
    }
}

/// Adds this env's areas to the exports, as `input`, `tape` and
/// `frameInput` (see [`frame_input`]). Where Node-API refuses external
/// ArrayBuffers (a V8 sandbox, as in Electron) none of the three is
/// exported, and lib/native.js frames every read with [`frame`].
#[napi(module_exports)]
pub fn init(exports: Object<'_>, env: Env) -> napi::Result<()> {
    let (raw, exports) = (env.raw(), exports.raw());
    let areas = Box::into_raw(Box::new(Areas::new()));
    // SAFETY: `areas` is a live box; its memory lives until the instance-data
    // finalizer below frees it at env teardown.
    let views = unsafe {
        let a = &*areas;
        external_view(
            raw,
            a.input as *mut c_void,
            INPUT_BYTES,
            sys::TypedarrayType::uint8_array,
            INPUT_BYTES,
        )
        .zip(external_view(
            raw,
            a.tape as *mut c_void,
            TAPE_WORDS * 4,
            sys::TypedarrayType::uint32_array,
            TAPE_WORDS,
        ))
    };
    unsafe extern "C" fn finalize(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
        // SAFETY: `data` is the box leaked by `init`, freed only here, once,
        // at env teardown.
        drop(unsafe { Box::from_raw(data as *mut Areas) });
    }
    // SAFETY: live handles of module initialisation; `areas` is ours until
    // the env owns it (set below), and freed here when it does not.
    unsafe {
        let Some((input, tape)) = views else {
            drop(Box::from_raw(areas));
            return Ok(());
        };
        if sys::napi_set_instance_data(raw, areas as *mut c_void, Some(finalize), ptr::null_mut())
            != sys::Status::napi_ok
        {
            drop(Box::from_raw(areas));
            return Err(napi::Error::from_reason(
                "mqttwire: napi_set_instance_data failed",
            ));
        }
        let mut f = ptr::null_mut();
        let made = sys::napi_create_function(
            raw,
            c"frameInput".as_ptr(),
            10,
            Some(frame_input),
            areas as *mut c_void,
            &mut f,
        ) == sys::Status::napi_ok;
        if !(made
            && set(raw, exports, c"input", input)
            && set(raw, exports, c"tape", tape)
            && set(raw, exports, c"frameInput", f))
        {
            return Err(napi::Error::from_reason(
                "mqttwire: could not export frameInput",
            ));
        }
    }
    Ok(())
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
                let records = words[tape::word::WORDS_USED] as usize;
                let arena = (words[tape::word::ARENA_AT] as usize
                    + words[tape::word::ARENA_USED] as usize)
                    / 4;
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
