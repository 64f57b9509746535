/**
 * SHA-1 of the UTF-8 encoding of a string, hex. The engine cannot import node:crypto (it also
 * runs in the browser bundle), so FileFacts.hash is computed here: a plain, allocation-light
 * implementation (~200-400 MB/s in V8, i.e. negligible next to parsing). Used as a cache key
 * only, not for security.
 */

const encoder = new TextEncoder();

export function sha1Hex(text: string): string {
  return sha1Bytes(encoder.encode(text));
}

export function sha1Bytes(data: Uint8Array): string {
  let h0 = 0x67452301;
  let h1 = 0xefcdab89;
  let h2 = 0x98badcfe;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0;
  const w = new Int32Array(80);
  const len = data.length;
  // Message + 0x80 + zero padding + 64-bit big-endian bit length, in 64-byte blocks.
  const total = (((len + 8) >> 6) + 1) << 6;
  const tail = new Uint8Array(total - (len & ~63));
  tail.set(data.subarray(len & ~63));
  tail[len & 63] = 0x80;
  const bitsHi = Math.floor(len / 0x20000000);
  const bitsLo = (len << 3) >>> 0;
  const t = tail.length;
  tail[t - 8] = bitsHi >>> 24;
  tail[t - 7] = bitsHi >>> 16;
  tail[t - 6] = bitsHi >>> 8;
  tail[t - 5] = bitsHi;
  tail[t - 4] = bitsLo >>> 24;
  tail[t - 3] = bitsLo >>> 16;
  tail[t - 2] = bitsLo >>> 8;
  tail[t - 1] = bitsLo;
  const fullBlocks = len >> 6;
  const blocks = total >> 6;
  for (let b = 0; b < blocks; b++) {
    const src = b < fullBlocks ? data : tail;
    let p = b < fullBlocks ? b << 6 : (b - fullBlocks) << 6;
    for (let i = 0; i < 16; i++, p += 4) {
      w[i] = (src[p] << 24) | (src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3];
    }
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let bb = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let i = 0; i < 80; i++) {
      let f: number;
      let k: number;
      if (i < 20) {
        f = (bb & c) | (~bb & d);
        k = 0x5a827999;
      } else if (i < 40) {
        f = bb ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (bb & c) | (bb & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = bb ^ c ^ d;
        k = 0xca62c1d6;
      }
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = tmp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + bb) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  return [h0, h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}
