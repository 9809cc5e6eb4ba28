"""Global camera motion from the background: sparse features, pyramidal Lucas-Kanade, and a robust
similarity fit (translation, rotation, uniform scale) per frame pair (OpenCV)."""

from __future__ import annotations

import cv2
import numpy as np

from metrics.observe.base import Camera
from metrics.observe.params import TUNED, CameraParams, Scale

DEFAULT = CameraParams()


def _features(gray: np.ndarray, mask: np.ndarray | None, p: CameraParams, sc: Scale) -> np.ndarray | None:
    return cv2.goodFeaturesToTrack(
        gray,
        maxCorners=p.max_corners,
        qualityLevel=p.corner_quality,
        minDistance=sc.px(p.corner_spacing_short),
        mask=mask,
        blockSize=sc.kernel(p.corner_block_short),
    )


def estimate_camera(
    gray: np.ndarray, exclude: np.ndarray | None = None, p: CameraParams = DEFAULT, sc: Scale = TUNED
) -> Camera:
    """Per-step similarity of the background.

    Args:
        gray: ``(T, H, W)`` uint8 frames.
        exclude: ``(T, H, W)`` bool pixels to ignore (moving objects), or None.
        p, sc: thresholds, and how they scale to pixels of these frames.

    Returns:
        :class:`Camera`; a step without enough well-spread inliers is identity and invalid.
    """
    T = gray.shape[0]
    cam = Camera.static(T, "lk-similarity")
    for t in range(T - 1):
        mask = None
        if exclude is not None:
            keep = ~(exclude[t] | exclude[t + 1])
            mask = keep.astype(np.uint8) * 255
        m = _step(gray[t], gray[t + 1], mask, p, sc)
        if m is not None:
            cam.steps[t] = m
            cam.valid[t] = True
    return cam


def _step(g0: np.ndarray, g1: np.ndarray, mask: np.ndarray | None, p: CameraParams, sc: Scale) -> np.ndarray | None:
    """The similarity taking ``g0``'s background to ``g1``'s, or None without enough well-spread
    inliers."""
    H, W = g0.shape
    p0 = _features(g0, mask, p, sc)
    if p0 is None or len(p0) < p.min_inliers:
        return None
    lk = {
        "winSize": (sc.kernel(p.flow_window_short),) * 2,
        "maxLevel": p.flow_levels,
        "minEigThreshold": p.flow_min_eig * (TUNED.short / sc.short) ** 2,
    }
    p1, st, _ = cv2.calcOpticalFlowPyrLK(g0, g1, p0, None, **lk)
    back, st2, _ = cv2.calcOpticalFlowPyrLK(g1, g0, p1, None, **lk)
    good = (st[:, 0] == 1) & (st2[:, 0] == 1) & (np.linalg.norm((back - p0)[:, 0], axis=1) < sc.px(p.round_trip_short))
    if good.sum() < p.min_inliers:
        return None
    a, b = p0[good, 0], p1[good, 0]
    m, inl = cv2.estimateAffinePartial2D(
        a, b, method=cv2.RANSAC, ransacReprojThreshold=sc.px(p.ransac_short), maxIters=p.ransac_iters
    )
    if m is None or inl is None or inl.sum() < p.min_inliers:
        return None
    pts = a[inl[:, 0] == 1]
    spread = max(np.ptp(pts[:, 0]) / W, np.ptp(pts[:, 1]) / H)
    return None if spread < p.min_spread else m


def hold_motion(cam: Camera, steps: int) -> Camera:
    """Give each unmeasured step the motion of the nearest measured step at most ``steps`` away
    (the earlier on a tie), keeping it marked unmeasured: a zoom whose anchors leave the frame
    goes on zooming for what stabilises positions and sizes, rather than stopping dead; the
    camera check still reads measured steps only."""
    measured = np.flatnonzero(cam.valid)
    if measured.size == 0 or measured.size == cam.valid.size:
        return cam
    for t in np.flatnonzero(~cam.valid):
        k = int(np.argmin(np.abs(measured - t)))
        if abs(int(measured[k]) - int(t)) <= steps:
            cam.steps[t] = cam.steps[measured[k]]
    return cam


def camera_from_truth(cx: list[float], cy: list[float], zoom: list[float], H: int, W: int) -> Camera:
    """The exact per-step similarity of the reference world's camera (oracle backend).

    Screen ``x = ((x_w - cx) z + 0.5) W``; composing one frame's inverse with the next gives
    ``x' = (z1/z0) x + W (0.5 - 0.5 z1/z0 + (cx0 - cx1) z1)``.
    """
    T = len(cx)
    cam = Camera.static(T, "truth")
    for t in range(T - 1):
        k = zoom[t + 1] / zoom[t]
        tx = W * (0.5 - 0.5 * k + (cx[t] - cx[t + 1]) * zoom[t + 1])
        ty = H * (0.5 - 0.5 * k + (cy[t] - cy[t + 1]) * zoom[t + 1])
        cam.steps[t] = [[k, 0.0, tx], [0.0, k, ty]]
        cam.valid[t] = True
    return cam


def camera_from_anchors(
    pairs: list[tuple[np.ndarray, np.ndarray]], cam: Camera, p: CameraParams = DEFAULT, sc: Scale = TUNED
) -> Camera:
    """Fill the unmeasured steps of ``cam`` from anchor points (objects that should not move).

    ``pairs[t]`` holds ``(points_t, points_t+1)``, each ``(n, 2)``. Two or more anchors fix a
    similarity from positions alone (three or more use RANSAC), so object sizes stay independent
    evidence; a step with fewer anchors stays unmeasured.
    """
    for t, (a, b) in enumerate(pairs):
        if cam.valid[t] or len(a) < 2:
            continue
        a32, b32 = a.astype(np.float32), b.astype(np.float32)
        if len(a) == 2:
            m, _ = cv2.estimateAffinePartial2D(a32, b32, method=cv2.LMEDS)
        else:
            m, _ = cv2.estimateAffinePartial2D(
                a32, b32, method=cv2.RANSAC, ransacReprojThreshold=sc.px(p.anchor_ransac_short)
            )
        lo, hi = p.anchor_scale
        if m is None or not np.isfinite(m).all() or not lo < np.hypot(m[0, 0], m[1, 0]) < hi:
            continue
        cam.steps[t] = m
        cam.valid[t] = True
    if cam.valid.any():
        cam.source = cam.source + "+anchors"
    return cam
