// SPDX-License-Identifier: GPL-2.0

//! Sony IMX219 camera sensor driver (the Raspberry Pi Camera v2).
//!
//! Same devicetree binding (`sony,imx219`) and behaviour as the C driver
//! `imx219`: an 8 Mpixel RAW Bayer sensor on a 2- or 4-lane MIPI CSI-2
//! link, programmed over CCI (I2C, 16-bit register addresses), with four
//! modes (3280x2464, 1920x1080 cropped, 1640x1232 2x2 binned, 640x480
//! binned and cropped), RAW10 and RAW8 output whose Bayer order follows
//! the flips, and the same controls, ranges and defaults. The sensor is
//! powered (supplies, 24 MHz external clock, XCLR reset line) through
//! runtime PM with a one-second autosuspend, and registers its sub-device
//! asynchronously so that whichever CSI-2 receiver's notifier matches the
//! endpoint binds it.
//!
//! Beyond the C driver: `get_frame_desc` (one CSI-2 stream on virtual
//! channel 0 with the RAW8/RAW10 data type, which is what a receiver
//! without it assumes); no dangling driver data when the sub-device node is
//! open across an unbind. See `Documentation/media/imx219.rst`.

use kernel::{
    device::{Bound, Core, Device},
    gpio,
    i2c::{self, I2cClient},
    media::{
        cci::{AddrWidth, Cci, Reg, RegSeq},
        ctrls::{Ctrl, CtrlRef, Flags as CtrlFlags, Handler, Id, Locked, Menu},
        entity::{Function, PadFlags},
        fwnode::{self, BusType, DeviceProperties, Endpoint},
        mbus::{
            self, Code, Colorspace, Field, FrameFormat, Quantization, Rect, XferFunc, YcbcrEnc,
        },
        sensor::SensorClk,
        subdev::{
            self, Config, EntityOps, Flags, Format, FrameDesc, FrameDescEntry, FrameDescType,
            FrameSizeEnum, MbusCodeEnum, SelTarget, Selection, SensorRegistration, State, Subdev,
            UnregisteredSubdev, Which,
        },
    },
    new_mutex, of, pm_runtime,
    prelude::*,
    regulator_bulk::Bulk,
    sync::Mutex,
    time::{delay::fsleep, Delta},
};

/* Registers and their values, as the C driver names them. */

/// Chip ID.
const REG_CHIP_ID: Reg = Reg::reg16(0x0000);
const CHIP_ID: u64 = 0x0219;

const REG_MODE_SELECT: Reg = Reg::reg8(0x0100);
const MODE_STANDBY: u64 = 0x00;
const MODE_STREAMING: u64 = 0x01;

const REG_CSI_LANE_MODE: Reg = Reg::reg8(0x0114);
const CSI_2_LANE_MODE: u64 = 0x01;
const CSI_4_LANE_MODE: u64 = 0x03;

const REG_DPHY_CTRL: Reg = Reg::reg8(0x0128);
const DPHY_CTRL_TIMING_AUTO: u64 = 0;

const REG_EXCK_FREQ: Reg = Reg::reg16(0x012a);
/// The external clock frequency in the register's unit (MHz * 256).
const fn exck_freq(mhz: u64) -> u64 {
    mhz * 256
}

/// Analogue gain.
const REG_ANALOG_GAIN: Reg = Reg::reg8(0x0157);
const ANA_GAIN_MIN: i64 = 0;
const ANA_GAIN_MAX: i64 = 232;
const ANA_GAIN_STEP: u64 = 1;
const ANA_GAIN_DEFAULT: i64 = 0x0;

/// Digital gain.
const REG_DIGITAL_GAIN: Reg = Reg::reg16(0x0158);
const DGTL_GAIN_MIN: i64 = 0x0100;
const DGTL_GAIN_MAX: i64 = 0x0fff;
const DGTL_GAIN_DEFAULT: i64 = 0x0100;
const DGTL_GAIN_STEP: u64 = 1;

/// Exposure, lines.
const REG_EXPOSURE: Reg = Reg::reg16(0x015a);
const EXPOSURE_MIN: i64 = 4;
const EXPOSURE_STEP: u64 = 1;
const EXPOSURE_DEFAULT: i64 = 0x640;
const EXPOSURE_OFFSET: i64 = 4;

/// Frame and line length.
const REG_FRM_LENGTH_A: Reg = Reg::reg16(0x0160);
const FLL_MAX: i64 = 0xfffe;
const VBLANK_MIN: i64 = 32;
const REG_LINE_LENGTH_A: Reg = Reg::reg16(0x0162);
const LLP_MIN: i64 = 0x0d78;
const BINNED_LLP_MIN: i64 = 0x0de8;
const LLP_MAX: i64 = 0x7ff0;

const REG_X_ADD_STA_A: Reg = Reg::reg16(0x0164);
const REG_X_ADD_END_A: Reg = Reg::reg16(0x0166);
const REG_Y_ADD_STA_A: Reg = Reg::reg16(0x0168);
const REG_Y_ADD_END_A: Reg = Reg::reg16(0x016a);
const REG_X_OUTPUT_SIZE: Reg = Reg::reg16(0x016c);
const REG_Y_OUTPUT_SIZE: Reg = Reg::reg16(0x016e);
const REG_X_ODD_INC_A: Reg = Reg::reg8(0x0170);
const REG_Y_ODD_INC_A: Reg = Reg::reg8(0x0171);
const REG_ORIENTATION: Reg = Reg::reg8(0x0172);

/// Binning.
const REG_BINNING_MODE_H: Reg = Reg::reg8(0x0174);
const REG_BINNING_MODE_V: Reg = Reg::reg8(0x0175);
const BINNING_NONE: u8 = 0x00;
const BINNING_X2_ANALOG: u8 = 0x03;

const REG_CSI_DATA_FORMAT_A: Reg = Reg::reg16(0x018c);

/// PLL.
const REG_VTPXCK_DIV: Reg = Reg::reg8(0x0301);
const REG_VTSYCK_DIV: Reg = Reg::reg8(0x0303);
const REG_PREPLLCK_VT_DIV: Reg = Reg::reg8(0x0304);
const REG_PREPLLCK_OP_DIV: Reg = Reg::reg8(0x0305);
const REG_PLL_VT_MPY: Reg = Reg::reg16(0x0306);
const REG_OPPXCK_DIV: Reg = Reg::reg8(0x0309);
const REG_OPSYCK_DIV: Reg = Reg::reg8(0x030b);
const REG_PLL_OP_MPY: Reg = Reg::reg16(0x030c);

/// Test pattern generator.
const REG_TEST_PATTERN: Reg = Reg::reg16(0x0600);
const TEST_PATTERN_DISABLE: u64 = 0;
const TEST_PATTERN_SOLID_COLOR: u64 = 1;
const TEST_PATTERN_COLOR_BARS: u64 = 2;
const TEST_PATTERN_GREY_COLOR: u64 = 3;
const TEST_PATTERN_PN9: u64 = 4;

const REG_TESTP_RED: Reg = Reg::reg16(0x0602);
const REG_TESTP_GREENR: Reg = Reg::reg16(0x0604);
const REG_TESTP_BLUE: Reg = Reg::reg16(0x0606);
const REG_TESTP_GREENB: Reg = Reg::reg16(0x0608);
const TESTP_COLOUR_MIN: i64 = 0;
const TESTP_COLOUR_MAX: i64 = 0x03ff;
const TESTP_COLOUR_STEP: u64 = 1;

const REG_TP_WINDOW_WIDTH: Reg = Reg::reg16(0x0624);
const REG_TP_WINDOW_HEIGHT: Reg = Reg::reg16(0x0626);

/// The external clock must run at 24 MHz.
const XCLK_FREQ: u64 = 24_000_000;

/// The pixel rate, fixed for all modes.
const PIXEL_RATE: i64 = 182_400_000;
const PIXEL_RATE_4LANE: i64 = 281_600_000;

const DEFAULT_LINK_FREQ: i64 = 456_000_000;
const DEFAULT_LINK_FREQ_4LANE_UNSUPPORTED: i64 = 363_000_000;
const DEFAULT_LINK_FREQ_4LANE: i64 = 364_000_000;

/// The native and active pixel array.
const NATIVE_WIDTH: u32 = 3296;
const NATIVE_HEIGHT: u32 = 2480;
const ACTIVE_AREA_LEFT: u32 = 8;
const ACTIVE_AREA_TOP: u32 = 8;
const ACTIVE_AREA_WIDTH: u32 = 3280;
const ACTIVE_AREA_HEIGHT: u32 = 2464;

/// XCLR low to high until the sensor may leave software standby: t4 + t5
/// of the datasheet (see the C driver for the derivation).
const XCLR_MIN_DELAY: Delta = Delta::from_micros(6200);

/// A mode: output size and default frame length.
struct Mode {
    width: u32,
    height: u32,
    fll_def: u32,
}

static MODES: [Mode; 4] = [
    // 8 Mpixel, 15 fps.
    Mode {
        width: 3280,
        height: 2464,
        fll_def: 3526,
    },
    // 1080p 30 fps, cropped.
    Mode {
        width: 1920,
        height: 1080,
        fll_def: 1763,
    },
    // 2x2 binned, 60 fps.
    Mode {
        width: 1640,
        height: 1232,
        fll_def: 1707,
    },
    // 640x480, 60 fps.
    Mode {
        width: 640,
        height: 480,
        fll_def: 1707,
    },
];

/// The registers common to all modes.
static COMMON_REGS: [RegSeq; 23] = [
    RegSeq::new(REG_MODE_SELECT, 0x00),
    // Access to the registers 0x3000-0x5fff.
    RegSeq::new(Reg::reg8(0x30eb), 0x05),
    RegSeq::new(Reg::reg8(0x30eb), 0x0c),
    RegSeq::new(Reg::reg8(0x300a), 0xff),
    RegSeq::new(Reg::reg8(0x300b), 0xff),
    RegSeq::new(Reg::reg8(0x30eb), 0x05),
    RegSeq::new(Reg::reg8(0x30eb), 0x09),
    // Undocumented registers.
    RegSeq::new(Reg::reg8(0x455e), 0x00),
    RegSeq::new(Reg::reg8(0x471e), 0x4b),
    RegSeq::new(Reg::reg8(0x4767), 0x0f),
    RegSeq::new(Reg::reg8(0x4750), 0x14),
    RegSeq::new(Reg::reg8(0x4540), 0x00),
    RegSeq::new(Reg::reg8(0x47b4), 0x14),
    RegSeq::new(Reg::reg8(0x4713), 0x30),
    RegSeq::new(Reg::reg8(0x478b), 0x10),
    RegSeq::new(Reg::reg8(0x478f), 0x10),
    RegSeq::new(Reg::reg8(0x4793), 0x10),
    RegSeq::new(Reg::reg8(0x4797), 0x0e),
    RegSeq::new(Reg::reg8(0x479b), 0x0e),
    // Frame bank register group "A".
    RegSeq::new(REG_X_ODD_INC_A, 1),
    RegSeq::new(REG_Y_ODD_INC_A, 1),
    // Output setup.
    RegSeq::new(REG_DPHY_CTRL, DPHY_CTRL_TIMING_AUTO),
    RegSeq::new(REG_EXCK_FREQ, exck_freq(XCLK_FREQ / 1_000_000)),
];

static LANE2_REGS: [RegSeq; 8] = [
    // PLL.
    RegSeq::new(REG_VTPXCK_DIV, 5),
    RegSeq::new(REG_VTSYCK_DIV, 1),
    RegSeq::new(REG_PREPLLCK_VT_DIV, 3),
    RegSeq::new(REG_PREPLLCK_OP_DIV, 3),
    RegSeq::new(REG_PLL_VT_MPY, 57),
    RegSeq::new(REG_OPSYCK_DIV, 1),
    RegSeq::new(REG_PLL_OP_MPY, 114),
    // 2-lane CSI-2.
    RegSeq::new(REG_CSI_LANE_MODE, CSI_2_LANE_MODE),
];

static LANE4_REGS: [RegSeq; 8] = [
    // PLL.
    RegSeq::new(REG_VTPXCK_DIV, 5),
    RegSeq::new(REG_VTSYCK_DIV, 1),
    RegSeq::new(REG_PREPLLCK_VT_DIV, 3),
    RegSeq::new(REG_PREPLLCK_OP_DIV, 3),
    RegSeq::new(REG_PLL_VT_MPY, 88),
    RegSeq::new(REG_OPSYCK_DIV, 1),
    RegSeq::new(REG_PLL_OP_MPY, 91),
    // 4-lane CSI-2.
    RegSeq::new(REG_CSI_LANE_MODE, CSI_4_LANE_MODE),
];

static LINK_FREQ_MENU: [i64; 1] = [DEFAULT_LINK_FREQ];

/// The 4-lane link frequencies: only the first is shown to user space; the
/// second was advertised by mistake in the past and is accepted from
/// firmware for compatibility.
static LINK_FREQ_4LANE_MENU: [i64; 2] =
    [DEFAULT_LINK_FREQ_4LANE, DEFAULT_LINK_FREQ_4LANE_UNSUPPORTED];

static TEST_PATTERN_MENU: Menu<5> = Menu::new([
    c"Disabled",
    c"Color Bars",
    c"Solid Color",
    c"Grey Color Bars",
    c"PN9",
]);

/// The register value of each test pattern menu item.
const TEST_PATTERN_VAL: [u64; 5] = [
    TEST_PATTERN_DISABLE,
    TEST_PATTERN_COLOR_BARS,
    TEST_PATTERN_SOLID_COLOR,
    TEST_PATTERN_GREY_COLOR,
    TEST_PATTERN_PN9,
];

/// The supplies: analogue (2.8 V), digital core (1.8 V), interface (1.2 V),
/// enabled in any order.
const SUPPLIES: [&CStr; 3] = [c"VANA", c"VDIG", c"VDDL"];

/// The formats, four per bit depth in the order no flip, hflip, vflip,
/// both.
const MBUS_FORMATS: [Code; 8] = [
    Code::SRGGB10_1X10,
    Code::SGRBG10_1X10,
    Code::SGBRG10_1X10,
    Code::SBGGR10_1X10,
    Code::SRGGB8_1X8,
    Code::SGRBG8_1X8,
    Code::SGBRG8_1X8,
    Code::SBGGR8_1X8,
];

/// The code of the same bit depth as `code` (RAW10 for an unknown code)
/// in the Bayer order of the flips.
fn format_code(code: Code, hflip: bool, vflip: bool) -> Code {
    let i = MBUS_FORMATS.iter().position(|c| *c == code).unwrap_or(0);
    MBUS_FORMATS[(i & !3) | if vflip { 2 } else { 0 } | if hflip { 1 } else { 0 }]
}

/// Bits per pixel of a format code (10 for anything not RAW8).
fn format_bpp(code: Code) -> u32 {
    if MBUS_FORMATS[4..].contains(&code) {
        8
    } else {
        10
    }
}

/// The binning register value for both directions: 2x2 analogue binning
/// when the crop is twice the output in both directions, none otherwise.
fn binning(fmt: &FrameFormat, crop: &Rect) -> u8 {
    let hbin = crop.width.checked_div(fmt.width()).unwrap_or(0);
    let vbin = crop.height.checked_div(fmt.height()).unwrap_or(0);
    if hbin == 2 && vbin == 2 {
        BINNING_X2_ANALOG
    } else {
        BINNING_NONE
    }
}

/// How much faster than the pixel rate the pixel array is read: 2 with
/// analogue binning.
fn rate_factor(fmt: &FrameFormat, crop: &Rect) -> u32 {
    if binning(fmt, crop) == BINNING_X2_ANALOG {
        2
    } else {
        1
    }
}

/// The output format and crop rectangle of the mode nearest to the
/// requested `width` x `height`: binning to make the crop as large as
/// possible, centred in the pixel array.
fn mode_format(width: u32, height: u32) -> (&'static Mode, Rect) {
    let mode = mbus::find_nearest_size(&MODES, |m| (m.width, m.height), width, height)
        .unwrap_or(&MODES[0]);
    let bin_h = (ACTIVE_AREA_WIDTH / mode.width).min(2);
    let bin_v = (ACTIVE_AREA_HEIGHT / mode.height).min(2);
    let bin = bin_h.min(bin_v);
    let (cw, ch) = (mode.width * bin, mode.height * bin);
    let crop = Rect {
        left: ((NATIVE_WIDTH - cw) / 2) as i32,
        top: ((NATIVE_HEIGHT - ch) / 2) as i32,
        width: cw,
        height: ch,
    };
    (mode, crop)
}

/// The controls the driver changes or reads.
struct Ctrls {
    pixel_rate: Ctrl,
    exposure: Ctrl,
    vflip: Ctrl,
    hflip: Ctrl,
    vblank: Ctrl,
    hblank: Ctrl,
}

/// The sub-device's data.
struct Imx219 {
    cci: Cci,
    /// Two or four data lanes.
    lanes: u8,
    ctrls: Ctrls,
}

impl Imx219 {
    fn pixel_rate(&self) -> i64 {
        if self.lanes == 2 {
            PIXEL_RATE
        } else {
            PIXEL_RATE_4LANE
        }
    }

    /// The code of `code`'s bit depth in the Bayer order of the current
    /// flips.
    fn format_code(&self, l: &Locked<'_>, code: Code) -> Result<Code> {
        Ok(format_code(
            code,
            self.ctrls.hflip.val(l)? != 0,
            self.ctrls.vflip.val(l)? != 0,
        ))
    }

    /// Programs the window, binning, output size and data format of
    /// `state`.
    fn set_framefmt(&self, state: &State) -> Result {
        let fmt = state.format(0, 0)?;
        let crop = state.crop(0, 0)?;
        let bpp = u64::from(format_bpp(fmt.code()));
        let left = crop.left as u64 - u64::from(ACTIVE_AREA_LEFT);
        let top = crop.top as u64 - u64::from(ACTIVE_AREA_TOP);
        let c = &self.cci;
        c.write(REG_X_ADD_STA_A, left)?;
        c.write(REG_X_ADD_END_A, left + u64::from(crop.width) - 1)?;
        c.write(REG_Y_ADD_STA_A, top)?;
        c.write(REG_Y_ADD_END_A, top + u64::from(crop.height) - 1)?;
        let bin = u64::from(binning(&fmt, &crop));
        c.write(REG_BINNING_MODE_H, bin)?;
        c.write(REG_BINNING_MODE_V, bin)?;
        c.write(REG_X_OUTPUT_SIZE, u64::from(fmt.width()))?;
        c.write(REG_Y_OUTPUT_SIZE, u64::from(fmt.height()))?;
        c.write(REG_TP_WINDOW_WIDTH, u64::from(fmt.width()))?;
        c.write(REG_TP_WINDOW_HEIGHT, u64::from(fmt.height()))?;
        c.write(REG_CSI_DATA_FORMAT_A, (bpp << 8) | bpp)?;
        c.write(REG_OPPXCK_DIV, bpp)
    }

    /// Writes the PLL settings for the number of lanes.
    fn configure_lanes(&self) -> Result {
        self.cci.write_seq(if self.lanes == 2 {
            &LANE2_REGS
        } else {
            &LANE4_REGS
        })
    }

    /// Sets a format on `state`, adjusting it to the nearest mode; for the
    /// active state, also resets blanking and updates the limits of the
    /// controls that depend on the mode.
    fn set_pad_format(sd: &Subdev<Self>, state: &State, fmt: &mut Format) -> Result {
        let this = sd.data();
        let l = sd.ctrls(state).ok_or(EINVAL)?;
        let req = fmt.format();
        let (mode, crop) = mode_format(req.width(), req.height());
        let mut f = req.clone();
        f.set_code(this.format_code(&l, req.code())?);
        f.set_size(mode.width, mode.height);
        f.set_field(Field::NONE);
        f.set_colorspace(Colorspace::RAW);
        f.set_ycbcr_enc(YcbcrEnc::ENC_601);
        f.set_quantization(Quantization::FULL_RANGE);
        f.set_xfer_func(XferFunc::NONE);
        fmt.set_format(&f);
        state.set_format(0, 0, &f)?;
        state.set_crop(0, 0, crop)?;

        if fmt.which() == Which::Active {
            let c = &this.ctrls;
            let (h, w) = (i64::from(mode.height), i64::from(mode.width));
            let fll_def = i64::from(mode.fll_def);
            // Update the limits and set the default frame rate.
            c.vblank
                .modify_range(&l, VBLANK_MIN, FLL_MAX - h, 1, fll_def - h)?;
            c.vblank.s_ctrl(&l, (fll_def - h) as i32)?;
            // Update the exposure limit for the default blanking.
            let exposure_max = fll_def - EXPOSURE_OFFSET;
            let exposure_def = exposure_max.min(EXPOSURE_DEFAULT);
            c.exposure.modify_range(
                &l,
                c.exposure.minimum(&l)?,
                exposure_max,
                c.exposure.step(&l)?,
                exposure_def,
            )?;
            // With analogue binning, the default minimum line length can
            // cause artefacts in RAW10 (the ADC works on two lines
            // together): use a longer minimum.
            let llp_min = if binning(&f, &crop) == BINNING_X2_ANALOG {
                BINNED_LLP_MIN
            } else {
                LLP_MIN
            };
            c.hblank
                .modify_range(&l, llp_min - w, LLP_MAX - w, 1, llp_min - w)?;
            c.hblank.s_ctrl(&l, (llp_min - w) as i32)?;
            // Scale the pixel rate with the mode's factor.
            let rate = this.pixel_rate() * i64::from(rate_factor(&f, &crop));
            c.pixel_rate.modify_range(&l, rate, rate, 1, rate)?;
        }
        Ok(())
    }
}

#[vtable]
impl subdev::Ops for Imx219 {
    fn init_state(sd: &Subdev<Self>, state: &State) -> Result {
        let mut f = FrameFormat::default();
        f.set_code(Code::SRGGB10_1X10);
        f.set_size(MODES[0].width, MODES[0].height);
        let mut fmt = Format::new(Which::Try, 0, 0);
        fmt.set_format(&f);
        Self::set_pad_format(sd, state, &mut fmt)
    }

    fn enum_mbus_code(sd: &Subdev<Self>, state: &State, code: &mut MbusCodeEnum) -> Result {
        let i = code.index() as usize;
        if i >= MBUS_FORMATS.len() / 4 {
            return Err(EINVAL);
        }
        let l = sd.ctrls(state).ok_or(EINVAL)?;
        code.set_code(sd.data().format_code(&l, MBUS_FORMATS[i * 4])?);
        Ok(())
    }

    fn enum_frame_size(sd: &Subdev<Self>, state: &State, fse: &mut FrameSizeEnum) -> Result {
        let mode = MODES.get(fse.index() as usize).ok_or(EINVAL)?;
        let l = sd.ctrls(state).ok_or(EINVAL)?;
        if sd.data().format_code(&l, fse.code())? != fse.code() {
            return Err(EINVAL);
        }
        fse.set_size(mode.width, mode.width, mode.height, mode.height);
        Ok(())
    }

    fn set_fmt(sd: &Subdev<Self>, state: &State, fmt: &mut Format) -> Result {
        Self::set_pad_format(sd, state, fmt)
    }

    fn get_selection(_sd: &Subdev<Self>, state: &State, sel: &mut Selection) -> Result {
        match sel.target() {
            SelTarget::CROP => sel.set_rect(state.crop(0, 0)?),
            SelTarget::NATIVE_SIZE => sel.set_rect(Rect {
                left: 0,
                top: 0,
                width: NATIVE_WIDTH,
                height: NATIVE_HEIGHT,
            }),
            SelTarget::CROP_DEFAULT | SelTarget::CROP_BOUNDS => sel.set_rect(Rect {
                left: ACTIVE_AREA_LEFT as i32,
                top: ACTIVE_AREA_TOP as i32,
                width: ACTIVE_AREA_WIDTH,
                height: ACTIVE_AREA_HEIGHT,
            }),
            _ => return Err(EINVAL),
        }
        Ok(())
    }

    fn get_frame_desc(sd: &Subdev<Self>, pad: u32, fd: &mut FrameDesc) -> Result {
        if pad != 0 {
            return Err(EINVAL);
        }
        let code = sd.lock_active_state().ok_or(EINVAL)?.format(0, 0)?.code();
        let dt = code.info().ok_or(EINVAL)?.csi2_dt;
        fd.set_type(FrameDescType::Csi2);
        fd.push(FrameDescEntry {
            stream: 0,
            pixelcode: code,
            length: 0,
            vc: 0,
            dt,
        })
    }

    fn enable_streams(sd: &Subdev<Self>, state: &State, _pad: u32, _streams: u64) -> Result {
        let dev = sd.dev();
        let this = sd.data();
        let usage = pm_runtime::resume_and_get(dev)?;
        let ret = (|| {
            // The registers common to all modes.
            this.cci.write_seq(&COMMON_REGS).inspect_err(|_| {
                dev_err!(dev, "imx219_enable_streams failed to send mfg header\n");
            })?;
            // Two or four lanes.
            this.configure_lanes().inspect_err(|_| {
                dev_err!(dev, "imx219_enable_streams failed to configure lanes\n");
            })?;
            // Format and crop.
            this.set_framefmt(state).inspect_err(|e| {
                dev_err!(
                    dev,
                    "imx219_enable_streams failed to set frame format: {}\n",
                    e.to_errno()
                );
            })?;
            // The user's control values.
            let l = sd.ctrls(state).ok_or(EINVAL)?;
            l.setup()?;
            this.cci.write(REG_MODE_SELECT, MODE_STREAMING)?;
            // The flips cannot change while streaming.
            this.ctrls.vflip.grab(&l, true)?;
            this.ctrls.hflip.grab(&l, true)
        })();
        match ret {
            Ok(()) => {
                // Dropped in `disable_streams`.
                usage.keep();
                Ok(())
            }
            Err(e) => {
                usage.put_autosuspend();
                Err(e)
            }
        }
    }

    fn disable_streams(sd: &Subdev<Self>, state: &State, _pad: u32, _streams: u64) -> Result {
        let dev = sd.dev();
        let this = sd.data();
        let ret = this.cci.write(REG_MODE_SELECT, MODE_STANDBY);
        if ret.is_err() {
            dev_err!(dev, "imx219_disable_streams failed to set stream\n");
        }
        if let Some(l) = sd.ctrls(state) {
            let _ = this.ctrls.vflip.grab(&l, false);
            let _ = this.ctrls.hflip.grab(&l, false);
        }
        pm_runtime::put_autosuspend(dev);
        ret
    }

    fn s_ctrl(sd: &Subdev<Self>, state: &State, l: &Locked<'_>, ctrl: &CtrlRef) -> Result {
        let this = sd.data();
        let c = &this.ctrls;
        let dev = sd.dev();
        let fmt = state.format(0, 0)?;
        let crop = state.crop(0, 0)?;
        let factor = u64::from(rate_factor(&fmt, &crop));
        let id = ctrl.id();
        let val = ctrl.val();

        if id == Id::VBLANK {
            // Update the exposure limit for the new blanking.
            let exposure_max = i64::from(fmt.height()) + i64::from(val) - EXPOSURE_OFFSET;
            let exposure_def = exposure_max.min(EXPOSURE_DEFAULT);
            c.exposure.modify_range(
                l,
                c.exposure.minimum(l)?,
                exposure_max,
                c.exposure.step(l)?,
                exposure_def,
            )?;
        }

        // Values reach the hardware only while it is powered for
        // streaming; `enable_streams` applies them all.
        let usage = match pm_runtime::get_if_in_use(dev) {
            Ok(None) => return Ok(()),
            Ok(Some(u)) => Some(u),
            // Runtime PM disabled (not built in): the sensor is powered.
            Err(_) => None,
        };

        let v = val as u64;
        let cci = &this.cci;
        let ret = match id {
            Id::ANALOGUE_GAIN => cci.write(REG_ANALOG_GAIN, v),
            Id::EXPOSURE => cci.write(REG_EXPOSURE, v / factor),
            Id::DIGITAL_GAIN => cci.write(REG_DIGITAL_GAIN, v),
            Id::TEST_PATTERN => {
                let reg = TEST_PATTERN_VAL.get(val as usize).copied().ok_or(EINVAL)?;
                cci.write(REG_TEST_PATTERN, reg)
            }
            Id::HFLIP | Id::VFLIP => {
                let o = c.hflip.val(l)? as u64 | ((c.vflip.val(l)? as u64) << 1);
                cci.write(REG_ORIENTATION, o)
            }
            Id::VBLANK => cci.write(REG_FRM_LENGTH_A, (u64::from(fmt.height()) + v) / factor),
            Id::HBLANK => cci.write(REG_LINE_LENGTH_A, u64::from(fmt.width()) + v),
            Id::TEST_PATTERN_RED => cci.write(REG_TESTP_RED, v),
            Id::TEST_PATTERN_GREENR => cci.write(REG_TESTP_GREENR, v),
            Id::TEST_PATTERN_BLUE => cci.write(REG_TESTP_BLUE, v),
            Id::TEST_PATTERN_GREENB => cci.write(REG_TESTP_GREENB, v),
            _ => {
                dev_info!(
                    dev,
                    "ctrl(id:0x{:x},val:0x{:x}) is not handled\n",
                    id.as_raw(),
                    val
                );
                Err(EINVAL)
            }
        };
        drop(usage);
        ret
    }
}

/// What powers the sensor: supplies, external clock and XCLR.
struct Power<'a> {
    supplies: Pin<KBox<Bulk<3>>>,
    xclk: SensorClk<'a>,
    reset: Option<gpio::Desc>,
}

impl Power<'_> {
    fn on(&self, dev: &Device<Bound>) -> Result {
        self.supplies.enable().inspect_err(|_| {
            dev_err!(dev, "imx219_power_on: failed to enable regulators\n");
        })?;
        if let Err(e) = self.xclk.prepare_enable() {
            dev_err!(dev, "imx219_power_on: failed to enable clock\n");
            let _ = self.supplies.disable();
            return Err(e);
        }
        // XCLR is wired with the wrong logical level for a reset signal:
        // "1" releases the sensor.
        if let Some(r) = &self.reset {
            let _ = r.set_value_cansleep(true);
        }
        fsleep(XCLR_MIN_DELAY);
        Ok(())
    }

    fn off(&self) {
        if let Some(r) = &self.reset {
            let _ = r.set_value_cansleep(false);
        }
        let _ = self.supplies.disable();
        self.xclk.disable_unprepare();
    }
}

impl pm_runtime::Ops for Power<'_> {
    fn runtime_suspend(&self, _dev: &Device<Bound>) -> Result {
        self.off();
        Ok(())
    }

    fn runtime_resume(&self, dev: &Device<Bound>) -> Result {
        self.on(dev)
    }
}

/// Logs `msg` for a probe error, except for a deferral (as
/// `dev_err_probe()`).
fn probe_err(dev: &Device, e: Error, msg: core::fmt::Arguments<'_>) -> Error {
    if e != EPROBE_DEFER {
        dev_err!(dev, "{}", msg);
    }
    e
}

/// The number of data lanes from the endpoint, with its link frequencies
/// checked against the driver's.
fn check_hwcfg(dev: &Device) -> Result<u8> {
    let ep = fwnode::graph_next_endpoint(dev, None).ok_or_else(|| {
        dev_err!(dev, "endpoint node not found\n");
        EINVAL
    })?;
    let ep = Endpoint::parse(&ep, BusType::Csi2Dphy).map_err(|_| {
        dev_err!(dev, "could not parse endpoint\n");
        EINVAL
    })?;
    let lanes = ep.csi2().map_or(0, |c| c.num_data_lanes());
    if lanes != 2 && lanes != 4 {
        dev_err!(dev, "only 2 or 4 data lanes are currently supported\n");
        return Err(EINVAL);
    }
    let fw = ep.link_frequencies();
    let bitmap = if lanes == 2 {
        fwnode::link_freq_to_bitmap(dev, fw, &LINK_FREQ_MENU)
    } else {
        fwnode::link_freq_to_bitmap(dev, fw, &LINK_FREQ_4LANE_MENU).map(|b| {
            if b & (1 << 1) != 0 {
                dev_warn!(
                    dev,
                    "Link frequency of {} not supported, but has been incorrectly advertised previously\n",
                    DEFAULT_LINK_FREQ_4LANE_UNSUPPORTED
                );
                dev_warn!(dev, "Using link frequency of {}\n", DEFAULT_LINK_FREQ_4LANE);
                b | 1
            } else {
                b
            }
        })
    };
    match bitmap {
        Ok(b) if b & 1 != 0 => Ok(lanes),
        _ => {
            dev_err!(
                dev,
                "Link frequency not supported: {}\n",
                fw.first().copied().unwrap_or(0) as i64
            );
            Err(EINVAL)
        }
    }
}

/// Creates the controls, with the limits of the first mode.
fn init_controls(dev: &Device, lanes: u8) -> Result<(Handler<Subdev<Imx219>>, Ctrls)> {
    let mode = &MODES[0];
    let mut h = Handler::<Subdev<Imx219>>::new(12, c"imx219-ctrls", kernel::static_lock_class!())?;
    let rate = if lanes == 2 {
        PIXEL_RATE
    } else {
        PIXEL_RATE_4LANE
    };
    let (height, width, fll_def) = (
        i64::from(mode.height),
        i64::from(mode.width),
        i64::from(mode.fll_def),
    );
    let exposure_max = fll_def - EXPOSURE_OFFSET;
    let exposure_def = exposure_max.min(EXPOSURE_DEFAULT);

    // Created in the C driver's order, which is the order user space
    // enumerates them in; creation errors stick in the handler, as in C.
    let ctrls = (|| -> Result<Ctrls> {
        // Read-only by default.
        let pixel_rate = h.new_std(Id::PIXEL_RATE, rate, rate, 1, rate)?;
        let link_freq = h.new_int_menu(
            Id::LINK_FREQ,
            (LINK_FREQ_MENU.len() - 1) as u8,
            0,
            if lanes == 2 {
                &LINK_FREQ_MENU
            } else {
                &LINK_FREQ_4LANE_MENU
            },
        )?;
        h.add_flags(&link_freq, CtrlFlags::READ_ONLY)?;
        // Initial blanking and exposure; `set_fmt` updates the limits.
        let vblank = h.new_std(
            Id::VBLANK,
            VBLANK_MIN,
            FLL_MAX - height,
            1,
            fll_def - height,
        )?;
        let hblank = h.new_std(
            Id::HBLANK,
            LLP_MIN - width,
            LLP_MAX - width,
            1,
            LLP_MIN - width,
        )?;
        let exposure = h.new_std(
            Id::EXPOSURE,
            EXPOSURE_MIN,
            exposure_max,
            EXPOSURE_STEP,
            exposure_def,
        )?;
        h.new_std(
            Id::ANALOGUE_GAIN,
            ANA_GAIN_MIN,
            ANA_GAIN_MAX,
            ANA_GAIN_STEP,
            ANA_GAIN_DEFAULT,
        )?;
        h.new_std(
            Id::DIGITAL_GAIN,
            DGTL_GAIN_MIN,
            DGTL_GAIN_MAX,
            DGTL_GAIN_STEP,
            DGTL_GAIN_DEFAULT,
        )?;
        let hflip = h.new_std(Id::HFLIP, 0, 1, 1, 0)?;
        h.add_flags(&hflip, CtrlFlags::MODIFY_LAYOUT)?;
        let vflip = h.new_std(Id::VFLIP, 0, 1, 1, 0)?;
        h.add_flags(&vflip, CtrlFlags::MODIFY_LAYOUT)?;
        h.new_std_menu_items(Id::TEST_PATTERN, &TEST_PATTERN_MENU, 0, 0)?;
        for i in 0..4 {
            // RED, GREENR, BLUE, GREENB follow each other; the solid
            // colour pattern is white by default.
            h.new_std(
                Id::TEST_PATTERN_RED.offset(i),
                TESTP_COLOUR_MIN,
                TESTP_COLOUR_MAX,
                TESTP_COLOUR_STEP,
                TESTP_COLOUR_MAX,
            )?;
        }
        Ok(Ctrls {
            pixel_rate,
            exposure,
            vflip,
            hflip,
            vblank,
            hblank,
        })
    })()
    .map_err(|e| {
        let e = h.error().err().unwrap_or(e);
        probe_err(dev, e, format_args!("Control init failed\n"))
    })?;

    let props = DeviceProperties::parse(dev)?;
    h.new_fwnode_properties(&props)?;
    Ok((h, ctrls))
}

const SUBDEV_CONFIG: Config<'static> = Config {
    name: c"imx219",
    function: Function::CAM_SENSOR,
    pads: &[PadFlags::SOURCE],
    flags: Flags::HAS_DEVNODE,
    entity_ops: EntityOps::NONE,
};

/// What a bound sensor has registered and enabled. Dropped in field order:
/// the sub-device is unregistered first, then runtime PM is disabled and the
/// sensor powered off if it is on.
struct Registered<'bound> {
    _sd: SensorRegistration<Imx219>,
    _pm: pm_runtime::Enabled<'bound, Power<'bound>>,
}

/// The driver's data for a bound sensor.
///
/// Its registrations go in `unbind`, as the C driver's remove does: the I2C
/// core releases the device resources acquired in probe (the CCI regmap,
/// the clock, the supplies) right after `unbind`, before the driver data is
/// dropped, so nothing that uses them may outlive `unbind`.
#[pin_data]
struct Imx219Data<'bound> {
    #[pin]
    registered: Mutex<Option<Registered<'bound>>>,
}

struct Imx219Driver;

kernel::of_device_table!(
    OF_TABLE,
    MODULE_OF_TABLE,
    <Imx219Driver as i2c::Driver>::IdInfo,
    [(of::DeviceId::new(c"sony,imx219"), ())]
);

impl Imx219Driver {
    fn probe<'bound>(client: &'bound I2cClient<Core<'_>>) -> Result<Registered<'bound>> {
        let dev: &'bound Device<Bound> = client.as_ref();

        // The hardware configuration in the devicetree.
        let lanes = check_hwcfg(dev).map_err(|_| EINVAL)?;

        let cci = Cci::new(client, AddrWidth::Bits16)
            .map_err(|e| probe_err(dev, e, format_args!("failed to initialize CCI\n")))?;

        let xclk = SensorClk::get(dev, None)
            .map_err(|e| probe_err(dev, e, format_args!("failed to get xclk\n")))?;
        let rate = xclk.rate();
        if rate != XCLK_FREQ {
            dev_err!(dev, "xclk frequency not supported: {} Hz\n", rate as i32);
            return Err(EINVAL);
        }

        let supplies = KBox::pin_init(Bulk::get(dev, SUPPLIES), GFP_KERNEL)
            .map_err(|e| probe_err(dev, e, format_args!("failed to get regulators\n")))?;

        // The optional XCLR line, asserted.
        let reset = gpio::Desc::get_optional(dev, c"reset", gpio::Flags::OutHigh)
            .map_err(|e| probe_err(dev, e, format_args!("failed to get reset gpio\n")))?;

        let power = Power {
            supplies,
            xclk,
            reset,
        };

        // Powered for the chip ID check; powered off again on any error
        // until runtime PM takes over.
        power.on(dev)?;
        let powered = kernel::types::ScopeGuard::new(|| power.off());

        match cci.read(REG_CHIP_ID) {
            Err(e) => {
                return Err(probe_err(
                    dev,
                    e,
                    format_args!("failed to read chip id {:x}\n", CHIP_ID),
                ))
            }
            Ok(id) if id != CHIP_ID => {
                dev_err!(dev, "chip id mismatch: {:x}!={:x}\n", CHIP_ID, id);
                return Err(EIO);
            }
            Ok(_) => {}
        }

        // The sensor enters LP-11 only once it has streamed: stream, then
        // back to standby.
        cci.write(REG_MODE_SELECT, MODE_STREAMING)?;
        fsleep(Delta::from_micros(100));
        cci.write(REG_MODE_SELECT, MODE_STANDBY)?;
        fsleep(Delta::from_micros(100));

        let (handler, ctrls) = init_controls(dev, lanes)?;

        let sd = UnregisteredSubdev::new_i2c(
            client,
            &SUBDEV_CONFIG,
            Some(handler),
            kernel::static_lock_class!(),
            Imx219 { cci, lanes, ctrls },
        )
        .map_err(|e| probe_err(dev, e, format_args!("subdev init error\n")))?;

        powered.dismiss();
        // Runtime PM takes over the powered sensor; from now on dropping
        // `pm` powers it off.
        let pm = pm_runtime::Enabled::new(dev, power, true)?;

        let sd = sd.register_sensor(client_module()).map_err(|e| {
            probe_err(
                dev,
                e,
                format_args!("failed to register sensor sub-device\n"),
            )
        })?;

        pm_runtime::idle(dev);
        pm_runtime::set_autosuspend_delay(dev, 1000);
        pm_runtime::use_autosuspend(dev);

        Ok(Registered { _sd: sd, _pm: pm })
    }
}

/// This module, which the sub-device pins while a bridge has it.
fn client_module() -> &'static kernel::ThisModule {
    &THIS_MODULE
}

impl i2c::Driver for Imx219Driver {
    type IdInfo = ();
    type Data<'bound> = Imx219Data<'bound>;

    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        client: &'bound I2cClient<Core<'_>>,
        _id_info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let registered = Self::probe(client);
        try_pin_init!(Imx219Data {
            registered <- new_mutex!(Some(registered?), "imx219_registered"),
        }? Error)
    }

    fn unbind<'bound>(_client: &'bound I2cClient<Core<'_>>, this: Pin<&Self::Data<'bound>>) {
        drop(this.registered.lock().take());
    }
}

kernel::module_i2c_driver_with_pm! {
    type: Imx219Driver,
    name: "imx219_rs",
    authors: ["The iio-media-rs authors"],
    description: "Sony IMX219 sensor driver (Rust)",
    license: "GPL v2",
}

#[kunit_tests(imx219_rs)]
mod tests {
    use super::*;

    #[test]
    fn bayer_order_follows_flips() {
        // The C driver's table: RGGB without flips, GRBG with hflip,
        // GBRG with vflip, BGGR with both, for RAW10 and RAW8.
        assert_eq!(
            format_code(Code::SRGGB10_1X10, false, false),
            Code::SRGGB10_1X10
        );
        assert_eq!(
            format_code(Code::SRGGB10_1X10, true, false),
            Code::SGRBG10_1X10
        );
        assert_eq!(
            format_code(Code::SBGGR10_1X10, false, true),
            Code::SGBRG10_1X10
        );
        assert_eq!(format_code(Code::SGRBG8_1X8, true, true), Code::SBGGR8_1X8);
        assert_eq!(
            format_code(Code::SBGGR8_1X8, false, false),
            Code::SRGGB8_1X8
        );
        // Unknown codes fall back to RAW10.
        assert_eq!(
            format_code(Code::YUYV8_1X16, false, true),
            Code::SGBRG10_1X10
        );
        assert_eq!(format_bpp(Code::SGBRG8_1X8), 8);
        assert_eq!(format_bpp(Code::SGBRG10_1X10), 10);
    }

    #[test]
    fn modes_and_crops() {
        // Crops as the C driver computes them, worked out by hand.
        let cases = [
            (
                (3280, 2464),
                (3280, 2464),
                Rect {
                    left: 8,
                    top: 8,
                    width: 3280,
                    height: 2464,
                },
            ),
            (
                (1920, 1080),
                (1920, 1080),
                Rect {
                    left: 688,
                    top: 700,
                    width: 1920,
                    height: 1080,
                },
            ),
            (
                (1640, 1232),
                (1640, 1232),
                Rect {
                    left: 8,
                    top: 8,
                    width: 3280,
                    height: 2464,
                },
            ),
            (
                (640, 480),
                (640, 480),
                Rect {
                    left: 1008,
                    top: 760,
                    width: 1280,
                    height: 960,
                },
            ),
            (
                (1600, 1200),
                (1640, 1232),
                Rect {
                    left: 8,
                    top: 8,
                    width: 3280,
                    height: 2464,
                },
            ),
            (
                (0, 0),
                (640, 480),
                Rect {
                    left: 1008,
                    top: 760,
                    width: 1280,
                    height: 960,
                },
            ),
        ];
        for ((w, h), (mw, mh), crop) in cases {
            let (m, c) = mode_format(w, h);
            assert_eq!((m.width, m.height), (mw, mh));
            assert_eq!(c, crop);
        }
        let mut f = FrameFormat::default();
        f.set_size(1640, 1232);
        let (_, c) = mode_format(1640, 1232);
        assert_eq!(binning(&f, &c), BINNING_X2_ANALOG);
        assert_eq!(rate_factor(&f, &c), 2);
        f.set_size(640, 480);
        let (_, c) = mode_format(640, 480);
        assert_eq!(rate_factor(&f, &c), 2);
        f.set_size(1920, 1080);
        let (_, c) = mode_format(1920, 1080);
        assert_eq!(binning(&f, &c), BINNING_NONE);
    }

    #[test]
    fn control_ranges() -> Result {
        // The limits the C driver creates its controls with (first mode:
        // 3280x2464, frame length 3526), worked out by hand.
        let faux = kernel::faux::Registration::new(c"imx219-kunit", None)?;
        for (lanes, rate) in [(2u8, 182_400_000i64), (4, 281_600_000)] {
            let (h, c) = init_controls(faux.as_ref(), lanes)?;
            let l = h.lock();
            assert_eq!(c.pixel_rate.val64(&l)?, rate);
            assert_eq!(
                (c.pixel_rate.minimum(&l)?, c.pixel_rate.maximum(&l)?),
                (rate, rate)
            );
            assert_eq!(
                (
                    c.vblank.minimum(&l)?,
                    c.vblank.maximum(&l)?,
                    c.vblank.val(&l)?
                ),
                (32, 0xfffe - 2464, 3526 - 2464)
            );
            assert_eq!(
                (
                    c.hblank.minimum(&l)?,
                    c.hblank.maximum(&l)?,
                    c.hblank.val(&l)?
                ),
                (3448 - 3280, 0x7ff0 - 3280, 3448 - 3280)
            );
            assert_eq!(
                (
                    c.exposure.minimum(&l)?,
                    c.exposure.maximum(&l)?,
                    c.exposure.val(&l)?
                ),
                (4, 3522, 1600)
            );
            assert_eq!((c.hflip.val(&l)?, c.vflip.val(&l)?), (0, 0));
            assert_eq!(c.vflip.maximum(&l)?, 1);
        }
        Ok(())
    }

    #[test]
    fn register_tables() {
        assert_eq!(COMMON_REGS.len(), 23);
        assert_eq!(COMMON_REGS[22], RegSeq::new(Reg::reg16(0x012a), 0x1800));
        assert_eq!(LANE2_REGS[4], RegSeq::new(Reg::reg16(0x0306), 57));
        assert_eq!(LANE4_REGS[6], RegSeq::new(Reg::reg16(0x030c), 91));
        assert_eq!(TEST_PATTERN_VAL, [0, 2, 1, 3, 4]);
    }
}
