"""Observed BOLD as an fMRI image (`bold_nifti` in an assimilation config;
docs/assimilation.md, "Observed BOLD"), end to end through the executable:

- a region-level and a voxel-level bundle are built with `dtb build-brain`
  from small synthetic atlases (written here);
- `dtb simulate-bold --atlas` writes the synthetic BOLD as a 4-D NIfTI on
  the atlas grid (checked against the .h5 form voxel by voxel), and
  `dtb assimilate` reading it gives bitwise the same summary numbers and
  assimilation.h5 as reading the .h5 form;
- a 4-D image written here with a different signal in every voxel (and NaN
  voxels) is averaged per region exactly as numpy computes it (seen in
  /bold/observed with `rescale: false`);
- bad input (image on another grid, a TR that disagrees with pixdim[4],
  `bold` and `bold_nifti` together, no atlas) is exit code 2 with one
  message naming the field and the files, and nothing written."""
import argparse
import gzip
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from nifti_files import write_nifti1  # noqa: E402

ARGS = None

CONFIG = """model: {model}
tr_ms: 500
trs: 3
members: 2
seed: 5
{observation}
estimate:
  - quantity: g_ampa
    population: E
    low: 0.0004
    high: 0.0032
    truth: [0.0016]
"""

# Timing and file names differ between otherwise identical runs.
NOT_COMPARED = {"wall_s", "truth_s", "assimilation_s", "construction_s", "replay_s", "time_per_tr_s",
                "time_per_tr_member_s", "config"}


def read_nifti1_gz(path):
    """(dims, pixdim[4], data [i, j, k, t]) of a float64 NIfTI-1 written by dtb."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = struct.unpack_from("<h", raw, 40)[0]
    dims = struct.unpack_from("<8h", raw, 40)[1:1 + ndim]
    datatype = struct.unpack_from("<h", raw, 70)[0]
    tr = struct.unpack_from("<8f", raw, 76)[4]
    offset = int(struct.unpack_from("<f", raw, 108)[0])
    assert datatype == 64, datatype
    data = np.frombuffer(raw, dtype="<f8", offset=offset).reshape(dims, order="F")
    return dims, tr, data


class AssimilateNifti(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="dtb_assimilate_nifti_")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def run_dtb(self, *args, expect=0):
        result = subprocess.run([ARGS.dtb, *args], capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, expect, result.stderr)
        return result

    def config(self, name, model, observation):
        with open(self.path(name), "w") as f:
            f.write(CONFIG.format(model=model, observation=observation))
        return self.path(name)

    def round_trip(self, name, atlas_labels, affine, build_args):
        """Builds a bundle from the atlas, simulates BOLD as .h5 and as
        .nii.gz, checks the image against the .h5, assimilates both and
        requires equal results."""
        atlas = self.path(name + "_atlas.nii.gz")
        write_nifti1(atlas, atlas_labels, affine)
        bundle = self.path(name + "_bundle")
        self.run_dtb("build-brain", "--atlas", atlas, "--out", bundle, "--quiet", *build_args)
        model = os.path.join(bundle, "model.yaml")
        truth = self.config(name + "_truth.yaml", model, "")
        h5 = self.path(name + "_bold.h5")
        image = self.path(name + "_bold.nii.gz")
        self.run_dtb("simulate-bold", truth, "--out", h5)
        self.run_dtb("simulate-bold", truth, "--out", image, "--atlas", atlas)
        self.assertFalse([n for n in os.listdir(self.tmp) if ".partial" in n])

        with h5py.File(h5, "r") as f:
            series = f["bold"][()]
        with h5py.File(os.path.join(bundle, "brain.h5"), "r") as f:
            labels = f["voxels/label"][()]
            centres = f["voxels/centre_mm"][()]
            voxel_mm = float(f["voxels"].attrs["voxel_mm"])
        dims, tr, data = read_nifti1_gz(image)
        self.assertEqual(tuple(dims), tuple(atlas_labels.shape) + (3,))
        self.assertAlmostEqual(tr, 0.5, places=6)
        # Every atlas voxel of model voxel v holds series v; the rest 0.
        expected = np.zeros(data.shape)
        ijk = np.stack(np.meshgrid(*[np.arange(n) for n in atlas_labels.shape], indexing="ij"), axis=-1)
        world = ijk @ np.asarray(affine, dtype=float)[:, :3].T + np.asarray(affine, dtype=float)[:, 3]
        for v in range(len(labels)):
            if voxel_mm == 0:
                member = atlas_labels == labels[v]
            else:
                cube = np.floor(world / voxel_mm + 0.5 + 1e-9)
                member = np.all(cube == np.round(centres[v] / voxel_mm), axis=-1) & (atlas_labels != 0)
            self.assertGreater(member.sum(), 0)
            expected[member] = series[v]
        np.testing.assert_array_equal(data, expected)

        outputs = {}
        for form, observation in (("h5", "bold: %s" % h5),
                                  ("nifti", "bold_nifti: {image: %s, atlas: %s}" % (image, atlas))):
            config = self.config("%s_%s.yaml" % (name, form), model, observation)
            out = self.path("%s_out_%s" % (name, form))
            self.run_dtb("assimilate", config, "--out", out, "--quiet")
            with open(os.path.join(out, "summary.json")) as f:
                summary = {k: v for k, v in json.load(f).items() if k not in NOT_COMPARED}
            with h5py.File(os.path.join(out, "assimilation.h5"), "r") as f:
                arrays = {}
                f.visititems(lambda key, obj: arrays.__setitem__(key, obj[()]) if isinstance(obj, h5py.Dataset)
                             else None)
            outputs[form] = (summary, arrays)
        self.assertEqual(outputs["h5"][0], outputs["nifti"][0])
        self.assertEqual(sorted(outputs["h5"][1]), sorted(outputs["nifti"][1]))
        for key, values in outputs["h5"][1].items():
            np.testing.assert_array_equal(values, outputs["nifti"][1][key], err_msg=key)
        sys.stderr.write("%s: %d voxels, forecast corr %s, equal from .h5 and .nii.gz\n" % (
            name, len(labels), outputs["nifti"][0]["forecast_bold_corr"]))
        return model, atlas

    def test_region_level_image_gives_the_same_assimilation_as_the_h5(self):
        # 8 x 6 x 4 voxels of 2 mm, x stored right to left; 4 labels by
        # quadrant of (i, j), background along k == 3.
        labels = np.zeros((8, 6, 4), dtype=np.int16)
        for i in range(8):
            for j in range(6):
                labels[i, j, :3] = 1 + (i >= 4) + 2 * (j >= 3)
        affine = [[-2, 0, 0, 10], [0, 2, 0, -6], [0, 0, 2, -4]]
        model, atlas = self.round_trip("regions", labels, affine,
                                       ["--regions", "--neurons", "800", "--in-degree", "40"])
        self.check_means_and_errors(model, atlas, labels, affine)

    def test_voxel_level_image_gives_the_same_assimilation_as_the_h5(self):
        # 1 mm voxels at x = i - 5.5, y = j - 1.5, z = k - 1.5: 4 mm cubes of
        # 4 x 4 x 4 atlas voxels (3 x 2 x 1 cubes); labels 1 | 2 by x.
        labels = np.zeros((12, 8, 4), dtype=np.int16)
        labels[:6] = 1
        labels[6:] = 2
        labels[0, 0, 0] = 0
        affine = [[1, 0, 0, -5.5], [0, 1, 0, -1.5], [0, 0, 1, -1.5]]
        self.round_trip("voxels", labels, affine, ["--voxel-mm", "4", "--neurons", "1200", "--in-degree", "20"])

    def check_means_and_errors(self, model, atlas, labels, affine):
        # A different signal in every voxel, two voxels NaN (one throughout,
        # one in a single volume): the observed series is the mean over the
        # region's finite voxels.
        rng = np.random.default_rng(1)
        data = 0.03 + 0.01 * rng.standard_normal(labels.shape + (4,))
        data[1, 1, 1, :] = np.nan
        data[6, 4, 2, 2] = np.nan
        # pixdim[4] = 0: the header does not give the TR; tr_ms is taken.
        image = self.path("random.nii")
        write_nifti1(image, data, affine, dtype="<f8", tr_s=0.0)
        config = self.config("random.yaml", model, "rescale: false\nbold_nifti: {image: %s, atlas: %s}" % (
            image, atlas))
        out = self.path("random_out")
        self.run_dtb("assimilate", config, "--out", out, "--quiet")
        with h5py.File(os.path.join(out, "assimilation.h5"), "r") as f:
            observed = f["bold/observed"][()]
        finite = np.all(np.isfinite(data), axis=-1)
        for r, label in enumerate([1, 2, 3, 4]):
            member = (labels == label) & finite
            np.testing.assert_allclose(observed[r], data[member].mean(axis=0)[:3], rtol=1e-13, err_msg="region %d" % r)

        def expect_error(name, observation, words):
            path = self.config(name + ".yaml", model, observation)
            out = self.path("out_" + name)
            result = self.run_dtb("assimilate", path, "--out", out, expect=2)
            self.assertIn("dtb: error:", result.stderr)
            for word in words:
                self.assertIn(word, result.stderr)
            self.assertFalse(os.path.exists(out))

        shifted = self.path("shifted.nii.gz")
        moved = np.array(affine, dtype=float)
        moved[1, 3] += 2
        write_nifti1(shifted, data, moved, dtype="<f8", tr_s=0.5)
        expect_error("grid", "bold_nifti: {image: %s, atlas: %s}" % (shifted, atlas),
                     ["bold_nifti", "shifted.nii.gz", "regions_atlas.nii.gz", "same grid"])
        slow = self.path("slow.nii")
        write_nifti1(slow, data, affine, dtype="<f4", tr_s=2.0)
        expect_error("tr", "bold_nifti: {image: %s, atlas: %s}" % (slow, atlas),
                     ["bold_nifti", "slow.nii", "pixdim[4]", "2 s", "500 ms"])
        expect_error("both", "bold: %s\nbold_nifti: {image: %s, atlas: %s}" % (image, image, atlas),
                     ["bold_nifti", "not both"])
        expect_error("no_atlas", "bold_nifti: {image: %s}" % image, ["bold_nifti.atlas", "required"])


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--dtb", required=True)
    parser.add_argument("--source-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
