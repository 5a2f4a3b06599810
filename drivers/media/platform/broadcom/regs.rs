// SPDX-License-Identifier: GPL-2.0

//! Unicam's registers, as the upstream C driver's
//! `bcm2835-unicam-regs.h` describes them (the only public description),
//! and the clock gate register of the CMI block.

use kernel::io::register;

/// Bytes of the `unicam` range the driver uses (up to `MISC`).
pub(crate) const UNICAM_SIZE: usize = 0x404;
/// Bytes of the `cmi` range.
pub(crate) const CMI_SIZE: usize = 4;

/// The password the clock manager wants in the top byte of every write.
pub(crate) const CM_PASSWORD: u32 = 0x5a00_0000;

register! {
    /// Receiver control.
    pub(crate) CTRL(u32) @ 0x000 {
        /// Output engine timeout.
        20:12 oet;
        /// Packet framer timeout.
        11:8 pft;
        /// Stop output engine.
        4:4 soe => bool;
        /// Data/clock mode (CCP2): 0 data-strobe, 1 data-clock.
        5:5 dcm => bool;
        /// Protocol: 0 CSI-2, 1 CCP2.
        3:3 cpm => bool;
        /// Peripheral reset.
        2:2 cpr => bool;
        /// Memory output enable.
        1:1 mem => bool;
        /// Peripheral enable.
        0:0 cpe => bool;
    }

    /// Receiver status; write 1 to clear.
    pub(crate) STA(u32) @ 0x004 {
        /// Packet capture 0 (a frame end packet matched `CMP0`).
        15:15 pi0 => bool;
        /// Image interrupt (frame start/end or line count).
        14:14 is => bool;
        /// All bits.
        31:0 all;
    }

    /// Analogue control.
    pub(crate) ANA(u32) @ 0x008 {
        /// PTAT adjust.
        11:8 ptatadj;
        /// CTAT adjust.
        7:4 ctatadj;
        /// Disable data lanes.
        3:3 ddl => bool;
        /// Analogue reset.
        2:2 ar => bool;
    }

    /// AXI priority.
    pub(crate) PRI(u32) @ 0x00c {
        /// Burst length.
        17:16 bl;
        /// Burst spacing.
        15:12 bs;
        /// Panic priority.
        11:8 pp;
        /// Normal priority.
        7:4 np;
        /// Panic threshold.
        2:1 pt;
        /// Priority enable.
        0:0 pe => bool;
    }

    /// Clock lane control.
    pub(crate) CLK(u32) @ 0x010 {
        /// Termination enable.
        4:4 cltre => bool;
        /// High speed enable.
        3:3 clhse => bool;
        /// Low power enable.
        2:2 cllpe => bool;
        /// Lane enable.
        0:0 cle => bool;
    }

    /// Clock lane timing.
    pub(crate) CLT(u32) @ 0x014 {
        /// `tclk_settle`.
        15:8 clt2;
        /// `tclk_term_en`.
        7:0 clt1;
    }

    /// Data lane control, lanes 0 to 3 (2 and 3 on 4-lane instances
    /// only). Every active lane gets the same value, inactive ones 0.
    pub(crate) DAT(u32)[4] @ 0x018 {
        /// Termination enable.
        4:4 dltre => bool;
        /// High speed enable.
        3:3 dlhse => bool;
        /// Low power enable.
        2:2 dllpe => bool;
        /// Lane enable.
        0:0 dle => bool;
    }

    /// Data lane timing.
    pub(crate) DLT(u32) @ 0x028 {
        /// `trx_enable`.
        23:16 dlt3;
        /// `ths_settle`.
        15:8 dlt2;
        /// `td_term_en`.
        7:0 dlt1;
    }

    /// Packet compare 0.
    pub(crate) CMP0(u32) @ 0x02c {
        /// Packet compare enable.
        31:31 pce => bool;
        /// Generate interrupt.
        9:9 gi => bool;
        /// Capture packet header.
        8:8 cph => bool;
        /// Virtual channel.
        7:6 pcvc;
        /// Data type.
        5:0 pcdt;
    }

    /// Image control.
    pub(crate) ICTL(u32) @ 0x100 {
        /// Line count interrupt: every that many lines.
        28:16 lcie;
        /// Load image pointers.
        6:5 lip;
        /// Trigger on the first frame start only.
        4:4 tfc => bool;
        /// Image buffer overrun behaviour.
        2:2 ibob => bool;
        /// Frame end interrupt enable.
        1:1 feie => bool;
        /// Frame start interrupt enable.
        0:0 fsie => bool;
    }

    /// Image interrupt status; write 1 to clear.
    pub(crate) ISTA(u32) @ 0x104 {
        /// Line count interrupt.
        2:2 lci => bool;
        /// Frame end interrupt.
        1:1 fei => bool;
        /// Frame start interrupt.
        0:0 fsi => bool;
        /// All bits.
        31:0 all;
    }

    /// Image data identifier 0.
    pub(crate) IDI0(u32) @ 0x108 {
        /// All bits: `vc << 6 | dt` (CSI-2) or `0x80 | dt` (CCP2).
        31:0 value;
    }

    /// Image pipeline.
    pub(crate) IPIPE(u32) @ 0x10c {
        /// Packing mode.
        9:7 ppm;
        /// Unpacking mode.
        2:0 pum;
    }

    /// Image buffer start address 0.
    pub(crate) IBSA0(u32) @ 0x110 {
        /// The address.
        31:0 addr;
    }

    /// Image buffer end address 0.
    pub(crate) IBEA0(u32) @ 0x114 {
        /// The address.
        31:0 addr;
    }

    /// Image buffer line stride.
    pub(crate) IBLS(u32) @ 0x118 {
        /// Bytes.
        31:0 stride;
    }

    /// Image buffer write pointer.
    pub(crate) IBWP(u32) @ 0x11c {
        /// The address.
        31:0 addr;
    }

    /// Image horizontal window.
    pub(crate) IHWIN(u32) @ 0x120 {
        /// All bits.
        31:0 value;
    }

    /// Image horizontal status: detected width.
    pub(crate) IHSTA(u32) @ 0x124 {
        /// All bits.
        31:0 value;
    }

    /// Image vertical window.
    pub(crate) IVWIN(u32) @ 0x128 {
        /// All bits.
        31:0 value;
    }

    /// Image vertical status: detected height.
    pub(crate) IVSTA(u32) @ 0x12c {
        /// All bits.
        31:0 value;
    }

    /// Embedded data control.
    pub(crate) DCS(u32) @ 0x200 {
        /// Embedded data lines.
        15:8 edl;
        /// Load data pointers.
        5:5 ldp => bool;
        /// Data buffer overrun behaviour (wrap).
        3:3 dbob => bool;
        /// All bits.
        31:0 all;
    }

    /// Embedded data buffer start address 0.
    pub(crate) DBSA0(u32) @ 0x204 {
        /// The address.
        31:0 addr;
    }

    /// Embedded data buffer end address 0.
    pub(crate) DBEA0(u32) @ 0x208 {
        /// The address.
        31:0 addr;
    }

    /// Miscellaneous.
    pub(crate) MISC(u32) @ 0x400 {
        /// FL1.
        9:9 fl1 => bool;
        /// FL0.
        6:6 fl0 => bool;
    }
}

register! {
    /// The clock gate of the lanes in the CMI block: two bits per lane,
    /// `01` enabled, clock lane in bits 1:0, data lanes 0 to 3 above.
    pub(crate) CMI_GATE(u32) @ 0x0 {
        /// All bits, the clock manager's password included.
        31:0 value;
    }
}

/// `PUM`/`PPM` values.
pub(crate) mod pipe {
    /// No unpacking / packing.
    pub(crate) const NONE: u32 = 0;
    /// Unpack RAW10.
    pub(crate) const UNPACK10: u32 = 4;
    /// Unpack RAW12.
    pub(crate) const UNPACK12: u32 = 5;
    /// Unpack RAW14.
    pub(crate) const UNPACK14: u32 = 6;
    /// Pack to 16 bits.
    pub(crate) const PACK16: u32 = 5;
}
