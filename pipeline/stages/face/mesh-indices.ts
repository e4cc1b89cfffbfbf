/** MediaPipe FaceMesh (468-point) indices used by the real-person avatar. */
export const MESH = {
  /** Mouth corners (image left, image right). */
  mouthLeft: 61,
  mouthRight: 291,
  /** Inner lip midpoints (upper, lower): the gap between them is the mouth opening. */
  innerUpper: 13,
  innerLower: 14,
  /** Outer lip midpoints. */
  outerUpper: 0,
  outerLower: 17,
  /** Outer eye corners: their distance is the face's scale. */
  eyeOuterLeft: 33,
  eyeOuterRight: 263,
  noseTip: 1,
  noseBottom: 2,
  chin: 152,
} as const;

/**
 * Points that move with the skull but not with the jaw or the lips: eye corners, nose bridge and
 * nose. Frames are aligned to each other with these alone, so mouth motion doesn't bias the fit.
 */
export const STABLE_POINTS = [33, 133, 362, 263, 168, 6, 197, 195, 5, 4, 1, 98, 327, 9, 8] as const;

/** Outer lip contour, clockwise from the left corner. */
export const OUTER_LIPS = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146] as const;

/** Face outline (silhouette), for masking out anything that is not face. */
export const FACE_OVAL = [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109] as const;

/** Inner lip contour, clockwise from the left corner. */
export const INNER_LIPS = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95] as const;

export const LIPS = [...OUTER_LIPS, ...INNER_LIPS] as const;
