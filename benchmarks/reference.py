"""Reference implementations the kit is checked and timed against: the test recipe's per-joint decoding loop
(spec §9), the crop transform built from its three point pairs (spec §8), and batches of Gaussian heatmaps.

They are deliberately plain (one joint at a time, straight from the spec), so that the fast code in `advomnipose`
has an independent truth. The notebooks' tests and the benchmarks import them from here; the library does not ship
them.
"""
import cv2
import numpy as np
import torch

from advomnipose.transforms import PIXEL_STD, generate_target


def gaussian_maps(centers, size, sigma: float = 2.0) -> torch.Tensor:
    "Unbiased Gaussian heatmaps (N×J×H×W float32) at `centers` (N×J×2, heatmap pixels) on a `size` (W, H) grid."
    mu = np.asarray(centers, dtype=np.float64)
    maps = [generate_target(m, np.ones(len(m)), size, sigma)[0] for m in mu]
    return torch.from_numpy(np.stack(maps))


def affine_3pt(center, scale, rot, output_size, inv=False) -> np.ndarray:
    "The crop transform of spec §8 built from its three point pairs (2×3, float64): the truth for the closed form."
    w, h = output_size
    a = np.asarray(center, np.float64)
    r = np.deg2rad(rot)
    d = np.array([0.0, -(float(np.ravel(scale)[0]) * PIXEL_STD - 1) / 2])
    b = a + np.array([d[0] * np.cos(r) - d[1] * np.sin(r), d[0] * np.sin(r) + d[1] * np.cos(r)])
    a2 = np.array([(w - 1) / 2, (h - 1) / 2])
    b2 = a2 + np.array([0.0, -(w - 1) / 2])

    def third(p, q): return q + np.array([-(p - q)[1], (p - q)[0]])
    src, dst = np.stack([a, b, third(a, b)]), np.stack([a2, b2, third(a2, b2)])
    if inv: src, dst = dst, src
    return np.linalg.solve(np.c_[src, np.ones(3)], dst).T


def _dark_step(L, px, py):
    "Newton step of DARK at (px, py) on the log-map `L`, or None where the Hessian is singular or the step not finite."
    g = np.array([L[py, px + 1] - L[py, px - 1], L[py + 1, px] - L[py - 1, px]]) / 2
    dxx = (L[py, px + 2] - 2 * L[py, px] + L[py, px - 2]) / 4
    dyy = (L[py + 2, px] - 2 * L[py, px] + L[py - 2, px]) / 4
    dxy = (L[py + 1, px + 1] - L[py - 1, px + 1] - L[py + 1, px - 1] + L[py - 1, px - 1]) / 4
    if dxx * dyy - dxy ** 2 == 0: return None
    with np.errstate(all='ignore'):
        o = -np.linalg.inv(np.array([[dxx, dxy], [dxy, dyy]])) @ g
    return o if np.all(np.isfinite(o)) else None


def decode_reference(heatmaps, center=None, scale=None, dark: bool = True, blur_kernel: int = 11):
    "Per-joint loop implementation of spec §9 (numpy + OpenCV); the same outputs as `decode.decode_heatmaps`."
    hm = heatmaps.detach().cpu().numpy() if isinstance(heatmaps, torch.Tensor) else np.asarray(heatmaps)
    N, J, H, W = hm.shape
    k = int(blur_kernel)
    r = (k - 1) // 2
    coords, maxvals = np.zeros((N, J, 2)), np.zeros((N, J, 1), hm.dtype)
    for n in range(N):
        Tinv = None
        if center is not None: Tinv = affine_3pt(np.asarray(center[n]), np.asarray(scale[n]), 0, (W, H), inv=True)
        for j in range(J):
            m = hm[n, j]
            i = int(np.argmax(m))
            v = m.flat[i]
            maxvals[n, j, 0] = v
            px, py = (i % W, i // W) if v > 0 else (0, 0)
            x, y = float(px), float(py)
            if dark and 1 < px < W - 2 and 1 < py < H - 2:
                pad = np.zeros((H + 2 * r, W + 2 * r))
                pad[r:r + H, r:r + W] = m
                b = cv2.GaussianBlur(pad, (k, k), 0)[r:r + H, r:r + W]
                with np.errstate(divide='ignore', invalid='ignore'):
                    L = np.log(np.maximum(b * (np.float64(v) / b.max()), 1e-10))
                o = _dark_step(L, px, py)
                if o is not None: x, y = x + o[0], y + o[1]
            elif not dark and 1 < px < W - 1 and 1 < py < H - 1:
                x += 0.25 * np.sign(float(m[py, px + 1]) - float(m[py, px - 1]))
                y += 0.25 * np.sign(float(m[py + 1, px]) - float(m[py - 1, px]))
            coords[n, j] = (x, y) if Tinv is None else Tinv @ np.array([x, y, 1.0])
    return coords, maxvals
