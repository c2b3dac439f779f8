//! Loading packs for a command: the content layer reads and checks them
//! ([`crate::content::load_later_with`]); a large pack directory also gets an *image* in the
//! cache, which holds each entry's search records as the search layer encodes them. Writing
//! one needs both layers, so it happens here, above them (the app writes its images off the
//! drawing thread instead, once its first frame is on screen).

use crate::content::{self, Cache, Library, Loaded, PackSource, Report};

/// Load and validate every source (see [`content::load_later`]) and write the images of
/// large pack directories to the cache [`Cache::from_env`] names, before returning.
pub fn load(sources: &[PackSource]) -> Result<Loaded, Report> {
    load_with(sources, &Cache::from_env())
}

/// [`load()`] with the given cache ([`Cache::off`] for none).
pub fn load_with(sources: &[PackSource], cache: &Cache) -> Result<Loaded, Report> {
    let loaded = content::load_later_with(sources, cache)?;
    write_images(&loaded.library);
    Ok(loaded)
}

/// Write the images `lib` has yet to write, now, on this thread.
pub fn write_images(lib: &Library) {
    lib.write_pending_images(crate::search::stored::fragment);
}
