/** A picture as plain bytes: what the vision tokenizer, the media helpers, the library and the world kit pass around. */
export interface RgbFrame {
  width: number;
  height: number;
  /** RGB, row-major, 3 bytes per pixel. */
  data: Uint8Array;
}
