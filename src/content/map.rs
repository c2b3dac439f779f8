//! A read-only memory mapping of a pack image, read only by copying out of it.
//!
//! # Why copying, and what a file changed under a mapping can do
//!
//! A mapping shows the file as it is now, not as it was when it was checked: another process
//! could write into the image in place, or truncate it, while the app runs. (trialdeck itself
//! never does: every image is written to a new file and renamed over the old one, or
//! appended to past the end that readers mapped; see [`super::image`].) Rust may assume that
//! memory behind a `&[u8]` or `&str` does not change while the reference lives, and `str`
//! methods assume valid UTF-8, so handing out references into the mapping could let such a
//! change become undefined behaviour. So nothing outside this file ever sees the mapping:
//!
//! - [`Map::copy`] copies a range out with a raw-pointer copy into memory of our own, and no
//!   reference into the mapping is ever made. Whatever the bytes are when they are copied,
//!   they are then only data: every part is checked (its CRC-32, then decoded with bounds
//!   checks, its text checked as UTF-8 and for control characters) in the copy, and used
//!   from the copy.
//! - A truncated file makes reading a page past its new end raise `SIGBUS`. A handler
//!   ([`guard`]) catches a fault inside a registered mapping, maps zero-filled pages over the
//!   whole mapping, marks it lost and lets the copy go on: the copy then reads zeros, which
//!   fail their checks, and the caller treats the image as unreadable (as if it were never
//!   there). A fault anywhere else goes to the handler that was there before (the standard
//!   library's stack-overflow check), as if ours did not exist.
//!
//! On other systems the file is read with positioned reads instead (no mapping).

use std::fs::File;
use std::io;

/// A read-only mapping of a whole file (or positioned reads where there is none).
pub struct Map {
    #[cfg(unix)]
    ptr: *const u8,
    #[cfg(unix)]
    slot: usize,
    len: usize,
    file: File,
}

// SAFETY: the mapping is read-only and only ever read through raw-pointer copies (see the
// module docs); it is unmapped once, on drop. Sharing it between threads shares nothing
// mutable.
#[cfg(unix)]
unsafe impl Send for Map {}
#[cfg(unix)]
unsafe impl Sync for Map {}

impl Map {
    /// Map the first `len` bytes of `file` (its length when it was checked).
    #[cfg(unix)]
    pub fn new(file: &File, len: u64) -> io::Result<Map> {
        use std::os::unix::io::AsRawFd;
        let len = usize::try_from(len).map_err(|_| io::Error::other("image too large"))?;
        if len == 0 {
            return Err(io::Error::other("empty image"));
        }
        guard::install();
        // SAFETY: a fresh read-only shared mapping of an open file; the kernel picks the
        // address. Its bytes are never referenced, only copied (see the module docs).
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        let Some(slot) = guard::register(ptr as usize, len) else {
            // No room to guard it: unmap and let the caller read the file instead.
            // SAFETY: unmapping exactly what was just mapped.
            unsafe { libc::munmap(ptr, len) };
            return Err(io::Error::other("too many mappings"));
        };
        Ok(Map {
            ptr: ptr as *const u8,
            slot,
            len,
            file: file.try_clone()?,
        })
    }

    #[cfg(not(unix))]
    pub fn new(file: &File, len: u64) -> io::Result<Map> {
        Ok(Map {
            len: usize::try_from(len).map_err(|_| io::Error::other("image too large"))?,
            file: file.try_clone()?,
        })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether a fault showed the file was cut short under the mapping (its pages now read
    /// as zeros).
    pub fn is_lost(&self) -> bool {
        #[cfg(unix)]
        {
            guard::is_lost(self.slot)
        }
        #[cfg(not(unix))]
        {
            false
        }
    }

    /// Read `len` bytes at `at` into `out` with a positioned read, not through the mapping:
    /// for parts read once and spread over the file (every entry's search records), so that
    /// the pages around them are not mapped into the process (the kernel maps up to 64 KiB
    /// around each page a mapping touches). A file cut short reads short: an error.
    pub fn read(&self, at: u64, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
        if usize::try_from(at)
            .ok()
            .and_then(|a| a.checked_add(len))
            .is_none_or(|end| end > self.len)
        {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a part beyond the image",
            ));
        }
        out.clear();
        out.resize(len, 0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            self.file.read_exact_at(out, at)
        }
        #[cfg(not(unix))]
        {
            self.copy(at, len, out)
        }
    }

    /// Copy `len` bytes at `at` into `out` (replacing what it held).
    pub fn copy(&self, at: u64, len: usize, out: &mut Vec<u8>) -> io::Result<()> {
        let at = usize::try_from(at).map_err(|_| io::Error::other("offset"))?;
        if at.checked_add(len).is_none_or(|end| end > self.len) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a part beyond the image",
            ));
        }
        out.clear();
        out.reserve(len);
        #[cfg(unix)]
        {
            // SAFETY: `at + len` is within the mapping (checked above), `out` has room for
            // `len` bytes, and the two do not overlap (ours is heap memory). The source is
            // read through a raw pointer, never a reference: bytes changed under the mapping
            // are copied as whatever they are, and checked in the copy. A page cut off by
            // truncation faults into `guard`, which maps zeros there.
            unsafe {
                std::ptr::copy_nonoverlapping(self.ptr.add(at), out.as_mut_ptr(), len);
                out.set_len(len);
            }
        }
        #[cfg(not(unix))]
        {
            out.resize(len, 0);
            #[cfg(windows)]
            {
                use std::os::windows::fs::FileExt;
                let mut done = 0;
                while done < len {
                    let n = self.file.seek_read(&mut out[done..], (at + done) as u64)?;
                    if n == 0 {
                        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "short"));
                    }
                    done += n;
                }
            }
        }
        Ok(())
    }
}

#[cfg(unix)]
impl Drop for Map {
    fn drop(&mut self) {
        guard::unregister(self.slot);
        // SAFETY: unmapping the mapping made in `new` (or the zero pages put in its place),
        // once; nothing refers into it.
        unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.len) };
    }
}

/// The `SIGBUS` guard of the mappings (see the module docs).
#[cfg(unix)]
mod guard {
    use std::sync::Once;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    /// Mappings guarded at once (a run maps one image per pack).
    const SLOTS: usize = 64;

    struct Slot {
        start: AtomicUsize,
        len: AtomicUsize,
        lost: AtomicBool,
    }

    #[allow(clippy::declare_interior_mutable_const)]
    const EMPTY: Slot = Slot {
        start: AtomicUsize::new(0),
        len: AtomicUsize::new(0),
        lost: AtomicBool::new(false),
    };
    static TABLE: [Slot; SLOTS] = [EMPTY; SLOTS];
    static INSTALL: Once = Once::new();
    /// The handler that was there before ours (a `libc::sigaction`, written once before
    /// ours is installed, read only by our handler).
    static mut PREVIOUS: std::mem::MaybeUninit<libc::sigaction> = std::mem::MaybeUninit::zeroed();

    pub fn register(start: usize, len: usize) -> Option<usize> {
        for (i, s) in TABLE.iter().enumerate() {
            if s.len
                .compare_exchange(0, len, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                s.lost.store(false, Ordering::SeqCst);
                s.start.store(start, Ordering::SeqCst);
                return Some(i);
            }
        }
        None
    }

    pub fn unregister(i: usize) {
        let s = &TABLE[i];
        s.start.store(0, Ordering::SeqCst);
        s.len.store(0, Ordering::SeqCst);
    }

    pub fn is_lost(i: usize) -> bool {
        TABLE[i].lost.load(Ordering::SeqCst)
    }

    pub fn install() {
        INSTALL.call_once(|| {
            // SAFETY: sigaction with a zeroed struct, our handler and SA_SIGINFO; the
            // previous action is saved first, and only read by the handler.
            unsafe {
                let mut act: libc::sigaction = std::mem::zeroed();
                act.sa_sigaction = handler as *const () as usize;
                act.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
                libc::sigemptyset(&mut act.sa_mask);
                let prev = (&raw mut PREVIOUS).cast::<libc::sigaction>();
                libc::sigaction(libc::SIGBUS, &act, prev);
            }
        });
    }

    /// Runs on a fault: only atomics, `mmap` and `sigaction` (system calls) are used.
    extern "C" fn handler(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo for a SA_SIGINFO handler.
        let addr = unsafe { (*info).si_addr() } as usize;
        for s in &TABLE {
            let (start, len) = (s.start.load(Ordering::SeqCst), s.len.load(Ordering::SeqCst));
            if start != 0 && addr >= start && addr < start + len {
                // SAFETY: replaces the pages of this mapping (ours, registered) with
                // anonymous zero pages at the same address; the faulting copy reads zeros.
                let p = unsafe {
                    libc::mmap(
                        start as *mut libc::c_void,
                        len,
                        libc::PROT_READ,
                        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                        -1,
                        0,
                    )
                };
                if p != libc::MAP_FAILED {
                    s.lost.store(true, Ordering::SeqCst);
                    return;
                }
            }
        }
        // Not ours: what was there before runs, as if we were not here.
        // SAFETY: PREVIOUS was written before our handler was installed.
        unsafe {
            let prev = &*(&raw const PREVIOUS).cast::<libc::sigaction>();
            let h = prev.sa_sigaction;
            if h == libc::SIG_DFL || h == libc::SIG_IGN {
                // Put it back and return: the fault happens again, under the old action.
                libc::sigaction(libc::SIGBUS, prev, std::ptr::null_mut());
            } else if prev.sa_flags & libc::SA_SIGINFO != 0 {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(h);
                f(sig, info, ctx);
            } else {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(h);
                f(sig);
            }
        }
    }
}
