"""Global camera motion from the background: sparse features, pyramidal Lucas-Kanade, and a robust
similarity fit (translation, rotation, uniform scale) per frame pair (OpenCV)."""

from __future__ import annotations

import cv2
import numpy as np

from metrics.observe.base import Camera

MIN_INLIERS = 10
MIN_SPREAD = 0.2  # inliers must span this fraction of the frame in x or y


def _features(gray: np.ndarray, mask: np.ndarray | None) -> np.ndarray | None:
    return cv2.goodFeaturesToTrack(gray, maxCorners=160, qualityLevel=0.005, minDistance=5, mask=mask, blockSize=5)


def estimate_camera(gray: np.ndarray, exclude: np.ndarray | None = None) -> Camera:
    """Per-step similarity of the background.

    Args:
        gray: ``(T, H, W)`` uint8 frames.
        exclude: ``(T, H, W)`` bool pixels to ignore (moving objects), or None.

    Returns:
        :class:`Camera`; a step without enough well-spread inliers is identity and invalid.
    """
    T, H, W = gray.shape
    cam = Camera.static(T, "lk-similarity")
    for t in range(T - 1):
        mask = None
        if exclude is not None:
            keep = ~(exclude[t] | exclude[t + 1])
            mask = keep.astype(np.uint8) * 255
        p0 = _features(gray[t], mask)
        if p0 is None or len(p0) < MIN_INLIERS:
            continue
        p1, st, _ = cv2.calcOpticalFlowPyrLK(gray[t], gray[t + 1], p0, None, winSize=(15, 15), maxLevel=2)
        back, st2, _ = cv2.calcOpticalFlowPyrLK(gray[t + 1], gray[t], p1, None, winSize=(15, 15), maxLevel=2)
        good = (st[:, 0] == 1) & (st2[:, 0] == 1) & (np.linalg.norm((back - p0)[:, 0], axis=1) < 0.5)
        if good.sum() < MIN_INLIERS:
            continue
        a, b = p0[good, 0], p1[good, 0]
        m, inl = cv2.estimateAffinePartial2D(a, b, method=cv2.RANSAC, ransacReprojThreshold=0.75, maxIters=500)
        if m is None or inl is None or inl.sum() < MIN_INLIERS:
            continue
        pts = a[inl[:, 0] == 1]
        spread = max(np.ptp(pts[:, 0]) / W, np.ptp(pts[:, 1]) / H)
        if spread < MIN_SPREAD:
            continue
        cam.steps[t] = m
        cam.valid[t] = True
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


def camera_from_anchors(pairs: list[tuple[np.ndarray, np.ndarray]], cam: Camera) -> Camera:
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
            m, _ = cv2.estimateAffinePartial2D(a32, b32, method=cv2.RANSAC, ransacReprojThreshold=1.5)
        if m is None or not np.isfinite(m).all() or not 0.7 < np.hypot(m[0, 0], m[1, 0]) < 1.4:
            continue
        cam.steps[t] = m
        cam.valid[t] = True
    if cam.valid.any():
        cam.source = cam.source + "+anchors"
    return cam
