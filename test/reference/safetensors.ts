/**
 * Test-only safetensors files by hand: write a header and float32 data byte by byte, and take a
 * file apart, following the format's description (an 8-byte little-endian header length N, N
 * bytes of JSON, then the data, offsets relative to its start). Like the rest of
 * test/reference/, this never calls the library, so it can judge what save() writes and what
 * load() reads.
 */

/** A safetensors file: `header` as JSON, padded with spaces to a multiple of 8 (unless `pad` is false), then `data` as float32. */
export function handWritten(header: object, data: ArrayLike<number>, { pad = true } = {}): Uint8Array {
  let json = JSON.stringify(header);
  if (pad) json += ' '.repeat((8 - (json.length % 8)) % 8);
  const text = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + text.length + 4 * data.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, text.length, true); // the low half of the u64; the high half stays 0
  bytes.set(text, 8);
  for (let i = 0; i < data.length; i++) view.setFloat32(8 + text.length + 4 * i, data[i], true);
  return bytes;
}

export interface Parsed {
  headerLength: number;
  headerText: string;
  header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & { __metadata__?: Record<string, string> };
  /** The data section. */
  data: DataView;
}

/** Takes a file apart; throws if the header length's high half is not 0. */
export function parseFile(bytes: Uint8Array): Parsed {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, true) !== 0) throw new Error('parseFile: header length above 4 GiB');
  const headerLength = view.getUint32(0, true);
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  return {
    headerLength, headerText, header: JSON.parse(headerText),
    data: new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLength, bytes.byteLength - 8 - headerLength),
  };
}

/** The float32 values of tensor `name` of a parsed file. */
export function valuesOf(file: Parsed, name: string): number[] {
  const [begin, end] = file.header[name].data_offsets;
  return Array.from({ length: (end - begin) / 4 }, (_, i) => file.data.getFloat32(begin + 4 * i, true));
}

/** The uint32 bit patterns of float32 values (to compare floats bit for bit). */
export function bits(values: ArrayLike<number>): number[] {
  return Array.from(new Uint32Array(Float32Array.from(values).buffer));
}
