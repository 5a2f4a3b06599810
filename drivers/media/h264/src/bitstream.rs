// SPDX-License-Identifier: GPL-2.0
//! RBSP bit writer with Exp-Golomb codes, emulation prevention and Annex-B
//! NAL unit framing, writing into a caller-provided byte buffer.

/// Where a [`BitWriter`] stopped inside an open NAL unit, so that another
/// writer (a second [`BitWriter`], or hardware that continues a bitstream
/// from a bit offset) can append to the same NAL unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suspended {
    /// Complete bytes in the buffer (including emulation prevention).
    pub byte_len: usize,
    /// The bits of the unfinished byte, right-aligned (`bits < 1 << nbits`).
    pub bits: u8,
    /// Number of bits in `bits` (0..=7).
    pub nbits: u32,
    /// Zero bytes at the end of the buffer that count towards the next
    /// emulation prevention byte (0..=2).
    pub zeros: u32,
    /// Emulation prevention is on (a NAL unit is open).
    pub escape: bool,
}

/// Bit writer over a caller-provided output buffer.
///
/// Bytes are escaped (emulation prevention) as they are produced while a NAL
/// unit is open. Running out of space never panics: the writer stops storing
/// bytes and [`BitWriter::overflowed`] reports it.
pub struct BitWriter<'a> {
    buf: &'a mut [u8],
    pos: usize,
    acc: u64,
    nbits: u32,
    zeros: u32,
    escape: bool,
    overflow: bool,
}

impl<'a> BitWriter<'a> {
    /// Creates a writer that appends to `buf` from offset 0.
    pub fn new(buf: &'a mut [u8]) -> Self {
        BitWriter {
            buf,
            pos: 0,
            acc: 0,
            nbits: 0,
            zeros: 0,
            escape: false,
            overflow: false,
        }
    }

    /// Continues a writer that was [`suspended`](BitWriter::suspend) over
    /// the same bytes: `buf[..s.byte_len]` must hold what it wrote.
    pub fn resume(buf: &'a mut [u8], s: &Suspended) -> Self {
        let nbits = s.nbits.min(7);
        let overflow = s.byte_len > buf.len();
        BitWriter {
            pos: s.byte_len.min(buf.len()),
            buf,
            acc: u64::from(s.bits) & ((1u64 << nbits) - 1),
            nbits,
            zeros: s.zeros.min(2),
            escape: s.escape,
            overflow,
        }
    }

    /// Writes out the complete pending bytes and reports where the writer
    /// stands, for [`BitWriter::resume`] (the writer stays usable).
    pub fn suspend(&mut self) -> Suspended {
        self.flush_bytes();
        Suspended {
            byte_len: self.pos,
            bits: self.acc as u8,
            nbits: self.nbits,
            zeros: self.zeros.min(2),
            escape: self.escape,
        }
    }

    /// Number of complete bytes written so far (including escapes); bits
    /// still pending in the accumulator are not counted (they are written
    /// out by [`BitWriter::trailing_bits`] and [`BitWriter::end_nal`]).
    pub fn byte_len(&self) -> usize {
        self.pos
    }

    /// Number of bits written so far (including escapes).
    pub fn bit_len(&self) -> u64 {
        (self.pos as u64) * 8 + u64::from(self.nbits)
    }

    /// True if the output buffer was too small.
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    #[inline]
    fn emit_raw(&mut self, b: u8) {
        match self.buf.get_mut(self.pos) {
            Some(s) => {
                *s = b;
                self.pos += 1;
            }
            None => self.overflow = true,
        }
    }

    #[inline]
    fn emit(&mut self, b: u8) {
        if self.escape && self.zeros >= 2 && b <= 3 {
            self.emit_raw(3);
            self.zeros = 0;
        }
        self.emit_raw(b);
        if b == 0 {
            self.zeros += 1;
        } else {
            self.zeros = 0;
        }
    }

    /// Writes the 32 oldest pending bits (`nbits >= 32`).
    #[inline]
    fn flush32(&mut self) {
        self.nbits -= 32;
        let w = (self.acc >> self.nbits) as u32;
        self.acc &= (1u64 << self.nbits) - 1;
        let bytes = w.to_be_bytes();
        // No zero byte: only the first byte can need an escape.
        let no_zero = (w.wrapping_sub(0x0101_0101) & !w & 0x8080_8080) == 0;
        if no_zero && (!self.escape || self.zeros < 2 || bytes[0] > 3) {
            if let Some(d) = self.buf.get_mut(self.pos..self.pos + 4) {
                d.copy_from_slice(&bytes);
                self.pos += 4;
                self.zeros = 0;
                return;
            }
        }
        for b in bytes {
            self.emit(b);
        }
    }

    /// Writes all complete pending bytes.
    fn flush_bytes(&mut self) {
        while self.nbits >= 8 {
            self.nbits -= 8;
            let b = (self.acc >> self.nbits) as u8;
            self.emit(b);
        }
        self.acc &= (1u64 << self.nbits) - 1;
    }

    /// Writes the `n` (0..=32) low bits of `v`, most significant first.
    /// Bits collect in a 64-bit accumulator that is written out 32 bits at
    /// a time.
    #[inline]
    pub fn put(&mut self, n: u32, v: u32) {
        let n = n.min(32);
        let v = if n == 32 { v } else { v & ((1u32 << n) - 1) };
        // nbits < 32 here, so at most 63 bits are pending afterwards.
        self.acc = (self.acc << n) | u64::from(v);
        self.nbits += n;
        if self.nbits >= 32 {
            self.flush32();
        }
    }

    /// Writes one bit.
    #[inline]
    pub fn bit(&mut self, b: bool) {
        self.put(1, u32::from(b));
    }

    /// Writes an unsigned Exp-Golomb code ue(v).
    pub fn ue(&mut self, v: u32) {
        let x = u64::from(v) + 1;
        let len = 64 - x.leading_zeros(); // 1..=33
        let zeros = len - 1;
        if zeros > 0 {
            self.put(zeros.min(32), 0);
        }
        if len > 32 {
            self.put(1, (x >> 32) as u32);
            self.put(32, x as u32);
        } else {
            self.put(len, x as u32);
        }
    }

    /// Writes a signed Exp-Golomb code se(v).
    pub fn se(&mut self, v: i32) {
        self.ue(se_to_ue(v));
    }

    /// True if the bit position is byte aligned.
    pub fn aligned(&self) -> bool {
        self.nbits & 7 == 0
    }

    /// Writes rbsp_trailing_bits(): a one bit and zero bits up to alignment.
    pub fn trailing_bits(&mut self) {
        self.put(1, 1);
        if self.nbits & 7 != 0 {
            let pad = 8 - (self.nbits & 7);
            self.put(pad, 0);
        }
        self.flush_bytes();
    }

    /// Starts a NAL unit: Annex-B start code plus the NAL header byte.
    pub fn begin_nal(&mut self, nal_ref_idc: u8, nal_unit_type: u8) {
        // Any pending partial byte would be a caller bug; pad to alignment.
        if self.nbits & 7 != 0 {
            let pad = 8 - (self.nbits & 7);
            self.put(pad, 0);
        }
        self.flush_bytes();
        self.escape = false;
        for b in [0u8, 0, 0, 1] {
            self.emit_raw(b);
        }
        self.emit_raw(((nal_ref_idc & 3) << 5) | (nal_unit_type & 31));
        self.zeros = 0;
        self.escape = true;
    }

    /// Ends a NAL unit: writes rbsp_trailing_bits and stops escaping.
    pub fn end_nal(&mut self) {
        self.trailing_bits();
        self.escape = false;
        self.zeros = 0;
    }
}

/// Maps a signed value to its se(v) code number.
#[inline]
pub fn se_to_ue(v: i32) -> u32 {
    if v > 0 {
        (v as u32).wrapping_mul(2).wrapping_sub(1)
    } else {
        v.unsigned_abs().wrapping_mul(2)
    }
}

/// Length in bits of ue(v).
#[inline]
pub fn ue_len(v: u32) -> u32 {
    let x = u64::from(v) + 1;
    2 * (63 - x.leading_zeros()) + 1
}

/// Length in bits of se(v).
#[inline]
pub fn se_len(v: i32) -> u32 {
    ue_len(se_to_ue(v))
}
