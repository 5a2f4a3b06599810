// SPDX-License-Identifier: GPL-2.0

//! Camera Control Interface (CCI) register access.
//!
//! C header: [`include/media/v4l2-cci.h`](srctree/include/media/v4l2-cci.h)
//!
//! Camera sensors are programmed over I2C (CCI is MIPI's name for it) with
//! 8- or 16-bit register addresses and registers of 1 to 8 bytes, most
//! significant byte first unless the register says otherwise. A [`Reg`]
//! carries its address, width and byte order, like the C `CCI_REG*()`
//! macros; [`Cci`] reads and writes them as the C `v4l2-cci` helpers do
//! over regmap: a write is one I2C message (address, then value), a read
//! an address write followed by a read in one transfer, and failures are
//! logged with the register's address.
//!
//! # Examples
//!
//! ```ignore
//! use kernel::media::cci::{AddrWidth, Cci, Reg, RegSeq};
//!
//! const CHIP_ID: Reg = Reg::reg16(0x0000);
//! const MODE_SELECT: Reg = Reg::reg8(0x0100);
//!
//! let cci = Cci::new(client, AddrWidth::Bits16);
//! let id = cci.read(CHIP_ID)?;
//! cci.write_seq(&[RegSeq::new(MODE_SELECT, 1)])?;
//! ```

use crate::{bindings, device, i2c::I2cClient, prelude::*, sync::aref::ARef};

/// A register: address, width in bytes (1, 2, 3, 4 or 8) and byte order,
/// encoded as the C `CCI_REG*()` values.
///
/// # Examples
///
/// ```
/// use kernel::media::cci::Reg;
///
/// let r = Reg::reg16(0x015a);
/// assert_eq!((r.addr(), r.width(), r.is_le()), (0x015a, 2, false));
/// assert_eq!(r.as_raw(), 0x0002_015a);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reg(u32);

const WIDTH_SHIFT: u32 = 16;
const WIDTH_MASK: u32 = 0xf << WIDTH_SHIFT;
const LE: u32 = 1 << 20;

impl Reg {
    const fn new(addr: u16, bytes: u32, le: bool) -> Self {
        Self((bytes << WIDTH_SHIFT) | addr as u32 | if le { LE } else { 0 })
    }

    /// An 8-bit register (`CCI_REG8()`).
    pub const fn reg8(addr: u16) -> Self {
        Self::new(addr, 1, false)
    }

    /// A 16-bit big-endian register (`CCI_REG16()`).
    pub const fn reg16(addr: u16) -> Self {
        Self::new(addr, 2, false)
    }

    /// A 24-bit big-endian register (`CCI_REG24()`).
    pub const fn reg24(addr: u16) -> Self {
        Self::new(addr, 3, false)
    }

    /// A 32-bit big-endian register (`CCI_REG32()`).
    pub const fn reg32(addr: u16) -> Self {
        Self::new(addr, 4, false)
    }

    /// A 64-bit big-endian register (`CCI_REG64()`).
    pub const fn reg64(addr: u16) -> Self {
        Self::new(addr, 8, false)
    }

    /// A 16-bit little-endian register (`CCI_REG16_LE()`).
    pub const fn reg16_le(addr: u16) -> Self {
        Self::new(addr, 2, true)
    }

    /// A 24-bit little-endian register (`CCI_REG24_LE()`).
    pub const fn reg24_le(addr: u16) -> Self {
        Self::new(addr, 3, true)
    }

    /// A 32-bit little-endian register (`CCI_REG32_LE()`).
    pub const fn reg32_le(addr: u16) -> Self {
        Self::new(addr, 4, true)
    }

    /// A 64-bit little-endian register (`CCI_REG64_LE()`).
    pub const fn reg64_le(addr: u16) -> Self {
        Self::new(addr, 8, true)
    }

    /// The register from its C `CCI_REG*()` encoding.
    pub const fn from_raw(raw: u32) -> Self {
        Self(raw)
    }

    /// The C `CCI_REG*()` encoding.
    pub const fn as_raw(self) -> u32 {
        self.0
    }

    /// The address.
    pub const fn addr(self) -> u16 {
        self.0 as u16
    }

    /// The width, bytes.
    pub const fn width(self) -> usize {
        ((self.0 & WIDTH_MASK) >> WIDTH_SHIFT) as usize
    }

    /// Whether the value is little-endian.
    pub const fn is_le(self) -> bool {
        self.0 & LE != 0
    }
}

/// One write of a register sequence (`struct cci_reg_sequence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegSeq {
    /// The register.
    pub reg: Reg,
    /// The value.
    pub val: u64,
}

impl RegSeq {
    /// Writes `val` to `reg`.
    pub const fn new(reg: Reg, val: u64) -> Self {
        Self { reg, val }
    }
}

/// The width of register addresses on the bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddrWidth {
    /// 8-bit addresses.
    Bits8,
    /// 16-bit addresses, most significant byte first.
    Bits16,
}

impl AddrWidth {
    fn bytes(self) -> usize {
        match self {
            Self::Bits8 => 1,
            Self::Bits16 => 2,
        }
    }
}

/// The largest message: a 16-bit address and a 64-bit value.
pub const MAX_MSG: usize = 10;

/// Encodes the I2C message that writes `val` to `reg`: the address, then
/// the value in the register's byte order, truncated to its width as C
/// does. Returns the message length; `EINVAL` for an invalid width.
pub fn encode_write(aw: AddrWidth, reg: Reg, val: u64, buf: &mut [u8; MAX_MSG]) -> Result<usize> {
    let width = reg.width();
    if !matches!(width, 1 | 2 | 3 | 4 | 8) {
        return Err(EINVAL);
    }
    let a = aw.bytes();
    let addr = reg.addr().to_be_bytes();
    buf[..a].copy_from_slice(&addr[2 - a..]);
    let v = &mut buf[a..a + width];
    if reg.is_le() {
        v.copy_from_slice(&val.to_le_bytes()[..width]);
    } else {
        v.copy_from_slice(&val.to_be_bytes()[8 - width..]);
    }
    Ok(a + width)
}

/// Decodes a value read from `reg` (`bytes` holds its width of bytes).
pub fn decode_read(reg: Reg, bytes: &[u8]) -> u64 {
    let mut v = [0u8; 8];
    let w = bytes.len().min(8);
    if reg.is_le() {
        v[..w].copy_from_slice(&bytes[..w]);
        u64::from_le_bytes(v)
    } else {
        v[8 - w..].copy_from_slice(&bytes[..w]);
        u64::from_be_bytes(v)
    }
}

/// Register access to a sensor over I2C.
///
/// # Invariants
///
/// `client` is a valid I2C client.
pub struct Cci {
    client: ARef<I2cClient>,
    aw: AddrWidth,
}

impl Cci {
    /// Register access to `client` with `aw` register addresses
    /// (`devm_cci_regmap_init_i2c()`); `ENOTSUPP` if its adapter cannot do
    /// plain I2C transfers, as regmap says.
    pub fn new<Ctx: device::DeviceContext>(client: &I2cClient<Ctx>, aw: AddrWidth) -> Result<Self> {
        let raw = core::ptr::from_ref(client)
            .cast::<bindings::i2c_client>()
            .cast_mut();
        // SAFETY: `client` is valid, so is its adapter.
        let funcs = unsafe { bindings::i2c_get_functionality((*raw).adapter) };
        if funcs & bindings::I2C_FUNC_I2C == 0 {
            return Err(ENOTSUPP);
        }
        // SAFETY: `I2cClient<Ctx>` and `I2cClient` are the same C object;
        // taking a reference is valid in any context.
        let client: &I2cClient = unsafe { &*raw.cast::<I2cClient>() };
        Ok(Self {
            client: client.into(),
            aw,
        })
    }

    fn raw(&self) -> *mut bindings::i2c_client {
        core::ptr::from_ref::<I2cClient>(&self.client)
            .cast::<bindings::i2c_client>()
            .cast_mut()
    }

    fn dev(&self) -> &device::Device {
        self.client.as_ref()
    }

    fn transfer(&self, msgs: &mut [bindings::i2c_msg]) -> Result {
        let n = msgs.len() as i32;
        // SAFETY: The client and its adapter are valid; `msgs` and their
        // buffers are valid for the call.
        let ret = unsafe { bindings::i2c_transfer((*self.raw()).adapter, msgs.as_mut_ptr(), n) };
        if ret == n {
            Ok(())
        } else if ret < 0 {
            Err(Error::from_errno(ret))
        } else {
            Err(EIO)
        }
    }

    fn msg(&self, flags: u32, buf: &mut [u8]) -> bindings::i2c_msg {
        // SAFETY: The client is valid.
        let (addr, cflags) = unsafe { ((*self.raw()).addr, u32::from((*self.raw()).flags)) };
        bindings::i2c_msg {
            addr,
            flags: ((cflags & bindings::I2C_M_TEN) | flags) as u16,
            len: buf.len() as u16,
            buf: buf.as_mut_ptr(),
        }
    }

    /// Reads `reg` (`cci_read()`).
    pub fn read(&self, reg: Reg) -> Result<u64> {
        let width = reg.width();
        if !matches!(width, 1 | 2 | 3 | 4 | 8) {
            dev_err!(
                self.dev(),
                "Error invalid reg-width {} for reg 0x{:04x}\n",
                width,
                reg.addr()
            );
            return Err(EINVAL);
        }
        let mut addr = [0u8; 2];
        let a = self.aw.bytes();
        addr[..a].copy_from_slice(&reg.addr().to_be_bytes()[2 - a..]);
        let mut val = [0u8; 8];
        let mut msgs = [
            self.msg(0, &mut addr[..a]),
            self.msg(bindings::I2C_M_RD, &mut val[..width]),
        ];
        if let Err(e) = self.transfer(&mut msgs) {
            dev_err!(
                self.dev(),
                "Error reading reg 0x{:04x}: {}\n",
                reg.addr(),
                e.to_errno()
            );
            return Err(e);
        }
        Ok(decode_read(reg, &val[..width]))
    }

    /// Writes `val` to `reg` (`cci_write()`).
    pub fn write(&self, reg: Reg, val: u64) -> Result {
        let mut buf = [0u8; MAX_MSG];
        let len = match encode_write(self.aw, reg, val, &mut buf) {
            Ok(l) => l,
            Err(e) => {
                dev_err!(
                    self.dev(),
                    "Error invalid reg-width {} for reg 0x{:04x}\n",
                    reg.width(),
                    reg.addr()
                );
                return Err(e);
            }
        };
        let mut msgs = [self.msg(0, &mut buf[..len])];
        let r = self.transfer(&mut msgs);
        if let Err(e) = r {
            dev_err!(
                self.dev(),
                "Error writing reg 0x{:04x}: {}\n",
                reg.addr(),
                e.to_errno()
            );
        }
        r
    }

    /// Writes the bits of `val` in `mask` to `reg`, keeping the others
    /// (`cci_update_bits()`).
    pub fn update_bits(&self, reg: Reg, mask: u64, val: u64) -> Result {
        let old = self.read(reg)?;
        self.write(reg, (old & !mask) | (val & mask))
    }

    /// Writes a register sequence in order, stopping at the first error
    /// (`cci_multi_reg_write()`).
    pub fn write_seq(&self, seq: &[RegSeq]) -> Result {
        seq.iter().try_for_each(|s| self.write(s.reg, s.val))
    }
}
