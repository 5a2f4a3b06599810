// SPDX-License-Identifier: GPL-2.0
//! The Rust mirrors against the C compiler: our uAPI header
//! (`include/uapi/linux/v4l2-stateless-h264-encode.h`) and the system's
//! `<linux/v4l2-controls.h>` compiled by `cc`, every offset compared.

use core::mem::{offset_of, size_of};
use slenc_codec::uapi::{EncodeParams, Pps, Sps};
use std::process::Command;

const C: &str = r#"
#include <stdio.h>
#include <stddef.h>
#include "v4l2-stateless-h264-encode.h"
#define F(s, f) printf(#s "." #f " %zu\n", offsetof(struct s, f))
#define S(s) printf(#s " %zu\n", sizeof(struct s))
int main(void)
{
	S(v4l2_ctrl_h264_encode_params);
	F(v4l2_ctrl_h264_encode_params, nal_ref_idc);
	F(v4l2_ctrl_h264_encode_params, slice_type);
	F(v4l2_ctrl_h264_encode_params, pic_parameter_set_id);
	F(v4l2_ctrl_h264_encode_params, colour_plane_id);
	F(v4l2_ctrl_h264_encode_params, frame_num);
	F(v4l2_ctrl_h264_encode_params, idr_pic_id);
	F(v4l2_ctrl_h264_encode_params, pic_order_cnt_lsb);
	F(v4l2_ctrl_h264_encode_params, reserved0);
	F(v4l2_ctrl_h264_encode_params, delta_pic_order_cnt_bottom);
	F(v4l2_ctrl_h264_encode_params, delta_pic_order_cnt0);
	F(v4l2_ctrl_h264_encode_params, delta_pic_order_cnt1);
	F(v4l2_ctrl_h264_encode_params, num_ref_idx_l0_active_minus1);
	F(v4l2_ctrl_h264_encode_params, num_ref_idx_l1_active_minus1);
	F(v4l2_ctrl_h264_encode_params, cabac_init_idc);
	F(v4l2_ctrl_h264_encode_params, slice_qp_delta);
	F(v4l2_ctrl_h264_encode_params, disable_deblocking_filter_idc);
	F(v4l2_ctrl_h264_encode_params, slice_alpha_c0_offset_div2);
	F(v4l2_ctrl_h264_encode_params, slice_beta_offset_div2);
	F(v4l2_ctrl_h264_encode_params, reserved1);
	F(v4l2_ctrl_h264_encode_params, flags);
	S(v4l2_ctrl_h264_sps);
	F(v4l2_ctrl_h264_sps, offset_for_ref_frame);
	F(v4l2_ctrl_h264_sps, offset_for_non_ref_pic);
	F(v4l2_ctrl_h264_sps, pic_width_in_mbs_minus1);
	F(v4l2_ctrl_h264_sps, flags);
	S(v4l2_ctrl_h264_pps);
	F(v4l2_ctrl_h264_pps, second_chroma_qp_index_offset);
	F(v4l2_ctrl_h264_pps, flags);
	printf("V4L2_CID_STATELESS_H264_ENCODE_PARAMS %u\n", V4L2_CID_STATELESS_H264_ENCODE_PARAMS);
	printf("V4L2_CTRL_TYPE_H264_ENCODE_PARAMS %u\n", V4L2_CTRL_TYPE_H264_ENCODE_PARAMS);
	printf("V4L2_H264_ENCODE_FLAG_LONG_TERM_REFERENCE %u\n", V4L2_H264_ENCODE_FLAG_LONG_TERM_REFERENCE);
	return 0;
}
"#;

#[test]
fn c_compiler_agrees() {
    let dir = std::env::temp_dir().join(format!("slenc-uapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("layout.c");
    let exe = dir.join("layout");
    std::fs::write(&src, C).unwrap();
    let inc = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../../include/uapi/linux"
    );
    let st = Command::new("cc")
        .args(["-Wall", "-Werror", "-I", inc, "-o"])
        .arg(&exe)
        .arg(&src)
        .status()
        .expect("run cc");
    assert!(st.success(), "cc failed");
    let out = Command::new(&exe).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let get = |k: &str| -> usize {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("{k} missing in:\n{text}"))
    };
    type E = EncodeParams;
    let p = "v4l2_ctrl_h264_encode_params.";
    assert_eq!(get("v4l2_ctrl_h264_encode_params"), size_of::<E>());
    assert_eq!(get(&format!("{p}nal_ref_idc")), offset_of!(E, nal_ref_idc));
    assert_eq!(get(&format!("{p}slice_type")), offset_of!(E, slice_type));
    assert_eq!(
        get(&format!("{p}pic_parameter_set_id")),
        offset_of!(E, pic_parameter_set_id)
    );
    assert_eq!(
        get(&format!("{p}colour_plane_id")),
        offset_of!(E, colour_plane_id)
    );
    assert_eq!(get(&format!("{p}frame_num")), offset_of!(E, frame_num));
    assert_eq!(get(&format!("{p}idr_pic_id")), offset_of!(E, idr_pic_id));
    assert_eq!(
        get(&format!("{p}pic_order_cnt_lsb")),
        offset_of!(E, pic_order_cnt_lsb)
    );
    assert_eq!(get(&format!("{p}reserved0")), offset_of!(E, reserved0));
    assert_eq!(
        get(&format!("{p}delta_pic_order_cnt_bottom")),
        offset_of!(E, delta_pic_order_cnt_bottom)
    );
    assert_eq!(
        get(&format!("{p}delta_pic_order_cnt0")),
        offset_of!(E, delta_pic_order_cnt0)
    );
    assert_eq!(
        get(&format!("{p}delta_pic_order_cnt1")),
        offset_of!(E, delta_pic_order_cnt1)
    );
    assert_eq!(
        get(&format!("{p}num_ref_idx_l0_active_minus1")),
        offset_of!(E, num_ref_idx_l0_active_minus1)
    );
    assert_eq!(
        get(&format!("{p}num_ref_idx_l1_active_minus1")),
        offset_of!(E, num_ref_idx_l1_active_minus1)
    );
    assert_eq!(
        get(&format!("{p}cabac_init_idc")),
        offset_of!(E, cabac_init_idc)
    );
    assert_eq!(
        get(&format!("{p}slice_qp_delta")),
        offset_of!(E, slice_qp_delta)
    );
    assert_eq!(
        get(&format!("{p}disable_deblocking_filter_idc")),
        offset_of!(E, disable_deblocking_filter_idc)
    );
    assert_eq!(
        get(&format!("{p}slice_alpha_c0_offset_div2")),
        offset_of!(E, slice_alpha_c0_offset_div2)
    );
    assert_eq!(
        get(&format!("{p}slice_beta_offset_div2")),
        offset_of!(E, slice_beta_offset_div2)
    );
    assert_eq!(get(&format!("{p}reserved1")), offset_of!(E, reserved1));
    assert_eq!(get(&format!("{p}flags")), offset_of!(E, flags));
    // The implicit hole: reserved1 ends at 37, flags starts at 40.
    assert_eq!(
        get(&format!("{p}flags")) - get(&format!("{p}reserved1")) - 6,
        3
    );
    assert_eq!(get("v4l2_ctrl_h264_sps"), size_of::<Sps>());
    assert_eq!(
        get("v4l2_ctrl_h264_sps.offset_for_ref_frame"),
        offset_of!(Sps, offset_for_ref_frame)
    );
    assert_eq!(
        get("v4l2_ctrl_h264_sps.offset_for_non_ref_pic"),
        offset_of!(Sps, offset_for_non_ref_pic)
    );
    assert_eq!(
        get("v4l2_ctrl_h264_sps.pic_width_in_mbs_minus1"),
        offset_of!(Sps, pic_width_in_mbs_minus1)
    );
    assert_eq!(get("v4l2_ctrl_h264_sps.flags"), offset_of!(Sps, flags));
    assert_eq!(get("v4l2_ctrl_h264_pps"), size_of::<Pps>());
    assert_eq!(
        get("v4l2_ctrl_h264_pps.second_chroma_qp_index_offset"),
        offset_of!(Pps, second_chroma_qp_index_offset)
    );
    assert_eq!(get("v4l2_ctrl_h264_pps.flags"), offset_of!(Pps, flags));
    assert_eq!(
        get("V4L2_CID_STATELESS_H264_ENCODE_PARAMS") as u32,
        slenc_codec::uapi::CID_STATELESS_H264_ENCODE_PARAMS
    );
    assert_eq!(
        get("V4L2_CTRL_TYPE_H264_ENCODE_PARAMS") as u32,
        slenc_codec::uapi::CTRL_TYPE_H264_ENCODE_PARAMS
    );
    assert_eq!(
        get("V4L2_H264_ENCODE_FLAG_LONG_TERM_REFERENCE") as u32,
        slenc_codec::uapi::ENCODE_FLAG_LONG_TERM_REFERENCE
    );
}
