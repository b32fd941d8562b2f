//! Owned ([`TensorData`]) and borrowed ([`TensorView`]) tensors, and the
//! [`Element`] trait tying Rust element types to [`DataType`]s.

use std::borrow::Cow;

use half::{bf16, f16};
use ndarray::{ArrayD, ArrayViewD, IxDyn};
use num_complex::Complex;

use crate::error::{CheckpointError, Result};
use crate::DataType;

#[cfg(not(target_endian = "little"))]
compile_error!("scope-checkpoint supports little-endian targets only (TF bundles and safetensors are little-endian)");

/// Name, dtype and shape of one stored tensor, known without reading its data.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorInfo {
    /// The full name (TF op name, no `:0`), e.g. `model/h0/attn/c_attn/w`.
    pub name: String,
    pub dtype: DataType,
    /// Row-major dimensions; `[]` for a scalar.
    pub shape: Vec<usize>,
    /// Stored size in bytes (for strings: lengths, checksum and bytes).
    pub size_bytes: u64,
}

impl TensorInfo {
    /// Number of elements (product of the shape; 1 for a scalar).
    pub fn num_elements(&self) -> usize {
        self.shape.iter().product()
    }
}

mod private {
    pub trait Sealed {}
}

/// A fixed-size element type that can be stored in a checkpoint:
/// `f32`, `f64`, [`half::f16`], [`half::bf16`], `i8`…`i64`, `u8`…`u64`,
/// `bool`, `Complex<f32>` and `Complex<f64>`. Strings are handled
/// separately as `Vec<u8>` (see [`TensorData::String`]).
///
/// Sealed: every implementor is plain old data whose in-memory layout on a
/// little-endian machine is exactly its stored byte layout.
pub trait Element: Copy + Send + Sync + 'static + private::Sealed {
    /// The matching TF dtype.
    const DTYPE: DataType;
    #[doc(hidden)]
    fn wrap(a: ArrayD<Self>) -> TensorData;
    #[doc(hidden)]
    fn unwrap(d: TensorData) -> Result<ArrayD<Self>, TensorData>;
    #[doc(hidden)]
    fn peek(d: &TensorData) -> Option<&ArrayD<Self>>;
    #[doc(hidden)]
    fn wrap_view(a: ArrayViewD<'_, Self>) -> TensorView<'_>;
    #[doc(hidden)]
    fn peek_view<'a>(v: &TensorView<'a>) -> Option<ArrayViewD<'a, Self>>;
    /// Whether these bytes are valid values of `Self` (only `bool` restricts them to 0/1).
    #[doc(hidden)]
    fn valid_bytes(_bytes: &[u8]) -> bool {
        true
    }
}

macro_rules! elements {
    ($($t:ty => $variant:ident),* $(,)?) => {
        /// An owned tensor of any supported dtype, as an [`ndarray::ArrayD`].
        ///
        /// Build one with `TensorData::from(array)`; take the array back with
        /// [`TensorData::into_array`] or a `match`.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum TensorData {
            $($variant(ArrayD<$t>),)*
            /// `DT_STRING`: each element is an arbitrary byte string.
            String(ArrayD<Vec<u8>>),
        }

        /// A borrowed tensor of any supported dtype: what the writers take, so
        /// saving never needs to copy the caller's arrays.
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum TensorView<'a> {
            $($variant(ArrayViewD<'a, $t>),)*
            String(ArrayViewD<'a, Vec<u8>>),
        }

        $(
            impl private::Sealed for $t {}
            impl Element for $t {
                const DTYPE: DataType = DataType::$variant;
                fn wrap(a: ArrayD<Self>) -> TensorData { TensorData::$variant(a) }
                fn unwrap(d: TensorData) -> Result<ArrayD<Self>, TensorData> {
                    match d { TensorData::$variant(a) => Ok(a), other => Err(other) }
                }
                fn peek(d: &TensorData) -> Option<&ArrayD<Self>> {
                    match d { TensorData::$variant(a) => Some(a), _ => None }
                }
                fn wrap_view(a: ArrayViewD<'_, Self>) -> TensorView<'_> { TensorView::$variant(a) }
                fn peek_view<'a>(v: &TensorView<'a>) -> Option<ArrayViewD<'a, Self>> {
                    match v { TensorView::$variant(a) => Some(a.clone()), _ => None }
                }
                elements!(@valid $t);
            }
        )*

        impl TensorData {
            /// The element type.
            pub fn dtype(&self) -> DataType {
                match self {
                    $(TensorData::$variant(_) => DataType::$variant,)*
                    TensorData::String(_) => DataType::String,
                }
            }

            /// The dimensions (`[]` for a scalar).
            pub fn shape(&self) -> &[usize] {
                match self {
                    $(TensorData::$variant(a) => a.shape(),)*
                    TensorData::String(a) => a.shape(),
                }
            }

            /// A borrowed view, e.g. to pass to a writer.
            pub fn view(&self) -> TensorView<'_> {
                match self {
                    $(TensorData::$variant(a) => TensorView::$variant(a.view()),)*
                    TensorData::String(a) => TensorView::String(a.view()),
                }
            }
        }

        impl<'a> TensorView<'a> {
            /// The element type.
            pub fn dtype(&self) -> DataType {
                match self {
                    $(TensorView::$variant(_) => DataType::$variant,)*
                    TensorView::String(_) => DataType::String,
                }
            }

            /// The dimensions (`[]` for a scalar).
            pub fn shape(&self) -> &[usize] {
                match self {
                    $(TensorView::$variant(a) => a.shape(),)*
                    TensorView::String(a) => a.shape(),
                }
            }

            /// Copies into an owned [`TensorData`].
            pub fn to_owned(&self) -> TensorData {
                match self {
                    $(TensorView::$variant(a) => TensorData::$variant(a.to_owned()),)*
                    TensorView::String(a) => TensorData::String(a.to_owned()),
                }
            }

            /// Little-endian row-major element bytes: borrowed when the view is
            /// contiguous in standard layout, else gathered. `None` for strings.
            pub(crate) fn le_bytes(&self) -> Option<Cow<'a, [u8]>> {
                match self {
                    $(TensorView::$variant(a) => Some(view_bytes(a.clone())),)*
                    TensorView::String(_) => None,
                }
            }
        }
    };
    (@valid bool) => {
        fn valid_bytes(bytes: &[u8]) -> bool {
            bytes.iter().all(|&b| b <= 1)
        }
    };
    (@valid $t:ty) => {};
}

elements! {
    f32 => Float32,
    f64 => Float64,
    i32 => Int32,
    u8 => UInt8,
    i16 => Int16,
    i8 => Int8,
    Complex<f32> => Complex64,
    i64 => Int64,
    bool => Bool,
    bf16 => BFloat16,
    u16 => UInt16,
    Complex<f64> => Complex128,
    f16 => Float16,
    u32 => UInt32,
    u64 => UInt64,
}

impl TensorData {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the array out if the dtype is `T`'s, else gives `self` back.
    pub fn into_array<T: Element>(self) -> Result<ArrayD<T>, TensorData> {
        T::unwrap(self)
    }

    /// Borrows the array if the dtype is `T`'s.
    pub fn as_array<T: Element>(&self) -> Option<&ArrayD<T>> {
        T::peek(self)
    }

    /// Borrows a string tensor's array.
    pub fn as_strings(&self) -> Option<&ArrayD<Vec<u8>>> {
        match self {
            TensorData::String(a) => Some(a),
            _ => None,
        }
    }
}

impl<'a> TensorView<'a> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// True when the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The typed view if the dtype is `T`'s.
    pub fn as_array<T: Element>(&self) -> Option<ArrayViewD<'a, T>> {
        T::peek_view(self)
    }
}

impl<T: Element> From<ArrayD<T>> for TensorData {
    fn from(a: ArrayD<T>) -> Self {
        T::wrap(a)
    }
}

impl From<ArrayD<Vec<u8>>> for TensorData {
    fn from(a: ArrayD<Vec<u8>>) -> Self {
        TensorData::String(a)
    }
}

impl From<ArrayD<String>> for TensorData {
    fn from(a: ArrayD<String>) -> Self {
        TensorData::String(a.mapv(String::into_bytes))
    }
}

impl<'a, T: Element> From<ArrayViewD<'a, T>> for TensorView<'a> {
    fn from(a: ArrayViewD<'a, T>) -> Self {
        T::wrap_view(a)
    }
}

impl<'a, T: Element> From<&'a ArrayD<T>> for TensorView<'a> {
    fn from(a: &'a ArrayD<T>) -> Self {
        T::wrap_view(a.view())
    }
}

impl<'a> From<ArrayViewD<'a, Vec<u8>>> for TensorView<'a> {
    fn from(a: ArrayViewD<'a, Vec<u8>>) -> Self {
        TensorView::String(a)
    }
}

impl<'a> From<&'a ArrayD<Vec<u8>>> for TensorView<'a> {
    fn from(a: &'a ArrayD<Vec<u8>>) -> Self {
        TensorView::String(a.view())
    }
}

impl<'a> From<&'a TensorData> for TensorView<'a> {
    fn from(d: &'a TensorData) -> Self {
        d.view()
    }
}

impl<'a, 'b> From<&'b TensorView<'a>> for TensorView<'a> {
    fn from(v: &'b TensorView<'a>) -> Self {
        v.clone()
    }
}

/// The bytes of a slice of elements (little-endian host: the in-memory layout).
#[allow(unsafe_code)]
pub(crate) fn slice_bytes<T: Element>(s: &[T]) -> &[u8] {
    // SAFETY: every `Element` is plain old data without padding (sealed trait);
    // any initialized value may be viewed as bytes.
    unsafe { std::slice::from_raw_parts(s.as_ptr().cast::<u8>(), std::mem::size_of_val(s)) }
}

fn view_bytes<T: Element>(a: ArrayViewD<'_, T>) -> Cow<'_, [u8]> {
    match a.to_slice() {
        Some(s) => Cow::Borrowed(slice_bytes(s)),
        None => {
            let v: Vec<T> = a.iter().copied().collect();
            Cow::Owned(slice_bytes(&v).to_vec())
        }
    }
}

/// Bytes copied per step when copying and checksumming together: small
/// enough that the checksum pass leaves the chunk in cache for the copy.
const CHUNK: usize = 64 * 1024;

/// Decodes exactly `bytes.len() / size_of::<T>()` elements into a fresh
/// array of `shape`, computing the crc32c of the bytes on the way when
/// `with_crc` (in cache-sized chunks, so the source is read from memory
/// once). Returns `None` if the length does not match the shape or the
/// bytes are not valid values (`bool` must be 0 or 1).
#[allow(unsafe_code)]
pub(crate) fn array_from_bytes<T: Element>(
    shape: &[usize],
    bytes: &[u8],
    with_crc: bool,
) -> Option<(ArrayD<T>, u32)> {
    let size = std::mem::size_of::<T>();
    let n: usize = shape.iter().product();
    if n.checked_mul(size) != Some(bytes.len()) || !T::valid_bytes(bytes) {
        return None;
    }
    let mut v: Vec<T> = Vec::with_capacity(n);
    advise_huge_pages(v.as_mut_ptr().cast::<u8>(), bytes.len());
    let dst = v.as_mut_ptr().cast::<u8>();
    let mut crc = 0u32;
    for (i, chunk) in bytes.chunks(CHUNK).enumerate() {
        if with_crc {
            crc = crc32c::crc32c_append(crc, chunk);
        }
        // SAFETY: `v` has room for n elements = bytes.len() bytes, and chunk i
        // lies at [i*CHUNK, i*CHUNK + chunk.len()) within it.
        unsafe { std::ptr::copy_nonoverlapping(chunk.as_ptr(), dst.add(i * CHUNK), chunk.len()) };
    }
    // SAFETY: all n elements were written above with valid values (checked); T is plain old data.
    unsafe { v.set_len(n) };
    ArrayD::from_shape_vec(IxDyn(shape), v)
        .ok()
        .map(|a| (a, crc))
}

/// Asks Linux to back a large fresh buffer with transparent huge pages
/// before it is first touched: first-touch page faults, not the copy, are
/// what bound reading into owned arrays, and 2 MiB pages take 512× fewer.
/// Best effort; a no-op elsewhere or when the kernel says no.
#[allow(unsafe_code)]
fn advise_huge_pages(ptr: *mut u8, len: usize) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        if len < 2 * HUGE {
            return;
        }
        let start = (ptr as usize).next_multiple_of(HUGE);
        let end = (ptr as usize + len) & !(HUGE - 1);
        if end > start {
            // SAFETY: the range lies inside an allocation we own; MADV_HUGEPAGE
            // only changes how the kernel backs it, never its contents.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (ptr, len);
}

/// Reinterprets `bytes` in place as an array view of `shape`, or `None`
/// when the bytes are misaligned for `T`, the wrong length, or invalid.
#[allow(unsafe_code)]
pub(crate) fn view_from_bytes<'a, T: Element>(
    shape: &[usize],
    bytes: &'a [u8],
) -> Option<ArrayViewD<'a, T>> {
    let size = std::mem::size_of::<T>();
    let n: usize = shape.iter().product();
    if n.checked_mul(size) != Some(bytes.len())
        || bytes.as_ptr().align_offset(std::mem::align_of::<T>()) != 0
        || !T::valid_bytes(bytes)
    {
        return None;
    }
    // SAFETY: aligned, in bounds, valid values (checked above); the slice
    // borrows `bytes` for 'a.
    let s: &'a [T] = unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), n) };
    ArrayViewD::from_shape(IxDyn(shape), s).ok()
}

/// Builds a fresh array of dtype `dtype` from its stored bytes, and the
/// bytes' crc32c when `with_crc` (else 0).
pub(crate) fn data_from_bytes(
    dtype: DataType,
    shape: &[usize],
    bytes: &[u8],
    with_crc: bool,
) -> Option<(TensorData, u32)> {
    fn go<T: Element>(shape: &[usize], bytes: &[u8], c: bool) -> Option<(TensorData, u32)> {
        array_from_bytes::<T>(shape, bytes, c).map(|(a, crc)| (T::wrap(a), crc))
    }
    let c = with_crc;
    match dtype {
        DataType::Float32 => go::<f32>(shape, bytes, c),
        DataType::Float64 => go::<f64>(shape, bytes, c),
        DataType::Int32 => go::<i32>(shape, bytes, c),
        DataType::UInt8 => go::<u8>(shape, bytes, c),
        DataType::Int16 => go::<i16>(shape, bytes, c),
        DataType::Int8 => go::<i8>(shape, bytes, c),
        DataType::Complex64 => go::<Complex<f32>>(shape, bytes, c),
        DataType::Int64 => go::<i64>(shape, bytes, c),
        DataType::Bool => go::<bool>(shape, bytes, c),
        DataType::BFloat16 => go::<bf16>(shape, bytes, c),
        DataType::UInt16 => go::<u16>(shape, bytes, c),
        DataType::Complex128 => go::<Complex<f64>>(shape, bytes, c),
        DataType::Float16 => go::<f16>(shape, bytes, c),
        DataType::UInt32 => go::<u32>(shape, bytes, c),
        DataType::UInt64 => go::<u64>(shape, bytes, c),
        DataType::String => None,
    }
}

/// A typed zero-copy view over verified stored bytes, or the error saying
/// why there cannot be one (`offset` only names the position in errors).
pub(crate) fn view_or_error<'a, T: Element>(
    info: &TensorInfo,
    bytes: &'a [u8],
    offset: u64,
    path: std::path::PathBuf,
) -> Result<ArrayViewD<'a, T>> {
    if bytes.as_ptr().align_offset(std::mem::align_of::<T>()) != 0 {
        return Err(CheckpointError::Misaligned {
            path,
            tensor: info.name.clone(),
            dtype: info.dtype,
            offset,
            align: std::mem::align_of::<T>(),
        });
    }
    view_from_bytes::<T>(&info.shape, bytes).ok_or_else(|| CheckpointError::BadShape {
        path,
        tensor: info.name.clone(),
        detail: format!("bytes are not valid {} values", info.dtype),
    })
}

/// Takes the `T` array out of a freshly read tensor whose dtype was checked.
pub(crate) fn typed<T: Element>(
    path: &std::path::Path,
    name: &str,
    d: TensorData,
) -> Result<ArrayD<T>> {
    let found = d.dtype();
    d.into_array::<T>()
        .map_err(|_| CheckpointError::DtypeMismatch {
            path: path.to_path_buf(),
            tensor: name.to_string(),
            expected: T::DTYPE,
            found,
        })
}

/// Copies `src` into `dst` (same length) and returns the crc32c of the
/// bytes, in cache-sized chunks so the source is read from memory once.
/// How many bytes a streaming copy out of a mapping takes before it drops
/// the mapped pages it read.
pub(crate) const RELEASE_EVERY: usize = 4 << 20;

/// Copies `src` into `dst` in cache-sized pieces, continuing the crc32c
/// `crc` of earlier bytes over them (one pass over memory).
pub(crate) fn crc32c_append_copy(mut crc: u32, src: &[u8], dst: &mut [u8]) -> u32 {
    debug_assert_eq!(src.len(), dst.len());
    for (s, d) in src.chunks(CHUNK).zip(dst.chunks_mut(CHUNK)) {
        crc = crc32c::crc32c_append(crc, s);
        d.copy_from_slice(s);
    }
    crc
}

/// A fresh all-zero array of `T` (calloc-backed, so untouched pages cost
/// nothing). All-zero bytes are a valid value of every [`Element`].
#[allow(unsafe_code)]
fn zeroed_array<T: Element>(shape: &[usize]) -> Option<ArrayD<T>> {
    let n: usize = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d))?;
    let layout = std::alloc::Layout::array::<T>(n).ok()?;
    let v = if layout.size() == 0 {
        Vec::new()
    } else {
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { std::alloc::alloc_zeroed(layout) };
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        advise_huge_pages(p, layout.size());
        // SAFETY: allocated by the global allocator with T's array layout for
        // n elements, all initialized (zero bytes are a valid T).
        unsafe { Vec::from_raw_parts(p.cast::<T>(), n, n) }
    };
    ArrayD::from_shape_vec(IxDyn(shape), v).ok()
}

/// A fresh all-zero tensor of a fixed-size dtype (`None` for strings or an
/// impossible shape).
pub(crate) fn zeroed_data(dtype: DataType, shape: &[usize]) -> Option<TensorData> {
    fn go<T: Element>(shape: &[usize]) -> Option<TensorData> {
        zeroed_array::<T>(shape).map(T::wrap)
    }
    match dtype {
        DataType::Float32 => go::<f32>(shape),
        DataType::Float64 => go::<f64>(shape),
        DataType::Int32 => go::<i32>(shape),
        DataType::UInt8 => go::<u8>(shape),
        DataType::Int16 => go::<i16>(shape),
        DataType::Int8 => go::<i8>(shape),
        DataType::Complex64 => go::<Complex<f32>>(shape),
        DataType::Int64 => go::<i64>(shape),
        DataType::Bool => go::<bool>(shape),
        DataType::BFloat16 => go::<bf16>(shape),
        DataType::UInt16 => go::<u16>(shape),
        DataType::Complex128 => go::<Complex<f64>>(shape),
        DataType::Float16 => go::<f16>(shape),
        DataType::UInt32 => go::<u32>(shape),
        DataType::UInt64 => go::<u64>(shape),
        DataType::String => None,
    }
}

/// The element bytes of a standard-layout owned tensor, writable: only for
/// dtypes where every byte pattern is a valid value (not bool, not strings).
pub(crate) fn data_bytes_mut(d: &mut TensorData) -> Option<&mut [u8]> {
    #[allow(unsafe_code)]
    fn go<T: Element>(a: &mut ArrayD<T>) -> Option<&mut [u8]> {
        let s = a.as_slice_mut()?;
        let len = std::mem::size_of_val(s);
        // SAFETY: every T here is plain old data for which any byte pattern
        // is valid (bool is excluded below), and the slice is exclusively borrowed.
        Some(unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<u8>(), len) })
    }
    match d {
        TensorData::Float32(a) => go(a),
        TensorData::Float64(a) => go(a),
        TensorData::Int32(a) => go(a),
        TensorData::UInt8(a) => go(a),
        TensorData::Int16(a) => go(a),
        TensorData::Int8(a) => go(a),
        TensorData::Complex64(a) => go(a),
        TensorData::Int64(a) => go(a),
        TensorData::BFloat16(a) => go(a),
        TensorData::UInt16(a) => go(a),
        TensorData::Complex128(a) => go(a),
        TensorData::Float16(a) => go(a),
        TensorData::UInt32(a) => go(a),
        TensorData::UInt64(a) => go(a),
        TensorData::Bool(_) | TensorData::String(_) => None,
    }
}

impl<'a> TensorView<'a> {
    /// A view of raw little-endian, row-major element bytes of `dtype` and
    /// `shape`, e.g. another tensor library's buffer, to pass to a writer
    /// without copying. Fails with [`CheckpointError::BufferSize`] when the
    /// length is not num_elements × element size,
    /// [`CheckpointError::Misaligned`] when the bytes are not aligned for
    /// the element type (buffers from an allocator always are),
    /// [`CheckpointError::UnsupportedDtype`] for strings and
    /// [`CheckpointError::BadShape`] for bool bytes other than 0 and 1.
    pub fn from_bytes(dtype: DataType, shape: &[usize], bytes: &'a [u8]) -> Result<TensorView<'a>> {
        const WHAT: &str = "<bytes>";
        let path = std::path::PathBuf::from(WHAT);
        let Some(es) = dtype.size() else {
            return Err(CheckpointError::UnsupportedDtype {
                path,
                tensor: WHAT.into(),
                dtype,
                what: "strings have no fixed-size byte layout; build an ArrayD<Vec<u8>> instead"
                    .into(),
            });
        };
        let n = shape
            .iter()
            .try_fold(1u128, |a, &d| a.checked_mul(d as u128));
        let want = n.and_then(|n| n.checked_mul(es as u128));
        if want != Some(bytes.len() as u128) {
            return Err(CheckpointError::BufferSize {
                path,
                tensor: WHAT.into(),
                expected: want.unwrap_or(u128::MAX),
                got: bytes.len(),
            });
        }
        fn go<'b, T: Element>(shape: &[usize], bytes: &'b [u8]) -> Option<TensorView<'b>> {
            view_from_bytes::<T>(shape, bytes).map(T::wrap_view)
        }
        let v = match dtype {
            DataType::Float32 => go::<f32>(shape, bytes),
            DataType::Float64 => go::<f64>(shape, bytes),
            DataType::Int32 => go::<i32>(shape, bytes),
            DataType::UInt8 => go::<u8>(shape, bytes),
            DataType::Int16 => go::<i16>(shape, bytes),
            DataType::Int8 => go::<i8>(shape, bytes),
            DataType::Complex64 => go::<Complex<f32>>(shape, bytes),
            DataType::Int64 => go::<i64>(shape, bytes),
            DataType::Bool => go::<bool>(shape, bytes),
            DataType::BFloat16 => go::<bf16>(shape, bytes),
            DataType::UInt16 => go::<u16>(shape, bytes),
            DataType::Complex128 => go::<Complex<f64>>(shape, bytes),
            DataType::Float16 => go::<f16>(shape, bytes),
            DataType::UInt32 => go::<u32>(shape, bytes),
            DataType::UInt64 => go::<u64>(shape, bytes),
            DataType::String => None,
        };
        v.ok_or_else(|| {
            let align = dtype_align(dtype);
            if bytes.as_ptr().align_offset(align) != 0 {
                CheckpointError::Misaligned {
                    path: std::path::PathBuf::from(WHAT),
                    tensor: WHAT.into(),
                    dtype,
                    offset: bytes.as_ptr() as u64,
                    align,
                }
            } else {
                CheckpointError::BadShape {
                    path: std::path::PathBuf::from(WHAT),
                    tensor: WHAT.into(),
                    detail: format!("bytes are not valid {dtype} values"),
                }
            }
        })
    }
}

/// The alignment of `dtype`'s Rust element type.
fn dtype_align(dtype: DataType) -> usize {
    match dtype {
        DataType::Complex64 => std::mem::align_of::<Complex<f32>>(),
        DataType::Complex128 => std::mem::align_of::<Complex<f64>>(),
        d => d.size().unwrap_or(1),
    }
}

/// The element size of `info`, after checking that an output buffer of
/// `len` bytes fits it exactly (and that it is not a string tensor).
pub(crate) fn check_out_len(
    path: &std::path::Path,
    info: &TensorInfo,
    len: usize,
) -> Result<usize> {
    let Some(es) = info.dtype.size() else {
        return Err(CheckpointError::UnsupportedDtype {
            path: path.to_path_buf(),
            tensor: info.name.clone(),
            dtype: info.dtype,
            what: "string tensors have no fixed-size byte layout to read into a buffer; use `read`"
                .into(),
        });
    };
    let want = info.num_elements() as u128 * es as u128;
    if want != len as u128 {
        return Err(CheckpointError::BufferSize {
            path: path.to_path_buf(),
            tensor: info.name.clone(),
            expected: want,
            got: len,
        });
    }
    Ok(es)
}
