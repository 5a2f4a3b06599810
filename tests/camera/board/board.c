// SPDX-License-Identifier: GPL-2.0
/*
 * rpi_camera_board: an emulated Raspberry Pi camera board (Unicam CSI-2
 * receiver + Sony IMX219 Camera Module v2) for testing camera drivers in a
 * QEMU guest, at the level the hardware shows to a driver.
 *
 * Loading it applies a devicetree overlay describing the board as a
 * Raspberry Pi 4 DT does (Unicam csi1, the camera's I2C bus with the sensor,
 * clocks, supplies, reset GPIO), and binds the two stand-ins the overlay
 * needs: the interrupt controller (an irq_sim domain) and the I2C adapter
 * (whose client 0x10 is the IMX219 model). The Unicam model runs in a kernel
 * thread over the register window reserved with memmap=64K$0x70000000.
 * The camera drivers themselves (C or Rust) are not part of this module.
 *
 * Unloading unbinds the camera drivers, removes the overlay and stops
 * the models. See Documentation/media/emulated-board.rst.
 */

#include <linux/debugfs.h>
#include <linux/i2c.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/irq.h>
#include <linux/irq_sim.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "board.h"

static unsigned int lanes = 2;
module_param(lanes, uint, 0444);
MODULE_PARM_DESC(lanes, "CSI-2 data lanes of the board: 2 (Pi 4, default) or 4 (Compute Module)");

static unsigned int cpu;
module_param(cpu, uint, 0444);
MODULE_PARM_DESC(cpu, "CPU the Unicam model's thread (and so the interrupt handler) runs on");

extern const u8 __dtbo_rpi_camera_board_2lane_begin[];
extern const u8 __dtbo_rpi_camera_board_2lane_end[];
extern const u8 __dtbo_rpi_camera_board_4lane_begin[];
extern const u8 __dtbo_rpi_camera_board_4lane_end[];

static struct rpi_camera_board *board;
static int ovcs_id;
static struct dentry *debugfs_dir;

/* ---- Interrupt controller: an irq_sim domain on the overlay's node ---- */

static int board_intc_probe(struct platform_device *pdev)
{
	struct irq_domain *domain;

	domain = irq_domain_create_sim(dev_fwnode(&pdev->dev), 1);
	if (IS_ERR(domain))
		return PTR_ERR(domain);

	mutex_lock(&board->intc_lock);
	board->domain = domain;
	mutex_unlock(&board->intc_lock);
	return 0;
}

static void board_intc_remove(struct platform_device *pdev)
{
	struct irq_domain *domain;
	unsigned int virq;

	mutex_lock(&board->intc_lock);
	domain = board->domain;
	board->domain = NULL;
	mutex_unlock(&board->intc_lock);

	/* Consumers (Unicam) are unbound before their supplier (device links). */
	if (!domain)
		return;
	virq = irq_find_mapping(domain, RPI_CAM_UNICAM_HWIRQ);
	if (virq && !irq_has_action(virq))
		irq_dispose_mapping(virq);
	irq_domain_remove_sim(domain);
}

static const struct of_device_id board_intc_of_match[] = {
	{ .compatible = "iio-media-rs,rpi-camera-board-intc" },
	{ }
};

static struct platform_driver board_intc_driver = {
	.probe = board_intc_probe,
	.remove = board_intc_remove,
	.driver = {
		.name = "rpi-camera-board-intc",
		.of_match_table = board_intc_of_match,
	},
};

/* ---- The camera's I2C bus: an adapter whose client 0x10 is the IMX219 ---- */

static int board_i2c_probe(struct platform_device *pdev)
{
	struct i2c_adapter *adap;
	int ret;

	adap = devm_kzalloc(&pdev->dev, sizeof(*adap), GFP_KERNEL);
	if (!adap)
		return -ENOMEM;

	adap->owner = THIS_MODULE;
	adap->algo = &imx219_model_algo;
	adap->dev.parent = &pdev->dev;
	adap->dev.of_node = pdev->dev.of_node;
	strscpy(adap->name, "rpi-camera-board i2c", sizeof(adap->name));
	i2c_set_adapdata(adap, board);

	ret = i2c_add_adapter(adap);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, adap);
	return 0;
}

static void board_i2c_remove(struct platform_device *pdev)
{
	i2c_del_adapter(platform_get_drvdata(pdev));
}

static const struct of_device_id board_i2c_of_match[] = {
	{ .compatible = "iio-media-rs,rpi-camera-board-i2c" },
	{ }
};

static struct platform_driver board_i2c_driver = {
	.probe = board_i2c_probe,
	.remove = board_i2c_remove,
	.driver = {
		.name = "rpi-camera-board-i2c",
		.of_match_table = board_i2c_of_match,
	},
};

/* ---- debugfs: the models' counters and the sensor's registers ---- */

static int stats_show(struct seq_file *s, void *unused)
{
	struct board_stats st;

	mutex_lock(&board->stats_lock);
	st = board->stats;
	mutex_unlock(&board->stats_lock);

	seq_printf(s, "sensor_frames %llu\n", st.sensor_frames);
	seq_printf(s, "frames_received %llu\n", st.frames_received);
	seq_printf(s, "frames_written %llu\n", st.frames_written);
	seq_printf(s, "frames_aborted %llu\n", st.frames_aborted);
	seq_printf(s, "frames_late %llu\n", st.frames_late);
	seq_printf(s, "frames_no_data %llu\n", st.frames_no_data);
	seq_printf(s, "lane_mismatch %llu\n", st.lane_mismatch);
	seq_printf(s, "bad_timing %llu\n", st.bad_timing);
	seq_printf(s, "bad_dma %llu\n", st.bad_dma);
	seq_printf(s, "irqs %llu\n", st.irqs);
	seq_printf(s, "irq_timeouts %llu\n", st.irq_timeouts);
	seq_printf(s, "i2c_xfers %llu\n", st.i2c_xfers);
	seq_printf(s, "i2c_nacks %llu\n", st.i2c_nacks);
	seq_printf(s, "copy_ns_last %llu\n", st.copy_ns_last);
	seq_printf(s, "copy_ns_min %llu\n", st.copy_ns_min);
	seq_printf(s, "copy_ns_max %llu\n", st.copy_ns_max);
	seq_printf(s, "copy_ns_avg %llu\n",
		   st.frames_written ? div64_u64(st.copy_ns_total, st.frames_written) : 0);
	seq_printf(s, "gen_ns_last %llu\n", st.gen_ns_last);
	seq_printf(s, "late_ns_max %llu\n", st.late_ns_max);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* Writing anything resets the counters. */
static ssize_t stats_reset(struct file *file, const char __user *buf,
			   size_t len, loff_t *ppos)
{
	mutex_lock(&board->stats_lock);
	memset(&board->stats, 0, sizeof(board->stats));
	mutex_unlock(&board->stats_lock);
	return len;
}

static const struct file_operations stats_rw_fops = {
	.owner = THIS_MODULE,
	.open = stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = stats_reset,
};

static int sensor_regs_show(struct seq_file *s, void *unused)
{
	imx219_model_dump(board, s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sensor_regs);

/* ---- Module ---- */

static int __init rpi_camera_board_init(void)
{
	const u8 *dtbo, *dtbo_end;
	int ret;

	if (lanes != 2 && lanes != 4) {
		pr_err("rpi_camera_board: lanes must be 2 or 4\n");
		return -EINVAL;
	}
	if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
		pr_err("rpi_camera_board: CPU %u is not online\n", cpu);
		return -EINVAL;
	}
	/* The register window must be reserved memory, not RAM Linux uses. */
	if (region_intersects(RPI_CAM_WINDOW_BASE, RPI_CAM_WINDOW_SIZE,
			      IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("rpi_camera_board: 0x%x is RAM in use: boot with memmap=64K$0x%x\n",
		       RPI_CAM_WINDOW_BASE, RPI_CAM_WINDOW_BASE);
		return -ENODEV;
	}

	board = kzalloc(sizeof(*board), GFP_KERNEL);
	if (!board)
		return -ENOMEM;
	mutex_init(&board->intc_lock);
	mutex_init(&board->stats_lock);

	ret = imx219_model_init(board);
	if (ret)
		goto err_free;

	board->window = ioremap(RPI_CAM_WINDOW_BASE, RPI_CAM_WINDOW_SIZE);
	if (!board->window) {
		ret = -ENOMEM;
		goto err_sensor;
	}
	/* Power-on state of Unicam's registers. */
	memset_io(board->window, 0, RPI_CAM_WINDOW_SIZE);
	board->unicam = board->window + RPI_CAM_UNICAM_OFFSET;
	board->cmi = board->window + RPI_CAM_CMI_OFFSET;

	ret = unicam_model_start(board, cpu);
	if (ret)
		goto err_unmap;

	if (lanes == 4) {
		dtbo = __dtbo_rpi_camera_board_4lane_begin;
		dtbo_end = __dtbo_rpi_camera_board_4lane_end;
	} else {
		dtbo = __dtbo_rpi_camera_board_2lane_begin;
		dtbo_end = __dtbo_rpi_camera_board_2lane_end;
	}
	/*
	 * The overlay first, our two drivers after it: devices created by an
	 * overlay probe while it is being applied, with of_mutex held, and the
	 * camera drivers' probes (which need our interrupt controller and I2C
	 * bus) must not run there. Bound afterwards, they probe outside it.
	 */
	ret = of_overlay_fdt_apply(dtbo, dtbo_end - dtbo, &ovcs_id, NULL);
	if (ret) {
		pr_err("rpi_camera_board: applying the overlay failed: %d\n", ret);
		goto err_thread;
	}
	ret = platform_driver_register(&board_intc_driver);
	if (ret)
		goto err_overlay;
	ret = platform_driver_register(&board_i2c_driver);
	if (ret)
		goto err_intc;

	debugfs_dir = debugfs_create_dir("rpi_camera_board", NULL);
	debugfs_create_file("stats", 0644, debugfs_dir, NULL, &stats_rw_fops);
	debugfs_create_file("sensor_regs", 0444, debugfs_dir, NULL, &sensor_regs_fops);

	pr_info("rpi_camera_board: %u-lane camera board at 0x%x\n", lanes,
		RPI_CAM_WINDOW_BASE);
	return 0;

err_intc:
	platform_driver_unregister(&board_intc_driver);
err_overlay:
	of_overlay_remove(&ovcs_id);
err_thread:
	unicam_model_stop(board);
err_unmap:
	iounmap(board->window);
err_sensor:
	imx219_model_free(board);
err_free:
	kfree(board);
	return ret;
}

static void __exit rpi_camera_board_exit(void)
{
	int ret;

	debugfs_remove_recursive(debugfs_dir);
	/*
	 * Our drivers first, outside of_mutex: the interrupt controller, and
	 * with it Unicam, its consumer (device links unbind consumers first),
	 * which stops a running stream while its sensor is still there; then
	 * the I2C adapter, and with it the sensor. Then the overlay with the
	 * remaining devices, then the models.
	 */
	platform_driver_unregister(&board_intc_driver);
	platform_driver_unregister(&board_i2c_driver);
	ret = of_overlay_remove(&ovcs_id);
	if (ret)
		pr_err("rpi_camera_board: removing the overlay failed: %d\n", ret);
	unicam_model_stop(board);
	pattern_free(board);
	iounmap(board->window);
	imx219_model_free(board);
	mutex_destroy(&board->stats_lock);
	mutex_destroy(&board->intc_lock);
	kfree(board);
}

module_init(rpi_camera_board_init);
module_exit(rpi_camera_board_exit);

MODULE_DESCRIPTION("Emulated Raspberry Pi camera board (Unicam + IMX219) for driver tests");
MODULE_LICENSE("GPL");
