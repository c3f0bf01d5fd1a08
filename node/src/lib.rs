//! Node-API binding of mqttwire: glue only. Every protocol rule lives in the
//! `mqttwire` crate; this crate moves a chunk in and a tape out, once per chunk.
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

use mqttwire::tape;
use napi::bindgen_prelude::Object;
use napi::bindgen_prelude::{AsyncTask, Buffer, Uint32Array, Uint32ArraySlice};
use napi::{sys, Env, JsValue, Task, Unknown};
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

/// The input area and tape registered by [`register`] for one `napi_env`
/// (the main thread or one worker): references that keep both typed arrays
/// alive. Stored as the env's instance data, which only this addon sets.
struct Areas {
    input: sys::napi_ref,
    tape: sys::napi_ref,
}

/// A typed array's element type, data pointer, element count and ArrayBuffer.
///
/// # Safety
/// `env` and `value` must be live handles of the current synchronous call.
unsafe fn typed_array(
    env: sys::napi_env,
    value: sys::napi_value,
) -> Option<(i32, *mut c_void, usize, sys::napi_value)> {
    let mut kind = 0;
    let mut len = 0;
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    let mut offset = 0;
    // SAFETY: the caller guarantees live handles; every out-pointer is a local.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            value,
            &mut kind,
            &mut len,
            &mut data,
            &mut buffer,
            &mut offset,
        )
    };
    (status == sys::Status::napi_ok).then_some((kind, data, len, buffer))
}

/// Register, for this thread's JS environment, the input area (a Uint8Array)
/// and the tape (a Uint32Array of at least the 10 header words) that
/// `frameInput()` (no arguments, exported by [`init`]) frames with. They must
/// view two different, non-shared ArrayBuffers. Registering again replaces
/// both.
#[napi]
pub fn register(env: Env, input: Unknown<'_>, tape: Unknown<'_>) -> napi::Result<()> {
    let raw = env.raw();
    let (iv, tv) = (input.value().value, tape.value().value);
    // SAFETY: env and both values are this call's live handles.
    let (Some((ik, _, _, ib)), Some((tk, _, tl, tb))) = (unsafe { typed_array(raw, iv) }, unsafe {
        typed_array(raw, tv)
    }) else {
        return Err(napi::Error::from_reason(
            "mqttwire.register: expected a Uint8Array and a Uint32Array",
        ));
    };
    let (mut same, mut ia, mut ta) = (false, false, false);
    // SAFETY: live handles of this call; the out-pointers are locals.
    let eq = unsafe {
        sys::napi_strict_equals(raw, ib, tb, &mut same)
            | sys::napi_is_arraybuffer(raw, ib, &mut ia)
            | sys::napi_is_arraybuffer(raw, tb, &mut ta)
    };
    // A SharedArrayBuffer is not an ArrayBuffer here: another thread could
    // write it while Rust reads it.
    if !ia
        || !ta
        || ik != sys::TypedarrayType::uint8_array
        || tk != sys::TypedarrayType::uint32_array
        || tl < tape::HEADER_WORDS
        || eq != sys::Status::napi_ok
        || same
    {
        return Err(napi::Error::from_reason(
            "mqttwire.register: expected a Uint8Array and a Uint32Array of at least 10 words over two different (not shared) ArrayBuffers",
        ));
    }
    let mut areas = Areas {
        input: ptr::null_mut(),
        tape: ptr::null_mut(),
    };
    // SAFETY: live handles; the references are owned by `areas` from here on.
    unsafe {
        if sys::napi_create_reference(raw, iv, 1, &mut areas.input) != sys::Status::napi_ok
            || sys::napi_create_reference(raw, tv, 1, &mut areas.tape) != sys::Status::napi_ok
        {
            return Err(napi::Error::from_reason(
                "mqttwire.register: napi_create_reference failed",
            ));
        }
    }
    let mut old: *mut c_void = ptr::null_mut();
    // SAFETY: `old` is a local out-pointer.
    unsafe { sys::napi_get_instance_data(raw, &mut old) };
    if !old.is_null() {
        // SAFETY: only this function sets this addon's instance data for an
        // env, always to a `Box<Areas>`; replacing it in place keeps the
        // finalizer set below, which frees the box at env teardown.
        let old = unsafe { &mut *(old as *mut Areas) };
        // SAFETY: the old references belong to this env and are not used again.
        unsafe {
            sys::napi_delete_reference(raw, old.input);
            sys::napi_delete_reference(raw, old.tape);
        }
        *old = areas;
        return Ok(());
    }
    unsafe extern "C" fn finalize(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
        // SAFETY: `data` is the `Box<Areas>` leaked by `register` below, freed
        // only here, once, at env teardown (which releases the references).
        drop(unsafe { Box::from_raw(data as *mut Areas) });
    }
    let data = Box::into_raw(Box::new(areas)) as *mut c_void;
    // SAFETY: `data` is a valid leaked box; `finalize` frees it.
    let status = unsafe { sys::napi_set_instance_data(raw, data, Some(finalize), ptr::null_mut()) };
    if status != sys::Status::napi_ok {
        // SAFETY: not stored, so still ours.
        drop(unsafe { Box::from_raw(data as *mut Areas) });
        return Err(napi::Error::from_reason(
            "mqttwire.register: napi_set_instance_data failed",
        ));
    }
    Ok(())
}

/// The data pointer and element count of a typed array (null when its
/// buffer is detached).
///
/// # Safety
/// `env` and `value` must be live handles of the current synchronous call.
unsafe fn typed_array_data(env: sys::napi_env, value: sys::napi_value) -> (*mut c_void, usize) {
    let mut len = 0;
    let mut data = ptr::null_mut();
    // SAFETY: the caller guarantees live handles; `len` and `data` are
    // locals, the other out-pointers may be null (Node-API).
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env,
            value,
            ptr::null_mut(),
            &mut len,
            &mut data,
            ptr::null_mut(),
            ptr::null_mut(),
        )
    };
    if status == sys::Status::napi_ok {
        (data, len)
    } else {
        (ptr::null_mut(), 0)
    }
}

/// Frame `input[start..end]` of the registered input area into the
/// registered tape, the scalars in the tape's first words as for [`frame`].
/// Leaves the tape untouched without a registration or when a registered
/// array's buffer was detached.
fn frame_registered(env: sys::napi_env) {
    let mut data: *mut c_void = ptr::null_mut();
    // SAFETY: `data` is a local out-pointer.
    if unsafe { sys::napi_get_instance_data(env, &mut data) } != sys::Status::napi_ok
        || data.is_null()
    {
        return;
    }
    // SAFETY: only `register` sets this addon's instance data, to a live `Box<Areas>`.
    let areas = unsafe { &*(data as *const Areas) };
    let (mut iv, mut tv) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: references created by `register` for this env, still held
    // (strong: refcount 1), so their values are the registered arrays.
    unsafe {
        sys::napi_get_reference_value(env, areas.input, &mut iv);
        sys::napi_get_reference_value(env, areas.tape, &mut tv);
    }
    if iv.is_null() || tv.is_null() {
        return;
    }
    // SAFETY: live handles of this call.
    let ((ip, il), (tp, tl)) = unsafe { (typed_array_data(env, iv), typed_array_data(env, tv)) };
    if ip.is_null() || tp.is_null() || tl < tape::HEADER_WORDS {
        return; // detached
    }
    // SAFETY: `register` checked the element types (u8, u32) and that the
    // two arrays view two different, non-shared ArrayBuffers, so the slices
    // do not overlap and no other thread can write them; pointers and
    // lengths come from V8 in this call; the call is synchronous on the JS
    // thread, so no JS runs (nothing can detach, resize or write the arrays)
    // while the slices live, and they do not outlive the call.
    let (input, words) = unsafe {
        (
            std::slice::from_raw_parts(ip as *const u8, il),
            std::slice::from_raw_parts_mut(tp as *mut u32, tl),
        )
    };
    use tape::word::{IN_CONFIG, IN_END, IN_MAX, IN_START};
    let [start, end, config, max] = [
        words[IN_START],
        words[IN_END],
        words[IN_CONFIG],
        words[IN_MAX],
    ];
    tape::frame(input, start as usize, end as usize, config, max, words);
}

/// `frameInput()`: [`frame_registered`] as a bare Node-API callback. It takes
/// no argument, so it skips napi-rs's argument machinery (the per-call borrow
/// scope costs more than framing a small read).
unsafe extern "C" fn frame_input(
    env: sys::napi_env,
    _info: sys::napi_callback_info,
) -> sys::napi_value {
    // tape::frame never panics; should it, the panic stops here, not at the
    // FFI boundary (the tape is then left with whatever status it had).
    let _ = std::panic::catch_unwind(|| frame_registered(env));
    ptr::null_mut() // undefined
}

/// Adds `frameInput` to the exports (see [`frame_input`]).
#[napi(module_exports)]
pub fn init(exports: Object<'_>, env: Env) -> napi::Result<()> {
    let mut f = ptr::null_mut();
    // SAFETY: `env` and `exports` are live handles of module initialisation;
    // the name is a valid UTF-8 buffer of the given length; `frame_input`
    // has the Node-API callback signature.
    let created = unsafe {
        sys::napi_create_function(
            env.raw(),
            c"frameInput".as_ptr(),
            10,
            Some(frame_input),
            ptr::null_mut(),
            &mut f,
        )
    };
    if created != sys::Status::napi_ok {
        return Err(napi::Error::from_reason(
            "mqttwire: could not create frameInput",
        ));
    }
    // SAFETY: live handles of module initialisation; `f` was just created;
    // the name is NUL-terminated.
    let set = unsafe {
        sys::napi_set_named_property(env.raw(), exports.raw(), c"frameInput".as_ptr(), f)
    };
    if set != sys::Status::napi_ok {
        return Err(napi::Error::from_reason(
            "mqttwire: could not export frameInput",
        ));
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
