// A MessagePack decoder for the literals flytekit >= 1.14 writes as Binary (tag "msgpack"):
// dataclasses, and the attributes flytepropeller reads out of them. Reading is all we need.

/** A decoded value. Integers outside JavaScript's safe range stay exact as bigint. */
export type Unpacked =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Unpacked[]
  | { [key: string]: Unpacked };

export function decodeMsgpack(bytes: Uint8Array): Unpacked {
  const reader = new Reader(bytes);
  const value = reader.value();
  if (reader.offset !== bytes.length) throw new Error(`${bytes.length - reader.offset} bytes left over`);
  return value;
}

class Reader {
  offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  value(): Unpacked {
    const byte = this.uint(1);
    if (byte <= 0x7f) return byte;
    if (byte >= 0xe0) return byte - 0x100;
    if (byte >= 0xa0 && byte <= 0xbf) return this.text(byte & 0x1f);
    if (byte >= 0x90 && byte <= 0x9f) return this.array(byte & 0x0f);
    if (byte >= 0x80 && byte <= 0x8f) return this.map(byte & 0x0f);
    switch (byte) {
      case 0xc0:
        return null;
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc4:
      case 0xc5:
      case 0xc6:
        return this.take(this.uint(1 << (byte - 0xc4))).slice();
      case 0xca:
        return this.view.getFloat32(this.advance(4));
      case 0xcb:
        return this.view.getFloat64(this.advance(8));
      case 0xcc:
      case 0xcd:
      case 0xce:
        return this.uint(1 << (byte - 0xcc));
      case 0xcf:
        return exact(this.view.getBigUint64(this.advance(8)));
      case 0xd0:
        return this.view.getInt8(this.advance(1));
      case 0xd1:
        return this.view.getInt16(this.advance(2));
      case 0xd2:
        return this.view.getInt32(this.advance(4));
      case 0xd3:
        return exact(this.view.getBigInt64(this.advance(8)));
      case 0xd9:
      case 0xda:
      case 0xdb:
        return this.text(this.uint(1 << (byte - 0xd9)));
      case 0xdc:
      case 0xdd:
        return this.array(this.uint(byte === 0xdc ? 2 : 4));
      case 0xde:
      case 0xdf:
        return this.map(this.uint(byte === 0xde ? 2 : 4));
      default:
        throw new Error(`unsupported MessagePack type byte 0x${byte.toString(16)} at offset ${this.offset - 1}`);
    }
  }

  private array(length: number): Unpacked[] {
    return Array.from({ length }, () => this.value());
  }

  private map(size: number): { [key: string]: Unpacked } {
    const entries: [string, Unpacked][] = [];
    for (let i = 0; i < size; i++) {
      const key = this.value();
      if (typeof key !== "string") throw new Error(`MessagePack map key ${String(key)} is not a string`);
      entries.push([key, this.value()]);
    }
    // fromEntries defines own properties, so a key like "__proto__" stays data.
    return Object.fromEntries(entries);
  }

  private text(length: number): string {
    return new TextDecoder("utf-8", { fatal: true }).decode(this.take(length));
  }

  private uint(width: number): number {
    const at = this.advance(width);
    if (width === 1) return this.view.getUint8(at);
    if (width === 2) return this.view.getUint16(at);
    return this.view.getUint32(at);
  }

  private take(length: number): Uint8Array {
    const at = this.advance(length);
    return this.bytes.subarray(at, at + length);
  }

  /** Moves past `length` bytes and returns where they start. */
  private advance(length: number): number {
    const at = this.offset;
    if (at + length > this.bytes.length) throw new Error(`MessagePack data ends early at offset ${at}`);
    this.offset += length;
    return at;
  }
}

function exact(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
